"""Unit tests of ``competition.uploads``: what a bad photo or PDF gets back, and what a good
one looks like after cleaning. Every file here is real (Pillow, pypdf, zipfile)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfReader, PdfWriter

from competition.uploads import PixelBudget, clean_pdf, clean_photo, display_name
from tests.files import (
    gps_exif,
    jpeg_bytes,
    mpo_bytes,
    padded,
    pdf_bytes,
    pdf_with_javascript,
    png_bytes,
    png_header_only,
    svg_bytes,
    upload,
    webp_bytes,
    zip_bytes,
)

NBSP = "\xa0"  # filesizeformat keeps "3.0 KB" on one line


def refusal(clean, name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean(upload(name, content))
    return caught.value


# --- display_name ----------------------------------------------------------------------------


def test_display_name_path_traversal_keeps_only_the_last_part():
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("..\\..\\windows\\win.ini") == "win.ini"
    assert display_name("/var/www/../申报材料.pdf") == "申报材料.pdf"


def test_display_name_nul_and_control_characters_are_removed():
    assert display_name("申报\x00材料.pdf") == "申报材料.pdf"
    assert display_name("报告\r\n\t.pdf") == "报告.pdf"
    # A right-to-left override would make "exe.pdf" look like "fdp.exe".
    assert display_name("\u202efdp.exe") == "fdp.exe"


def test_display_name_300_characters_is_cut_to_80_keeping_the_extension():
    name = "长" * 296 + ".pdf"

    shown = display_name(name)

    assert shown == "长" * 76 + ".pdf"
    assert len(shown) == 80


def test_display_name_300_characters_without_extension_is_cut_to_80():
    assert display_name("x" * 300) == "x" * 80


def test_display_name_with_nothing_left_uses_the_fallback():
    assert display_name("../", fallback="附件.pdf") == "附件.pdf"
    assert display_name("..", fallback="附件.pdf") == "附件.pdf"
    assert display_name("\x00\x00", fallback="附件.pdf") == "附件.pdf"
    assert display_name("") == "file"


def test_display_name_ordinary_chinese_name_is_unchanged():
    assert display_name("潞州区红马甲志愿服务队申报书.pdf") == "潞州区红马甲志愿服务队申报书.pdf"


# --- clean_photo: good photos ----------------------------------------------------------------


def test_clean_photo_jpeg_is_reencoded_as_jpeg():
    clean = clean_photo(upload("现场.jpg", jpeg_bytes(width=64, height=48)))

    assert (clean.extension, clean.content_type, clean.width, clean.height) == ("jpg", "image/jpeg", 64, 48)
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_clean_photo_png_with_transparency_stays_png():
    clean = clean_photo(upload("标志.png", png_bytes(mode="RGBA")))

    assert (clean.extension, clean.content_type) == ("png", "image/png")
    assert Image.open(io.BytesIO(clean.content)).mode == "RGBA"


def test_clean_photo_webp_is_accepted_as_jpeg():
    clean = clean_photo(upload("现场.webp", webp_bytes()))

    assert (clean.extension, clean.width, clean.height) == ("jpg", 64, 48)


def test_clean_photo_phone_jpeg_with_second_image_is_accepted():
    # Phones write HDR gain maps or depth maps into an MPF segment; Pillow calls it "MPO".
    clean = clean_photo(upload("IMG_20240501_101500.jpg", mpo_bytes(width=64, height=48)))

    assert (clean.extension, clean.width, clean.height) == ("jpg", 64, 48)
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_clean_photo_exif_orientation_is_applied_before_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"

    clean = clean_photo(upload("竖拍.jpg", jpeg_bytes(width=64, height=48, exif=exif)))

    assert (clean.width, clean.height) == (48, 64)
    assert dict(Image.open(io.BytesIO(clean.content)).getexif()) == {}


# --- clean_photo: bad input ------------------------------------------------------------------


def test_clean_photo_non_image_renamed_jpg_is_refused():
    error = refusal(clean_photo, "活动照片.jpg", "这是一份文字说明，不是照片。".encode() * 20)

    assert error.messages == ["“活动照片.jpg”无法读取，文件可能已损坏或不是 JPEG、PNG、WebP 图片。"]
    assert error.code == "corrupt"


def test_clean_photo_truncated_jpeg_is_refused():
    whole = jpeg_bytes(width=640, height=480)

    error = refusal(clean_photo, "传了一半.jpg", whole[: len(whole) // 2])

    assert error.messages == ["“传了一半.jpg”无法读取，文件可能已损坏或不是 JPEG、PNG、WebP 图片。"]


def test_clean_photo_decompression_bomb_png_is_refused_without_decoding():
    bomb = png_header_only(30000, 30000)  # claims 900 megapixels, is a few dozen bytes

    error = refusal(clean_photo, "bomb.png", bomb)

    assert len(bomb) < 100
    assert error.messages == ["“bomb.png”的尺寸过大，每张照片不能超过 25 百万像素。"]
    assert error.code == "too_many_pixels"


def test_clean_photo_over_our_pixel_cap_is_refused_with_its_size():
    # 48 megapixels: below Pillow's own bomb warning, above our 25-megapixel cap.
    error = refusal(clean_photo, "全景.png", png_header_only(8000, 6000))

    assert error.messages == ["“全景.png”的尺寸过大（8000×6000 像素），每张照片不能超过 25 百万像素。"]


def test_clean_photo_pixel_cap_follows_settings(settings):
    settings.ENTRY_PHOTO_MAX_PIXELS = 2_000_000

    error = refusal(clean_photo, "大图.png", png_header_only(2000, 1001))

    assert error.messages == ["“大图.png”的尺寸过大（2000×1001 像素），每张照片不能超过 2 百万像素。"]


def test_clean_photo_svg_is_refused():
    error = refusal(clean_photo, "logo.svg", svg_bytes())

    assert error.messages == ["“logo.svg”无法读取，文件可能已损坏或不是 JPEG、PNG、WebP 图片。"]


def test_clean_photo_gif_is_refused_as_wrong_format():
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (255, 0, 0)).save(out, format="GIF")

    error = refusal(clean_photo, "动图.gif", out.getvalue())

    assert error.messages == ["“动图.gif”不是可用的照片。请上传 JPEG、PNG 或 WebP 格式的图片。"]
    assert error.code == "format"


def test_clean_photo_jpeg_with_appended_html_loses_the_appended_bytes():
    script = b"<html><script>fetch('/my/').then(r=>r.text()).then(alert)</script></html>"
    original = jpeg_bytes(width=64, height=48) + script

    clean = clean_photo(upload("合影.jpg", original))

    assert original.count(b"<script") == 1
    assert (clean.content.count(b"<script"), clean.content.count(b"<html")) == (0, 0)
    assert clean.content.endswith(b"\xff\xd9")  # the JPEG ends where the pixels end


def test_clean_photo_gps_exif_is_removed():
    original = jpeg_bytes(exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825) != {}

    clean = clean_photo(upload("定位.jpg", original))

    exif = Image.open(io.BytesIO(clean.content)).getexif()
    assert exif.get_ifd(0x8825) == {}  # GPS
    assert exif.get(0x0110) is None  # Model
    assert exif.get(0x013B) is None  # Artist
    assert dict(exif) == {}


def test_clean_photo_over_size_limit_is_refused_before_decoding(settings):
    settings.ENTRY_PHOTO_MAX_BYTES = 2048

    error = refusal(clean_photo, "大照片.jpg", padded(jpeg_bytes(), 3072))

    assert error.messages == [f"“大照片.jpg”太大（3.0{NBSP}KB），每个文件不能超过 2.0{NBSP}KB。"]
    assert error.code == "too_big"


def test_clean_photo_message_shows_a_safe_name():
    error = refusal(clean_photo, "坏\x00图" + "片" * 300 + ".jpg", b"not an image")

    assert error.messages == [f"“坏图{'片' * 74}.jpg”无法读取，文件可能已损坏或不是 JPEG、PNG、WebP 图片。"]


# --- clean_pdf -------------------------------------------------------------------------------


def test_clean_pdf_counts_pages_and_removes_document_metadata():
    original = pdf_bytes(pages=2, title="潞州区红马甲志愿服务队申报材料", author="张建国")
    assert PdfReader(io.BytesIO(original)).metadata.title == "潞州区红马甲志愿服务队申报材料"

    clean = clean_pdf(upload("申报书.pdf", original))

    reader = PdfReader(io.BytesIO(clean.content))
    assert clean.pages == 2
    assert len(reader.pages) == 2
    metadata = reader.metadata or {}
    assert (metadata.get("/Title"), metadata.get("/Author"), metadata.get("/Creator")) == (None, None, None)
    assert (original.count(b"WPS Office"), clean.content.count(b"WPS Office")) == (1, 0)


def test_clean_pdf_removes_xmp_metadata():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.xmp_metadata = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Zhang Jianguo</dc:creator>'
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    out = io.BytesIO()
    writer.write(out)

    clean = clean_pdf(upload("申报书.pdf", out.getvalue()))

    assert PdfReader(io.BytesIO(clean.content)).xmp_metadata is None
    assert clean.content.count(b"Zhang Jianguo") == 0


def test_clean_pdf_zip_renamed_pdf_is_refused():
    error = refusal(clean_pdf, "材料.pdf", zip_bytes())

    assert error.messages == ["“材料.pdf”不是 PDF 文件，附件只接受 PDF 格式。"]
    assert error.code == "format"


def test_clean_pdf_truncated_pdf_is_refused():
    whole = pdf_bytes(pages=3)

    error = refusal(clean_pdf, "半截.pdf", whole[: len(whole) // 2])

    assert error.messages == ["“半截.pdf”无法打开，文件可能已损坏。请重新导出 PDF 后再上传。"]
    assert error.code == "corrupt"


def test_clean_pdf_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)

    error = refusal(clean_pdf, "加密.pdf", out.getvalue())

    assert error.messages == ["“加密.pdf”设置了密码，请上传未加密的 PDF。"]


def test_clean_pdf_over_size_limit_is_refused_before_parsing(settings):
    settings.ENTRY_PDF_MAX_BYTES = 2048

    error = refusal(clean_pdf, "大附件.pdf", padded(pdf_bytes(), 3072))

    assert error.messages == [f"“大附件.pdf”太大（3.0{NBSP}KB），每个文件不能超过 2.0{NBSP}KB。"]
    assert error.code == "too_big"


def test_clean_pdf_removes_scripts_open_actions_and_embedded_files():
    before = PdfReader(io.BytesIO(pdf_with_javascript()))
    assert "/OpenAction" in before.trailer["/Root"]
    assert before.attachments == {"secret.txt": [b"team roster: Zhang Jianguo 13812341234"]}

    cleaned = clean_pdf(upload("plan.pdf", pdf_with_javascript(), "application/pdf"))

    after = PdfReader(io.BytesIO(cleaned.content))
    root = after.trailer["/Root"]
    assert "/OpenAction" not in root
    assert "/JavaScript" not in root.get("/Names", {})
    assert after.attachments == {}
    assert b"app.alert" not in cleaned.content
    assert b"13812341234" not in cleaned.content


# --- clean_photo: cost (issue 10) ------------------------------------------------------------


def test_clean_photo_png_above_25_megapixels_is_refused_from_the_header():
    # 27 MP: accepted by the old 40 MP cap; refused unread now (the file holds almost no pixels,
    # so a decode would have failed as "corrupt" instead).
    error = refusal(clean_photo, "长图.png", png_header_only(6000, 4500))

    assert error.code == "too_many_pixels"
    assert error.messages == ["“长图.png”的尺寸过大（6000×4500 像素），每张照片不能超过 25 百万像素。"]


def test_clean_photo_large_jpeg_is_decoded_at_reduced_scale_and_accepted(settings):
    # Scaled down: a 'photo' of 4x the pixel cap, as a 48 MP phone photo is to 12 MP.
    settings.ENTRY_PHOTO_MAX_SIDE = 500  # decoded at no less than half of it: 250 px
    settings.ENTRY_PHOTO_MAX_PIXELS = 150_000

    clean = clean_photo(upload("高像素.jpg", jpeg_bytes(width=800, height=600)))

    assert (clean.width, clean.height) == (400, 300)


def test_clean_photo_budget_refuses_a_photo_that_would_overdraw_it_without_decoding():
    budget = PixelBudget(64 * 48 * 2)
    first = clean_photo(upload("一.png", png_bytes()), budget=budget)
    second = clean_photo(upload("二.png", png_bytes()), budget=budget)

    # Only a header: decoding it would fail as "corrupt"; the budget refuses it unread.
    error = refusal(lambda f: clean_photo(f, budget=budget), "三.png", png_header_only(64, 48))

    assert (first.width, second.width, budget.left) == (64, 64, 0)
    assert error.code == "budget"
    assert error.messages == [
        "“三.png”未处理：一次上传的照片总尺寸不能超过 110 百万像素。请先保存，再分几次上传其余照片。"
    ]
