"""What a voting window allows in each of its phases: the one place its times and status are
compared.

not open → open → closed → frozen. The first three follow the window's times in server time
(``opens_at <= now < closes_at`` is open); frozen is recorded (``VotingWindow.status``) when
the final tallies are fixed after the window has closed (``voting.tallies.services``).

Held: while judges of the contest are scoring (a round in a phase where sheets are saved), the
gallery is not public and no vote or code is taken, whatever the window's times say. The gallery
shows each entry's team, county and own texts; a judge who read it could recognise the blind
copy in front of them (DESIGN §4.1). The hold lifts by itself when scoring closes.
"""

from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from judging.models import Round
from judging.phases import rounds_where

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
    held: bool = False  # judges are scoring: nothing of the vote is shown or taken

    def __str__(self):
        return str(self.label)


NOT_OPEN = WindowPhase("not_open", _("投票尚未开始"), False, False, True, False)
OPEN = WindowPhase("open", _("投票进行中"), True, True, False, False)
CLOSED = WindowPhase("closed", _("投票已截止"), True, False, False, True)
FROZEN = WindowPhase("frozen", _("投票结果已锁定"), True, False, False, False, frozen=True)

PHASES = {phase.code: phase for phase in (NOT_OPEN, OPEN, CLOSED, FROZEN)}

HELD_MESSAGE = _("评审专家正在评分，投票暂停，评分结束后自动恢复。感谢您的关注！")
HELD = {
    phase.code: replace(phase, label=label, public=False, takes_votes=False, held=True)
    for phase, label in (
        (OPEN, _("评审专家正在评分，投票暂停")),
        (CLOSED, _("投票已截止；评审专家正在评分，投票页面暂不公开")),
        (FROZEN, _("投票结果已锁定；评审专家正在评分，投票页面暂不公开")),
    )
}


def judges_scoring_q():
    """Whether a round of the window's contest is being scored, as an annotation
    (``VotingWindow.objects.annotate(judges_scoring=judges_scoring_q())``)."""
    return Exists(Round.objects.filter(rounds_where(can_score=True), contest_id=OuterRef("contest_id")))


def _judges_scoring(window: VotingWindow) -> bool:
    scoring = getattr(window, "judges_scoring", None)
    if scoring is None:
        scoring = Round.objects.filter(rounds_where(can_score=True), contest_id=window.contest_id).exists()
        window.judges_scoring = scoring  # asked again by the same request's template
    return scoring


def phase_by_time(window: VotingWindow, *, now=None) -> WindowPhase:
    """The phase the window's times and status give, without the hold: what the organizer's
    changes to the window are checked against."""
    if window.status == VotingWindow.Status.FROZEN:
        return FROZEN
    now = now or timezone.now()
    if now < window.opens_at:
        return NOT_OPEN
    if now < window.closes_at:
        return OPEN
    return CLOSED


def window_phase(window: VotingWindow, *, now=None) -> WindowPhase:
    phase = phase_by_time(window, now=now)
    if phase.public and _judges_scoring(window):
        return HELD[phase.code]
    return phase


def started_q(*, now=None) -> Q:
    """Windows that have opened (open, closed or frozen), as a filter."""
    return Q(opens_at__lte=now or timezone.now())


def open_by_time_q(*, now=None) -> Q:
    """Windows whose times say open now (the hold is asked of each: ``window_phase``)."""
    now = now or timezone.now()
    return Q(opens_at__lte=now, closes_at__gt=now) & not_frozen_q()


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
