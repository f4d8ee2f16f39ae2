"""Score import for paper rounds (路演): the template, row-by-row checks with Chinese messages,
and an all-or-nothing import through ``sheet_save`` (so every sheet is audited)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from judging.errors import JudgingError
from judging.models import Assignment, Judge, JudgingEvent, Round, ScoreSheet
from judging.phases import CLOSED
from judging.scoring.services import SheetInput, sheet_reopen, sheet_save
from judging.spreadsheets.imports import (
    XLSX_CONTENT_TYPE,
    ImportChanged,
    Submitted,
    check_rows,
    import_check,
    import_scores,
    read_sheet,
    template_workbook,
)
from tests.judging.factories import JudgeFactory, RoundFactory, make_judge, set_status
from tests.judging.scored import scoring_round, submit

pytestmark = pytest.mark.django_db
User = get_user_model()


def xlsx(rows: list[list]) -> bytes:
    """A real xlsx file with these rows (the first is the header)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "评分.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def header(round: Round) -> list[str]:
    return [
        "匿名编号",
        "评委用户名",
        *(f"{c.name}（满分 {c.max_points}）" for c in round.criteria.all()),
        "给参赛团队的反馈",
    ]


def full_row(round_entry, judge, points=None, feedback="现场展示清楚。") -> list:
    criteria = list(round_entry.round.criteria.all())
    points = points if points is not None else [c.max_points - 2 for c in criteria]
    return [round_entry.blind_code, judge.user.username, *points, feedback]


@pytest.fixture
def paper_round(db):
    """A roadshow round open for scoring: two entries, two judges each."""
    round, panel, round_entries = scoring_round(entries=2, judges=2, judge_names=["路演评委甲", "路演评委乙"])
    return round, panel, round_entries


# --- Template ------------------------------------------------------------------------------------


def test_template_has_the_columns_and_one_row_per_assignment(paper_round):
    round, panel, round_entries = paper_round

    workbook = load_workbook(io.BytesIO(template_workbook(round=round)))

    sheet = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == header(round)
    assert sorted((row[0], row[1]) for row in rows[1:]) == sorted(
        (re.blind_code, j.user.username) for re in round_entries for j in panel
    )
    assert workbook.sheetnames == ["评分", "填写说明"]


def test_filled_template_imports(paper_round, organizer):
    round, panel, round_entries = paper_round
    template = load_workbook(io.BytesIO(template_workbook(round=round)))
    sheet = template.worksheets[0]
    criteria = list(round.criteria.all())
    for row in sheet.iter_rows(min_row=2):
        for cell, criterion in zip(row[2 : 2 + len(criteria)], criteria, strict=True):
            cell.value = criterion.max_points
    out = io.BytesIO()
    template.save(out)

    result = import_scores(submitted=Submitted.KEEP, round=round, upload=upload(out.getvalue()), by=organizer)

    assert (result.imported, result.errors) == (4, [])
    assert set(ScoreSheet.objects.values_list("total", flat=True)) == {Decimal("100.000")}


# --- Import --------------------------------------------------------------------------------------


def test_import_submits_every_sheet_and_audits_it(paper_round, organizer):
    round, panel, round_entries = paper_round
    criteria = list(round.criteria.all())
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]

    result = import_scores(submitted=Submitted.KEEP, round=round, upload=upload(xlsx(rows)), by=organizer)

    assert result.ok and result.imported == 4
    sheets = ScoreSheet.objects.filter(assignment__round=round)
    assert {s.status for s in sheets} == {"submitted"}
    assert {s.feedback_to_team for s in sheets} == {"现场展示清楚。"}
    assert sheets.first().scores.count() == len(criteria)
    events = JudgingEvent.objects.filter(round=round, kind=JudgingEvent.Kind.SHEET_SUBMITTED)
    assert events.count() == 4
    assert set(events.values_list("actor", flat=True)) == {organizer.pk}


