"""What a contest's shortlist may do in each of its statuses: the one place shortlist status
values are compared.

committed → notice (公示) → finalized. Committing may be repeated until the notice starts;
organizers' overrides (with reasons) and award tiers are allowed until finalization; objections come in only
inside the notice window; finalizing needs the window over and every objection answered. The
contest's own phase (``competition.phases``) is asked alongside: a shortlist is committed and
put on notice only while the contest's results are being decided.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .models import Shortlist


@dataclass(frozen=True)
class ShortlistPhase:
    status: str
    can_recommit: bool  # replaced by a new commit from the what-if
    can_override: bool  # entries added, removed, swapped with a reason
    can_publish_notice: bool
    in_notice: bool  # objections may come in while the window is open; answers any time
    can_finalize: bool  # once the window is over and every objection answered
    public: bool  # the notice page exists
    final: bool
    can_set_tiers: bool = False  # award tiers defined, reassigned, entries moved between them

    @property
    def label(self) -> str:
        return Shortlist.Status(self.status).label


COMMITTED = ShortlistPhase(Shortlist.Status.COMMITTED, True, True, True, False, False, False, False, True)
ON_NOTICE = ShortlistPhase(Shortlist.Status.NOTICE, False, True, False, True, True, True, False, True)
FINALIZED = ShortlistPhase(Shortlist.Status.FINALIZED, False, False, False, False, False, True, True)

PHASES = {phase.status: phase for phase in (COMMITTED, ON_NOTICE, FINALIZED)}


def shortlist_phase(shortlist: Shortlist) -> ShortlistPhase:
    return PHASES[shortlist.status]


def tiers_settable(shortlist: Shortlist | None) -> bool:
    """Whether a contest's award tiers may change now: before it has a shortlist, and while
    its shortlist may still be adjusted (not once finalized)."""
    return shortlist is None or shortlist_phase(shortlist).can_set_tiers


def takes_objections(shortlist: Shortlist, *, now=None) -> bool:
    """Inside the notice window, in server time."""
    now = now or timezone.now()
    return (
        shortlist_phase(shortlist).in_notice
        and shortlist.notice_starts_at is not None
        and shortlist.notice_starts_at <= now < shortlist.notice_ends_at
    )


def notice_over(shortlist: Shortlist, *, now=None) -> bool:
    now = now or timezone.now()
    return shortlist.notice_ends_at is not None and now >= shortlist.notice_ends_at


def public_q() -> Q:
    """Shortlists whose notice page exists, as a filter."""
    return Q(
        status__in=[status for status, phase in PHASES.items() if phase.public],
        notice_starts_at__isnull=False,
    )


def final_q(prefix: str = "") -> Q:
    """Shortlists whose list is final (the outcome is published), as a filter; ``prefix``
    reaches them from another model (``"shortlist__"`` from a contest)."""
    return Q(**{f"{prefix}status__in": [status for status, phase in PHASES.items() if phase.final]})


def open_notice_q(*, now=None) -> Q:
    """Shortlists whose notice window is open now (objections may come in), as a filter."""
    now = now or timezone.now()
    return Q(
        status__in=[status for status, phase in PHASES.items() if phase.in_notice],
        notice_starts_at__lte=now,
        notice_ends_at__gt=now,
    )
