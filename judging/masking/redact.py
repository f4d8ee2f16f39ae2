"""Judge copies of PDFs: every page rendered to a picture, identifying text blacked out where it
is drawn, and the pictures put together into a new PDF that holds nothing else.

Pure (no Django): bytes in, bytes out. ``judging.masking.copies`` stores and schedules them.

Rendering is PDFium's (pypdfium2): the wheel carries the library, so nothing is installed on
the machine, and its text layer gives each character's box on the page, which is what tells
where a matched name is drawn. Only the page content is drawn: annotations (sticky notes,
form-field values, stamps, links, attachments) are not, since their text is not in the page's
text layer and could not be blacked out.

The copy is written by hand (``image_pdf``): a catalog, the pages, and one JPEG per page. No
document information, XMP, annotations, actions, names, outlines, attachments or text: a judge's
reader has nothing to run and nothing to search.
"""

import ctypes
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import ImageDraw

# Fractions of the page, (left, top, right, bottom), top-left origin, as the page is shown.
Box = tuple[float, float, float, float]
Spans = Callable[[str], list[tuple[int, int]]]


@dataclass(frozen=True)
class ManualBox:
    page: int  # 1-based
    box: Box


@dataclass(frozen=True)
class Found:
    """One identifying match on a page: the text that matched and where it was blacked out."""

    page: int  # 1-based
    text: str
    boxes: tuple[Box, ...]


@dataclass
class JudgeCopy:
    content: bytes
    pages: int  # pages in the copy
    source_pages: int  # pages of the original (more when the copy was cut at ``max_pages``)
    found: list[Found] = field(default_factory=list)


@dataclass(frozen=True)
class Quality:
    """How pages are drawn. 120 dpi: body text (10.5 pt) is 17 pixels high, sharp on a phone
    and on a desktop at full width, an A4 page 992×1404 pixels; JPEG quality 80 keeps strokes
    of small Chinese characters clean at about 100–250 kB a page. A page larger than A4 is drawn
    with its longer side at most ``max_side`` pixels; only the first ``max_pages`` pages."""

    dpi: int = 120
    jpeg_quality: int = 80
    max_side: int = 2000
    max_pages: int = 100


def judge_copy(
    source: bytes, *, spans: Spans, manual: Iterable[ManualBox] = (), quality: Quality = Quality()
) -> JudgeCopy:
    """The judge copy of ``source``: each page drawn, the characters of every span ``spans``
    finds in its text layer blacked out, and the organizers' ``manual`` boxes too."""
    manual_by_page: dict[int, list[Box]] = {}
    for item in manual:
        manual_by_page.setdefault(item.page, []).append(item.box)
    document = pdfium.PdfDocument(source)
    try:
        source_pages = len(document)
        pictures, found = [], []
        for index in range(min(source_pages, quality.max_pages)):
            page = document[index]
            try:
                picture, page_found = _draw_page(
                    page, index + 1, spans, manual_by_page.get(index + 1, []), quality
                )
            finally:
                page.close()
            pictures.append(picture)
            found += page_found
    finally:
        document.close()
    return JudgeCopy(image_pdf(pictures), len(pictures), source_pages, found)


@dataclass(frozen=True)
class Picture:
    jpeg: bytes
    pixels: tuple[int, int]
    points: tuple[float, float]  # the page's size as shown, in PDF points


def _draw_page(
    page, number: int, spans: Spans, manual: list[Box], quality: Quality
) -> tuple[Picture, list[Found]]:
    width, height = page.get_size()
    scale = min(quality.dpi / 72, quality.max_side / max(width, height, 1))
    bitmap = page.render(scale=scale, draw_annots=False, may_draw_forms=False)
    image = bitmap.to_pil().convert("RGB")
    bitmap.close()
    size = image.size
    found = []
    textpage = page.get_textpage()
    try:
        chars = textpage.count_chars()
        text = "".join(_char(textpage, i) for i in range(chars))
        for start, end in spans(text):
            boxes = _line_boxes(page, textpage, range(start, end), text, size)
            if boxes:
                found.append(Found(number, text[start:end], tuple(_fractions(b, size) for b in boxes)))
    finally:
        textpage.close()
    draw = ImageDraw.Draw(image)
    for item in found:
        for box in item.boxes:
            draw.rectangle(_pixels(box, size), fill=(0, 0, 0))
    for box in manual:
        draw.rectangle(_pixels(box, size), fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality.jpeg_quality, optimize=True)
    return Picture(out.getvalue(), size, (width, height)), found


