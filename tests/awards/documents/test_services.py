"""The organizer's settings and templates: the seal is made safe by Pillow (nasty uploads
refused), and a template is saved only once it compiles and renders (the previous one kept)."""

import io

import pytest
from django.utils import translation
from PIL import Image

from awards.documents import certificates
from awards.documents.context import base_context, document_template
from awards.documents.seal import seal_png
from awards.documents.services import (
    document_request,
    document_settings_save,
    document_template_reset,
    document_template_save,
)
from awards.errors import AwardsError
from awards.models import DocumentSettings, DocumentTemplate, GeneratedDocument
from tests.awards.documents.conftest import featured
from tests.files import gps_exif, jpeg_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


# --- The seal ------------------------------------------------------------------------------------


def test_a_transparent_png_stays_a_png_with_its_transparency():
    image = Image.open(io.BytesIO(seal_png(png_bytes(200, 200, mode="RGBA"))))
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((10, 10))[3] == 128


def test_a_jpeg_becomes_a_png_without_its_exif():
    photo = jpeg_bytes(300, 300, exif=gps_exif())
    assert Image.open(io.BytesIO(photo)).getexif()  # the upload carries GPS and a name

    clean = seal_png(photo)

    image = Image.open(io.BytesIO(clean))
    assert image.format == "PNG" and image.mode == "RGB"
    assert not image.getexif() and "exif" not in image.info
    assert "张建国".encode() not in clean and b"DemoCam" not in clean


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pdf_bytes(), "上传的文件不是可以识别的图片"),
        (b"GIF89a" + b"\0" * 20, "上传的文件不是可以识别的图片"),
        ("印章".encode() * 10, "上传的文件不是可以识别的图片"),
        (png_bytes(4001, 10), "印章图片尺寸过大（4001×10 像素）"),
        (b"\x89PNG" + b"0" * (5 * 1024 * 1024), "印章图片太大（5.0 MB）"),
    ],
)
def test_nasty_seals_are_refused_with_a_clear_message(data, message):
    with pytest.raises(AwardsError) as error:
        seal_png(data)
    assert error.value.message.startswith(message)


