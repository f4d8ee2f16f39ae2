"""Reads of the shortlist for the back office (one query each)."""

from django.db.models import QuerySet

from awards.models import Shortlist, ShortlistEntry, ShortlistEvent
from competition.models import Contest
from competition.selectors import contest_by_id, contests_newest_first
from judging.models import RoundEntry, RoundResult
from judging.results.selectors import (
    best_results_except,
    blind_code_of,
    list_uncertainty,
    round_entry_by_code,
    rounds_with_results_by_contest,
)


def contests_for_shortlist() -> list[Contest]:
    """Every contest with its shortlist (if any) and how many of its rounds have results (two
    queries)."""
    contests = list(contests_newest_first().select_related("shortlist"))
    counts = rounds_with_results_by_contest()
    for contest in contests:
        contest.rounds_with_results = counts.get(contest.pk, 0)
    return contests


def contest_for_shortlist(*, pk) -> Contest | None:
    return contest_by_id(pk)


def contest_shortlist(*, contest: Contest) -> Shortlist | None:
    return Shortlist.objects.filter(contest=contest).select_related("round", "committed_by").first()


def shortlist_items(*, shortlist: Shortlist) -> list[ShortlistEntry]:
    """The shortlist, best first, with each entry's identity and blind code in the source round."""
    return list(
        shortlist.items.select_related("entry__team__organization__county", "entry__category", "tier")
        .annotate(blind_code=blind_code_of(round_id=shortlist.round_id))
        .order_by("rank", "entry_id")
    )


def shortlist_reserve(*, shortlist: Shortlist, limit: int = 20) -> list[RoundResult]:
    """The best-ranked entries of the source round that are not on the shortlist."""
    return best_results_except(
        round_id=shortlist.round_id, entry_ids=shortlist.items.values("entry_id"), limit=limit
    )


def shortlist_round_entry(*, shortlist: Shortlist, blind_code: str) -> RoundEntry | None:
    return round_entry_by_code(round_id=shortlist.round_id, blind_code=blind_code)


def shortlist_item(*, shortlist: Shortlist, entry_id) -> ShortlistEntry | None:
    try:
        entry_id = int(entry_id)
    except (TypeError, ValueError):
        return None
    return shortlist.items.filter(entry_id=entry_id).select_related("entry").first()


def shortlist_events(*, shortlist: Shortlist) -> QuerySet[ShortlistEvent]:
    return shortlist.events.select_related("actor").order_by("-at", "-pk")


def selection_uncertainty(*, round_id: int, entry_ids):
    """How sure a selection of entries is, by the source round's kept simulations: how many are
    expected not to be in the true top of the same size, and each one's chance (two queries;
    None before the round's results are computed with them)."""
    return list_uncertainty(round_id=round_id, entry_ids=entry_ids)
