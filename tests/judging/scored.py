"""Rounds with submitted sheets and computed results, a shortlist in notice, for the tests of
the notice page, the spreadsheets and the commands. Everything goes through the services."""

from datetime import timedelta

from django.utils import timezone

from awards.models import Shortlist
from awards.notice.services import notice_publish
from awards.shortlist.services import shortlist_commit
from judging.models import Assignment, Round, RoundEntry
from judging.phases import CLOSED, SCORING
from judging.results.services import compute_round_results
from judging.scoring.services import SheetInput, sheet_save
from tests import factories
from tests.judging.factories import JudgeFactory, RoundFactory, assign, eligible_entry, set_status, sync


def submit(assignment: Assignment, points: list, by=None, feedback: str = ""):
    criteria = list(assignment.round.criteria.all())
    return sheet_save(
        assignment=assignment,
        data=SheetInput(
            points={c.pk: str(p) for c, p in zip(criteria, points, strict=True)}, feedback_to_team=feedback
        ),
        expected_version=None,
        submit=True,
        by=by or assignment.judge.user,
    )


def scoring_round(*, entries: int = 3, judges: int = 2, contest=None, titles=(), judge_names=()):
    """A round open for scoring: ``entries`` eligible entries each assigned to every one of
    ``judges`` judges (none of them with a conflict). Returns (round, judges, round entries)."""
    contest = contest or factories.ContestFactory()
    round = RoundFactory(contest=contest, judges_per_entry=judges)
    panel = [
        JudgeFactory(**({"name": judge_names[i]} if i < len(judge_names) else {})) for i in range(judges)
    ]
    for i in range(entries):
        eligible_entry(contest, **({"title": titles[i]} if i < len(titles) else {}))
    round_entries = sync(round)
    for round_entry in round_entries:
        for judge in panel:
            assign(round_entry, judge)
    set_status(round, SCORING)
    return round, panel, round_entries


def scored_round(*, entries: int = 3, judges: int = 2, contest=None, titles=(), judge_names=(), compute=True):
    """A closed round whose every sheet is submitted (judge n is n points harsher on every
    criterion, entries differ), with its results computed."""
    round, panel, round_entries = scoring_round(
        entries=entries, judges=judges, contest=contest, titles=titles, judge_names=judge_names
    )
    criteria = list(round.criteria.all())
    for e, round_entry in enumerate(round_entries):
        for j, judge in enumerate(panel):
            assignment = Assignment.objects.get(round_entry=round_entry, judge=judge)
            points = [max(0, c.max_points - 1 - j - (e % 3)) for c in criteria]
            submit(assignment, points, feedback=f"反馈{e}-{j}")
    set_status(round, CLOSED)
    if compute:
        compute_round_results(round=round)
    return round, panel, round_entries


def shortlist_in_notice(*, entries: int = 3, by=None, contest=None, days: int = 5, titles=(), now=None):
    """A computed round whose entries are all shortlisted and published for notice."""
    round, _panel, _round_entries = scored_round(entries=entries, contest=contest, titles=titles)
    shortlist = shortlist_commit(round=round, by=by, size=entries)
    return notice_publish(shortlist=shortlist, by=by, days=days, now=now)


def end_notice(shortlist: Shortlist) -> Shortlist:
    """Move the notice period into the past (as if the days had gone by)."""
    now = timezone.now()
    Shortlist.objects.filter(pk=shortlist.pk).update(
        notice_starts_at=now - timedelta(days=6), notice_ends_at=now - timedelta(days=1)
    )
    shortlist.refresh_from_db()
    return shortlist


def round_entry_codes(round: Round) -> list[str]:
    return list(
        RoundEntry.objects.filter(round=round).order_by("entry_id").values_list("blind_code", flat=True)
    )
