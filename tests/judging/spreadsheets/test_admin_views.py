"""The spreadsheet pages of the back office (评审管理 → 导出与导入): exports requested,
followed and downloaded; scores imported from a file. Organizers do everything, supervisors
read and download (not the assignments), anyone else gets a 404 or the log-in page."""

import io
import json
import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from judging.models import Assignment, ExportJob, ScoreSheet
from judging.phases import CLOSED
from judging.spreadsheets.exports import CONTENT_TYPES, export_request
from tests import factories
from tests.judging.factories import client_for, set_status
from tests.judging.scored import scored_round, scoring_round, submit

pytestmark = pytest.mark.django_db

EXPORTS = "/admin/judging/spreadsheets/"
IMPORT = "/admin/judging/spreadsheets/import/"


def download_url(job: ExportJob) -> str:
    return f"{EXPORTS}{job.pk}/download/"


def done_job(kind: str, round, organizer, django_capture_on_commit_callbacks, format="xlsx") -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(kind=kind, format=format, round=round, by=organizer)
    job.refresh_from_db()
    return job


@pytest.fixture
def round(db):
    round, _panel, _entries = scored_round(entries=2)
    return round


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_user", [factories.organizer, factories.supervisor], ids=["organizer", "supervisor"]
)
def test_exports_page_renders_for_organizer_and_supervisor(make_user, round):
    response = client_for(make_user()).get(EXPORTS)

    assert response.status_code == 200
    assert "导出记录" in response.content.decode()


def test_supervisor_sees_no_request_form_and_cannot_post(round):
    client = client_for(factories.supervisor())

    page = client.get(EXPORTS).content.decode()
    response = client.post(EXPORTS, {"kind": "ranking", "round": round.pk, "format": "xlsx"})

    assert "开始导出" not in page
    assert response.status_code == 404
    assert ExportJob.objects.count() == 0


