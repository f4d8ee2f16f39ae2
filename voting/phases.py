"""What a voting window allows in each of its phases: the one place its times and status are
compared.

not open → open → closed → frozen. The first three follow the window's times in server time
(``opens_at <= now < closes_at`` is open); frozen is recorded (``VotingWindow.status``) when
the final tallies are fixed after the window has closed (``voting.tallies.services``).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import VotingWindow


@dataclass(frozen=True)
class WindowPhase:
    code: str
    label: str
    public: bool  # the gallery lists the entries in the vote
    takes_votes: bool  # codes are sent and votes accepted
    can_edit_entries: bool  # the organizer changes the window's settings and entries
    can_freeze: bool  # the final tallies may be fixed now
    frozen: bool = False

    def __str__(self):
        return str(self.label)


NOT_OPEN = WindowPhase("not_open", _("投票尚未开始"), False, False, True, False)
OPEN = WindowPhase("open", _("投票进行中"), True, True, False, False)
CLOSED = WindowPhase("closed", _("投票已截止"), True, False, False, True)
FROZEN = WindowPhase("frozen", _("投票结果已锁定"), True, False, False, False, frozen=True)

PHASES = {phase.code: phase for phase in (NOT_OPEN, OPEN, CLOSED, FROZEN)}


def window_phase(window: VotingWindow, *, now=None) -> WindowPhase:
    if window.status == VotingWindow.Status.FROZEN:
        return FROZEN
    now = now or timezone.now()
    if now < window.opens_at:
        return NOT_OPEN
    if now < window.closes_at:
        return OPEN
    return CLOSED


def started_q(*, now=None) -> Q:
    """Windows that have opened (open, closed or frozen), as a filter."""
    return Q(opens_at__lte=now or timezone.now())


def not_frozen_q() -> Q:
    """Windows whose final tallies are not fixed yet, as a filter."""
    return ~Q(status=VotingWindow.Status.FROZEN)


def due_for_freezing_q(*, now=None) -> Q:
    """Windows that have closed but whose tallies are not frozen yet, as a filter."""
    return Q(closes_at__lte=now or timezone.now()) & ~Q(status=VotingWindow.Status.FROZEN)


def mark_frozen(window: VotingWindow, *, now) -> None:
    """Record on ``window`` (not saved) that its final tallies are fixed."""
    window.status = VotingWindow.Status.FROZEN
    window.frozen_at = now