def _char(textpage, index: int) -> str:
    code = pdfium_c.FPDFText_GetUnicode(textpage, index)
    # One character per index, so that spans found in the text are character indexes.
    if code == 0 or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def _to_device(page, size, x: float, y: float) -> tuple[int, int]:
    dx, dy = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDF_PageToDevice(page, 0, 0, size[0], size[1], 0, x, y, dx, dy)
    return dx.value, dy.value


def _line_boxes(page, textpage, indexes: range, text: str, size) -> list[tuple[int, int, int, int]]:
    """Pixel boxes covering the drawn characters, one per line (characters whose boxes share
    most of their height), padded by a pixel or two."""
    boxes: list[list[int]] = []
    for index in indexes:
        if text[index].isspace():
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        if right <= left and top <= bottom:
            continue
        corners = [_to_device(page, size, x, y) for x in (left, right) for y in (bottom, top)]
        xs = [c[0] for c in corners]
        ys = [c[1] for c in corners]
        box = [min(xs), min(ys), max(xs), max(ys)]
        last = boxes[-1] if boxes else None
        if last is not None and _same_line(last, box):
            last[:] = [min(last[0], box[0]), min(last[1], box[1]), max(last[2], box[2]), max(last[3], box[3])]
        else:
            boxes.append(box)
    pad = max(1, round(min(size) / 500))
    return [
        (max(0, b[0] - pad), max(0, b[1] - pad), min(size[0], b[2] + pad), min(size[1], b[3] + pad))
        for b in boxes
    ]


def _same_line(a: list[int], b: list[int]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _fractions(box, size) -> Box:
    return tuple(round(v / size[i % 2], 4) for i, v in enumerate(box))


def _pixels(box: Box, size) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    return (
        int(left * size[0]),
        int(top * size[1]),
        max(int(left * size[0]), round(right * size[0]) - 1),
        max(int(top * size[1]), round(bottom * size[1]) - 1),
    )


def image_pdf(pictures: list[Picture]) -> bytes:
    """A PDF of the pictures, one a page at the page's size: the catalog, the page tree, and
    per page its dictionary, a one-line content stream and the JPEG. Nothing else."""
    count = len(pictures)
    # Objects: 1 catalog, 2 page tree, then per page: page, contents, image.
    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(count))
    bodies: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {count} /Kids [{kids}] >>".encode(),
    ]
    for i, picture in enumerate(pictures):
        contents, image = 4 + 3 * i, 5 + 3 * i
        width, height = (f"{v:.2f}" for v in picture.points)
        drawing = f"q {width} 0 0 {height} 0 0 cm /P Do Q".encode()
        bodies += [
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
                f"/Resources << /XObject << /P {image} 0 R >> >> /Contents {contents} 0 R >>"
            ).encode(),
            b"<< /Length %d >>\nstream\n" % len(drawing) + drawing + b"\nendstream",
            (
                f"<< /Type /XObject /Subtype /Image /Width {picture.pixels[0]} /Height {picture.pixels[1]} "
                "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode "
                f"/Length {len(picture.jpeg)} >>\n"
            ).encode()
            + b"stream\n"
            + picture.jpeg
            + b"\nendstream",
        ]
    return write_pdf(bodies)


def write_pdf(bodies: list[bytes]) -> bytes:
    """A PDF file of these objects, numbered from 1 in order (1 must be the catalog), with its
    cross-reference table and trailer: nothing but what is given."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref))
    return out.getvalue()


def page_picture(copy: bytes, page: int) -> bytes:
    """The JPEG of one page (1-based) of a judge copy made by ``image_pdf``, as stored."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(copy))
    image = reader.pages[page - 1]["/Resources"]["/XObject"]["/P"].get_object()
    return image._data
