"""judging.results against the database: computing and storing a round's figures, several
rounds combined, advancement, and one more judge for a disagreement."""

import math
from decimal import Decimal

import pytest

from judging.assignment.services import add_judge_for_disagreement
from judging.errors import JudgingError
from judging.models import (
    Assignment,
    Conflict,
    JudgeResult,
    JudgingEvent,
    Round,
    RoundComputation,
    RoundResult,
)
from judging.phases import CLOSED, SCORING
from judging.results.services import advance, compute_round_results
from judging.rounds.services import participating_entries, round_set_status
from tests import factories
from tests.judging.factories import JudgeFactory, RoundFactory, assign, set_status, sync
from tests.judging.result_factories import entry_in, ranked_round, rubric_round, save_sheet, scored_round

pytestmark = pytest.mark.django_db


RESULT_FIELDS = (
    "round_entry_id",
    "sheets",
    "mean",
    "median",
    "trimmed",
    "zscore",
    "calibrated",
    "spread",
    "sd",
    "criteria",
    "score",
    "rank",
    "flagged",
    "combined",
    "combined_rank",
)


# --- Computing a round -----------------------------------------------------------------------


@pytest.fixture
def small_round(contest):
    """Entries A, B, C; judge 1 gives A 80 and B 60, judge 2 gives A 70, B 55 and C 90; judge 1
    also has an unsubmitted draft of 10 for C, which must not count."""
    for _ in range(3):
        entry_in(contest)
    judges = [JudgeFactory(), JudgeFactory()]
    round, round_entries = scored_round(
        contest, {(0, 0): 80, (0, 1): 70, (1, 0): 60, (1, 1): 55, (2, 1): 90}, judges=judges, close=False
    )
    save_sheet(round_entries[2], judges[0], 10, submit=False)
    set_status(round, CLOSED)
    return round, round_entries, judges


def test_compute_round_results_stores_every_figure(small_round):
    round, (a, b, c), (judge1, judge2) = small_round

    computation = compute_round_results(round=round)

    # Calibrated (shrinkage 5): b1 = β, b2 = −β with β = 7.5/(2 + 5) (see test_results), so
    # A = 75, B = 57.5 (both judges) and C = 90 + β (judge 2, who is harsh by β).
    beta = 7.5 / 7
    # z-scores: pool mean (80 + 70 + 60 + 55 + 90)/5 = 71, pool sd² = (9² + 1² + 11² + 16² + 19²)/5
    # = 164. Judge 1: mean 70, sd 10. Judge 2: mean 215/3, deviations −5/3, −50/3, 55/3, so
    # sd² = (25 + 2500 + 3025)/9/3 = 5550/27.
    pool_sd, sd2 = math.sqrt(164), math.sqrt(5550 / 27)
    z_a = 71 + pool_sd * (1 + (-5 / 3) / sd2) / 2
    z_b = 71 + pool_sd * (-1 + (-50 / 3) / sd2) / 2
    z_c = 71 + pool_sd * (55 / 3) / sd2
    rows = {row[0]: row for row in RoundResult.objects.filter(round=round).values_list(*RESULT_FIELDS)}
    # fields: sheets, mean, median, trimmed, z-score, calibrated, spread, sd, criteria means,
    # score (calibrated), rank, flagged, combined (one round: the score), combined rank
    q = 90 + beta
    approx = pytest.approx
    assert rows[a.pk][1:] == (2, 75.0, 75.0, 75.0, approx(z_a), approx(75), 10.0, 5.0, [37.5, 37.5],
                              approx(75), 2, False, approx(75), 2)  # fmt: skip
    assert rows[b.pk][1:] == (2, 57.5, 57.5, 57.5, approx(z_b), approx(57.5), 5.0, 2.5, [28.75, 28.75],
                              approx(57.5), 3, False, approx(57.5), 3)  # fmt: skip
    assert rows[c.pk][1:] == (1, 90.0, 90.0, 90.0, approx(z_c), approx(q), 0.0, 0.0, [45.0, 45.0],
                              approx(q), 1, False, approx(q), 1)  # fmt: skip
    judges = {
        r.judge_id: (r.assigned, r.sheets, r.mean, r.sd, r.offset)
        for r in JudgeResult.objects.filter(round=round)
    }
    assert judges == {
        judge1.pk: (3, 2, 70.0, 10.0, pytest.approx(beta)),
        judge2.pk: (3, 3, pytest.approx(215 / 3), pytest.approx(sd2), pytest.approx(-beta)),
    }
    # ICC(1): means 75, 57.5, 90; SSB = 2·4² + 2·13.5² + 19² = 757.5, MSB = 757.5/2;
    # SSW = 2·5² + 2·2.5² = 62.5, MSW = 62.5/(5 − 3); n0 = (5 − 9/5)/2 = 1.6
    # ICC = (378.75 − 31.25)/(378.75 + 0.6·31.25) = 347.5/397.5 = 139/159. No pair of judges
    # shares three entries, so Kendall's W is not defined.
    assert (computation.method, computation.shrinkage, computation.sheets, computation.entries) == (
        "calibrated",
        5.0,
        5,
        3,
    )
    assert (computation.icc, computation.kendall_w) == (pytest.approx(139 / 159), None)
    assert (computation.pool_mean, computation.pool_sd) == (71.0, pytest.approx(pool_sd))
    event = JudgingEvent.objects.get(round=round, kind=JudgingEvent.Kind.RESULTS)
    assert event.after == {
        "method": "calibrated",
        "sheets": 5,
        "entries": 3,
        "ranking_digest": computation.ranking_digest,
    }