def test_import_accepts_half_points_numbers_as_text_and_lowercase_codes(paper_round, organizer):
    round, panel, round_entries = paper_round
    criteria = list(round.criteria.all())
    points = ["7.5", *[c.max_points for c in criteria[1:]]]
    rows = [header(round), [round_entries[0].blind_code.lower(), panel[0].user.username, *points, None]]

    result = import_scores(submitted=Submitted.KEEP, round=round, upload=upload(xlsx(rows)), by=organizer)

    assert result.ok
    sheet = ScoreSheet.objects.get(assignment__round_entry=round_entries[0], assignment__judge=panel[0])
    assert sheet.scores.get(criterion=criteria[0]).points == Decimal("7.5")
    assert sheet.feedback_to_team == ""


def test_import_reports_every_problem_by_row_and_imports_nothing(paper_round, organizer):
    round, panel, round_entries = paper_round
    stranger = make_judge(name="未分配评委", username="stranger")
    criteria = list(round.criteria.all())
    good = full_row(round_entries[0], panel[0])
    rows = [
        header(round),
        good,  # row 2: fine on its own
        ["ZZZZZZ", panel[0].user.username, *[1] * len(criteria), ""],  # 3: unknown code
        [round_entries[0].blind_code, "nobody", *[1] * len(criteria), ""],  # 4: unknown judge
        [round_entries[0].blind_code, stranger.user.username, *[1] * len(criteria), ""],  # 5: not assigned
        full_row(round_entries[1], panel[0], points=[None, *[1] * (len(criteria) - 1)]),  # 6: missing
        full_row(round_entries[1], panel[1], points=[999, *[1] * (len(criteria) - 1)]),  # 7: out of range
        full_row(round_entries[0], panel[1], points=["八分", *[1] * (len(criteria) - 1)]),  # 8: not a number
        good,  # 9: duplicate of row 2
    ]

    result = import_scores(submitted=Submitted.KEEP, round=round, upload=upload(xlsx(rows)), by=organizer)

    assert result.imported == 0
    messages = {(e.row, e.message) for e in result.errors}
    first = criteria[0].name
    assert messages == {
        (3, "本轮没有匿名编号为“ZZZZZZ”的项目。"),
        (4, "没有用户名为“nobody”的评委。"),
        (5, f"评委“stranger”没有被分配评审项目“{round_entries[0].blind_code}”。"),
        (6, f"“{first}”没有填写分数。"),
        (7, f"“{first}”的分数应在 0 到 {criteria[0].max_points} 之间。"),
        (8, f"“{first}”的分数不是数字。"),
        (9, "与第 2 行重复：同一项目和评委只能有一行。"),
    }
    assert ScoreSheet.objects.count() == 0
    assert JudgingEvent.objects.filter(kind=JudgingEvent.Kind.SHEET_SUBMITTED).count() == 0


def test_import_into_a_closed_round_over_sheets_not_reopened_answers_once(paper_round, organizer):
    """The round closed with one sheet reopened: that row alone could be imported, the three
    others would change sheets that are not reopened, so the file is refused with one message
    (not one per row) and nothing of it stays."""
    round, panel, round_entries = paper_round
    criteria = list(round.criteria.all())
    for assignment in Assignment.objects.filter(round=round):
        sheet_save(
            assignment=assignment,
            data=SheetInput(points={c.pk: "1" for c in criteria}),
            expected_version=None,
            submit=True,
            by=assignment.judge.user,
        )
    set_status(round, CLOSED)
    reopened = ScoreSheet.objects.get(assignment__round_entry=round_entries[0], assignment__judge=panel[0])
    sheet_reopen(sheet=reopened, reason="纸质评分表录入有误", by=organizer)
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]

    with pytest.raises(JudgingError) as refused:
        import_scores(round=round, upload=upload(xlsx(rows)), by=organizer, submitted=Submitted.OVERWRITE)

    assert refused.value.message == "本轮已截止：请先重开需要修改的评分表"
    reopened.refresh_from_db()
    assert (reopened.status, reopened.feedback_to_team) == ("draft", "")
    assert set(reopened.scores.values_list("points", flat=True)) == {Decimal("1")}
    assert not JudgingEvent.objects.filter(kind=JudgingEvent.Kind.SHEET_SUBMITTED, actor=organizer).exists()


