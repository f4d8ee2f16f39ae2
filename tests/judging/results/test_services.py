"""The results and awards services against the database: computing and storing a round's figures,
several rounds combined, advancement, one more judge for a disagreement, the shortlist with
its overrides, the public notice with objections, and finalization."""

import io
import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from awards.errors import AwardsError
from awards.models import FeaturedProject, Objection, Shortlist, ShortlistEntry, ShortlistEvent
from awards.notice.services import address_hash, notice_publish, objection_answer, objection_file
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import (
    shortlist_add,
    shortlist_commit,
    shortlist_preview,
    shortlist_remove,
    shortlist_swap,
)
from competition.models import Entry
from competition.phases import FINAL, contest_phase
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


# --- Shortlist -------------------------------------------------------------------------------


@pytest.fixture
def contest_results(contest):
    """Six entries in three counties (two each), one closed round with totals 90 … 65, plus a
    seventh entry in a round still in setup (it is not in the results)."""
    counties = [factories.CountyFactory(name=name) for name in ("潞州区", "上党区", "屯留区")]
    entries = [entry_in(contest, county=counties[i // 2]) for i in range(6)]
    round, round_entries = ranked_round(contest, [90, 85, 80, 75, 70, 65], order=1)
    return round, entries, counties


def shortlist_items(shortlist):
    return list(shortlist.items.order_by("rank").values_list("entry_id", "rank", "via"))


def test_commit_refuses_infeasible_constraints(contest_results, organizer):
    round, _entries, _counties = contest_results

    with pytest.raises(AwardsError) as error:
        shortlist_commit(round=round, by=organizer, size=4, county_cap=1)

    assert error.value.message == "这些条件无法同时满足，请调整后再确定。"
    assert not Shortlist.objects.exists()


def test_commit_and_recommit_keep_the_whole_log(contest_results, organizer):
    round, entries, _counties = contest_results
    preview, _rules = shortlist_preview(round=round, size=3, county_cap=1)

    shortlist = shortlist_commit(round=round, by=organizer, size=3, county_cap=1)

    # one per county: 90, 80, 70 (85 and 75 are displaced by the county cap)
    assert preview.selected == [entries[0].pk, entries[2].pk, entries[4].pk]
    assert shortlist_items(shortlist) == [
        (entries[0].pk, 1, "computed"),
        (entries[2].pk, 3, "computed"),
        (entries[4].pk, 5, "computed"),
    ]
    assert shortlist.report["displaced"][0] == {
        "entry": entries[1].pk,
        "reason": "county_cap",
        "group": entries[1].team.organization.county_id,
        "replaced_by": entries[4].pk,
    }
    shortlist_add(shortlist=shortlist, entry=entries[5], reason="补充基层项目", by=organizer)

    again = shortlist_commit(round=round, by=organizer, size=2)

    assert again.pk == shortlist.pk
    assert shortlist_items(again) == [(entries[0].pk, 1, "computed"), (entries[1].pk, 2, "computed")]
    events = list(again.events.order_by("pk").values_list("kind", "before", "after"))
    assert [kind for kind, _b, _a in events] == ["committed", "added", "committed"]
    assert events[0][1] == {"entries": []}
    assert events[2][1] == {"entries": sorted([entries[0].pk, entries[2].pk, entries[4].pk, entries[5].pk])}
    assert events[2][2] == {
        "entries": sorted([entries[0].pk, entries[1].pk]),
        "size": 2,
        "county_cap": None,
        "category_min": {},
        "category_max": {},
    }


def test_commit_is_refused_once_the_notice_is_published(contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    notice_publish(shortlist=shortlist, by=organizer)

    with pytest.raises(AwardsError) as error:
        shortlist_commit(round=round, by=organizer, size=2)

    assert error.value.message == "入围名单已经公示，不能再重新生成；如需调整，请逐项调入调出并写明理由。"
    assert shortlist.items.count() == 3


@pytest.mark.parametrize("reason", ["", "   "])
def test_overrides_without_a_reason_are_refused(contest_results, organizer, reason):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    refusals = []
    for override in (
        lambda: shortlist_add(shortlist=shortlist, entry=entries[4], reason=reason, by=organizer),
        lambda: shortlist_remove(shortlist=shortlist, entry=entries[0], reason=reason, by=organizer),
        lambda: shortlist_swap(
            shortlist=shortlist, out_entry=entries[0], in_entry=entries[4], reason=reason, by=organizer
        ),
    ):
        with pytest.raises(AwardsError) as error:
            override()
        refusals.append(error.value.message)

    assert refusals == ["调整入围名单必须写明理由。"] * 3
    assert sorted(shortlist.items.values_list("entry_id", flat=True)) == [e.pk for e in entries[:3]]
    assert list(shortlist.events.values_list("kind", flat=True)) == ["committed"]


def test_overrides_record_who_why_before_and_after(contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    shortlist_add(shortlist=shortlist, entry=entries[5], reason="群众反映突出", by=organizer)
    shortlist_remove(shortlist=shortlist, entry=entries[1], reason="材料不实", by=organizer)
    shortlist_swap(
        shortlist=shortlist, out_entry=entries[2], in_entry=entries[3], reason="同分项目复核", by=organizer
    )

    assert shortlist_items(shortlist) == [
        (entries[0].pk, 1, "computed"),
        (entries[3].pk, 4, "override"),
        (entries[5].pk, 6, "override"),
    ]
    events = list(shortlist.events.order_by("pk").values_list("kind", "actor", "reason", "before", "after"))
    assert events[1:] == [
        (
            "added",
            organizer.pk,
            "群众反映突出",
            {},
            {"entry": entries[5].pk, "title": entries[5].title, "rank": 6},
        ),
        (
            "removed",
            organizer.pk,
            "材料不实",
            {"entry": entries[1].pk, "title": entries[1].title, "rank": 2, "via": "computed"},
            {},
        ),
        (
            "removed",
            organizer.pk,
            "同分项目复核",
            {"entry": entries[2].pk, "title": entries[2].title, "rank": 3, "via": "computed"},
            {},
        ),
        (
            "added",
            organizer.pk,
            "同分项目复核",
            {},
            {"entry": entries[3].pk, "title": entries[3].title, "rank": 4},
        ),
        ("swapped", organizer.pk, "同分项目复核", {"entry": entries[2].pk}, {"entry": entries[3].pk}),
    ]


def test_overrides_refuse_entries_off_the_results_or_already_placed(contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    stranger = entry_in(round.contest)  # no result in the round

    messages = []
    for override in (
        lambda: shortlist_add(shortlist=shortlist, entry=stranger, reason="理由", by=organizer),
        lambda: shortlist_add(shortlist=shortlist, entry=entries[0], reason="理由", by=organizer),
        lambda: shortlist_remove(shortlist=shortlist, entry=entries[5], reason="理由", by=organizer),
        lambda: shortlist_swap(
            shortlist=shortlist, out_entry=entries[1], in_entry=entries[0], reason="理由", by=organizer
        ),
    ):
        with pytest.raises(AwardsError) as error:
            override()
        messages.append(error.value.message)

    assert messages == [
        "该项目没有本轮成绩，不能调入。",
        "该项目已在入围名单中。",
        "该项目不在入围名单中。",
        "该项目已在入围名单中。",
    ]
    # the failed swap took nothing out
    assert sorted(shortlist.items.values_list("entry_id", flat=True)) == [e.pk for e in entries[:3]]


# --- Notice, objections, finalization --------------------------------------------------------

START = timezone.make_aware(timezone.datetime(2026, 6, 1, 9, 0))


@pytest.fixture
def in_notice(contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)
    return shortlist, entries


def test_notice_publish_starts_the_notice_period(in_notice, organizer):
    shortlist, _entries = in_notice

    assert (shortlist.status, shortlist.notice_starts_at, shortlist.notice_ends_at) == (
        Shortlist.Status.NOTICE,
        START,
        START + timedelta(days=5),
    )
    event = shortlist.events.get(kind=ShortlistEvent.Kind.NOTICE)
    assert (event.actor, event.at, event.before, event.after) == (
        organizer,
        START,
        {"status": "committed"},
        {
            "status": "notice",
            "starts": START.isoformat(),
            "ends": (START + timedelta(days=5)).isoformat(),
            "entries": 3,
        },
    )


def test_notice_publish_refuses_a_short_notice_and_a_second_publication(contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    with pytest.raises(AwardsError) as too_short:
        notice_publish(shortlist=shortlist, by=organizer, days=0)
    notice_publish(shortlist=shortlist, by=organizer)
    with pytest.raises(AwardsError) as twice:
        notice_publish(shortlist=shortlist, by=organizer)

    assert (too_short.value.message, twice.value.message) == ("公示期至少 1 天。", "入围名单已经公示过了。")


def file(shortlist, entry, *, at, address="203.0.113.7", reason="服务时长数据存疑。"):
    return objection_file(
        shortlist=shortlist,
        entry=entry,
        name="王建华",
        phone="13800000000",
        reason=reason,
        address=address,
        now=at,
    )


def test_objection_is_stored_with_a_hashed_address_and_logged(in_notice):
    shortlist, entries = in_notice

    objection = file(shortlist, entries[0], at=START + timedelta(hours=2), reason="  服务时长数据存疑。 ")

    assert (objection.entry_id, objection.reason, objection.status, objection.created_at) == (
        entries[0].pk,
        "服务时长数据存疑。",
        Objection.Status.OPEN,
        START + timedelta(hours=2),
    )
    assert objection.address_hash == address_hash("203.0.113.7") != "203.0.113.7"
    event = shortlist.events.get(kind=ShortlistEvent.Kind.OBJECTION)
    assert (event.at, event.after) == (
        START + timedelta(hours=2),
        {"objection": objection.pk, "entry": entries[0].pk},
    )


def test_objection_about_the_list_as_a_whole_needs_no_entry(in_notice):
    shortlist, _entries = in_notice

    objection = file(shortlist, None, at=START + timedelta(days=1))

    assert objection.entry is None


@pytest.mark.parametrize("at", [START - timedelta(minutes=1), START + timedelta(days=5)])
def test_objection_outside_the_notice_period_is_refused(in_notice, at):
    shortlist, entries = in_notice

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[0], at=at)

    assert error.value.message == "公示期已结束，不再受理异议。"
    assert not Objection.objects.exists()


def test_objection_about_an_entry_not_on_the_list_is_refused(in_notice):
    shortlist, entries = in_notice

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[5], at=START + timedelta(hours=1))

    assert error.value.message == "所选项目不在公示名单中。"


def test_objections_are_limited_to_three_an_hour_per_address(in_notice):
    shortlist, entries = in_notice
    at = START + timedelta(hours=1)
    for minute in range(3):
        file(shortlist, entries[0], at=at + timedelta(minutes=minute))

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[0], at=at + timedelta(minutes=30))
    file(shortlist, entries[0], at=at + timedelta(minutes=30), address="198.51.100.1")  # someone else
    file(shortlist, entries[0], at=at + timedelta(minutes=61))  # the first one is over an hour old

    assert error.value.message == "提交过于频繁，请稍后再试。"
    assert Objection.objects.count() == 5


def test_objections_are_limited_to_ten_a_day_per_address(in_notice):
    shortlist, entries = in_notice
    at = START + timedelta(hours=1)
    for n in range(10):  # every half hour: never more than three within an hour
        file(shortlist, entries[0], at=at + timedelta(minutes=30 * n))

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[0], at=at + timedelta(minutes=300))
    file(shortlist, entries[0], at=at + timedelta(days=1, minutes=1))  # the first one is a day old

    assert error.value.message == "提交过于频繁，请稍后再试。"
    assert Objection.objects.count() == 11


def test_objection_answer_is_recorded_with_before_and_after(in_notice, organizer):
    shortlist, entries = in_notice
    objection = file(shortlist, entries[0], at=START + timedelta(hours=1))

    with pytest.raises(AwardsError) as error:
        objection_answer(objection=objection, answer="  ", by=organizer)
    answered = objection_answer(
        objection=objection, answer="经核实，数据属实。", by=organizer, now=START + timedelta(hours=3)
    )

    assert error.value.message == "请填写答复内容。"
    assert (answered.status, answered.answer, answered.answered_by, answered.answered_at) == (
        Objection.Status.ANSWERED,
        "经核实，数据属实。",
        organizer,
        START + timedelta(hours=3),
    )
    event = shortlist.events.get(kind=ShortlistEvent.Kind.ANSWERED)
    assert (event.actor, event.at, event.before, event.after) == (
        organizer,
        START + timedelta(hours=3),
        {"status": "open", "answer": ""},
        {"status": "answered", "answer": "经核实，数据属实。", "objection": objection.pk},
    )


def test_finalize_is_refused_before_the_notice_and_before_it_ends(contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    with pytest.raises(AwardsError) as committed:
        shortlist_finalize(shortlist=shortlist, by=organizer)
    notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)
    with pytest.raises(AwardsError) as early:
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=4))

    assert (committed.value.message, early.value.message) == (
        "只有公示中的入围名单才能正式公布。",
        "公示期尚未结束。",
    )
    assert not FeaturedProject.objects.exists()


def test_finalize_is_refused_while_an_objection_is_open(in_notice, organizer):
    shortlist, entries = in_notice
    file(shortlist, entries[0], at=START + timedelta(hours=1))

    with pytest.raises(AwardsError) as error:
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    assert error.value.message == "还有未答复的异议，请先答复。"
    assert Shortlist.objects.get().status == Shortlist.Status.NOTICE


def test_finalize_features_the_list_publishes_closed_rounds_and_tells_every_team(
    in_notice, organizer, django_capture_on_commit_callbacks
):
    shortlist, entries = in_notice
    contest = shortlist.contest
    closed = shortlist.round
    # A second round prepared but never opened: finalizing publishes only what was scored.
    never_opened = RoundFactory(contest=contest, name="复评", order=closed.order + 1)
    objection = file(shortlist, entries[1], at=START + timedelta(hours=1))
    objection_answer(objection=objection, answer="经核实，异议不成立。", by=organizer)
    shortlist_swap(
        shortlist=shortlist, out_entry=entries[1], in_entry=entries[5], reason="复核后调整", by=organizer
    )
    finished = START + timedelta(days=5)

    with django_capture_on_commit_callbacks(execute=True):
        featured = shortlist_finalize(shortlist=shortlist, by=organizer, now=finished)

    # in rank order: 90 (rank 1), 80 (rank 3), then the override 65 (rank 6)
    assert [(f.entry_id, f.rank, f.score) for f in FeaturedProject.objects.order_by("rank")] == [
        (entries[0].pk, 1, 90.0),
        (entries[2].pk, 2, 80.0),
        (entries[5].pk, 3, 65.0),
    ]
    assert [f.entry_id for f in featured] == [entries[0].pk, entries[2].pk, entries[5].pk]
    shortlist.refresh_from_db()
    assert (shortlist.status, shortlist.finalized_at) == (Shortlist.Status.FINALIZED, finished)
    assert shortlist.events.order_by("pk").last().after == {
        "status": "finalized",
        "featured": [entries[0].pk, entries[2].pk, entries[5].pk],
    }
    closed.refresh_from_db()
    never_opened.refresh_from_db()
    assert (closed.status, never_opened.status) == (Round.Status.PUBLISHED, Round.Status.SETUP)
    contest.refresh_from_db()
    assert contest_phase(contest) is FINAL
    teams = {e.pk: e for e in Entry.objects.filter(contest=contest).select_related("team__user")}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.team.user.email for e in teams.values())
    featured_ids = {entries[0].pk, entries[2].pk, entries[5].pk}
    for entry in teams.values():
        (message,) = [m for m in mail.outbox if m.to == [entry.team.user.email]]
        assert f"{settings.WAGTAILADMIN_BASE_URL}/my/results/{entry.public_id}/" in message.body
        assert ("入选百个优秀志愿服务项目" in message.body) == (entry.pk in featured_ids)
        assert ("本次未能入选" in message.body) == (entry.pk not in featured_ids)


