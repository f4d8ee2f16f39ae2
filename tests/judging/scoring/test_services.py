"""The judging services for judges: sheets (totals, validation, versions, audit), conflicts declared
from the scoring page, and the masked snapshot an entry joins a round with."""

from decimal import Decimal

import pytest

from competition.models import Entry
from judging.assignment.services import assignment_remove
from judging.conflicts.services import conflict_declare, conflict_set
from judging.errors import JudgingError, SheetConflict
from judging.masking.text import MASK
from judging.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    Criterion,
    Judge,
    JudgingEvent,
    Round,
    RoundEntry,
    ScoreSheet,
)
from judging.phases import CLOSED, SCORING
from judging.rounds.services import round_sync_entries
from judging.scoring.services import SheetInput, sheet_reopen, sheet_save, sheet_total
from tests import factories
from tests.judging.factories import JudgeFactory, RoundFactory, assign, open_round, set_status, sync

pytestmark = pytest.mark.django_db

DEFAULT_POINTS = [12, Decimal("13.5"), 17, 21, 8, Decimal("12.5")]  # of 15, 15, 20, 25, 10, 15


def points_for(round: Round, values) -> dict:
    return {c.pk: (None if v is None else str(v)) for c, v in zip(round.criteria.all(), values, strict=True)}


def save(assignment, values, *, submit=False, version=None, **kwargs):
    return sheet_save(
        assignment=assignment,
        data=SheetInput(points=points_for(assignment.round, values), **kwargs),
        expected_version=version,
        submit=submit,
        by=assignment.judge.user,
    )


@pytest.fixture
def assignment():
    _round, judge, (round_entry,) = open_round(entries=1)
    return Assignment.objects.select_related("round", "judge__user").get(judge=judge, round_entry=round_entry)


# --- Totals ----------------------------------------------------------------------------------


def test_sheet_save_default_rubric_total_is_the_sum_of_points(assignment):
    sheet = save(assignment, DEFAULT_POINTS, submit=True)

    sheet.refresh_from_db()
    assert sheet.total == Decimal("84.000")
    assert (sheet.status, sheet.version) == (ScoreSheet.Status.SUBMITTED, 1)


def test_sheet_save_weighted_rubric_total_is_scaled_to_100():
    round = RoundFactory()
    round.criteria.all().delete()
    Criterion.objects.create(round=round, name="甲", max_points=10, weight=2, sort_order=1)
    Criterion.objects.create(round=round, name="乙", max_points=20, weight=1, sort_order=2)
    factories.EntryFactory(contest=round.contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE)
    assignment = assign(sync(round)[0], JudgeFactory())
    set_status(round, SCORING)

    sheet = save(assignment, [5, 15], submit=True)

    # (2·5/10 + 1·15/20)·100 / (2 + 1) = 1.75·100/3 = 58.333…
    sheet.refresh_from_db()
    assert sheet.total == Decimal("58.333")


def test_sheet_total_full_and_zero_marks():
    criteria = [Criterion(pk=1, max_points=15, weight=15), Criterion(pk=2, max_points=10, weight=5)]

    totals = [
        sheet_total(criteria, {1: Decimal(15), 2: Decimal(10)}),
        sheet_total(criteria, {1: Decimal(0), 2: Decimal(0)}),
        sheet_total(criteria, {1: Decimal("7.5"), 2: Decimal(10)}),
    ]

    # the last: (15·7.5/15 + 5·10/10)·100/20 = 12.5·5 = 62.5
    assert totals == [Decimal("100.000"), Decimal("0.000"), Decimal("62.500")]


def test_sheet_save_draft_with_missing_scores_has_no_total(assignment):
    sheet = save(assignment, [12, None, 17, None, None, None])

    assert (sheet.status, sheet.total, sheet.scores.count()) == (ScoreSheet.Status.DRAFT, None, 2)


