"""文书 in the back office: organizers generate and download the documents, set the issuing
body and seal, and adjust templates; supervisors read; coordinators, judges and teams get 404."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from awards.documents.kinds import KINDS
from awards.models import DocumentSettings, DocumentTemplate, GeneratedDocument
from competition.models import Entry
from tests import factories
from tests.awards.documents.conftest import featured
from tests.files import pdf_bytes, png_bytes
from tests.judging.factories import client_for

pytestmark = pytest.mark.django_db


def url(name, contest, *args):
    return reverse(f"awards_documents:{name}", args=[contest.pk, *args])


@pytest.mark.parametrize("who", ["coordinator", "judge", "team", "anonymous"])
def test_only_the_office_sees_the_documents(six_featured, contest, who):
    client = Client()
    if who == "coordinator":
        client.force_login(factories.coordinator_for(factories.CountyFactory(name="潞州区")))
    elif who == "judge":
        client.force_login(factories.judge())
    elif who == "team":
        client.force_login(factories.TeamFactory().user)
    GeneratedDocument.objects.create(contest=contest, kind="list_xlsx", file="documents/x.xlsx")
    for page in (
        reverse("awards_documents:index"),
        url("documents", contest),
        url("status", contest),
        url("download", contest, "list_xlsx"),
        url("settings", contest),
        url("template", contest, "list"),
    ):
        response = client.get(page)
        assert response.status_code in (302, 404), page
        assert response.status_code == 404 or "/login/" in response["Location"]
    assert client.post(url("documents", contest), {"kind": "list_pdf"}).status_code in (302, 404)
    assert GeneratedDocument.objects.count() == 1


def test_an_organizer_generates_and_downloads_the_list(
    six_featured, contest, organizer_client, django_capture_on_commit_callbacks
):
    page = organizer_client.get(url("documents", contest)).content.decode()
    assert "获奖名单（PDF）" in page and "尚未生成" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(url("documents", contest), {"kind": "list_xlsx"})
    assert response.status_code == 302

    page = organizer_client.get(url("documents", contest)).content.decode()
    assert "已生成" in page and "重新生成" in page and url("download", contest, "list_xlsx") in page
    status = organizer_client.get(url("status", contest)).json()
    assert status["documents"]["list_xlsx"] | {"label": ""} == {
        "status": "ready", "label": "", "done": 6, "total": 6, "error": "", "ready": True,
    }  # fmt: skip
    assert status["busy"] is False
    download = organizer_client.get(url("download", contest, "list_xlsx"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "2026%E5%B9%B4" in download["Content-Disposition"]  # 2026年获奖名单.xlsx
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_a_queued_document_shows_its_progress_and_the_page_refreshes(six_featured, contest, organizer_client):
    GeneratedDocument.objects.create(
        contest=contest, kind="list_pdf", status=GeneratedDocument.Status.RUNNING, done=2, total=5
    )
    page = organizer_client.get(url("documents", contest)).content.decode()
    assert '<progress value="2" max="5">' in page and 'http-equiv="refresh"' in page
    assert organizer_client.get(url("status", contest)).json()["busy"] is True
    assert organizer_client.get(url("download", contest, "list_pdf")).status_code == 404


def test_a_failed_document_shows_why(six_featured, contest, organizer_client):
    GeneratedDocument.objects.create(
        contest=contest, kind="list_pdf", status=GeneratedDocument.Status.FAILED, error="模板第 3 行有错误"
    )
    page = organizer_client.get(url("documents", contest)).content.decode()
    assert "生成失败" in page and "模板第 3 行有错误" in page


def test_a_ready_document_shows_its_warnings(six_featured, contest, organizer_client):
    GeneratedDocument.objects.create(
        contest=contest,
        kind="compendium",
        status=GeneratedDocument.Status.READY,
        warnings=["项目“银龄助老”的第 2 张照片无法读取，未印入汇编。"],
    )
    page = organizer_client.get(url("documents", contest)).content.decode()
    assert "第 2 张照片无法读取" in page and "优秀项目汇编" in page


def test_characters_no_font_has_are_reported(contest, organizer_client):
    featured(contest, ["𪚥字公益课堂", "银龄助老"])
    page = organizer_client.get(url("documents", contest)).content.decode()
    assert "字体无法显示的字符" in page and "“𪚥”" in page


def test_the_page_s_own_refresh_reuses_the_characters_it_found(
    contest, organizer_client, django_assert_num_queries
):
    featured(contest, ["𪚥字公益课堂", "银龄助老"])
    GeneratedDocument.objects.create(
        contest=contest, kind="compendium", status=GeneratedDocument.Status.RUNNING
    )
    page = url("documents", contest)
    first = organizer_client.get(page)
    assert f'content="3;url={page}?auto=1"' in first.content.decode()
    with CaptureQueriesContext(connection) as loaded:
        organizer_client.get(page)
    # What no font prints is looked for in the list's rows and in the certificates: a query
    # each on a load the organizer makes, none on the page's own refresh.
    checks = sum(1 for kind in KINDS.values() if kind.missing)

    with django_assert_num_queries(len(loaded) - checks):
        refresh = organizer_client.get(page + "?auto=1")

    assert checks == 2 and "“𪚥”" in refresh.content.decode()
    # The organizer corrects the title: the refresh still shows what it found, their own load
    # of the page sees the correction at once.
    Entry.objects.filter(title="𪚥字公益课堂").update(title="公益课堂")
    assert "“𪚥”" in organizer_client.get(page + "?auto=1").content.decode()
    assert "“𪚥”" not in organizer_client.get(page).content.decode()


def test_without_the_engine_the_page_says_what_to_install_and_queues_no_pdf(
    six_featured, contest, organizer_client, monkeypatch, django_capture_on_commit_callbacks
):
    # The engine cannot be taken off this machine for one test: its report is replaced.
    problem = "本机无法生成 PDF：缺少系统库 pango 或中文字体。"
    monkeypatch.setattr("awards.documents.admin_views.engine_problem", lambda: problem)
    monkeypatch.setattr("awards.documents.services.engine_problem", lambda: problem)

    page = organizer_client.get(url("documents", contest)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(url("documents", contest), {"kind": "list_pdf"}, follow=True)
        organizer_client.post(url("documents", contest), {"kind": "list_xlsx"})

    assert problem in page and "本机无法生成 PDF</span>" in page
    assert problem in response.content.decode()
    assert list(GeneratedDocument.objects.values_list("kind", flat=True)) == ["list_xlsx"]


def test_nothing_is_generated_before_the_list_is_final(contest, organizer_client):
    featured(contest, ["银龄助老"], final=False)
    page = organizer_client.get(url("documents", contest)).content.decode()
    assert "入围名单正式公布后才能生成文书" in page and "重新生成" not in page
    organizer_client.post(url("documents", contest), {"kind": "list_xlsx"})
    assert not GeneratedDocument.objects.exists()


def test_a_supervisor_reads_and_downloads_but_changes_nothing(six_featured, contest):
    client = client_for(factories.supervisor())
    assert client.get(url("documents", contest)).status_code == 200
    assert client.get(url("settings", contest)).status_code == 200
    assert client.post(url("documents", contest), {"kind": "list_xlsx"}).status_code == 404
    assert client.post(url("settings", contest), {"issuing_body": "x"}).status_code == 404
    assert not GeneratedDocument.objects.exists() and not DocumentSettings.objects.exists()


# --- 文书设置 ------------------------------------------------------------------------------------


def settings_post(client, contest, **extra):
    data = {
        "issuing_body": "长治市志愿服务项目大赛组委会",
        "issue_date": "2027-01-05",
        "list_title": "2026年度优秀志愿服务项目名单",
        "certificate_title": "",
        "compendium_title": "",
        **extra,
    }
    return client.post(url("settings", contest), data)


def test_settings_are_saved_with_a_clean_seal(contest, organizer_client):
    upload = SimpleUploadedFile("公章.png", png_bytes(300, 300, mode="RGBA"), content_type="image/png")
    response = settings_post(organizer_client, contest, seal_upload=upload, thank_you_letters="on")

    assert response.status_code == 302
    saved = DocumentSettings.objects.get(contest=contest)
    assert saved.issuing_body == "长治市志愿服务项目大赛组委会" and saved.thank_you_letters
    assert str(saved.issue_date) == "2027-01-05"
    assert Image.open(saved.seal.open("rb")).mode == "RGBA"
    preview = organizer_client.get(url("seal", contest))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"


def test_the_judges_letters_toggle_is_on_until_the_organizer_turns_it_off(contest, organizer_client):
    page = organizer_client.get(url("settings", contest)).content.decode()
    assert 'name="judge_letters"' in page and "向评审专家颁发感谢状" in page
    assert re.search(r'<input[^>]*name="judge_letters"[^>]*checked', page)

    settings_post(organizer_client, contest)  # the box unticked
    assert DocumentSettings.objects.get(contest=contest).judge_letters is False

    settings_post(organizer_client, contest, judge_letters="on")
    assert DocumentSettings.objects.get(contest=contest).judge_letters is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("公章.png", pdf_bytes(), "上传的文件不是可以识别的图片"),
        ("公章.png", png_bytes(4500, 20), "印章图片尺寸过大（4500×20 像素）"),
        ("公章.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1), "印章图片太大"),
    ],
)
def test_a_nasty_seal_is_refused_and_what_was_typed_stays(contest, organizer_client, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = settings_post(organizer_client, contest, seal_upload=upload)

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        message in page and "长治市志愿服务项目大赛组委会" in page and "2026年度优秀志愿服务项目名单" in page
    )
    assert not DocumentSettings.objects.exists()


# --- 文书模板 ------------------------------------------------------------------------------------


def test_the_template_page_shows_the_built_in_text(contest, organizer_client):
    page = organizer_client.get(url("template", contest, "list")).content.decode()
    assert "正在使用内置模板" in page and "counter(pages)" in page
    assert organizer_client.get(url("template", contest, "menu")).status_code == 404


def test_a_broken_template_keeps_what_was_typed_and_the_previous_one(contest, organizer_client):
    organizer_client.post(
        url("template", contest, "list"), {"action": "save", "html": "<h1>{{ list_title }}</h1>"}
    )
    broken = "<h1>{{ list_title }}</h1>\n{% if count %}\n<p>没有结束的条件</p>"

    response = organizer_client.post(url("template", contest, "list"), {"action": "save", "html": broken})

    page = response.content.decode()
    assert response.status_code == 200
    assert "模板有语法错误（第 2 行）" in page and "之前的模板仍然有效" in page
    assert "没有结束的条件" in page  # what was typed is still in the box
    assert DocumentTemplate.objects.get().html == "<h1>{{ list_title }}</h1>"


def test_reset_goes_back_to_the_built_in_one(contest, organizer_client):
    organizer_client.post(
        url("template", contest, "list"), {"action": "save", "html": "<h1>{{ list_title }}</h1>"}
    )
    assert "还原默认" in organizer_client.get(url("template", contest, "list")).content.decode()

    organizer_client.post(url("template", contest, "list"), {"action": "reset"})

    assert not DocumentTemplate.objects.exists()


def test_the_office_finds_the_documents_in_the_menu(contest, organizer_client):
    index = organizer_client.get(reverse("awards_documents:index")).content.decode()
    assert url("documents", contest) in index
    assert "awards/documents/" in organizer_client.get("/admin/").content.decode()


def test_the_png_of_the_seal_is_never_the_upload(contest, organizer_client):
    raw = png_bytes(64, 64)
    settings_post(
        organizer_client, contest, seal_upload=SimpleUploadedFile("s.png", raw, content_type="image/png")
    )
    stored = DocumentSettings.objects.get().seal.open("rb").read()
    assert stored != raw and Image.open(io.BytesIO(stored)).format == "PNG"


def test_the_finalized_shortlist_page_points_to_the_documents(six_featured, contest, organizer_client):
    page = organizer_client.get(reverse("awards_shortlist:shortlist", args=[contest.pk])).content.decode()
    assert 'id="documents"' in page and url("documents", contest) in page
    assert reverse("notice:list", args=[contest.slug]) in page and "获奖名单（PDF）：尚未生成" in page
