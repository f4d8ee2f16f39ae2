"""The organizer's review of flagged votes: the flags grouped by reason, the flagged votes, the
counts before and after voiding them, and voiding or restoring votes (chosen ones or a whole
group) with a reason. Every decision is a ``VoteReview`` row (who, when, why) that is never
changed, so the supervisor reads the whole history; voiding marks the vote, never deletes it;
voided votes are left out of every tally. Refused once the final tallies are frozen."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import VotingError
from .models import Vote, VoteEntry, VoteFlag, VoteReview, VotingWindow
from .phases import window_phase
from .tallies.selectors import window_totals
from .tallies.services import counts_reconcile

MAX_REASON = 300


@dataclass(frozen=True)
class FlagGroup:
    reason: str
    label: str
    flagged: int
    voided: int


def flag_groups(*, window: VotingWindow) -> list[FlagGroup]:
    """Each reason with how many votes it flags and how many of those are voided (one query)."""
    rows = dict(
        (reason, (n, voided))
        for reason, n, voided in VoteFlag.objects.filter(vote__window=window)
        .values("reason")
        .annotate(n=Count("pk"), voided=Count("pk", filter=Q(vote__voided_at__isnull=False)))
        .values_list("reason", "n", "voided")
    )
    return [
        FlagGroup(reason, label, *rows.get(reason, (0, 0)))
        for reason, label in VoteFlag.Reason.choices
    ]  # fmt: skip


def flagged_votes(*, window: VotingWindow, reason: str = "") -> QuerySet[Vote]:
    """The window's flagged votes (of one reason, or of any), with their entry and reasons."""
    flags = VoteFlag.objects.filter(vote=OuterRef("pk"))
    if reason:
        flags = flags.filter(reason=reason)
    return (
        Vote.objects.filter(window=window)
        .filter(Exists(flags))
        .select_related("vote_entry__entry", "voided_by")
        .prefetch_related("flags")
        .order_by("vote_entry_id", "subnet", "created_at", "pk")
    )


def before_after(*, window: VotingWindow) -> list[dict]:
    """Per entry: valid votes now, flagged ones among them, and valid votes if every flagged
    vote were voided (one query)."""
    valid = Q(votes__voided_at__isnull=True)
    rows = (
        VoteEntry.objects.filter(window=window, included=True)
        .select_related("entry")
        .annotate(
            valid=Count("votes", filter=valid, distinct=True),
            flagged_valid=Count("votes", filter=valid & Q(votes__flags__isnull=False), distinct=True),
        )
        .order_by("-valid", "code")
    )
    return [
        {"item": r, "valid": r.valid, "flagged": r.flagged_valid, "after": r.valid - r.flagged_valid}
        for r in rows
    ]


def reviews(*, window: VotingWindow) -> QuerySet[VoteReview]:
    return (
        VoteReview.objects.filter(vote__window=window)
        .select_related("by", "vote__vote_entry")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class ReviewResult:
    changed: int
    valid_before: int
    valid_after: int


def _review(*, window, action, by, reason, vote_ids=(), flag_reason="", now=None) -> ReviewResult:
    now = now or timezone.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise VotingError(_("请填写原因（会记录在案，监督人员可查看）。"))
    if len(reason) > MAX_REASON:
        raise VotingError(_("原因最多 300 字。"))
    votes = Vote.objects.filter(window=window)
    if flag_reason:
        if flag_reason not in VoteFlag.Reason.values:
            raise VotingError(_("请选择要处理的投票。"))
        votes = votes.filter(flags__reason=flag_reason)
    else:
        ids = {int(pk) for pk in vote_ids if str(pk).isdigit()}
        if not ids:
            raise VotingError(_("请选择要处理的投票。"))
        votes = votes.filter(pk__in=ids)
    voiding = action == VoteReview.Action.VOID
    votes = votes.filter(voided_at__isnull=voiding)
    with transaction.atomic():
        # The window's row locked: a freeze cannot pass between the check and the change.
        if window_phase(VotingWindow.objects.select_for_update().get(pk=window.pk), now=now).frozen:
            raise VotingError(_("投票结果已锁定，不能再作废或恢复投票。"))
        before = window_totals(window=window)["valid"]
        # The votes (distinct: a vote may carry several flags), then their rows locked
        # (PostgreSQL takes no FOR UPDATE together with DISTINCT).
        chosen = list(votes.values_list("pk", flat=True).distinct())
        ids = list(Vote.objects.select_for_update().filter(pk__in=chosen).values_list("pk", flat=True))
        if voiding:
            Vote.objects.filter(pk__in=ids).update(voided_at=now, void_reason=reason, voided_by=by)
        else:
            Vote.objects.filter(pk__in=ids).update(voided_at=None, void_reason="", voided_by=None)
        VoteReview.objects.bulk_create(
            [VoteReview(vote_id=pk, action=action, reason=reason, by=by, at=now) for pk in ids],
            batch_size=2000,
        )
        after = window_totals(window=window)["valid"]
    counts_reconcile(window=window)
    return ReviewResult(len(ids), before, after)


def votes_void(*, window: VotingWindow, by, reason: str, vote_ids=(), flag_reason: str = "", now=None):
    """Void the chosen votes (or every vote flagged for ``flag_reason``) that are not voided."""
    return _review(
        window=window,
        action=VoteReview.Action.VOID,
        by=by,
        reason=reason,
        vote_ids=vote_ids,
        flag_reason=flag_reason,
        now=now,
    )


def votes_restore(*, window: VotingWindow, by, reason: str, vote_ids=(), flag_reason: str = "", now=None):
    """Count again the chosen voided votes (or every voided vote flagged for ``flag_reason``)."""
    return _review(
        window=window,
        action=VoteReview.Action.RESTORE,
        by=by,
        reason=reason,
        vote_ids=vote_ids,
        flag_reason=flag_reason,
        now=now,
    )