def test_nothing_changes_after_finalization(in_notice, organizer):
    shortlist, entries = in_notice
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=5))

    with pytest.raises(AwardsError) as error:
        shortlist_add(shortlist=shortlist, entry=entries[5], reason="补录", by=organizer)

    assert error.value.message == "入围名单已正式公布，不能再调整。"
    assert ShortlistEntry.objects.filter(shortlist=shortlist).count() == 3


# --- Demo data -------------------------------------------------------------------------------


def test_seed_demo_published_stage_finalizes_the_shortlist_with_its_whole_log(settings):
    settings.DEBUG = True  # seed_demo is for development (the test runner turns DEBUG off)

    call_command("seed_demo", entries=60, judges=15, stage="published", stdout=io.StringIO())

    shortlist = Shortlist.objects.get()
    ranked = RoundResult.objects.filter(round=shortlist.round).count()
    assert shortlist.status == Shortlist.Status.FINALIZED
    assert FeaturedProject.objects.count() == min(100, ranked) == shortlist.items.count()
    assert list(FeaturedProject.objects.order_by("rank").values_list("rank", flat=True)) == list(
        range(1, min(100, ranked) + 1)
    )
    kinds = list(shortlist.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["committed", "notice", "objection", "answered", "objection", "answered", "finalized"]
    assert shortlist.round.status == Round.Status.PUBLISHED


def test_no_round_reopens_for_scoring_once_the_shortlist_is_on_notice(in_notice, organizer):
    shortlist, _entries = in_notice

    with pytest.raises(JudgingError) as error:
        round_set_status(round=shortlist.round, to=SCORING, by=organizer)

    assert error.value.message == "大赛已进入“入围公示”阶段，评审轮次不能再开放评分。"
    shortlist.round.refresh_from_db()
    assert shortlist.round.status == Round.Status.CLOSED
