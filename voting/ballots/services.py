"""Casting a vote: ``vote_cast`` writes one ``Vote`` row, once.

The rules: a replayed request (same client nonce) gets the answer of the first, whatever
else has changed since; then the window must be open (``voting.phases``); the entry must be in
the vote; the voter must have verified a number in this contest; one vote per entry per number
per day (Beijing date), at most ``max_votes_per_day`` votes per number per day (voided votes
count: they were cast). The voter's row is locked while counting, so two votes sent at once
cannot both take the last one. Defences (rate limits, challenges, flags) belong before and
after this function, not inside it; one that needs the voter's row may be handed in as
``take``, called under the lock once every rule has passed, just before the row is written.

A vote is the hot path of the public vote: the replay is looked up only where a refusal would
otherwise be answered and, under the lock, with today's votes of the voter in the same query;
an accepted vote costs the voter's lock, that query, the insert and the commit."""

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import VoteRefused
from ..models import Vote, VoteEntry, Voter, VotingWindow
from ..phases import HELD_MESSAGE, window_phase
from . import counters

NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Ballot:
    vote: Vote
    created: bool  # False: a replay of an earlier request, nothing written
    used_today: int
    allowed_per_day: int

    @property
    def left_today(self) -> int:
        return max(0, self.allowed_per_day - self.used_today)


def subnet_of(address: str) -> str:
    """The network an address belongs to for counting: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _used_today(*, window: VotingWindow, voter_id: int, day) -> int:
    return Vote.objects.filter(window=window, voter_id=voter_id, day=day).count()


def _replay(*, window: VotingWindow, nonce: str, voter_id: int | None, code: str) -> Ballot | None:
    earlier = Vote.objects.filter(nonce=nonce).select_related("vote_entry").first()
    if earlier is None:
        return None
    if earlier.window_id != window.pk or earlier.voter_id != voter_id or earlier.vote_entry.code != code:
        raise VoteRefused(_("请求无效，请刷新页面后重试。"))
    used = _used_today(window=window, voter_id=voter_id, day=earlier.day)
    return Ballot(earlier, False, used, window.max_votes_per_day)


def _refused(message: str, *, window: VotingWindow, nonce: str, voter_id: int | None, code: str) -> Ballot:
    """The answer of the first request with this nonce if there was one, else ``message``."""
    replay = _replay(window=window, nonce=nonce, voter_id=voter_id, code=code)
    if replay is not None:
        return replay
    raise VoteRefused(message)


def vote_cast(
    *,
    window: VotingWindow,
    code: str,
    voter_id: int | None,
    nonce: str,
    address: str = "",
    device_id: str = "",
    now=None,
    vote_entry: VoteEntry | None = None,
    take: Callable[[Voter], None] | None = None,
) -> Ballot:
    """Cast the verified voter's vote for the entry with public ``code``; raises
    ``VoteRefused`` with the reason in Chinese. ``vote_entry``: the entry in the vote with
    that code if the caller has already loaded it (looked up otherwise); ``take(voter)``: see
    the module's docstring (it may raise ``VoteRefused``)."""
    now = now or timezone.now()
    if not NONCE.match(nonce or ""):
        raise VoteRefused(_("请求无效，请刷新页面后重试。"))
    asked = {"window": window, "nonce": nonce, "voter_id": voter_id, "code": code}
    phase = window_phase(window, now=now)
    if not phase.takes_votes:
        if phase.held:
            raise VoteRefused(str(HELD_MESSAGE))
        if phase.public:
            closed = timezone.localtime(window.closes_at)
            return _refused(
                _("投票已于 %(time)s 截止，不再接受投票。感谢您的关注！")
                % {"time": f"{closed:%Y-%m-%d %H:%M}"},
                **asked,
            )
        return _refused(_("投票尚未开始。"), **asked)
    if vote_entry is None or (vote_entry.window_id, vote_entry.code, vote_entry.included) != (
        window.pk,
        code,
        True,
    ):
        vote_entry = VoteEntry.objects.filter(window=window, code=code, included=True).first()
    if vote_entry is None:
        return _refused(_("该项目不在本次投票中。"), **asked)
    if voter_id is None:
        return _refused(_("请先验证手机号码再投票。"), **asked)
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            voter = (
                Voter.objects.select_for_update().filter(pk=voter_id, contest_id=window.contest_id).first()
            )
            if voter is None:
                return _refused(_("请先验证手机号码再投票。"), **asked)
            # The voter's votes today and the row of this nonce, if any (a replay, or a copy of
            # this request that was waiting for the voter's lock), in one query.
            rows = Vote.objects.filter(Q(nonce=nonce) | Q(window=window, voter=voter, day=day))
            today = []
            for row_nonce, row_entry_id in rows.values_list("nonce", "vote_entry_id"):
                if row_nonce == nonce:
                    return _refused(_("请求无效，请刷新页面后重试。"), **asked)
                today.append(row_entry_id)
            if vote_entry.pk in today:
                raise VoteRefused(_("您今天已经为这个项目投过票了，明天可以再来。"))
            used = len(today)
            if used >= window.max_votes_per_day:
                raise VoteRefused(
                    _("您今天的 %(n)s 票已经投完，明天可以再来。") % {"n": window.max_votes_per_day}
                )
            if take is not None:
                take(voter)
            vote = Vote.objects.create(
                window=window,
                vote_entry=vote_entry,
                voter=voter,
                day=day,
                nonce=nonce,
                address=address or None,
                subnet=subnet_of(address) if address else "",
                device_id=device_id[:64],
                created_at=now,
            )
            transaction.on_commit(lambda: counters.bump(window_id=window.pk, vote_entry_id=vote_entry.pk))
    except IntegrityError:
        # The same nonce written by a concurrent request (not waiting for this voter's lock):
        # this transaction is rolled back whole, the first request's row answers.
        return _refused(_("您今天已经为这个项目投过票了，明天可以再来。"), **asked)
    return Ballot(vote, True, used + 1, window.max_votes_per_day)
