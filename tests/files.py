"""Real files for upload tests, made with Pillow and pypdf (never mocked)."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def jpeg_bytes(width=64, height=48, color=(200, 30, 40), exif=None, **save_kwargs) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    if exif is not None:
        save_kwargs["exif"] = exif
    image.save(out, format="JPEG", **save_kwargs)
    return out.getvalue()


def png_bytes(width=64, height=48, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200) if mode == "RGB" else (10, 120, 200, 128)).save(
        out, format="PNG"
    )
    return out.getvalue()


def gps_exif() -> Image.Exif:
    """EXIF with a camera model, an owner name and a GPS position (Changzhi)."""
    exif = Image.Exif()
    exif[0x0110] = "DemoCam X100"  # Model
    exif[0x013B] = "张建国"  # Artist
    gps = {1: "N", 2: (36.0, 11.0, 42.0), 3: "E", 4: (113.0, 6.0, 58.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    return exif


def pdf_bytes(pages=1, title="潞州区红马甲志愿服务队申报材料", author="张建国") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title, "/Author": author, "/Creator": "WPS Office"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "hello")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that *claims* width×height RGB pixels but carries a tiny IDAT.

    Built by hand so that a decompression-bomb test never allocates the real image.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _png_chunk(b"IEND", b"")
    )


def webp_bytes(width=64, height=48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 160, 90)).save(out, format="WEBP")
    return out.getvalue()


def mpo_bytes(width=64, height=48) -> bytes:
    """A JPEG with a second image in an MPF segment, as many phones write (HDR gain maps,
    depth maps). Pillow reports its format as "MPO"."""
    out = io.BytesIO()
    first = Image.new("RGB", (width, height), (200, 30, 40))
    second = Image.new("RGB", (width // 2, height // 2), (0, 0, 0))
    first.save(out, format="MPO", save_all=True, append_images=[second])
    return out.getvalue()


def svg_bytes() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">'
        b"<script>alert(document.cookie)</script><rect width='640' height='480'/></svg>"
    )


def padded(content: bytes, size: int) -> bytes:
    """``content`` followed by zero bytes up to exactly ``size`` bytes (for size limits)."""
    return content + b"\x00" * (size - len(content))


def pdf_with_javascript() -> bytes:
    """A PDF that runs a script when opened (document-level and open action) and carries an
    embedded file."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def js_action(code):
        return DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
        )

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("secret.txt", b"team roster: Zhang Jianguo 13812341234")
    names = writer.root_object["/Names"].get_object()
    action = writer._add_object(js_action("app.alert('document');"))
    names[NameObject("/JavaScript")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("run"), action])}
    )
    writer.root_object[NameObject("/OpenAction")] = js_action("app.alert('open');")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with a sheet per title and its rows as given (a string starting with "=" is
    written as a formula, as a spreadsheet program would store it)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(sheets: dict[str, list[list]], name: str = "导入.xlsx") -> SimpleUploadedFile:
    return upload(
        name, xlsx_bytes(sheets), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