def test_recomputing_from_the_same_sheets_gives_identical_rows_and_digests(small_round):
    round, _round_entries, _judges = small_round
    first = compute_round_results(round=round)
    rows = list(RoundResult.objects.filter(round=round).order_by("rank").values_list(*RESULT_FIELDS))
    judges = list(
        JudgeResult.objects.filter(round=round).order_by("judge_id").values_list("judge_id", "offset")
    )

    second = compute_round_results(round=round)

    assert list(RoundResult.objects.filter(round=round).order_by("rank").values_list(*RESULT_FIELDS)) == rows
    assert (
        list(JudgeResult.objects.filter(round=round).order_by("judge_id").values_list("judge_id", "offset"))
        == judges
    )
    assert (second.inputs_digest, second.ranking_digest) == (first.inputs_digest, first.ranking_digest)
    assert RoundComputation.objects.filter(round=round).count() == 2


def test_a_new_sheet_changes_the_inputs_digest(small_round):
    round, round_entries, (judge1, _judge2) = small_round
    first = compute_round_results(round=round)
    round_set_status(round=round, to=SCORING, by=None)  # reopened
    save_sheet(round_entries[2], judge1, 10)

    second = compute_round_results(round=round)

    assert second.inputs_digest != first.inputs_digest
    assert RoundResult.objects.get(round_entry=round_entries[2]).sheets == 2


def test_compute_without_submitted_sheets_is_refused(contest):
    entry_in(contest)
    round = rubric_round(contest)
    assign(sync(round)[0], JudgeFactory())

    with pytest.raises(JudgingError) as error:
        compute_round_results(round=round)

    assert error.value.message == "本轮还没有已提交的评分表，无法计算成绩。"
    assert not RoundComputation.objects.exists()


def test_a_tie_criterion_position_beyond_the_rubric_does_not_break_the_computation(contest):
    for _ in range(2):
        entry_in(contest)

    round, round_entries = ranked_round(contest, [70, 70], tie_criterion_position=9)

    assert list(
        RoundResult.objects.filter(round=round).order_by("rank").values_list("round_entry_id", flat=True)
    ) == [
        round_entries[0].pk,  # earlier submission
        round_entries[1].pk,
    ]


# --- Several rounds, advancement -------------------------------------------------------------


def test_two_rounds_combine_with_stage_weights_and_the_first_round_stays_as_scored(contest):
    for _ in range(3):
        entry_in(contest)
    judge = JudgeFactory()
    first, _first_entries = ranked_round(
        contest, [90, 60, 50], judge=judge, order=1, stage_weight=Decimal("0.2")
    )
    first_rows = list(RoundResult.objects.filter(round=first).order_by("pk").values_list(*RESULT_FIELDS))
    assert advance(round=first, by=None, top=2) == 2
    second, (a, b) = ranked_round(
        contest,
        [70, 75],
        judge=judge,
        order=2,
        stage_weight=Decimal("0.8"),
        entry_source=Round.Source.ADVANCED,
    )

    # A: (0.2·90 + 0.8·70)/(0.2 + 0.8) = 18 + 56 = 74; B: 0.2·60 + 0.8·75 = 12 + 60 = 72.
    # This round alone ranks B (75) above A (70); combined, A leads.
    rows = dict(
        (r[0], r[1:])
        for r in RoundResult.objects.filter(round=second).values_list(
            "round_entry_id", "score", "rank", "combined", "combined_rank"
        )
    )
    assert rows == {
        a.pk: (70.0, 2, pytest.approx(74.0), 1),
        b.pk: (75.0, 1, pytest.approx(72.0), 2),
    }
    assert (
        list(RoundResult.objects.filter(round=first).order_by("pk").values_list(*RESULT_FIELDS)) == first_rows
    )


def test_advance_top_m_and_only_the_next_advanced_round_takes_them(contest):
    entries = [entry_in(contest) for _ in range(4)]
    first, round_entries = ranked_round(contest, [60, 90, 75, 80], order=1)

    count = advance(round=first, by=None, top=2)

    assert count == 2
    assert set(first.round_entries.filter(advanced=True).values_list("entry_id", flat=True)) == {
        entries[1].pk,
        entries[3].pk,
    }
    following = RoundFactory(contest=contest, order=2, entry_source=Round.Source.ADVANCED)
    everyone = RoundFactory(contest=contest, order=3, entry_source=Round.Source.ELIGIBLE)
    after_everyone = RoundFactory(contest=contest, order=4, entry_source=Round.Source.ADVANCED)
    assert set(participating_entries(round=following).values_list("pk", flat=True)) == {
        entries[1].pk,
        entries[3].pk,
    }
    assert set(participating_entries(round=everyone).values_list("pk", flat=True)) == {e.pk for e in entries}
    assert list(participating_entries(round=after_everyone)) == []  # round 3 advanced nobody


