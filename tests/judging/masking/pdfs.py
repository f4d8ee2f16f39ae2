"""Real PDFs with a text layer for judge-copy tests, written by hand (no font file needed: the
CJK font is Adobe's predefined STSong-Light with the UniGB-UCS2-H encoding, which every
reader knows), plus page-level carriers added with pypdf."""

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from judging.masking.redact import write_pdf

# (text, x, y, size): x and y of the baseline's start in points from the bottom left.
Line = tuple[str, float, float, float]


def pdf_with_text(pages: list[list[Line]], *, width: float = 595, height: float = 842) -> bytes:
    """A PDF whose pages draw the given lines (extractable text)."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # page tree, below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for lines in pages:
        stream = b"".join(
            b"BT /F1 %.1f Tf %.1f %.1f Td <%s> Tj ET\n"
            % (size, x, y, text.encode("utf-16-be").hex().encode())
            for text, x, y, size in lines
        )
        bodies.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        contents = len(bodies)
        bodies.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (width, height, contents)
        )
        kids.append(len(bodies))
    bodies[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (
        len(kids),
        b" ".join(b"%d 0 R" % k for k in kids),
    )
    return write_pdf(bodies)


def with_carriers(content: bytes, *, name: str) -> bytes:
    """``content`` with the team's ``name`` in every page-level and document-level carrier:
    document info and XMP, a sticky note (author and text), a link, a JavaScript open action,
    a page action and an embedded file."""
    writer = PdfWriter(clone_from=io.BytesIO(content))
    writer.add_metadata({"/Title": name, "/Author": name})
    writer.add_attachment(f"{name}.txt", f"roster of {name}".encode())
    js = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer.root_object[NameObject("/OpenAction")] = js
    page = writer.pages[0]
    rect = ArrayObject([FloatObject(10), FloatObject(10), FloatObject(60), FloatObject(60)])
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): rect,
            NameObject("/T"): TextStringObject(name),
            NameObject("/Contents"): TextStringObject(name),
        }
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): rect,
            NameObject("/Border"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://example.org/team"),
                }
            ),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(note), writer._add_object(link)])
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): js})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