def test_coordinator_gets_404_and_team_is_sent_to_login(round):
    coordinator = factories.coordinator_for(factories.CountyFactory(name="潞州区"))
    team = factories.TeamFactory()

    assert client_for(coordinator).get(EXPORTS).status_code == 404
    assert client_for(coordinator).get(IMPORT).status_code == 404
    response = client_for(team.user).get(EXPORTS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_import_page_is_for_organizers_only(round):
    assert client_for(factories.supervisor()).get(IMPORT).status_code == 404
    assert client_for(factories.organizer()).get(IMPORT).status_code == 200


def sidebar_menu(client) -> str:
    response = client.get("/admin/")
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    return json.dumps(json.loads(props.group(1)), ensure_ascii=False)


def test_menu_has_the_page_under_judging_for_organizers_and_supervisors(round):
    coordinator = factories.coordinator_for(factories.CountyFactory(name="潞州区"))

    organizer_menu = sidebar_menu(client_for(factories.organizer()))
    supervisor_menu = sidebar_menu(client_for(factories.supervisor()))

    group = re.search(r'"评审管理".*', organizer_menu).group(0)
    assert "导出与导入" in group and EXPORTS in group
    assert "导出与导入" in supervisor_menu
    assert "导出与导入" not in sidebar_menu(client_for(coordinator))


# --- Exports -------------------------------------------------------------------------------------


def test_organizer_requests_an_export_and_downloads_it_with_a_chinese_name(
    organizer_client, round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(EXPORTS, {"kind": "ranking", "round": round.pk, "format": "xlsx"})

    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "done"
    page = organizer_client.get(EXPORTS).content.decode()
    assert download_url(job) in page
    assert 'http-equiv="refresh"' not in page

    download = organizer_client.get(download_url(job))

    assert download.status_code == 200
    assert download["Content-Type"] == CONTENT_TYPES["xlsx"]
    assert download["Content-Disposition"].startswith("attachment")
    assert "成绩排名-初评.xlsx" in unquote(download["Content-Disposition"])
    assert "no-store" in download["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.cell(row=1, column=1).value == "排名"


def test_request_of_a_round_export_without_a_round_says_so(organizer_client, round):
    response = organizer_client.post(EXPORTS, {"kind": "sheets", "format": "xlsx"})

    assert response.status_code == 200
    assert "这项内容按轮次导出，请选择评审轮次。" in response.content.decode()
    assert ExportJob.objects.count() == 0


def test_exports_page_refreshes_itself_while_a_job_runs(organizer_client, round):
    ExportJob.objects.create(kind="sheets", contest=round.contest, round=round, status="running", progress=40)

    body = organizer_client.get(EXPORTS).content.decode()

    assert '<meta http-equiv="refresh" content="3">' in body
    assert 'value="40"' in body


def test_supervisor_downloads_a_ranking_but_not_the_assignments(
    organizer, round, django_capture_on_commit_callbacks
):
    ranking = done_job("ranking", round, organizer, django_capture_on_commit_callbacks)
    assignments = done_job("assignments", round, organizer, django_capture_on_commit_callbacks)
    client = client_for(factories.supervisor())

    assert client.get(download_url(ranking)).status_code == 200
    assert client.get(download_url(assignments)).status_code == 404
    assert client_for(organizer).get(download_url(assignments)).status_code == 200


def test_download_is_404_for_a_coordinator_and_login_for_a_judge(
    organizer, round, django_capture_on_commit_callbacks
):
    job = done_job("ranking", round, organizer, django_capture_on_commit_callbacks)
    coordinator = factories.coordinator_for(factories.CountyFactory(name="潞州区"))
    judge = factories.judge()

    assert client_for(coordinator).get(download_url(job)).status_code == 404
    response = client_for(judge).get(download_url(job))
    assert response.status_code == 302 and not response.has_header("Content-Disposition")


def test_download_of_an_unfinished_or_missing_job_is_404(organizer_client, round):
    job = ExportJob.objects.create(kind="sheets", contest=round.contest, round=round, status="running")

    assert organizer_client.get(download_url(job)).status_code == 404
    assert organizer_client.get(f"{EXPORTS}999999/download/").status_code == 404


@pytest.mark.parametrize("jobs", [1, 3])
def test_exports_page_query_count_is_constant(jobs, organizer_client, round, django_assert_num_queries):
    for _ in range(jobs):
        ExportJob.objects.create(kind="ranking", contest=round.contest, round=round, status="done")
    organizer_client.get(EXPORTS)  # the session and the admin's own caches warm up

    with django_assert_num_queries(14):
        response = organizer_client.get(EXPORTS)

    assert response.status_code == 200


# --- Import --------------------------------------------------------------------------------------


def filled_template(client, round) -> bytes:
    response = client.get(f"{IMPORT}template/{round.pk}/")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    criteria = list(round.criteria.all())
    for row in sheet.iter_rows(min_row=2):
        for cell, criterion in zip(row[2 : 2 + len(criteria)], criteria, strict=True):
            cell.value = criterion.max_points - 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_template_download_is_an_xlsx_with_a_chinese_name(organizer_client):
    round, _panel, _entries = scoring_round(entries=1, judges=1)

    response = organizer_client.get(f"{IMPORT}template/{round.pk}/")

    assert response.status_code == 200
    assert "评分导入模板-初评.xlsx" in unquote(response["Content-Disposition"])
    assert client_for(factories.supervisor()).get(f"{IMPORT}template/{round.pk}/").status_code == 404


def test_organizer_imports_a_filled_template(organizer_client):
    round, _panel, _entries = scoring_round(entries=2, judges=2)
    content = filled_template(organizer_client, round)

    response = organizer_client.post(
        IMPORT,
        {"round": round.pk, "file": SimpleUploadedFile("路演评分.xlsx", content)},
        follow=True,
    )

    assert "已导入 4 份评分表（初评）。" in response.content.decode()
    assert ScoreSheet.objects.filter(assignment__round=round, status="submitted").count() == 4


def test_import_page_shows_errors_row_by_row(organizer_client):
    round, _panel, _entries = scoring_round(entries=1, judges=1)
    workbook = Workbook()
    workbook.active.append(
        ["匿名编号", "评委用户名", *(c.name for c in round.criteria.all()), "给参赛团队的反馈"]
    )
    workbook.active.append(["ZZZZZZ", "nobody", *[1] * round.criteria.count(), "<script>x</script>"])
    out = io.BytesIO()
    workbook.save(out)

    response = organizer_client.post(
        IMPORT, {"round": round.pk, "file": SimpleUploadedFile("a.xlsx", out.getvalue())}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行" in body
    assert "本轮没有匿名编号为“ZZZZZZ”的项目。" in body
    assert "没有用户名为“nobody”的评委。" in body
    assert ScoreSheet.objects.count() == 0


def test_import_page_refuses_a_file_that_is_not_xlsx(organizer_client):
    round, _panel, _entries = scoring_round(entries=1, judges=1)

    response = organizer_client.post(
        IMPORT, {"round": round.pk, "file": SimpleUploadedFile("a.xlsx", b"<html>not excel</html>")}
    )

    body = response.content.decode()
    assert "整个文件" in body
    assert "无法读取这个文件" in body


def test_supervisor_cannot_import(round):
    round, _panel, _entries = scoring_round(entries=1, judges=1)

    response = client_for(factories.supervisor()).post(
        IMPORT, {"round": round.pk, "file": SimpleUploadedFile("a.xlsx", b"x")}
    )

    assert response.status_code == 404


# --- The check step: sheets judges submitted online ----------------------------------------------


def online_round(entries: int):
    """A scoring round whose first judge submitted every entry online (1 point a criterion)."""
    round, panel, round_entries = scoring_round(
        entries=entries, judges=2, judge_names=["在线评委", "纸质评委"]
    )
    criteria = list(round.criteria.all())
    for round_entry in round_entries:
        submit(Assignment.objects.get(round_entry=round_entry, judge=panel[0]), [1] * len(criteria))
    return round, panel, round_entries


def upload_file(client, round, content: bytes):
    return client.post(IMPORT, {"round": round.pk, "file": SimpleUploadedFile("路演评分.xlsx", content)})


def online_points(round_entry, judge) -> set:
    sheet = ScoreSheet.objects.get(assignment__round_entry=round_entry, assignment__judge=judge)
    return {str(p) for p in sheet.scores.values_list("points", flat=True)}


def test_import_page_stops_at_the_check_step_listing_submitted_sheets_that_would_change(organizer_client):
    round, panel, round_entries = online_round(2)
    content = filled_template(organizer_client, round)

    response = upload_file(organizer_client, round, content)

    body = response.content.decode()
    assert response.status_code == 200
    assert "请确认：文件会修改评委已提交的评分表" in body
    plan = response.context["plan"]
    assert sorted((c.judge_name, c.blind_code) for c in plan.changes) == sorted(
        ("在线评委", re.blind_code) for re in round_entries
    )
    for change in plan.changes:
        assert f"{change.old_total:.3f}" in body and f"{change.new_total:.3f}" in body
        assert change.blind_code in body
    assert "在线评委" in body
    assert ScoreSheet.objects.filter(assignment__judge=panel[1]).count() == 0
    assert online_points(round_entries[0], panel[0]) == {"1.00"}


def confirm(client, response, choice: str):
    return client.post(
        IMPORT,
        {"token": response.context["token"], "digest": response.context["plan"].digest, "submitted": choice},
        follow=True,
    )


def test_import_check_step_imports_only_empty_sheets_when_asked(organizer_client):
    round, panel, round_entries = online_round(2)
    checked = upload_file(organizer_client, round, filled_template(organizer_client, round))

    response = confirm(organizer_client, checked, "keep")

    body = response.content.decode()
    assert "已导入 2 份评分表（初评）。2 份评委已提交的评分表保持原样，没有覆盖。" in body
    assert online_points(round_entries[0], panel[0]) == {"1.00"}
    assert ScoreSheet.objects.filter(assignment__judge=panel[1], status="submitted").count() == 2


def test_import_check_step_overwrites_when_confirmed(organizer_client):
    round, panel, round_entries = online_round(2)
    checked = upload_file(organizer_client, round, filled_template(organizer_client, round))

    response = confirm(organizer_client, checked, "overwrite")

    assert "已导入 4 份评分表（初评）。" in response.content.decode()
    assert online_points(round_entries[0], panel[0]) != {"1.00"}
    assert not organizer_client.session.get("score_import")


def test_import_check_step_shows_the_new_list_when_sheets_changed_meanwhile(organizer_client):
    round, panel, round_entries = online_round(1)
    checked = upload_file(organizer_client, round, filled_template(organizer_client, round))
    criteria = list(round.criteria.all())
    submit(Assignment.objects.get(round_entry=round_entries[0], judge=panel[1]), [2] * len(criteria))

    response = confirm(organizer_client, checked, "overwrite")

    body = response.content.decode()
    assert "检查之后评分表有了变化" in body
    assert len(response.context["plan"].changes) == 2
    assert online_points(round_entries[0], panel[1]) == {"2.00"}


def test_import_confirmation_without_a_kept_file_says_so(organizer_client):
    response = organizer_client.post(
        IMPORT, {"token": "0" * 32, "digest": "x", "submitted": "overwrite"}, follow=True
    )

    assert "没有找到待确认的文件" in response.content.decode()


def test_import_check_step_query_count_is_constant_in_the_rows(organizer_client):
    def queries(entries: int) -> int:
        round, _panel, _entries = online_round(entries)
        content = filled_template(organizer_client, round)
        with CaptureQueriesContext(connection) as captured:
            response = upload_file(organizer_client, round, content)
        assert len(response.context["plan"].changes) == entries
        return len(captured)

    assert queries(1) == queries(3)


def test_import_into_a_closed_round_answers_once_and_keeps_the_choice(organizer_client):
    round, _panel, _entries = online_round(3)
    content = filled_template(organizer_client, round)
    set_status(round, CLOSED)

    response = upload_file(organizer_client, round, content)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("本轮已截止：请先重开需要修改的评分表") == 1
    assert response.context["form"]["round"].value() == str(round.pk)
    assert "第 2 行" not in body
