"""A second round aimed at the boundary, against the database: the recommendation from a
closed round's results, the round made from it in one step (entries, judges per entry, phase
refusals), its assignment (judges who saw the entry avoided, the rounds joined), its results in
one fit of both rounds' sheets, and the commands."""

import io

import pytest
from django.core.management import CommandError, call_command

from judging.assignment.services import assign_round
from judging.errors import JudgingError
from judging.models import Assignment, JudgingEvent, Round, RoundEntry, RoundResult
from judging.phases import CLOSED, SCORING
from judging.results.compute import Sheet, compute
from judging.results.services import (
    combined_sheets,
    compute_round_results,
    create_next_round,
    recommend_next_round,
)
from tests.judging.factories import JudgeFactory, set_status
from tests.judging.result_factories import entry_in, save_sheet, scored_round

pytestmark = pytest.mark.django_db

ENTRIES, JUDGES, TOP = 12, 8, 4
OFFSETS = [-4, -2, 0, 0, 1, 2, 3, -1]


def first_sheets() -> dict:
    """Three judges per entry (a ring: the judge graph is connected), entries about 2 points
    apart: the 4th place is close, the head and the tail are not."""
    totals = {}
    for e in range(ENTRIES):
        for s in range(3):
            j = (e + s * 3) % JUDGES
            noise = ((e * 5 + j * 3) % 7) - 3
            totals[(e, j)] = 90 - 4 * e + OFFSETS[j] + noise
    return totals


@pytest.fixture
def judges():
    return [JudgeFactory(name=f"评委{n}") for n in range(JUDGES)]


@pytest.fixture
def first(contest, judges):
    for _ in range(ENTRIES):
        entry_in(contest)
    round, round_entries = scored_round(contest, first_sheets(), judges=judges)
    compute_round_results(round=round, top=TOP)
    return round, round_entries


def test_the_recommendation_spends_the_budget_on_the_boundary(first):
    round, round_entries = first
    plan = recommend_next_round(round=round, budget=10, target=0)
    advice = plan.recommendation
    assert advice.sheets <= 10
    assert advice.extra and set(advice.extra) <= {re.pk for re in round_entries}
    for pk in advice.extra:
        assert advice.low < plan.chance[pk] < advice.high
    for pk in advice.settled_in:
        assert plan.chance[pk] >= advice.high
    # The tail (the last entries, far below the 4th place) is not carried.
    assert round_entries[-1].pk in advice.settled_out
    # At most the judges who have not seen the entry yet.
    assert all(n <= JUDGES - 3 for n in advice.extra.values())
    assert advice.misses_after <= advice.misses_before
    # More budget: never fewer judges for an entry.
    more = recommend_next_round(round=round, budget=20, target=0).recommendation
    assert all(more.extra[pk] >= n for pk, n in advice.extra.items())


def test_no_recommendation_before_the_round_closes_or_without_results(contest, judges):
    for _ in range(4):
        entry_in(contest)
    round, _ = scored_round(contest, {(e, e % 3): 60 + e for e in range(4)}, judges=judges, close=False)
    compute_round_results(round=round, top=2)
    with pytest.raises(JudgingError, match="评分截止"):
        recommend_next_round(round=round, budget=5)
    with pytest.raises(JudgingError, match="评分截止"):
        create_next_round(round=round, by=None, budget=5)
    assert Round.objects.filter(contest=contest).count() == 1
    set_status(round, CLOSED)
    round.uncertainty.delete()
    with pytest.raises(JudgingError, match="请先计算"):
        recommend_next_round(round=round, budget=5)


def test_a_negative_budget_is_refused(first):
    round, _ = first
    with pytest.raises(JudgingError, match="预算"):
        recommend_next_round(round=round, budget=-1)


def test_the_round_is_created_with_exactly_the_recommended_entries_and_judges(first, admin_user):
    round, round_entries = first
    advice = recommend_next_round(round=round, budget=10, target=0).recommendation

    made = create_next_round(round=round, by=admin_user, budget=10, target=0)

    assert made.order == round.order + 1 and made.combine_earlier
    assert made.entry_source == Round.Source.ADVANCED
    assert list(made.criteria.values_list("name", "max_points")) == list(
        round.criteria.values_list("name", "max_points")
    )
    entry_of = {re.pk: re.entry_id for re in round_entries}
    wanted = {entry_of[pk]: advice.extra.get(pk, 0) for pk in advice.carried}
    got = dict(RoundEntry.objects.filter(round=made).values_list("entry_id", "judges_needed"))
    assert got == wanted
    advanced = set(RoundEntry.objects.filter(round=round, advanced=True).values_list("pk", flat=True))
    assert advanced == set(advice.carried)
    event = JudgingEvent.objects.filter(round=round, kind=JudgingEvent.Kind.ADVANCED).get()
    assert event.after["next_round"] == made.pk and event.after["sheets"] == advice.sheets
    # Once there is a later round, no second one from this round.
    with pytest.raises(JudgingError, match="已有"):
        create_next_round(round=round, by=admin_user, budget=10)


