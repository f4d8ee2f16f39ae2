"""Reads of the counts: what the gallery shows (refreshed at most once a minute, or nothing
when the organizer hides the counts), and the tallies the back office sees and exports."""

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from ..ballots import counters
from ..models import Vote, VoteEntry, VotingWindow
from ..phases import window_phase
from .services import counts_reconcile

SHOWN_SECONDS = 60


def _shown_key(window_id: int) -> str:
    return f"voting:shown:{window_id}"


def shown_counts(*, window: VotingWindow) -> dict[int, int] | None:
    """Votes per entry in the vote as the gallery shows them, or None when hidden. Live counts
    come from the counters, read at most once a minute (a copy kept for a minute); once frozen,
    the final tallies."""
    if not window.show_counts:
        return None
    if window_phase(window).frozen:
        return dict(VoteEntry.objects.filter(window=window).values_list("pk", "final_votes"))
    shown = cache.get(_shown_key(window.pk))
    if shown is None:
        ids = list(VoteEntry.objects.filter(window=window).values_list("pk", flat=True))
        shown = counters.read(window_id=window.pk, vote_entry_ids=ids)
        if any(n is None for n in shown.values()):
            shown = counts_reconcile(window=window)
        cache.set(_shown_key(window.pk), shown, SHOWN_SECONDS)
    return shown


def tally_rows(*, window: VotingWindow) -> QuerySet[VoteEntry]:
    """Every entry of the vote with its counted and voided votes, most votes first (the frozen
    tallies once frozen), entries left out of the vote last (one query)."""
    first = "-final_votes" if window_phase(window).frozen else "-valid"
    return (
        VoteEntry.objects.filter(window=window)
        .select_related("entry__category", "entry__team__organization__county")
        .annotate(
            valid=Count("votes", filter=Q(votes__voided_at__isnull=True)),
            voided=Count("votes", filter=Q(votes__voided_at__isnull=False)),
        )
        .order_by("-included", first, "-valid", "code")
    )


def voided_votes(*, window: VotingWindow) -> QuerySet[Vote]:
    return (
        Vote.objects.filter(window=window, voided_at__isnull=False)
        .select_related("vote_entry__entry", "voided_by")
        .order_by("voided_at", "pk")
    )


def window_totals(*, window: VotingWindow) -> dict:
    return Vote.objects.filter(window=window).aggregate(
        valid=Count("pk", filter=Q(voided_at__isnull=True)),
        voided=Count("pk", filter=Q(voided_at__isnull=False)),
        voters=Count("voter", distinct=True),
    )