# --- Validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([12, 13, 17, 21, 8, None], "“可持续与示范带动”还没有打分。"),
        ([12, 13, 17, 21, "", ""], "“创新性”还没有打分。 “可持续与示范带动”还没有打分。"),
        ([16, 13, 17, 21, 8, 12], "“思想引领与目标明确”的分数应在 0 到 15 之间。"),
        ([12, 13, 17, 26, 8, 12], "“服务成效”的分数应在 0 到 25 之间。"),
        ([12, "-0.5", 17, 21, 8, 12], "“需求精准”的分数应在 0 到 15 之间。"),
        ([12, "十二", 17, 21, 8, 12], "“需求精准”的分数不是数字。"),
        ([12, "12分", 17, 21, 8, 12], "“需求精准”的分数不是数字。"),
        ([12, "NaN", 17, 21, 8, 12], "“需求精准”的分数应在 0 到 15 之间。"),
        ([12, "Infinity", 17, 21, 8, 12], "“需求精准”的分数应在 0 到 15 之间。"),
        ([12, "12.3", 17, 21, 8, 12], "“需求精准”的分数最多精确到 0.5 分。"),
        ([12, "12.25", 17, 21, 8, 12], "“需求精准”的分数最多精确到 0.5 分。"),
    ],
)
def test_sheet_save_submit_bad_scores_raise_chinese_message_and_save_nothing(assignment, values, message):
    with pytest.raises(JudgingError) as caught:
        save(assignment, values, submit=True)

    assert caught.value.message == message
    assert (ScoreSheet.objects.count(), JudgingEvent.objects.filter(kind__startswith="sheet").count()) == (
        0,
        0,
    )


@pytest.mark.parametrize("value", ["0", "0.5", "15", "14.5", " 7.5 ", "7.50"])
def test_sheet_save_accepts_half_points_within_range(assignment, value):
    sheet = save(assignment, [value, 13, 17, 21, 8, 12], submit=True)

    assert sheet.scores.get(criterion__sort_order=1).points == Decimal(value.strip())


def test_sheet_save_submitted_sheet_stays_complete_on_later_edits(assignment):
    sheet = save(assignment, DEFAULT_POINTS, submit=True)

    with pytest.raises(JudgingError) as caught:
        save(assignment, [12, 13, 17, 21, 8, None], version=sheet.version)

    assert caught.value.message == "“可持续与示范带动”还没有打分。"
    assert ScoreSheet.objects.get().total == Decimal("84.000")


# --- Versions and audit ----------------------------------------------------------------------


def test_sheet_save_stale_version_raises_sheet_conflict_and_keeps_first_save(assignment):
    save(assignment, [10, 11, None, None, None, None], version=0)

    with pytest.raises(SheetConflict) as caught:
        save(assignment, [1, 2, 3, None, None, None], version=0)

    assert caught.value.message.startswith("这份评分表已在其他窗口保存过（")
    assert caught.value.message.endswith("），为避免覆盖，本次没有保存。请刷新页面核对后再保存。")
    sheet = ScoreSheet.objects.get()
    assert (sheet.version, sorted(sheet.scores.values_list("points", flat=True))) == (1, [10, 11])


def test_sheet_save_current_version_saves_and_bumps_version(assignment):
    first = save(assignment, [10, None, None, None, None, None], version=0)

    second = save(assignment, [11, None, None, None, None, None], version=first.version)

    assert (second.version, list(second.scores.values_list("points", flat=True))) == (2, [11])


def test_sheet_save_every_save_records_before_and_after(assignment):
    criteria = [str(c.pk) for c in assignment.round.criteria.all()]
    first = save(assignment, [10, None, None, None, None, None], comment_to_organizers="再看看")
    save(assignment, DEFAULT_POINTS, submit=True, version=first.version)

    events = list(JudgingEvent.objects.filter(kind__startswith="sheet").order_by("pk"))

    assert [(e.kind, e.judge_id, e.round_entry_id, e.actor_id) for e in events] == [
        (
            JudgingEvent.Kind.SHEET_SAVED,
            assignment.judge_id,
            assignment.round_entry_id,
            assignment.judge.user_id,
        ),
        (
            JudgingEvent.Kind.SHEET_SUBMITTED,
            assignment.judge_id,
            assignment.round_entry_id,
            assignment.judge.user_id,
        ),
    ]
    assert events[0].before == {"status": "draft", "scores": {}, "total": None}
    assert events[0].after == {"status": "draft", "scores": {criteria[0]: "10.00"}, "total": None}
    assert events[1].before == events[0].after
    assert events[1].after == {
        "status": "submitted",
        "scores": dict(zip(criteria, ["12.00", "13.50", "17.00", "21.00", "8.00", "12.50"], strict=True)),
        "total": "84.000",
    }


# --- Round status ----------------------------------------------------------------------------


