"""Background work of voting: counters reconciled from the database, and windows that have
closed frozen. Both are safe to run at any time and any number of times (``manage.py
reconcile_votes`` and ``manage.py freeze_votes`` run them from cron)."""

from django.db.models import Q
from django.tasks import task

from .models import VotingWindow
from .phases import not_frozen_q, started_q
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


@task()
def flag_votes(window_id: int | None = None) -> dict:
    """The anomaly flags (``voting.flags``) of one window, or of every window not frozen that
    has opened; how many votes each reason flags, per window. Safe to run again at any time."""
    from captcha.models import CaptchaStore

    from .flags import flags_compute

    CaptchaStore.remove_expired()  # images not answered within their 5 minutes
    chosen = Q(pk=window_id) if window_id is not None else not_frozen_q()
    windows = VotingWindow.objects.filter(started_q(), chosen)
    return {str(window.pk): flags_compute(window=window) for window in windows}


@task()
def reconcile_views() -> dict:
    """Page views counted in the cache added to each entry's ``page_views``."""
    from .flags import views_reconcile

    return {
        str(window.pk): sum(views_reconcile(window=window).values())
        for window in VotingWindow.objects.filter(started_q(), not_frozen_q())
    }
