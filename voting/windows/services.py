"""The organizer's side of a window: create or change it, and choose the entries in the vote.

By default the entries in the vote are those of the window's round (or, without a round, the
contest's eligible entries) whose team consented to publication (``Entry.consent_publish``).
They are chosen when the window is saved and may change until it opens; from then on the
entries, the round, the opening time and the daily number of votes stay as they were (the
closing time may still move, later only while the vote is open)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.selectors import eligible_entries
from judging.masking.selectors import round_entry_ids

from ..errors import VotingError
from ..models import VoteEntry, VotingWindow
from ..phases import phase_by_time

LOCKED_ONCE_OPEN = ("contest_id", "round_id", "opens_at", "max_votes_per_day")


def candidate_entries(*, window: VotingWindow):
    """The entries that belong in the vote by default."""
    entries = eligible_entries(contest=window.contest).filter(consent_publish=True)
    if window.round_id:
        entries = entries.filter(pk__in=round_entry_ids(round_id=window.round_id))
    return entries


def _check(window: VotingWindow, *, now) -> None:
    if window.closes_at <= window.opens_at:
        raise VotingError(_("投票截止时间须晚于开始时间。"))
    if window.round_id and window.round.contest_id != window.contest_id:
        raise VotingError(_("所选评审轮次不属于这个大赛。"))
    if window.weight_percent and not window.round_id:
        raise VotingError(_("投票计入总成绩时，请选择它所计入的评审轮次。"))
    if window.weight_percent:
        weighted = VotingWindow.objects.filter(round_id=window.round_id, weight_percent__gt=0)
        if weighted.exclude(pk=window.pk).exists():
            raise VotingError(_("这个评审轮次已有一个计入总成绩的投票，同一轮次只能有一个。"))
    if window.pk is None:
        return
    stored = VotingWindow.objects.get(pk=window.pk)
    phase = phase_by_time(stored, now=now)
    if phase.frozen:
        raise VotingError(_("投票结果已锁定，不能再修改。"))
    if not phase.can_edit_entries:
        changed = [name for name in LOCKED_ONCE_OPEN if getattr(stored, name) != getattr(window, name)]
        if changed:
            raise VotingError(_("投票开始后不能再修改评审轮次、开始时间和每天的票数。"))
        if not phase.takes_votes and stored.closes_at != window.closes_at:
            raise VotingError(_("投票已截止，不能再修改截止时间。"))
        if window.closes_at <= now < stored.closes_at:
            raise VotingError(_("截止时间不能早于现在。"))


def window_save(*, window: VotingWindow, now=None) -> VotingWindow:
    """Create or change a window (checked against its phase); its entries follow the rules
    above while it has not opened."""
    now = now or timezone.now()
    _check(window, now=now)
    with transaction.atomic():
        window.save()
        if phase_by_time(window, now=now).can_edit_entries:
            window_sync_entries(window=window, now=now)
    return window


def window_sync_entries(*, window: VotingWindow, now=None) -> dict:
    """Make the window's entries the default set (added, or left out when they no longer
    qualify); only before it opens. Returns how many are in and how many were left out."""
    now = now or timezone.now()
    if not phase_by_time(window, now=now).can_edit_entries:
        raise VotingError(_("投票开始后不能再改变参加投票的项目。"))
    wanted = set(candidate_entries(window=window).values_list("pk", flat=True))
    with transaction.atomic():
        existing = dict(VoteEntry.objects.filter(window=window).values_list("entry_id", "included"))
        VoteEntry.objects.bulk_create(
            [VoteEntry(window=window, entry_id=pk) for pk in sorted(wanted - existing.keys())],
            ignore_conflicts=True,
        )
        out = VoteEntry.objects.filter(window=window, included=True).exclude(entry_id__in=wanted)
        left_out = out.update(included=False)
        VoteEntry.objects.filter(window=window, included=False, entry_id__in=wanted).update(included=True)
    return {"included": len(wanted), "left_out": left_out}