def test_sheet_save_closed_round_is_refused_and_nothing_changes(assignment):
    sheet = save(assignment, DEFAULT_POINTS, submit=True)
    set_status(assignment.round, CLOSED)
    assignment.round.refresh_from_db()

    with pytest.raises(JudgingError) as caught:
        save(assignment, [1, 1, 1, 1, 1, 1], submit=True, version=sheet.version)

    assert caught.value.message == "本轮评分已截止，不能再修改评分。"
    current = ScoreSheet.objects.get()
    assert (current.total, current.version) == (Decimal("84.000"), sheet.version)
    assert JudgingEvent.objects.filter(kind__startswith="sheet").count() == 1


def test_sheet_save_reopened_sheet_is_saved_after_close(assignment, organizer):
    save(assignment, DEFAULT_POINTS, submit=True)
    set_status(assignment.round, CLOSED)
    reopened = sheet_reopen(sheet=ScoreSheet.objects.get(), reason="评委申请更正", by=organizer)

    sheet = save(assignment, [15, 15, 20, 25, 10, 15], submit=True, version=reopened.version)

    assert (sheet.total, sheet.status, sheet.reopened) == (
        Decimal("100.000"),
        ScoreSheet.Status.SUBMITTED,
        False,
    )
    assert list(
        JudgingEvent.objects.filter(kind=JudgingEvent.Kind.SHEET_REOPENED).values_list("note", flat=True)
    ) == ["评委申请更正"]


def test_sheet_save_removed_assignment_is_refused(assignment):
    stale = Assignment.objects.get(pk=assignment.pk)
    assignment_remove(assignment=assignment, by=None)

    with pytest.raises(JudgingError) as caught:
        save(stale, DEFAULT_POINTS, submit=True)

    assert caught.value.message == "这项评审任务已被撤销。"
    assert ScoreSheet.objects.count() == 0


# --- Declared conflicts ----------------------------------------------------------------------


def test_conflict_declare_removes_assignment_and_draft_and_records_it(assignment):
    save(assignment, [10, None, None, None, None, None])
    judge = assignment.judge

    conflict_declare(judge=judge, assignment=assignment, reason="认识项目负责人", by=judge.user)

    assert Assignment.objects.filter(pk=assignment.pk).exists() is False
    assert ScoreSheet.objects.count() == 0
    conflict = Conflict.objects.get()
    assert (conflict.judge_id, conflict.entry_id, conflict.source, conflict.created_by_id) == (
        judge.pk,
        assignment.round_entry.entry_id,
        Conflict.Source.DECLARED,
        judge.user_id,
    )
    events = JudgingEvent.objects.filter(kind__in=["conflict", "unassigned"]).order_by("pk")
    assert [(e.kind, e.judge_id, e.round_entry_id, e.actor_id) for e in events] == [
        ("conflict", judge.pk, assignment.round_entry_id, judge.user_id),
        ("unassigned", judge.pk, assignment.round_entry_id, judge.user_id),
    ]


def test_conflict_declare_background_run_assigns_a_replacement_without_conflict(
    django_capture_on_commit_callbacks,
):
    round, judge, (round_entry,) = open_round(entries=1)
    entry = round_entry.entry
    same_county = JudgeFactory(county=entry.team.organization.county)
    same_organization = JudgeFactory(organization=entry.team.organization)
    organizer_set = JudgeFactory()
    conflict_set(judge=organizer_set, entry=entry, reason="亲属关系", by=None)
    free = JudgeFactory()
    assignment = Assignment.objects.get(judge=judge)

    with django_capture_on_commit_callbacks(execute=True):
        run = conflict_declare(judge=judge, assignment=assignment, reason="", by=judge.user)

    run.refresh_from_db()
    assert run.status == AssignmentRun.Status.DONE
    assert list(Assignment.objects.filter(round=round).values_list("judge_id", "source")) == [
        (free.pk, Assignment.Source.REPLACEMENT)
    ]
    assert [j.assignments.count() for j in (judge, same_county, same_organization, organizer_set)] == [0] * 4


def test_conflict_declare_submitted_sheet_is_refused(assignment):
    save(assignment, DEFAULT_POINTS, submit=True)

    with pytest.raises(JudgingError) as caught:
        conflict_declare(judge=assignment.judge, assignment=assignment, reason="", by=None)

    assert caught.value.message == "评分表已提交，如需回避请联系组委会。"
    assert (Conflict.objects.count(), Assignment.objects.count(), AssignmentRun.objects.count()) == (0, 1, 0)


def test_conflict_declare_someone_elses_assignment_is_refused(assignment):
    other = JudgeFactory()

    with pytest.raises(JudgingError) as caught:
        conflict_declare(judge=other, assignment=assignment, reason="", by=other.user)

    assert caught.value.message == "只能申报自己的评审任务。"
    assert (Conflict.objects.count(), Assignment.objects.count()) == (0, 1)


