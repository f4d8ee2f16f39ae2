"""A round's lifecycle (judging.phases), enforced by the services: each refused transition is
called on the service directly and gets its Chinese message, and the pages show it without a
500. Opening a round freezes what judges receive; the contest moves on with its rounds."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competition.models import Contest, Entry, EntryPhoto
from competition.phases import JUDGING, RESULTS, contest_phase
from judging.assignment.services import assign_round, assignment_add, assignment_remove
from judging.errors import JudgingError
from judging.models import Assignment, BlindFile, Criterion, Round, ScoreSheet
from judging.phases import CLOSED, PUBLISHED, SCORING, SETUP, round_phase, statuses
from judging.rounds.services import check_rubric_change, round_set_status
from judging.scoring.services import SheetInput, reminders_request, sheet_reopen, sheet_save, sheet_total
from tests import factories
from tests.judging.factories import (
    JudgeFactory,
    RoundFactory,
    assign,
    client_for,
    eligible_entry,
    open_round,
    set_status,
    sync,
)
from tests.judging.scored import submit

pytestmark = pytest.mark.django_db


def prepared_round(contest=None, *, entries: int = 1) -> tuple[Round, list]:
    """A round in setup with eligible entries, each assigned to a fresh judge."""
    round = RoundFactory(**({"contest": contest} if contest else {}))
    for _ in range(entries):
        eligible_entry(round.contest)
    round_entries = sync(round)
    judge = JudgeFactory()
    for round_entry in round_entries:
        assign(round_entry, judge)
    return round, round_entries


# --- Opening for scoring ------------------------------------------------------------------------


def test_a_round_cannot_open_while_submission_is_open(organizer):
    round, _ = prepared_round()

    with pytest.raises(JudgingError) as refused:
        round_set_status(round=round, to=SCORING, by=organizer)

    assert refused.value.message.startswith("申报尚未截止，评审轮次不能开始评分")
    round.refresh_from_db()
    assert round_phase(round) is SETUP
    assert contest_phase(round.contest).can_submit


def test_the_status_page_shows_why_the_round_cannot_open_and_the_post_changes_nothing(
    organizer_client, organizer
):
    round, _ = prepared_round()
    status_page = organizer_client.get(reverse("judging_rounds:status", args=[round.pk]))
    confirm = reverse("judging_rounds:status_confirm", args=[round.pk, SCORING.status])

    posted = organizer_client.post(confirm, {"note": ""}, follow=True)

    assert "申报尚未截止，评审轮次不能开始评分" in status_page.text
    assert f'href="{confirm}"' not in status_page.text
    assert posted.status_code == 200
    assert "申报尚未截止，评审轮次不能开始评分" in posted.text
    round.refresh_from_db()
    assert round_phase(round) is SETUP


def test_one_round_of_a_contest_scores_at_a_time(organizer):
    first, _ = prepared_round()
    set_status(first, SCORING)
    second = RoundFactory(contest=first.contest, name="复评", order=first.order + 1)

    with pytest.raises(JudgingError) as refused:
        round_set_status(round=second, to=SCORING, by=organizer)

    assert refused.value.message == "“初评”正在评分，同一届大赛一次只开放一个轮次评分，请先截止该轮。"


def test_rounds_move_the_contest_between_judging_and_results(organizer):
    first, _ = prepared_round()
    contest = first.contest

    set_status(first, SCORING)
    after_open = contest_phase(Contest.objects.get(pk=contest.pk))
    set_status(first, CLOSED)
    after_close = contest_phase(Contest.objects.get(pk=contest.pk))
    second = RoundFactory(contest=contest, name="复评", order=first.order + 1)
    round_set_status(round=second, to=SCORING, by=organizer)
    after_second = contest_phase(Contest.objects.get(pk=contest.pk))

    assert (after_open, after_close, after_second) == (JUDGING, RESULTS, JUDGING)


@pytest.mark.parametrize("phase", [SETUP, PUBLISHED], ids=lambda p: p.status)
def test_a_round_only_takes_the_steps_its_phase_offers(organizer, phase):
    round, _ = prepared_round()
    set_status(round, CLOSED if phase is PUBLISHED else SETUP)
    if phase is PUBLISHED:
        round_set_status(round=round, to=PUBLISHED, by=organizer)

    with pytest.raises(JudgingError) as refused:
        round_set_status(round=round, to=CLOSED, by=organizer)

    assert refused.value.message == f"轮次不能从“{phase.label}”变为“评分已截止”。"


# --- What judges receive is frozen when the round opens ---------------------------------------------


def test_opening_freezes_masked_texts_captions_and_files_together(organizer):
    contest = factories.ContestFactory()
    team = factories.TeamFactory(name="暖阳志愿服务队", contact_name="欧阳晓梅")
    entry = eligible_entry(contest, team=team, summary="欧阳晓梅带领暖阳志愿服务队上门服务。")
    first = factories.add_photo(entry, caption="欧阳晓梅在社区")
    second = factories.add_photo(entry, caption="孩子们的合影")
    factories.add_attachment(entry)
    round = RoundFactory(contest=contest)
    (round_entry,) = sync(round)
    judge = JudgeFactory()
    assign(round_entry, judge)

    set_status(round, SCORING)
    # Afterwards the entry's own rows change (no team can do so now; an organizer's data
    # correction, say): judges still receive what was frozen.
    EntryPhoto.objects.filter(pk=first.pk).delete()
    Entry.objects.filter(pk=entry.pk).update(summary="改过的简介")

    files = list(BlindFile.objects.filter(round_entry=round_entry).order_by("kind", "position"))
    assert [(f.kind, f.position, f.caption) for f in files] == [
        ("attachment", 1, ""),
        ("photo", 1, "【已隐去】在社区"),
        ("photo", 2, "孩子们的合影"),
    ]
    assert files[1].file.name == first.file.name and files[2].file.name == second.file.name
    client = client_for(judge.user)
    page = client.get(reverse("judging:score", args=[round.code, round_entry.blind_code]))
    assert "【已隐去】带领【已隐去】上门服务。" in page.text
    assert "改过的简介" not in page.text
    assert [p["caption"] for p in page.context["photos"]] == ["【已隐去】在社区", "孩子们的合影"]
    photo = client.get(reverse("judging:photo", args=[round.code, round_entry.blind_code, 1]))
    assert b"".join(photo.streaming_content) == private_bytes(first.file.name)


def private_bytes(name: str) -> bytes:
    from common.storage import private_storage

    with private_storage().open(name) as handle:
        return handle.read()


def test_an_organizer_correction_of_the_masked_text_survives_the_freeze(organizer):
    from judging.masking.services import round_entry_edit_masked

    round, (round_entry,) = prepared_round()
    round_entry_edit_masked(round_entry=round_entry, data={"summary": "组委会改写的简介"}, by=organizer)

    set_status(round, SCORING)

    round_entry.refresh_from_db()
    assert round_entry.summary == "组委会改写的简介"


def test_masked_texts_cannot_be_edited_once_the_round_opened(organizer):
    from judging.masking.services import round_entry_edit_masked

    round, (round_entry,) = prepared_round()
    set_status(round, SCORING)

    with pytest.raises(JudgingError) as refused:
        round_entry_edit_masked(round_entry=round_entry, data={"summary": "太晚了"}, by=organizer)

    assert refused.value.message == "评分开始后不能再修改匿名文本。"


def test_an_entry_joining_an_open_round_is_frozen_at_once(organizer):
    round, _ = prepared_round()
    set_status(round, SCORING)
    late = eligible_entry(round.contest)
    factories.add_photo(late, caption="迟到的照片")

    assign_round(round=round, by=organizer)

    joined = round.round_entries.get(entry=late)
    assert list(joined.blind_files.values_list("kind", "caption")) == [("photo", "迟到的照片")]


# --- Rubric ---------------------------------------------------------------------------------------


def test_a_new_criterion_weighs_its_full_marks():
    round = RoundFactory()

    criterion = Criterion.objects.create(round=round, name="社会影响", max_points=15)

    assert criterion.weight == Decimal("15")


def test_a_sheet_total_is_the_sum_of_its_points_for_the_default_rubric():
    criteria = list(RoundFactory().criteria.all())
    points = dict(
        zip([c.pk for c in criteria], map(Decimal, ["14", "13.5", "18", "22", "9", "13"]), strict=True)
    )

    assert sum(c.max_points for c in criteria) == 100
    assert sheet_total(criteria, points) == Decimal("89.500")


def test_a_rubric_of_criteria_added_in_the_admin_without_weights_totals_the_points(organizer_client):
    contest = factories.ContestFactory()
    data = {
        "contest": contest.pk,
        "name": "初评",
        "order": 1,
        "scoring_opens": "2026-12-01 09:00",
        "scoring_closes": "2026-12-20 18:00",
        "entry_source": "eligible",
        "judges_per_entry": 3,
        "criteria-TOTAL_FORMS": 2,
        "criteria-INITIAL_FORMS": 0,
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 1000,
        "criteria-0-name": "需求精准",
        "criteria-0-max_points": 40,
        "criteria-0-weight": "",
        "criteria-0-ORDER": 1,
        "criteria-1-name": "服务成效",
        "criteria-1-max_points": 60,
        "criteria-1-weight": "",
        "criteria-1-ORDER": 2,
    }

    response = organizer_client.post(reverse("judging_rounds:add"), data)

    assert response.status_code == 302
    round = Round.objects.get(contest=contest)
    criteria = list(round.criteria.order_by("sort_order"))
    assert [c.weight for c in criteria] == [Decimal("40"), Decimal("60")]
    points = {criteria[0].pk: Decimal("35.5"), criteria[1].pk: Decimal("54")}
    assert sheet_total(criteria, points) == Decimal("89.500")


def test_the_rubric_keeps_its_shape_once_scoring_started():
    round, _ = prepared_round()
    check_rubric_change(round=round, reshaped=True)  # in setup: allowed
    set_status(round, SCORING)

    with pytest.raises(JudgingError) as refused:
        check_rubric_change(round=round, reshaped=True)
    check_rubric_change(round=round, reshaped=False)  # rewording stays allowed

    assert refused.value.message == "评分开始后不能增删评分项，也不能修改满分或权重。"


# --- Sheets, reminders, assignments ask the phase in the service ---------------------------------


def test_reopening_a_sheet_is_refused_once_the_round_is_published(organizer):
    round, judge, (round_entry,) = open_round(entries=1)
    sheet = submit(Assignment.objects.get(round_entry=round_entry), [10] * round.criteria.count())
    set_status(round, CLOSED)
    round_set_status(round=round, to=PUBLISHED, by=organizer)

    with pytest.raises(JudgingError) as refused:
        sheet_reopen(sheet=sheet, reason="评委误填", by=organizer)

    assert refused.value.message == "只有评分中或评分已截止的轮次才能重开评分表。"
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.SUBMITTED


def test_reminders_are_refused_unless_the_round_is_scoring(organizer):
    round, _ = prepared_round()

    with pytest.raises(JudgingError) as refused:
        reminders_request(round=round, by=organizer)

    assert refused.value.message == "只有评分中的轮次才能发送催评提醒。"


def test_an_assignment_is_neither_added_nor_removed_in_a_closed_round(organizer):
    round, judge, (round_entry,) = open_round(entries=1)
    set_status(round, CLOSED)
    assignment = Assignment.objects.get(round_entry=round_entry)

    with pytest.raises(JudgingError) as removed:
        assignment_remove(assignment=assignment, by=organizer)
    with pytest.raises(JudgingError) as added:
        assignment_add(round_entry=round_entry, judge=JudgeFactory(), by=organizer)

    assert removed.value.message == added.value.message == "评分已截止的轮次不能再分配。"
    assert Assignment.objects.filter(round=round).count() == 1


def test_a_sheet_saved_after_close_is_refused_with_its_message():
    round, judge, (round_entry,) = open_round(entries=1)
    set_status(round, CLOSED)

    with pytest.raises(JudgingError) as refused:
        sheet_save(
            assignment=Assignment.objects.get(round_entry=round_entry),
            data=SheetInput(points={}),
            expected_version=None,
            submit=False,
            by=judge.user,
        )

    assert refused.value.message == "本轮评分已截止，不能再修改评分。"


def test_statuses_lists_the_phases_with_a_flag():
    assert statuses(visible_to_judges=True) == [SCORING.status, CLOSED.status, PUBLISHED.status]
    assert statuses(can_assign=True) == [SETUP.status, SCORING.status]


@pytest.mark.parametrize(
    ("phase", "all_reopened", "allowed"),
    [
        (SETUP, True, False),
        (SCORING, False, True),
        (CLOSED, False, False),
        (CLOSED, True, True),
        (PUBLISHED, True, False),
    ],
)
def test_import_is_allowed_while_scoring_and_into_reopened_sheets_of_a_closed_round(
    phase, all_reopened, allowed
):
    assert phase.may_import(all_reopened=all_reopened) is allowed