def test_advance_per_category_quotas_and_the_log(contest):
    education = [entry_in(contest, category="education") for _ in range(3)]
    health = [entry_in(contest, category="health") for _ in range(2)]
    first, round_entries = ranked_round(contest, [90, 80, 70, 85, 60], order=1)
    codes = {re.entry_id: re.blind_code for re in round_entries}

    count = advance(round=first, by=None, per_category={"education": 2, "health": 1})

    # education: 90 and 80 (not 70); health: 85 (not 60)
    chosen = {education[0].pk, education[1].pk, health[0].pk}
    assert count == 3
    assert set(first.round_entries.filter(advanced=True).values_list("entry_id", flat=True)) == chosen
    following = RoundFactory(contest=contest, order=2, entry_source=Round.Source.ADVANCED)
    assert set(participating_entries(round=following).values_list("pk", flat=True)) == chosen

    advance(round=first, by=None, top=1)

    event = JudgingEvent.objects.filter(round=first, kind=JudgingEvent.Kind.ADVANCED).order_by("pk").last()
    assert event.before == {"advanced": sorted(codes[e] for e in chosen)}
    assert event.after == {"advanced": [codes[education[0].pk]], "top": 1, "per_category": {}}


def test_advance_needs_results_and_a_number(contest):
    entry_in(contest)
    round = rubric_round(contest, order=1)

    with pytest.raises(JudgingError) as no_results:
        advance(round=round, by=None, top=3)
    round, _ = ranked_round(contest, [70], order=2)
    with pytest.raises(JudgingError) as no_number:
        advance(round=round, by=None)

    assert (no_results.value.message, no_number.value.message) == ("请先计算本轮成绩。", "请填写晋级数量。")


# --- One more judge for a disagreement -------------------------------------------------------


def test_add_judge_for_disagreement_picks_the_least_loaded_judge_without_conflict(contest, organizer):
    home = factories.CountyFactory(name="潞州区")
    elsewhere = factories.CountyFactory(name="襄垣县")
    disputed = entry_in(contest, county=home)
    others = [entry_in(contest, county=elsewhere) for _ in range(3)]
    round = rubric_round(contest)
    round_entries = {re.entry_id: re for re in sync(round)}
    target = round_entries[disputed.pk]
    scoring = JudgeFactory(name="已评委员")
    JudgeFactory(name="同县委员", county=home)
    JudgeFactory(name="同单位委员", organization=disputed.team.organization)
    declared = JudgeFactory(name="申报回避委员")
    JudgeFactory(name="停用委员", active=False)
    full = JudgeFactory(name="满额委员", capacity=1)
    busy = JudgeFactory(name="繁忙委员")
    free = JudgeFactory(name="空闲委员")
    assign(target, scoring)
    assign(round_entries[others[0].pk], full)
    for other in others[:2]:
        assign(round_entries[other.pk], busy)
    assign(round_entries[others[2].pk], free)
    Conflict.objects.create(judge=declared, entry=disputed, source=Conflict.Source.ORGANIZER)
    set_status(round, SCORING)

    first = add_judge_for_disagreement(round_entry=target, by=organizer)
    second = add_judge_for_disagreement(round_entry=target, by=organizer)
    with pytest.raises(JudgingError) as error:
        add_judge_for_disagreement(round_entry=target, by=organizer)

    # free has 1 assignment, busy 2; full is at its capacity; the rest must not judge it
    assert (first.judge, second.judge) == (free, busy)
    assert error.value.message == "没有可以再加派的评委：其余评委都需回避或已满额。"
    assert set(Assignment.objects.filter(round_entry=target).values_list("judge__name", flat=True)) == {
        "已评委员",
        "空闲委员",
        "繁忙委员",
    }
    event = JudgingEvent.objects.filter(
        round=round, kind=JudgingEvent.Kind.ASSIGNED, round_entry=target
    ).last()
    assert (event.actor, event.judge) == (organizer, busy)


def test_add_judge_for_disagreement_prefers_expertise_among_equally_loaded(contest):
    entry = entry_in(contest, category="health")
    round = rubric_round(contest)
    (target,) = sync(round)
    JudgeFactory(name="外行委员")
    expert = JudgeFactory(name="医疗委员", expertise=[factories.category("health")])
    set_status(round, SCORING)

    assignment = add_judge_for_disagreement(round_entry=target, by=None)

    assert (assignment.judge, assignment.round_entry.entry) == (expert, entry)
