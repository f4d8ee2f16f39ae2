"""Helpers for results tests: rounds whose sheets are easy to compute by hand, scored and
closed through the real services (judging.scoring.services), then computed by judging.results.services."""

from decimal import Decimal

from judging.models import Assignment, Criterion, Judge, Round, RoundEntry, ScoreSheet
from judging.phases import CLOSED, SCORING
from judging.results.services import compute_round_results
from judging.scoring.services import SheetInput, sheet_save
from tests import factories
from tests.judging.factories import JudgeFactory, RoundFactory, assign, eligible_entry, set_status, sync

CRITERIA = ("服务成效", "创新性")


def rubric_round(contest, **kwargs) -> Round:
    """A round (in setup) whose rubric has two criteria of 50 points with equal weights, so a
    sheet's total is the sum of its two scores: (a/50 + b/50)·100/2 = a + b."""
    round = RoundFactory(contest=contest, **kwargs)
    round.criteria.all().delete()
    for n, name in enumerate(CRITERIA, start=1):
        Criterion.objects.create(round=round, name=name, max_points=50, weight=1, sort_order=n)
    return round


def entry_in(contest, *, county=None, category="education", **kwargs):
    """An eligible entry; with ``county``, its team's organization is in that county."""
    if county is not None:
        kwargs["team"] = factories.TeamFactory(organization=factories.OrganizationFactory(county=county))
    return eligible_entry(contest, category=factories.category(category), **kwargs)


def save_sheet(round_entry: RoundEntry, judge: Judge, total, *, submit=True, feedback="", split=None):
    """The judge's sheet for the entry: ``total`` split evenly over the two criteria (or as
    ``split``), submitted unless ``submit`` is False. Assigns the judge first if needed."""
    assignment = Assignment.objects.filter(round_entry=round_entry, judge=judge).first()
    if assignment is None:
        assignment = assign(round_entry, judge)
    first, second = split or (Decimal(str(total)) / 2, Decimal(str(total)) / 2)
    criteria = list(Criterion.objects.filter(round_id=assignment.round_id).order_by("sort_order"))
    return sheet_save(
        assignment=assignment,
        data=SheetInput(
            points={criteria[0].pk: str(first), criteria[1].pk: str(second)}, feedback_to_team=feedback
        ),
        expected_version=None,
        submit=submit,
        by=judge.user,
    )


def scored_round(contest, sheets: dict, *, judges: list[Judge], close=True, **kwargs):
    """A round of the contest's eligible entries (in entry-id order) with the given sheets,
    ``{(entry position, judge position): total}``, all submitted; closed unless ``close`` is
    False. Returns the round and its round entries."""
    round = rubric_round(contest, **kwargs)
    round_entries = sync(round)
    for e, j in sheets:
        assign(round_entries[e], judges[j])
    set_status(round, SCORING)
    for (e, j), total in sheets.items():
        save_sheet(round_entries[e], judges[j], total)
    if close:
        set_status(round, CLOSED)
    return round, round_entries


def ranked_round(contest, totals: list[float], *, judge: Judge | None = None, **kwargs):
    """A closed round (plain mean) where one judge gave the contest's entries ``totals`` in
    entry-id order, with its results computed. Returns the round and its round entries."""
    judge = judge or JudgeFactory()
    round, round_entries = scored_round(
        contest,
        {(e, 0): total for e, total in enumerate(totals)},
        judges=[judge],
        method=Round.Method.MEAN,
        **kwargs,
    )
    compute_round_results(round=round)
    return round, round_entries


def submitted_sheets(round: Round):
    return ScoreSheet.objects.filter(assignment__round=round, status=ScoreSheet.Status.SUBMITTED)
