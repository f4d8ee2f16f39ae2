"""Defences in the request path of a vote, around the services (which keep the rules of a
vote): rate limits per address, per network (/24, /48) and per device cookie on code requests
and on votes, a daily cap of votes per number block (the first 7 digits, as a keyed hash), and
an image challenge (django-simple-captcha) once a client has shown unusual activity.

Counters live in the cache (Redis in production, shared by every app server): one key per
client and fixed time slot, raised atomically (made at 0 with the slot's expiry, then ``incr``;
a request's keys in one round trip, ``common.cache.hits``) and expiring with the slot.
Counting comes first, so a script hammering the site is refused cheaply, before any database
work and before an image is made for it. The daily cap per number block is taken last, under
the voter's lock once the vote's own rules have passed, and given back if no row is written.
The cache fails open (common/cache.py): with Redis down nothing is limited, and the votes
stay bounded by the services' own rules.

Unusual activity = a counter past half its limit: the address, network and device are then
"suspect" for an hour, and a code request from any of them needs a solved image. Votes need
no image (they need a verified number); their hard limits hold.

Mobile networks in China put many people behind one address (carrier-grade NAT): the limits
per address and per network are generous, the device cookie and the number are the finer
keys, and everything is tunable in ``settings.VOTING_RATE_LIMITS``.
"""

import contextlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from common.cache import hits

from .ballots.services import Ballot, subnet_of, vote_cast
from .errors import VerificationError, VoteRefused
from .models import VerificationCode, Voter, VotingWindow
from .voters.services import code_request

# (most requests, per seconds) for each kind of request and client key.
DEFAULT_LIMITS = {
    "code": {"address": (20, 3600), "subnet": (200, 3600), "device": (6, 3600)},
    "vote": {"address": (60, 60), "subnet": (300, 60), "device": (30, 60)},
}
# Accepted votes a day from the numbers of one 7-digit block, per window.
DEFAULT_PREFIX_DAILY_VOTES = 500
SUSPECT_SECONDS = 3600


class RateLimited(VerificationError, VoteRefused):
    """Too many requests from this client: refused before anything else is looked at."""


class ChallengeRequired(VerificationError):
    """A code request from a suspect client without a solved image."""


@dataclass(frozen=True)
class Client:
    """Who sends the request, as far as the site can tell."""

    address: str = ""
    device_id: str = ""

    @property
    def subnet(self) -> str:
        return subnet_of(self.address) if self.address else ""

    def keys(self) -> dict[str, str]:
        pairs = (("address", self.address), ("subnet", self.subnet), ("device", self.device_id))
        return {name: value for name, value in pairs if value}


def _limits(kind: str) -> dict[str, tuple[int, int]]:
    configured = getattr(settings, "VOTING_RATE_LIMITS", None) or {}
    return {**DEFAULT_LIMITS[kind], **configured.get(kind, {})}


def _suspect_key(name: str, value: str) -> str:
    return f"voting:suspect:{name}:{value}"


def _slot_key(key: str, *, period: int, now) -> str:
    return f"voting:rl:{key}:{int(now.timestamp()) // period}"


def _count(kind: str, client: Client, now) -> None:
    limits = _limits(kind)
    refused = 0
    slots = {
        name: (_slot_key(f"{kind}:{name}:{value}", period=limits[name][1], now=now), value)
        for name, value in client.keys().items()
    }
    found = hits({key: limits[name][1] + 5 for name, (key, _) in slots.items()})
    for name, (key, value) in slots.items():
        most, period = limits[name]
        n = found[key]
        if n > most // 2:
            cache.set(_suspect_key(name, value), 1, SUSPECT_SECONDS)
        if n > most:
            refused = max(refused, period - int(now.timestamp()) % period)
    if refused:
        raise RateLimited(_("操作过于频繁，请 %(n)s 秒后再试。") % {"n": refused})


def challenge_needed(*, client: Client) -> bool:
    keys = [_suspect_key(name, value) for name, value in client.keys().items()]
    return bool(keys) and bool(cache.get_many(keys))


def challenge_new() -> str:
    """A new image challenge; its key (the image is at ``captcha-image``)."""
    from captcha.models import CaptchaStore

    return CaptchaStore.generate_key()


def challenge_discard(*, key: str) -> None:
    """Forget an image the voter asked to replace (it could not be read)."""
    from captcha.models import CaptchaStore

    if key:
        CaptchaStore.objects.filter(hashkey=key[:40]).delete()


def challenge_solve(*, key: str, answer: str, now=None) -> bool:
    """Whether ``answer`` is the text of the image ``key``; an image is good for one try."""
    from captcha.models import CaptchaStore

    key, answer = (key or "")[:40], "".join((answer or "").split()).lower()[:20]
    if not key:
        return False
    now = now or timezone.now()
    found = CaptchaStore.objects.filter(hashkey=key, expiration__gt=now).values_list("response", flat=True)
    expected = next(iter(found), None)
    CaptchaStore.objects.filter(hashkey=key).delete()
    return expected is not None and bool(answer) and expected == answer


def guarded_code_request(
    *,
    window: VotingWindow,
    number: str,
    client: Client,
    challenge_key: str = "",
    challenge_answer: str = "",
    now=None,
) -> VerificationCode:
    """``code_request`` behind the limits and, for a suspect client, the image challenge."""
    now = now or timezone.now()
    needed = challenge_needed(client=client)  # as it was before this request
    _count("code", client, now)
    if needed:
        if not challenge_key and not challenge_answer:
            raise ChallengeRequired(_("请先输入图片中的字符，再获取验证码。"))
        if not challenge_solve(key=challenge_key, answer=challenge_answer, now=now):
            raise ChallengeRequired(_("图片中的字符不正确，请看新的图片重新输入。"))
    return code_request(window=window, number=number, now=now)


def _prefix_key(window: VotingWindow, prefix: str, now) -> str:
    return f"voting:prefix:{window.pk}:{timezone.localdate(now).isoformat()}:{prefix[:32]}"


def guarded_vote_cast(
    *,
    window: VotingWindow,
    code: str,
    voter_id: int | None,
    nonce: str,
    client: Client,
    now=None,
    vote_entry=None,
) -> Ballot:
    """``vote_cast`` behind the limits per client and the daily cap per number block."""
    now = now or timezone.now()
    _count("vote", client, now)
    cap = getattr(settings, "VOTING_PREFIX_DAILY_VOTES", DEFAULT_PREFIX_DAILY_VOTES)
    taken: list[str] = []

    def take(voter: Voter) -> None:
        # Under the voter's lock, every rule passed: a place in the block's day (atomic, so two
        # votes at once cannot both take the last one), given back below if no row is written.
        if not voter.prefix_hash:
            return
        key = _prefix_key(window, voter.prefix_hash, now)
        taken.append(key)
        if hits({key: 26 * 3600})[key] > cap:  # 0: Redis down (fails open)
            raise VoteRefused(_("您的手机号码所在号段今天的投票已达上限，请明天再来。"))

    written = False
    try:
        ballot = vote_cast(
            window=window,
            code=code,
            voter_id=voter_id,
            nonce=nonce,
            address=client.address,
            device_id=client.device_id,
            now=now,
            vote_entry=vote_entry,
            take=take,
        )
        written = ballot.created
        return ballot
    finally:
        if taken and not written:
            with contextlib.suppress(ValueError):
                cache.decr(taken[0])
