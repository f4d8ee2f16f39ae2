"""Counting: the counters reconciled from the database, and the final tallies frozen once the
window has closed. The database rows are the truth; counters and tallies are set from them."""

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ..ballots import counters
from ..errors import VotingError
from ..models import Vote, VoteEntry, VotingWindow
from ..phases import due_for_freezing_q, mark_frozen, window_phase


def database_counts(*, window: VotingWindow) -> dict[int, int]:
    """Votes not voided per entry in the vote (every entry, 0 included), in one query."""
    rows = VoteEntry.objects.filter(window=window).annotate(
        n=Count("votes", filter=Q(votes__voided_at__isnull=True))
    )
    return dict(rows.values_list("pk", "n"))


def counts_reconcile(*, window: VotingWindow) -> dict[int, int]:
    """Set every counter of the window from the database; returns the counts."""
    counts = database_counts(window=window)
    counters.store(window_id=window.pk, counts=counts)
    return counts


def window_freeze(*, window: VotingWindow, now=None) -> VotingWindow:
    """Fix the final tallies (votes not voided per entry) of a window that has closed."""
    now = now or timezone.now()
    with transaction.atomic():
        window = VotingWindow.objects.select_for_update().get(pk=window.pk)
        if not window_phase(window, now=now).can_freeze:
            raise VotingError(_("只有已截止、尚未锁定的投票才能锁定结果。"))
        valid = (
            Vote.objects.filter(vote_entry=OuterRef("pk"), voided_at__isnull=True)
            .order_by()
            .values("vote_entry")
            .annotate(n=Count("pk"))
            .values("n")
        )
        VoteEntry.objects.filter(window=window).update(
            final_votes=Coalesce(Subquery(valid, output_field=IntegerField()), 0)
        )
        mark_frozen(window, now=now)
        window.save(update_fields=["status", "frozen_at"])
    counts_reconcile(window=window)
    return window


def freeze_due_windows(*, now=None) -> list[int]:
    """Freeze every window that has closed and is not frozen yet; their ids."""
    now = now or timezone.now()
    frozen = []
    for window in VotingWindow.objects.filter(due_for_freezing_q(now=now)):
        window_freeze(window=window, now=now)
        frozen.append(window.pk)
    return frozen
