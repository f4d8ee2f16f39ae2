"""The PDF engine prints Chinese with its fonts embedded and reports what it cannot print."""

import io
import subprocess

import pytest

from awards.documents.engine import html_to_pdf, missing_characters


def test_chinese_prints_with_embedded_fonts(tmp_path):
    html = "<html><body style='font-family: \"Noto Serif CJK SC\"'><h1>暖阳助老服务队</h1></body></html>"
    path = tmp_path / "t.pdf"
    path.write_bytes(html_to_pdf(html))

    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "暖阳助老服务队" in text
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and any("Noto" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows)  # the "emb" column: every font embedded


def test_network_addresses_are_not_fetched():
    html = "<img src='http://169.254.169.254/latest/meta-data'><p>字</p>"
    assert html_to_pdf(html).startswith(b"%PDF")  # printed without the image, nothing fetched


@pytest.mark.parametrize(
    ("text", "missing"),
    [("暖阳助老 龘 Ω abc", []), ("𪚥字", ["𪚥"]), ("敬老😀😀", ["😀"])],
)
def test_missing_characters_are_found(text, missing):
    assert missing_characters(text) == missing


def test_only_files_of_the_document_are_read(tmp_path):
    from pypdf import PdfReader

    from tests.files import jpeg_bytes

    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "secret.txt").write_text("DJANGO_SECRET_KEY=abc")
    (tmp_path / "b.jpg").write_bytes(jpeg_bytes())
    html = (
        f"<link rel='attachment' href='{(tmp_path / 'secret.txt').as_uri()}'>"
        f"<link rel='attachment' href='{folder.as_uri()}/../secret.txt'>"
        f"<img src='{(folder / 'a.jpg').as_uri()}'><img src='{(tmp_path / 'b.jpg').as_uri()}'><p>字</p>"
    )
    reader = PdfReader(io.BytesIO(html_to_pdf(html, files_under=folder)))
    assert not reader.attachments
    assert len(reader.pages[0].images) == 1  # a.jpg, not b.jpg
    # Without a folder no file is read at all.
    reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert not reader.attachments and not reader.pages[0].images


def test_printing_leaves_truncated_uploads_refused():
    from django.core.exceptions import ValidationError

    from competition.uploads import clean_photo
    from tests.files import jpeg_bytes, upload

    html_to_pdf("<p>字</p>")  # imports WeasyPrint, which turns Pillow's LOAD_TRUNCATED_IMAGES on
    whole = jpeg_bytes(width=640, height=480)
    with pytest.raises(ValidationError):
        clean_photo(upload("photo.jpg", whole[: len(whole) // 2]))
