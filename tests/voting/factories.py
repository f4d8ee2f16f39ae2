"""Voting test data through the services: a window over a contest's eligible entries (or a
round's), voters verified by a real code sent through the console SMS backend."""

import re
import secrets
from datetime import timedelta

from django.utils import timezone

from competition.models import Entry
from tests import factories
from tests.judging.factories import eligible_entry
from voting.models import VotingWindow
from voting.voters.services import code_request, code_verify
from voting.windows.services import window_save

CODE = re.compile(r"验证码是 (\d{6})")


def make_window(contest=None, *, entries: int = 3, opens_in=timedelta(days=-1), days: int = 7, **kwargs):
    """A window open now (by default) over ``entries`` fresh eligible entries of ``contest``."""
    contest = contest or factories.ContestFactory()
    for _ in range(entries):
        eligible_entry(contest)
    opens = timezone.now() + opens_in
    window = VotingWindow(
        contest=contest,
        title=kwargs.pop("title", "网络投票"),
        opens_at=kwargs.pop("opens_at", opens),
        closes_at=kwargs.pop("closes_at", opens + timedelta(days=days)),
        **kwargs,
    )
    # Saved before it opens, so that its entries are chosen as an organizer would.
    return window_save(window=window, now=min(window.opens_at, timezone.now()) - timedelta(seconds=1))


def number(n: int = 0) -> str:
    return f"1380000{n:04d}"


def last_code(capsys) -> str:
    """The code of the last SMS the console backend printed."""
    return CODE.findall(capsys.readouterr().out)[-1]


def verified_voter(window, capsys, n: int = 0):
    code_request(window=window, number=number(n))
    return code_verify(window=window, number=number(n), code=last_code(capsys))


def nonce() -> str:
    return secrets.token_urlsafe(24)


def consenting(entry: Entry, **fields) -> Entry:
    Entry.objects.filter(pk=entry.pk).update(**fields)
    entry.refresh_from_db()
    return entry
