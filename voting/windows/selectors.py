"""Reads of windows: the window a contest's gallery shows, and the back office's lists."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..models import VotingWindow
from ..phases import judges_scoring_q, open_by_time_q, started_q, window_phase


def gallery_window(*, slug: str, now=None) -> VotingWindow | None:
    """The window a contest's gallery (/vote/<slug>/) shows: the latest that has opened, else
    the next to open; None when the contest has none."""
    now = now or timezone.now()
    windows = (
        VotingWindow.objects.filter(contest__slug=slug)
        .select_related("contest")
        .annotate(judges_scoring=judges_scoring_q())
    )
    started = windows.filter(started_q(now=now)).order_by("-opens_at", "-pk").first()
    return started or windows.order_by("opens_at", "pk").first()


def vote_taking_votes(*, contest=None, now=None) -> VotingWindow | None:
    """The window taking votes now (the latest opened; of ``contest`` if given), with its
    contest: what the public site's home and contest pages lead readers to; None when no vote
    is open or it is held (one query)."""
    now = now or timezone.now()
    windows = VotingWindow.objects.filter(open_by_time_q(now=now))
    if contest is not None:
        windows = windows.filter(contest=contest)
    window = (
        windows.select_related("contest")
        .annotate(judges_scoring=judges_scoring_q())
        .order_by("-opens_at", "-pk")
        .first()
    )
    return window if window is not None and window_phase(window, now=now).takes_votes else None


def windows_for_admin() -> QuerySet[VotingWindow]:
    return VotingWindow.objects.select_related("contest", "round").annotate(
        entry_count=Count("vote_entries", filter=Q(vote_entries__included=True), distinct=True),
        judges_scoring=judges_scoring_q(),
    )


def window_for_admin(*, pk) -> VotingWindow | None:
    try:
        return (
            VotingWindow.objects.select_related("contest", "round")
            .annotate(judges_scoring=judges_scoring_q())
            .filter(pk=int(pk))
            .first()
        )
    except (TypeError, ValueError):
        return None