def test_conflict_declare_closed_round_is_refused(assignment):
    set_status(assignment.round, CLOSED)
    assignment = Assignment.objects.select_related("round").get(pk=assignment.pk)

    with pytest.raises(JudgingError) as caught:
        conflict_declare(judge=assignment.judge, assignment=assignment, reason="", by=None)

    assert caught.value.message == "本轮评分已截止，如需回避请联系组委会。"
    assert (Conflict.objects.count(), Assignment.objects.count(), AssignmentRun.objects.count()) == (0, 1, 0)


# --- Assignment checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relation", "message"),
    [
        ("county", "该评委与项目属于同一县（市、区），需要回避。"),
        ("organization", "该评委与项目属于同一单位，需要回避。"),
        ("declared", "该评委已申报或被设定回避这个项目。"),
    ],
)
def test_assignment_add_conflicted_judge_is_refused(relation, message):
    round = RoundFactory()
    entry = factories.EntryFactory(
        contest=round.contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE
    )
    (round_entry,) = sync(round)
    organization = entry.team.organization
    if relation == "county":
        judge = JudgeFactory(county=organization.county)
    elif relation == "organization":
        judge = JudgeFactory(organization=organization)
        Judge.objects.filter(pk=judge.pk).update(county=None)  # (the county normally follows)
        judge.refresh_from_db()
    else:
        judge = JudgeFactory()
        Conflict.objects.create(judge=judge, entry=entry, source=Conflict.Source.DECLARED)

    with pytest.raises(JudgingError) as caught:
        assign(round_entry, judge)

    assert caught.value.message == message
    assert Assignment.objects.count() == 0


# --- Masked snapshot -------------------------------------------------------------------------


def test_round_sync_entries_masks_names_people_contacts_and_log_in_name():
    round = RoundFactory()
    county = factories.CountyFactory(name="潞州区", short_name="潞州")
    organization = factories.OrganizationFactory(
        name="潞州区东和镇王村新时代文明实践站", short_name="王村站", county=county
    )
    team = factories.TeamFactory(
        name="王村红马甲志愿服务队",
        organization=organization,
        contact_name="欧阳晓梅",
        user=factories.UserFactory(username="wangcun_hmj"),
    )
    factories.TeamMemberFactory(team=team, name="司马振华")
    entry = factories.EntryFactory(
        contest=round.contest,
        team=team,
        submitted=True,
        eligibility=Entry.Eligibility.ELIGIBLE,
        title="王村红马甲：东和镇七彩课堂",
        summary="潞州区东和镇王村新时代文明实践站发起，欧阳晓梅负责，电话 139-1234-5678。",
        need="潞州东和的留守儿童多。",
        approach="司马振华每周授课，邮箱 wangcun.hmj@163.com。",
        innovation="关注公众号 wangcun_hmj。",
        outcomes="身份证 14040219800101123X。",
    )
    factories.add_photo(entry, caption="欧阳晓梅在王村授课")

    (round_entry,) = sync(round)
    assign(round_entry, JudgeFactory())
    set_status(round, SCORING)  # what judges receive is frozen when the round opens
    round_entry.refresh_from_db()
    (photo,) = round_entry.blind_files.all()

    assert [
        round_entry.title,
        round_entry.summary,
        round_entry.need,
        round_entry.approach,
        round_entry.innovation,
        round_entry.outcomes,
        [photo.caption],
    ] == [
        f"{MASK}：{MASK}七彩课堂",
        f"{MASK}发起，{MASK}负责，电话 {MASK}。",
        f"{MASK}的留守儿童多。",
        f"{MASK}每周授课，邮箱 {MASK}。",
        f"关注公众号 {MASK}。",
        f"身份证 {MASK}。",
        [f"{MASK}在{MASK}授课"],
    ]
    entry.refresh_from_db()
    assert entry.title == "王村红马甲：东和镇七彩课堂"  # the entry itself is untouched
    assert len(round_entry.blind_code) == 6


def test_round_sync_entries_query_count_does_not_grow_with_entries(django_assert_max_num_queries):
    round = RoundFactory()
    for _ in range(6):
        entry = factories.EntryFactory(
            contest=round.contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE
        )
        factories.TeamMemberFactory(team=entry.team)
        factories.add_photo(entry)

    with django_assert_max_num_queries(12):
        round_sync_entries(round=round)

    assert RoundEntry.objects.filter(round=round).count() == 6
