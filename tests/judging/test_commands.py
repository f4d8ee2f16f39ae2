"""Management commands for automation: compute_results, export_results, import_scores."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from judging.models import Assignment, JudgingEvent, RoundComputation, RoundResult, ScoreSheet
from judging.phases import CLOSED
from tests.judging.factories import set_status
from tests.judging.scored import scored_round, scoring_round, submit

pytestmark = pytest.mark.django_db

FILES = ["参赛项目", "评审分配", "评分表", "成绩排名", "评委统计", "入围名单", "异议记录"]


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_compute_results_stores_the_round_results():
    round, _panel, _entries = scored_round(entries=3, compute=False)

    out, _err = run("compute_results", "--round", str(round.pk))

    assert RoundResult.objects.filter(round=round).count() == 3
    computation = RoundComputation.objects.get(round=round)
    assert "3 entries from 6 sheets" in out
    assert computation.ranking_digest[:12] in out


def test_compute_results_twice_gives_the_same_ranking():
    round, _panel, _entries = scored_round(entries=3, compute=False)

    run("compute_results", "--round", str(round.pk))
    run("compute_results", "--round", str(round.pk))

    digests = set(RoundComputation.objects.filter(round=round).values_list("ranking_digest", flat=True))
    assert len(digests) == 1


def test_compute_results_of_an_unknown_round_or_without_sheets_fails():
    round, _panel, _entries = scoring_round(entries=1, judges=1)

    with pytest.raises(CommandError, match="no round with id"):
        run("compute_results", "--round", "999999")
    with pytest.raises(CommandError, match="本轮还没有已提交的评分表"):
        run("compute_results", "--round", str(round.pk))


def test_export_results_writes_every_export_of_the_round(tmp_path):
    round, _panel, _entries = scored_round(entries=2)

    out, _err = run("export_results", "--round", str(round.pk), "--out", str(tmp_path / "out"))

    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    expected = sorted(
        f"{label}-{round.name if label not in ('入围名单', '异议记录') else round.contest.title}.xlsx"
        for label in FILES
    )
    assert names == expected
    assert len(out.splitlines()) == 7
    ranking = load_workbook(tmp_path / "out" / "成绩排名-初评.xlsx").active
    assert ranking.cell(row=1, column=1).value == "排名"
    assert ranking.max_row == 3


def test_export_results_as_csv_with_a_bom(tmp_path):
    round, _panel, _entries = scored_round(entries=2)

    run("export_results", "--round", str(round.pk), "--out", str(tmp_path), "--format", "csv")

    files = sorted(tmp_path.glob("*.csv"))
    assert len(files) == 7
    assert all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files)
    assert (tmp_path / "评分表-初评.csv").read_text(encoding="utf-8-sig").startswith("匿名编号,")


def test_export_results_of_an_unknown_round_fails(tmp_path):
    with pytest.raises(CommandError, match="no round with id"):
        run("export_results", "--round", "999999", "--out", str(tmp_path))


def template_file(round, tmp_path, *, fill=True, extra_rows=()):
    workbook = Workbook()
    sheet = workbook.active
    criteria = list(round.criteria.all())
    sheet.append(["匿名编号", "评委用户名", *(c.name for c in criteria), "给参赛团队的反馈"])
    for code, username in round.assignments.values_list("round_entry__blind_code", "judge__user__username"):
        sheet.append([code, username, *([c.max_points for c in criteria] if fill else []), ""])
    for row in extra_rows:
        sheet.append(row)
    path = tmp_path / "scores.xlsx"
    workbook.save(path)
    return path


def test_import_scores_imports_a_good_file(tmp_path):
    round, _panel, _entries = scoring_round(entries=2, judges=2)
    path = template_file(round, tmp_path)

    out, _err = run("import_scores", "--round", str(round.pk), str(path))

    assert "已导入 4 份评分表。" in out
    assert ScoreSheet.objects.filter(assignment__round=round, status="submitted").count() == 4
    events = JudgingEvent.objects.filter(round=round, kind=JudgingEvent.Kind.SHEET_SUBMITTED)
    assert events.count() == 4 and set(events.values_list("actor", flat=True)) == {None}


def test_import_scores_prints_row_errors_and_fails(tmp_path):
    round, _panel, _entries = scoring_round(entries=1, judges=1)
    path = template_file(round, tmp_path, fill=False)
    err = io.StringIO()

    with pytest.raises(CommandError, match="文件没有导入"):
        call_command("import_scores", "--round", str(round.pk), str(path), stdout=io.StringIO(), stderr=err)

    assert "第 2 行" in err.getvalue()
    assert "没有填写分数" in err.getvalue()
    assert ScoreSheet.objects.count() == 0


def test_import_scores_exits_non_zero_from_the_command_line(tmp_path):
    round, _panel, _entries = scoring_round(entries=1, judges=1)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not excel")

    with pytest.raises(CommandError) as raised:
        run("import_scores", "--round", str(round.pk), str(path))

    assert raised.value.returncode == 1


def test_import_scores_of_a_missing_file_fails(tmp_path):
    round, _panel, _entries = scoring_round(entries=1, judges=1)

    with pytest.raises(CommandError, match="no such file"):
        run("import_scores", "--round", str(round.pk), str(tmp_path / "nope.xlsx"))


def online_and_paper(tmp_path):
    """Judge 1 submitted both entries online (1 point a criterion); the file scores every sheet."""
    round, panel, round_entries = scoring_round(entries=2, judges=2)
    criteria = list(round.criteria.all())
    for round_entry in round_entries:
        submit(Assignment.objects.get(round_entry=round_entry, judge=panel[0]), [1] * len(criteria))
    return round, panel, template_file(round, tmp_path)


def online_totals(judge) -> set:
    return set(ScoreSheet.objects.filter(assignment__judge=judge).values_list("total", flat=True))


def test_import_scores_without_a_choice_lists_submitted_sheets_and_imports_nothing(tmp_path):
    round, panel, path = online_and_paper(tmp_path)
    before = online_totals(panel[0])
    err = io.StringIO()

    with pytest.raises(CommandError, match="会修改 2 份评委已提交的评分表"):
        call_command("import_scores", "--round", str(round.pk), str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().count(panel[0].name) == 2
    assert online_totals(panel[0]) == before
    assert ScoreSheet.objects.filter(assignment__judge=panel[1]).count() == 0


def test_import_scores_only_empty_keeps_the_submitted_sheets(tmp_path):
    round, panel, path = online_and_paper(tmp_path)
    before = online_totals(panel[0])

    out, _err = run("import_scores", "--round", str(round.pk), "--only-empty", str(path))

    assert "已导入 2 份评分表。" in out
    assert online_totals(panel[0]) == before
    assert ScoreSheet.objects.filter(assignment__judge=panel[1], status="submitted").count() == 2


def test_import_scores_overwrite_submitted_replaces_them(tmp_path):
    round, panel, path = online_and_paper(tmp_path)
    before = online_totals(panel[0])

    out, _err = run("import_scores", "--round", str(round.pk), "--overwrite-submitted", str(path))

    assert "已导入 4 份评分表。" in out
    assert online_totals(panel[0]) != before


def test_import_scores_into_a_closed_round_says_so_once(tmp_path):
    round, _panel, path = online_and_paper(tmp_path)
    set_status(round, CLOSED)
    err = io.StringIO()

    with pytest.raises(CommandError, match="本轮已截止：请先重开需要修改的评分表"):
        call_command(
            "import_scores", "--round", str(round.pk), "--overwrite-submitted", str(path), stderr=err
        )

    assert err.getvalue() == ""