def test_import_into_a_closed_round_fills_the_reopened_sheets(paper_round, organizer):
    round, panel, round_entries = paper_round
    criteria = list(round.criteria.all())
    for assignment in Assignment.objects.filter(round=round):
        submit(assignment, [1] * len(criteria))
    set_status(round, CLOSED)
    reopened = ScoreSheet.objects.get(assignment__round_entry=round_entries[0], assignment__judge=panel[0])
    sheet_reopen(sheet=reopened, reason="纸质评分表录入有误", by=organizer)
    rows = [header(round), full_row(round_entries[0], panel[0])]

    result = import_scores(round=round, upload=upload(xlsx(rows)), by=organizer, submitted=Submitted.KEEP)

    assert (result.imported, result.errors) == (1, [])
    reopened.refresh_from_db()
    assert (reopened.status, reopened.reopened) == ("submitted", False)


def test_import_into_a_closed_round_with_nothing_reopened_answers_once(paper_round, organizer):
    round, panel, round_entries = paper_round
    set_status(round, CLOSED)
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]

    with pytest.raises(JudgingError) as refused:
        import_check(round=round, upload=upload(xlsx(rows)))

    assert refused.value.message == "本轮已截止：请先重开需要修改的评分表"


# --- Sheets judges submitted online --------------------------------------------------------------


@pytest.fixture
def submitted_online(paper_round):
    """Judge 甲 submitted both entries online (all criteria at 1 point); 乙 has not scored."""
    round, panel, round_entries = paper_round
    criteria = list(round.criteria.all())
    for round_entry in round_entries:
        submit(Assignment.objects.get(round_entry=round_entry, judge=panel[0]), [1] * len(criteria))
    return round, panel, round_entries


def online_points(round_entry, judge) -> set:
    sheet = ScoreSheet.objects.get(assignment__round_entry=round_entry, assignment__judge=judge)
    return set(sheet.scores.values_list("points", flat=True))


def test_check_lists_every_submitted_sheet_the_file_would_change(submitted_online):
    round, panel, round_entries = submitted_online
    criteria = list(round.criteria.all())
    same = [round_entries[1].blind_code, panel[0].user.username, *[1] * len(criteria), ""]
    rows = [
        header(round),
        full_row(round_entries[0], panel[0]),  # row 2: changes 甲's submitted sheet
        same,  # row 3: equals 甲's submitted sheet: not a change
        full_row(round_entries[0], panel[1]),  # row 4: 乙 has no sheet yet
    ]

    plan = import_check(round=round, upload=upload(xlsx(rows)))

    old = ScoreSheet.objects.get(assignment__round_entry=round_entries[0], assignment__judge=panel[0]).total
    assert plan.ok
    assert [(c.row, c.judge_name, c.blind_code, c.old_total) for c in plan.changes] == [
        (2, "路演评委甲", round_entries[0].blind_code, old)
    ]
    assert (old, plan.changes[0].new_total) == (Decimal("6.000"), Decimal("88.000"))
    assert (len(plan.unchanged), plan.fills) == (1, 1)
    assert ScoreSheet.objects.filter(assignment__judge=panel[1]).count() == 0


def test_import_keeping_submitted_sheets_fills_only_the_empty_ones(submitted_online, organizer):
    round, panel, round_entries = submitted_online
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]

    result = import_scores(round=round, upload=upload(xlsx(rows)), by=organizer, submitted=Submitted.KEEP)

    assert (result.imported, result.kept, result.errors) == (2, 2, [])
    assert online_points(round_entries[0], panel[0]) == {Decimal("1")}
    assert online_points(round_entries[1], panel[0]) == {Decimal("1")}
    assert ScoreSheet.objects.filter(assignment__judge=panel[1], status="submitted").count() == 2