def test_its_assignment_avoids_earlier_judges_and_joins_the_rounds(first, admin_user):
    round, _ = first
    made = create_next_round(round=round, by=admin_user, budget=10, target=0)

    report = assign_round(round=made, by=admin_user)

    needed = dict(RoundEntry.objects.filter(round=made).values_list("pk", "judges_needed"))
    counts = {pk: 0 for pk in needed}
    for pk in Assignment.objects.filter(round=made).values_list("round_entry_id", flat=True):
        counts[pk] += 1
    assert counts == needed
    assert report["uncovered"] == []
    assert report["seen_again"] == 0
    earlier = set(Assignment.objects.filter(round=round).values_list("round_entry__entry_id", "judge_id"))
    now = set(Assignment.objects.filter(round=made).values_list("round_entry__entry_id", "judge_id"))
    assert not earlier & now
    assert report["components_across_rounds"] == 1


def score_second_round(made):
    set_status(made, SCORING)
    for a in Assignment.objects.filter(round=made).select_related("round_entry", "judge"):
        e = a.round_entry.entry_id % ENTRIES
        save_sheet(a.round_entry, a.judge, 88 - 4 * e + (a.judge_id % 3))
    set_status(made, CLOSED)


def test_combined_results_equal_one_fit_of_both_rounds_sheets(first, admin_user):
    round, round_entries = first
    made = create_next_round(round=round, by=admin_user, budget=10, target=0)
    assign_round(round=made, by=admin_user)
    score_second_round(made)

    compute_round_results(round=made, top=TOP)

    sheets = combined_sheets(round=made)
    assert len(sheets) == made.assignments.count() + round.assignments.count()
    alone = {f.entry: f.calibrated for f in compute(sheets).entries}
    results = list(RoundResult.objects.filter(round=made).order_by("rank"))
    assert {r.round_entry_id for r in results} == set(made.round_entries.values_list("pk", flat=True))
    for r in results:
        assert r.calibrated == pytest.approx(alone[r.round_entry_id])
        assert r.combined == pytest.approx(r.score)  # one fit: no stage weights
    assert [r.rank for r in results] == list(range(1, len(results) + 1))
    # Entries carried with no new sheet still count their first-round sheets.
    zero = RoundEntry.objects.filter(round=made, judges_needed=0).values_list("pk", flat=True)
    assert all(r.sheets >= 3 for r in results if r.round_entry_id in set(zero))
    assert 0 <= made.uncertainty.expected_misses <= TOP


def test_without_combining_the_stage_weights_still_apply(first, admin_user):
    round, _ = first
    made = create_next_round(round=round, by=admin_user, budget=10, target=0)
    Round.objects.filter(pk=made.pk).update(combine_earlier=False, stage_weight=3)
    made.refresh_from_db()
    assign_round(round=made, by=admin_user)
    score_second_round(made)
    Round.objects.filter(pk=made.pk).update(
        min_sheets=1
    )  # entries carried without new sheets have no result in this round alone
    made.refresh_from_db()
    compute_round_results(round=made, top=2)
    first_scores = dict(RoundResult.objects.filter(round=round).values_list("round_entry__entry_id", "score"))
    for r in RoundResult.objects.filter(round=made).select_related("round_entry"):
        expected = (3 * r.score + first_scores[r.round_entry.entry_id]) / 4
        assert r.combined == pytest.approx(expected)


def test_commands_print_the_recommendation_create_and_assign(first):
    round, _ = first
    out = io.StringIO()
    call_command("recommend_next_round", round_id=round.pk, budget=10, target=0, stdout=out)
    text = out.getvalue()
    assert "复评建议" in text and "预算 10 份" in text and "匿名编号" in text
    assert not Round.objects.filter(contest=round.contest, order__gt=round.order).exists()

    out = io.StringIO()
    call_command("recommend_next_round", round_id=round.pk, budget=10, target=0, create=True, stdout=out)
    made = Round.objects.get(contest=round.contest, order=round.order + 1)
    assert f"编号 {made.pk}" in out.getvalue()

    out = io.StringIO()
    call_command("assign_round", round_id=made.pk, stdout=out)
    assert "连同前几轮：1 个部分；0 个分配是评委再次评同一项目" in out.getvalue()
    assert made.assignments.count() == sum(
        RoundEntry.objects.filter(round=made).values_list("judges_needed", flat=True)
    )


