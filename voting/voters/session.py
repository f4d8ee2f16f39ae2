"""Where a verified voter is kept: the session (server-side, its cookie signed) holds the
voter's id per contest until ``VOTING_VERIFIED_HOURS`` after verification; the device cookie
(signed, random, a year) tells one browser from another for the defences."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import Voter, VotingWindow

SESSION_KEY = "voting"
DEVICE_COOKIE = "vote_device"
DEVICE_SALT = "voting.device"
DEVICE_AGE = 365 * 24 * 60 * 60


def remember(request, *, voter: Voter, now=None) -> None:
    now = now or timezone.now()
    until = now + timedelta(hours=settings.VOTING_VERIFIED_HOURS)
    kept = dict(request.session.get(SESSION_KEY) or {})
    kept[str(voter.contest_id)] = {"voter": voter.pk, "until": until.isoformat()}
    request.session[SESSION_KEY] = kept
    request.session.cycle_key()  # a new session id once a number is proven


def voter_id(request, *, window: VotingWindow, now=None) -> int | None:
    """The id of the voter verified in this browser for the window's contest (no query), or None."""
    if not hasattr(request, "session"):
        return None
    kept = (request.session.get(SESSION_KEY) or {}).get(str(window.contest_id))
    if not isinstance(kept, dict):
        return None
    try:
        until = datetime.fromisoformat(kept["until"])
        pk = int(kept["voter"])
    except (KeyError, TypeError, ValueError):
        return None
    if until <= (now or timezone.now()):
        return None
    return pk


def device_id(request) -> str:
    """The browser's device id (signed cookie), or '' when it has none or a forged one."""
    return request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)[:64]


def ensure_device(request, response) -> None:
    """Give the browser a device id when it has none (set on the response)."""
    if not device_id(request):
        value = getattr(request, "_vote_device", "") or secrets.token_hex(16)
        request._vote_device = value
        response.set_signed_cookie(
            DEVICE_COOKIE,
            value,
            salt=DEVICE_SALT,
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