def test_import_overwriting_replaces_submitted_sheets_and_audits_the_old_values(submitted_online, organizer):
    round, panel, round_entries = submitted_online
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]
    plan = import_check(round=round, upload=upload(xlsx(rows)))

    result = import_scores(
        round=round,
        upload=upload(xlsx(rows)),
        by=organizer,
        submitted=Submitted.OVERWRITE,
        confirmed=plan.digest,
    )

    assert (result.imported, result.kept) == (4, 0)
    assert online_points(round_entries[0], panel[0]) != {Decimal("1")}
    event = JudgingEvent.objects.filter(
        actor=organizer, judge=panel[0], round_entry=round_entries[0], kind=JudgingEvent.Kind.SHEET_SUBMITTED
    ).get()
    assert set(event.before["scores"].values()) == {"1.00"}


def test_import_overwriting_refuses_when_sheets_changed_after_the_check(submitted_online, organizer):
    round, panel, round_entries = submitted_online
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]
    plan = import_check(round=round, upload=upload(xlsx(rows)))
    criteria = list(round.criteria.all())
    submit(Assignment.objects.get(round_entry=round_entries[0], judge=panel[1]), [2] * len(criteria))

    with pytest.raises(ImportChanged):
        import_scores(
            round=round,
            upload=upload(xlsx(rows)),
            by=organizer,
            submitted=Submitted.OVERWRITE,
            confirmed=plan.digest,
        )

    assert online_points(round_entries[0], panel[0]) == {Decimal("1")}
    assert online_points(round_entries[0], panel[1]) == {Decimal("2")}


def test_import_without_a_choice_for_submitted_sheets_is_a_type_error(submitted_online, organizer):
    round, panel, round_entries = submitted_online
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel]

    with pytest.raises(TypeError):
        import_scores(round=round, upload=upload(xlsx(rows)), by=organizer)

    assert online_points(round_entries[0], panel[0]) == {Decimal("1")}


def test_import_of_rows_equal_to_the_submitted_sheets_changes_nothing(submitted_online, organizer):
    round, panel, round_entries = submitted_online
    criteria = list(round.criteria.all())
    rows = [header(round)] + [
        [re.blind_code, panel[0].user.username, *[1] * len(criteria), ""] for re in round_entries
    ]
    versions = set(ScoreSheet.objects.values_list("version", flat=True))

    plan = import_check(round=round, upload=upload(xlsx(rows)))
    result = import_scores(
        round=round, upload=upload(xlsx(rows)), by=organizer, submitted=Submitted.OVERWRITE
    )

    assert (plan.changes, len(plan.unchanged)) == ([], 2)
    assert (result.imported, result.unchanged) == (0, 2)
    assert set(ScoreSheet.objects.values_list("version", flat=True)) == versions


def test_import_keeps_the_judges_comment_to_organizers(paper_round, organizer):
    round, panel, round_entries = paper_round
    assignment = Assignment.objects.get(round_entry=round_entries[0], judge=panel[0])
    sheet_save(
        assignment=assignment,
        data=SheetInput(points={}, comment_to_organizers="内部意见"),
        expected_version=None,
        submit=False,
        by=panel[0].user,
    )

    import_scores(
        submitted=Submitted.KEEP,
        round=round,
        upload=upload(xlsx([header(round), full_row(round_entries[0], panel[0])])),
        by=organizer,
    )

    sheet = ScoreSheet.objects.get(assignment=assignment)
    assert (sheet.status, sheet.comment_to_organizers) == ("submitted", "内部意见")


@pytest.mark.parametrize(
    "content",
    [b"not a spreadsheet at all", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"PK\x03\x04broken zip", b""],
    ids=["text", "pdf", "broken-zip", "empty"],
)
def test_import_of_something_that_is_not_xlsx_says_so(paper_round, organizer, content):
    round, _panel, _entries = paper_round

    result = import_scores(submitted=Submitted.KEEP, round=round, upload=upload(content), by=organizer)

    assert result.imported == 0
    assert [(e.row, e.message) for e in result.errors] == [
        (0, "无法读取这个文件：请上传用评分导入模板填写的 Excel 文件（.xlsx 格式）。")
    ]


