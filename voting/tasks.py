"""Background work of voting: counters reconciled from the database, and windows that have
closed frozen. Both are safe to run at any time and any number of times (``manage.py
reconcile_votes`` and ``manage.py freeze_votes`` run them from cron)."""

from django.tasks import task

from .models import VotingWindow
from .phases import started_q
from .tallies.services import counts_reconcile, freeze_due_windows


@task()
def reconcile_counts(window_id: int | None = None) -> dict:
    """Counters = database rows, for one window or every window that has opened."""
    windows = VotingWindow.objects.filter(started_q())
    if window_id is not None:
        windows = windows.filter(pk=window_id)
    totals = {}
    for window in windows:
        totals[str(window.pk)] = sum(counts_reconcile(window=window).values())
    return totals


@task()
def freeze_closed_windows() -> list[int]:
    return freeze_due_windows()