def test_commands_refuse_clearly(first):
    round, _ = first
    with pytest.raises(CommandError, match="没有编号为 999999 的轮次"):
        call_command("recommend_next_round", round_id=999999)
    with pytest.raises(CommandError, match="预算"):
        call_command("recommend_next_round", round_id=round.pk, budget=-3)
    with pytest.raises(CommandError, match="没有编号"):
        call_command("assign_round", round_id=999999)
    with pytest.raises(CommandError, match="截止"):
        call_command("assign_round", round_id=round.pk)  # closed: no assignment any more


def test_an_entry_with_one_sheet_and_a_judge_who_scores_everything_the_same(contest, judges):
    """Nasty inputs still give chances in [0, 1] and a recommendation within budget."""
    for _ in range(5):
        entry_in(contest)
    totals = {(e, 0): 100 for e in range(5)}  # judge 0 gives everything 100
    totals.update({(e, 1): 60 + e for e in range(1, 5)})  # entry 0 has one sheet
    round, _ = scored_round(contest, totals, judges=judges)
    compute_round_results(round=round, top=2)
    plan = recommend_next_round(round=round, budget=3, target=0)
    assert all(0 <= c <= 1 for c in plan.chance.values())
    assert plan.recommendation.sheets <= 3


def test_sheets_of_earlier_rounds_are_mapped_to_this_rounds_entries(first, admin_user):
    round, round_entries = first
    made = create_next_round(round=round, by=admin_user, budget=10, target=0)
    mine = dict(RoundEntry.objects.filter(round=made).values_list("entry_id", "pk"))
    sheets = combined_sheets(round=made)
    ids = {s.entry for s in sheets}
    for re in round_entries:
        assert (mine.get(re.entry_id) or re.pk) in ids
    assert all(isinstance(s, Sheet) for s in sheets)


ROUNDS = "/admin/judging/rounds/"


def test_results_page_shows_the_recommendation_for_the_budget_asked(first, organizer_client):
    round, _ = first
    html = organizer_client.get(
        f"{ROUNDS}{round.pk}/results/", {"budget": "10", "target": "0"}
    ).content.decode()
    assert "复评建议" in html
    assert "预算 10 份" in html
    assert "按此建议新建复评轮次" in html
    plan = recommend_next_round(round=round, budget=10, target=0)
    for code in [plan.codes[pk] for pk in plan.recommendation.extra]:
        assert code in html


def test_results_page_keeps_a_bad_budget_and_says_why(first, organizer_client):
    round, _ = first
    response = organizer_client.get(f"{ROUNDS}{round.pk}/results/", {"budget": "十份", "target": "-1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写整数份数。" in html and 'value="十份"' in html
    assert "按此建议新建复评轮次" not in html


def test_results_page_says_why_no_recommendation_while_scoring(contest, judges, organizer_client):
    for _ in range(4):
        entry_in(contest)
    round, _ = scored_round(contest, {(e, e % 3): 60 + e for e in range(4)}, judges=judges, close=False)
    compute_round_results(round=round, top=2)
    html = organizer_client.get(f"{ROUNDS}{round.pk}/results/").content.decode()
    assert "评分截止、成绩计算之后，才能按本轮成绩安排复评。" in html
    assert "按此建议新建复评轮次" not in html


def test_the_organizer_creates_the_round_in_one_step(first, organizer_client):
    round, _ = first
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {"action": "create_next_round", "budget": "10", "target": "0", "name": "复评（边界）"},
    )
    made = Round.objects.get(contest=round.contest, order=round.order + 1)
    assert response.status_code == 302 and response["Location"].endswith(f"/{made.pk}/assign/")
    assert made.name == "复评（边界）" and made.combine_earlier
    # Twice: refused in words, nothing more made.
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {"action": "create_next_round", "budget": "10", "target": "0"},
        follow=True,
    )
    assert "已有“复评（边界）”" in response.content.decode()
    assert Round.objects.filter(contest=round.contest).count() == 2


def test_a_bad_budget_posted_creates_nothing(first, organizer_client):
    round, _ = first
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {"action": "create_next_round", "budget": "-5", "target": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert Round.objects.filter(contest=round.contest).count() == 1