def test_import_of_a_file_over_5_mb_is_refused(paper_round, organizer):
    round, _panel, _entries = paper_round

    result = import_scores(
        submitted=Submitted.KEEP, round=round, upload=upload(b"0" * (5 * 1024 * 1024 + 1)), by=organizer
    )

    assert [e.message for e in result.errors] == ["文件太大：最大 5 MB。"]


def test_import_with_missing_columns_names_them(paper_round, organizer):
    round, _panel, _entries = paper_round
    first = round.criteria.first().name

    result = import_scores(
        round=round,
        upload=upload(xlsx([["匿名编号", "评委", first], ["ABC", "x", 1]])),
        by=organizer,
        submitted=Submitted.KEEP,
    )

    assert len(result.errors) == 1
    message = result.errors[0].message
    assert "缺少列“评委用户名”。" in message
    assert "请使用本轮的评分导入模板。" in message


def test_import_with_only_a_header_says_there_is_nothing(paper_round, organizer):
    round, _panel, _entries = paper_round

    result = import_scores(
        submitted=Submitted.KEEP,
        round=round,
        upload=upload(xlsx([header(round), [None, None]])),
        by=organizer,
    )

    assert [e.message for e in result.errors] == ["文件中没有需要导入的评分。"]


def test_import_into_a_round_in_setup_is_refused(organizer):
    round = RoundFactory()

    with pytest.raises(JudgingError) as refused:
        import_scores(
            round=round, upload=upload(xlsx([["匿名编号"]])), by=organizer, submitted=Submitted.KEEP
        )

    assert refused.value.message == "只有评分中的轮次（或有重开评分表的已截止轮次）才能导入评分。"


def test_import_checks_take_a_constant_number_of_queries(paper_round, django_assert_num_queries):
    round, panel, round_entries = paper_round
    JudgeFactory()
    rows = [header(round)] + [full_row(re, j) for re in round_entries for j in panel] * 3
    header_row, body = read_sheet(upload(xlsx(rows)))

    with django_assert_num_queries(4):
        parsed, errors = check_rows(round=round, header=header_row, rows=body)

    assert len(parsed) == 4 and len(errors) == 8


def test_import_of_10000_rows_into_a_closed_round_returns_one_error(organizer):
    """A city-sized file (five entries × 2,000 judges = 10,000 sheets) into a closed round where
    one sheet is reopened: one answer for the whole file, not one per row."""
    round, panel, round_entries = scoring_round(entries=5, judges=1)
    criteria = list(round.criteria.all())
    reopened = submit(
        Assignment.objects.get(round_entry=round_entries[0], judge=panel[0]), [1] * len(criteria)
    )
    users = User.objects.bulk_create(User(username=f"paper{i:04d}", password="!") for i in range(1999))
    judges = Judge.objects.bulk_create(Judge(user=user, name=f"评委{i}") for i, user in enumerate(users))
    Assignment.objects.bulk_create(
        Assignment(round=round, round_entry=round_entry, judge=judge)
        for round_entry in round_entries
        for judge in judges
    )
    set_status(round, CLOSED)
    sheet_reopen(sheet=reopened, reason="纸质评分表录入有误", by=organizer)
    rows = [header(round)] + [
        [round_entry.blind_code, username, *[2] * len(criteria), ""]
        for round_entry in round_entries
        for username in [panel[0].user.username, *(user.username for user in users)]
    ]
    assert len(rows) - 1 == Assignment.objects.filter(round=round).count() == 10000

    with pytest.raises(JudgingError) as refused:
        import_scores(round=round, upload=upload(xlsx(rows)), by=organizer, submitted=Submitted.OVERWRITE)

    assert refused.value.message == "本轮已截止：请先重开需要修改的评分表"
    assert ScoreSheet.objects.count() == 1