def test_a_new_seal_replaces_the_old_file(contest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = document_settings_save(
            contest=contest, values={"issuing_body": "长治市文明办"}, seal=seal_png(png_bytes())
        )
    old = first.seal.name
    with django_capture_on_commit_callbacks(execute=True):
        second = document_settings_save(contest=contest, values={}, seal=seal_png(png_bytes(80, 80)))

    assert second.issuing_body == "长治市文明办" and second.seal.name != old
    assert not second.seal.storage.exists(old)
    assert base_context(contest)["seal"].startswith("data:image/png;base64,")
    with django_capture_on_commit_callbacks(execute=True):
        document_settings_save(contest=contest, values={}, remove_seal=True)
    assert not DocumentSettings.objects.get().seal and base_context(contest)["seal"] == ""


# --- Templates -----------------------------------------------------------------------------------

GOOD = "<h1>{{ list_title }}</h1>{% for tier in groups %}<h2>{{ tier.name }}</h2>{% endfor %}"


def test_a_template_that_renders_is_saved_and_used(contest, organizer):
    featured(contest, ["银龄助老暖心行动"])
    document_template_save(contest=contest, kind="list", html=GOOD, by=organizer)

    html = document_template(contest, "list").render(
        base_context(contest) | {"groups": [], "list_title": "名单"}
    )
    assert html == "<h1>名单</h1>"


@pytest.mark.parametrize(
    ("html", "message"),
    [
        (
            "<h1>{{ list_title }}</h1>\n{% for tier in groups %}\n<p>{{ tier.name }}</p>\n",
            "模板有语法错误（第 2 行）",
        ),
        (
            "<p>\n{{ list_title|nosuchfilter }}</p>",
            "模板有语法错误（第 2 行）：Invalid filter: 'nosuchfilter'",
        ),
        ("<p>{% load nosuchlibrary %}</p>", "模板有语法错误（第 1 行）"),
        ("a\nb\n{% url 'no-such-page' %}", "模板无法生成文书（第 3 行）"),
        ("   ", "模板不能为空"),
    ],
)
def test_a_broken_template_is_refused_with_its_line_and_the_previous_one_stays(
    contest, organizer, html, message
):
    featured(contest, ["银龄助老暖心行动"])
    document_template_save(contest=contest, kind="list", html=GOOD, by=organizer)

    with pytest.raises(AwardsError) as error:
        document_template_save(contest=contest, kind="list", html=html, by=organizer)

    assert error.value.message.startswith(message)
    assert DocumentTemplate.objects.get().html == GOOD


def test_a_template_is_checked_against_a_sample_while_the_list_is_empty(contest, organizer):
    html = (
        "{% for tier in groups %}{% for category in tier.categories %}"
        "{{ category.rows.0.title }}{% endfor %}{% endfor %}"
    )
    document_template_save(contest=contest, kind="list", html=html, by=organizer)
    assert DocumentTemplate.objects.filter(contest=contest, kind="list").exists()


def test_reset_goes_back_to_the_built_in_template(contest, organizer):
    document_template_save(contest=contest, kind="list", html=GOOD, by=organizer)
    document_template_reset(contest=contest, kind="list")
    assert not DocumentTemplate.objects.exists()
    assert "counter(pages)" in document_template(contest, "list").template.source


def test_an_unknown_kind_of_template_is_refused(contest, organizer):
    with pytest.raises(AwardsError):
        document_template_save(contest=contest, kind="menu", html=GOOD, by=organizer)


# --- Asking for a document -----------------------------------------------------------------------


def test_a_document_is_built_in_the_background_with_its_progress(
    contest, organizer, django_capture_on_commit_callbacks
):
    featured(contest, ["银龄助老暖心行动", "七彩课堂留守儿童助学"])

    with django_capture_on_commit_callbacks(execute=True):
        queued = document_request(contest=contest, kind="list_pdf", by=organizer)
    assert queued.status == GeneratedDocument.Status.QUEUED

    document = GeneratedDocument.objects.get(contest=contest, kind="list_pdf")
    assert document.status == GeneratedDocument.Status.READY and document.requested_by == organizer
    assert document.done == document.total == 1
    assert document.file.read().startswith(b"%PDF")


def test_a_template_broken_since_it_was_saved_fails_the_build_and_says_why(
    contest, organizer, django_capture_on_commit_callbacks
):
    featured(contest, ["银龄助老暖心行动"])
    with django_capture_on_commit_callbacks(execute=True):
        document_request(contest=contest, kind="list_xlsx", by=organizer)
    # A template that rendered when saved but fails now (it names a page since removed).
    DocumentTemplate.objects.create(contest=contest, kind="list", html="{% url 'gone' %}")
    with django_capture_on_commit_callbacks(execute=True):
        document_request(contest=contest, kind="list_pdf", by=organizer)

    failed = GeneratedDocument.objects.get(kind="list_pdf")
    assert failed.status == GeneratedDocument.Status.FAILED and "gone" in failed.error
    assert GeneratedDocument.objects.get(kind="list_xlsx").status == GeneratedDocument.Status.READY


def test_documents_wait_for_the_finalized_list(contest, organizer):
    featured(contest, ["银龄助老暖心行动"], final=False)
    with pytest.raises(AwardsError) as error:
        document_request(contest=contest, kind="list_pdf", by=organizer)
    assert error.value.message == "入围名单正式公布后才能生成文书。"
    assert not GeneratedDocument.objects.exists()


def test_a_certificate_template_is_checked_against_a_sample_page(contest, organizer):
    html = "{% for page in certificates %}{{ page.serial }} {{ page.project_title }}{% endfor %}"
    document_template_save(contest=contest, kind="certificate", html=html, by=organizer)
    assert DocumentTemplate.objects.get(contest=contest, kind="certificate").html == html

    broken = "{% for page in certificates %}{{ page.serial|no_such_filter }}{% endfor %}"
    with pytest.raises(AwardsError, match="第 1 行"):
        document_template_save(contest=contest, kind="certificate", html=broken, by=organizer)
    assert DocumentTemplate.objects.get(contest=contest, kind="certificate").html == html


def test_the_sample_certificate_names_the_default_award_as_the_real_ones_do(contest, monkeypatch):
    monkeypatch.setattr(certificates, "DEFAULT_TIER_NAME", "年度优秀项目")
    assert certificates.sample_certificate_context(contest)["certificates"][0].tier_name == "年度优秀项目"
    monkeypatch.undo()

    with translation.override("en"):  # the made-up page is in the site's language, as printed
        page = certificates.sample_certificate_context(contest)["certificates"][0]
    assert page.tier_name == "优秀志愿服务项目"


def test_a_compendium_template_is_checked_against_the_real_chapters(contest, organizer):
    featured(contest, ["银龄助老暖心行动"])
    html = (
        "{% for chapter in chapters %}{% for sheet in chapter.sheets %}"
        "{{ sheet.title }}{% endfor %}{% endfor %}"
    )
    document_template_save(contest=contest, kind="compendium", html=html, by=organizer)
    assert DocumentTemplate.objects.get(contest=contest, kind="compendium").html == html
