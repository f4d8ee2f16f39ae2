"""Spreadsheet exports: Chinese headers, every figure, text never turned into a formula (xlsx
and CSV), a constant number of queries, and background jobs with progress and a file."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from awards.exports import objections_table, shortlist_table
from awards.models import Objection
from awards.notice.services import objection_file
from judging.errors import JudgingError
from judging.models import ExportJob, JudgeResult, RoundResult, ScoreSheet
from judging.spreadsheets import writers
from judging.spreadsheets.exports import build, export_request, export_run, file_name
from judging.spreadsheets.tables import (
    EXPORTS,
    Table,
    assignments_table,
    entries_table,
    judges_table,
    ranking_table,
    sheets_table,
)
from judging.spreadsheets.writers import csv_safe, write, write_csv, write_xlsx
from tests import factories
from tests.judging.scored import scored_round, shortlist_in_notice

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)"]


def xlsx_rows(table: Table, title: str = "表") -> list[list]:
    out = io.BytesIO()
    write_xlsx([(title, table)], out)
    out.seek(0)
    sheet = load_workbook(out).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def csv_text(table: Table) -> str:
    out = io.BytesIO()
    write_csv(table, out)
    return out.getvalue().decode("utf-8")


def column(headers: list[str], name: str) -> int:
    return headers.index(name)


# --- Text stays text -----------------------------------------------------------------------------


def test_xlsx_titles_that_look_like_formulas_are_strings_and_numbers_stay_numbers():
    round, _panel, _entries = scored_round(entries=4, titles=FORMULAS)
    table = entries_table(contest=round.contest, round=round)

    rows = xlsx_rows(table)

    headers = [cell.value for cell in rows[0]]
    title = column(headers, "项目名称")
    volunteers = column(headers, "志愿者人数")
    titles = sorted(row[title].value for row in rows[1:])
    assert titles == sorted(FORMULAS)
    for row in rows[1:]:
        assert row[title].data_type == "s"
        assert row[volunteers].data_type == "n"
        assert row[volunteers].value == 25


def test_xlsx_judge_feedback_and_objections_are_strings_not_formulas():
    shortlist = shortlist_in_notice(entries=1)
    ScoreSheet.objects.update(feedback_to_team="=1+2", comment_to_organizers="@cmd")
    objection_file(
        shortlist=shortlist, entry=None, name="=A1", phone="13900000000", reason="-1+2 请核实。", address="a"
    )

    sheets = xlsx_rows(sheets_table(round=shortlist.round))
    objections = xlsx_rows(objections_table(contest=shortlist.contest))

    feedback = [row[-1] for row in sheets[1:]]
    assert {(c.value, c.data_type) for c in feedback} == {("=1+2", "s")}
    assert {(c.value, c.data_type) for c in [row[-2] for row in sheets[1:]]} == {("@cmd", "s")}
    headers = [cell.value for cell in objections[0]]
    assert objections[1][column(headers, "姓名")].value == "=A1"
    assert objections[1][column(headers, "姓名")].data_type == "s"
    assert objections[1][column(headers, "异议内容")].value == "-1+2 请核实。"


def test_xlsx_drops_characters_excel_cannot_hold():
    table = Table(["名称"], iter([("甲\x01乙\x0b丙",)]), 1)

    rows = xlsx_rows(table)

    assert rows[1][0].value == "甲乙丙"


def test_csv_is_utf8_with_bom_and_formula_cells_get_an_apostrophe():
    round, _panel, _entries = scored_round(entries=4, titles=FORMULAS)
    table = entries_table(contest=round.contest, round=round)

    text = csv_text(table)

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    title = rows[0].index("项目名称")
    volunteers = rows[0].index("志愿者人数")
    assert sorted(row[title] for row in rows[1:]) == sorted("'" + f for f in FORMULAS)
    assert {row[volunteers] for row in rows[1:]} == {"25"}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 139", "'+86 139"),
        ("-负数", "'-负数"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("普通文字", "普通文字"),
        (-2.5, "-2.5"),
        (3, "3"),
        (None, ""),
    ],
)
def test_csv_safe_prefixes_only_text_that_starts_a_formula(value, written):
    assert csv_safe(value) == written


# --- What each export holds ----------------------------------------------------------------------


def test_sheets_export_has_points_per_criterion_total_and_calibrated_total():
    round, panel, round_entries = scored_round(entries=3, judges=2, judge_names=["严评委", "宽评委"])
    criteria = list(round.criteria.all())
    offsets = dict(JudgeResult.objects.filter(round=round).values_list("judge__name", "offset"))

    headers, rows, size = sheets_table(round=round)
    rows = list(rows)

    assert size == len(rows) == 6
    assert headers[:4] == ["匿名编号", "项目名称", "评委", "状态"]
    assert headers[4 : 4 + len(criteria)] == [f"{c.name}（满分 {c.max_points}）" for c in criteria]
    assert headers[4 + len(criteria) : 4 + len(criteria) + 3] == ["总分", "评委偏差", "校准总分"]
    codes = {re.blind_code for re in round_entries}
    for row in rows:
        code, _title, judge, status, *rest = row
        points = rest[: len(criteria)]
        total, offset, calibrated = rest[len(criteria) : len(criteria) + 3]
        assert status == "已提交"
        assert all(isinstance(p, (int, float)) for p in points)
        assert offset == pytest.approx(offsets[judge], abs=1e-3)
        assert calibrated == pytest.approx(total - offsets[judge], abs=1e-3)
        assert code in codes
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


def test_ranking_export_has_every_figure_by_rank():
    round, _panel, _entries = scored_round(entries=3)
    results = list(RoundResult.objects.filter(round=round).order_by("rank"))

    headers, rows, size = ranking_table(round=round)
    rows = list(rows)

    for name in ("排名", "匿名编号", "平均分", "中位数", "校准分", "评委标准分", "综合得分", "分歧提示"):
        assert name in headers
    assert size == 3
    assert [row[0] for row in rows] == [r.rank for r in results]
    mean, calibrated = headers.index("平均分"), headers.index("校准分")
    for row, result in zip(rows, results, strict=True):
        assert row[mean] == pytest.approx(result.mean, abs=1e-3)
        assert row[calibrated] == pytest.approx(result.calibrated, abs=1e-3)
    assert headers[-4].endswith("平均分")  # the criteria, then the uncertainty's three figures
    assert headers[-3:] == ["校准分区间下限", "校准分区间上限", "入选把握（进入真实前 3 名的可能性，%）"]


def test_judges_export_has_completion_and_offset():
    round, panel, _entries = scored_round(entries=3, judges=2)

    headers, rows, _size = judges_table(round=round)
    rows = list(rows)

    assert headers == [
        "评委",
        "评委用户名",
        "分配数",
        "已提交",
        "完成率（%）",
        "平均总分",
        "标准差",
        "评委偏差",
        "与其他评委差得远（标准差倍数）",
    ]
    assert {row[0] for row in rows} == {judge.name for judge in panel}
    assert {row[4] for row in rows} == {100.0}


def test_assignments_export_names_the_judge_of_each_entry():
    round, panel, round_entries = scored_round(entries=2, judges=2)

    headers, rows, size = assignments_table(round=round)
    rows = list(rows)

    assert headers[:4] == ["匿名编号", "项目名称", "评委", "评委用户名"]
    assert size == 4
    assert {(row[0], row[2]) for row in rows} == {
        (re.blind_code, j.name) for re in round_entries for j in panel
    }
    assert {row[6] for row in rows} == {"已提交"}


def test_shortlist_and_objection_exports():
    shortlist = shortlist_in_notice(entries=2)
    objection_file(
        shortlist=shortlist,
        entry=None,
        name="王五",
        phone="13900000000",
        reason="请核实服务时长。",
        address="b",
    )

    s_headers, s_rows, s_size = shortlist_table(contest=shortlist.contest)
    o_headers, o_rows, o_size = objections_table(contest=shortlist.contest)

    assert s_headers[0] == "序号" and "入围方式" in s_headers
    assert s_headers[-1] == "奖项等次"
    s_rows = list(s_rows)
    assert [row[0] for row in s_rows] == [1, 2]
    assert [row[-1] for row in s_rows] == ["优秀志愿服务项目"] * 2
    assert o_size == 1
    row = next(iter(o_rows))
    assert row[1:3] == ("王五", "13900000000")
    assert row[5] == "待答复"


def test_contest_entries_export_lists_submitted_entries_only(contest):
    factories.EntryFactory(contest=contest, title="草稿项目")
    factories.EntryFactory(contest=contest, title="已提交项目", submitted=True)

    headers, rows, size = entries_table(contest=contest)

    assert headers[0] == "项目名称"
    assert [row[0] for row in rows] == ["已提交项目"]
    assert size == 1


@pytest.mark.parametrize("kind", list(EXPORTS))
@pytest.mark.parametrize("entries", [1, 3])
def test_every_export_takes_a_constant_number_of_queries(kind, entries, django_assert_num_queries):
    shortlist = shortlist_in_notice(entries=entries)
    for n in range(entries):
        Objection.objects.create(
            shortlist=shortlist,
            name="甲",
            phone="13900000000",
            reason="异议内容异议内容。",
            address_hash=str(n),
        )
    round, contest = shortlist.round, shortlist.contest
    expected = {"entries": 2, "assignments": 2, "sheets": 5, "ranking": 6, "judges": 2}.get(kind, 2)

    with django_assert_num_queries(expected):
        table = build(kind, contest=contest, round=round)
        rows = list(table.rows)

    assert len(rows) == table.size


# --- Background jobs -----------------------------------------------------------------------------


def test_export_job_runs_in_the_background_and_keeps_its_file_private(
    organizer, django_capture_on_commit_callbacks, settings
):
    round, _panel, _entries = scored_round(entries=3)

    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(kind="ranking", format="xlsx", round=round, by=organizer)

    job.refresh_from_db()
    assert (job.status, job.progress, job.contest_id, job.round_id) == (
        "done",
        100,
        round.contest_id,
        round.pk,
    )
    assert job.finished_at is not None
    assert job.message == "共 3 行。"
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".xlsx")
    assert str(settings.PRIVATE_MEDIA_ROOT) in job.file.path
    with job.file.open("rb") as fp:
        sheet = load_workbook(fp).active
        assert sheet.cell(row=1, column=1).value == "排名"
        assert sheet.max_row == 4


def test_export_job_csv_for_a_contest_export(organizer, django_capture_on_commit_callbacks):
    shortlist = shortlist_in_notice(entries=2)

    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(kind="shortlist", format="csv", contest=shortlist.contest, by=organizer)

    job.refresh_from_db()
    assert job.round_id is None
    with job.file.open("rb") as fp:
        assert fp.read().decode("utf-8").startswith("\ufeff序号,")


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_writers_report_progress_as_rows_go_out(format, monkeypatch):
    monkeypatch.setattr(writers, "PROGRESS_EVERY", 2)
    table = Table(["数"], iter([(i,) for i in range(5)]), 5)
    seen = []

    written = write(table, io.BytesIO(), format=format, title="表", progress=seen.append)

    assert (written, seen) == (5, [2, 4])


def test_export_job_failure_is_recorded_with_a_message(organizer):
    contest = factories.ContestFactory()
    job = ExportJob.objects.create(kind="ranking", format="xlsx", contest=contest, round=None)

    export_run(job=job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("导出失败")
    assert not job.file


def test_export_request_refuses_a_round_export_without_a_round(organizer, contest):
    with pytest.raises(JudgingError, match="请选择评审轮次"):
        export_request(kind="sheets", format="xlsx", contest=contest, by=organizer)


def test_file_name_is_chinese_with_the_round_or_contest():
    round, _panel, _entries = scored_round(entries=1)

    assert file_name("ranking", contest=round.contest, round=round, format="xlsx") == "成绩排名-初评.xlsx"
    assert (
        file_name("shortlist", contest=round.contest, round=None, format="csv")
        == f"入围名单-{round.contest.title}.csv"
    )


def test_times_are_written_in_beijing_time():
    shortlist = shortlist_in_notice(entries=1)
    at = datetime(2026, 12, 31, 16, 5, 30, tzinfo=UTC)  # 2027-01-01 00:05:30 in Beijing
    Objection.objects.create(
        shortlist=shortlist,
        name="甲",
        phone="13900000000",
        reason="异议内容异议内容。",
        address_hash="x",
        created_at=at,
    )

    row = next(iter(objections_table(contest=shortlist.contest).rows))

    assert row[0] == datetime(2027, 1, 1, 0, 5, 30)
