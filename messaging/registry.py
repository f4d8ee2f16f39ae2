"""Message kinds: each domain app registers the kinds of the events it owns (in its
``AppConfig.ready``), with the default Chinese template, the variables a template may use and
the channels it goes out on unless organizers choose others."""

from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Channel


@dataclass(frozen=True)
class Kind:
    name: str  # "competition.eligibility"
    label: str  # shown to organizers
    variables: dict[str, str]  # name -> what it holds (shown beside the template)
    subject: str
    body: str
    sms_body: str = ""
    sms_template_code: str = ""  # the template's code at the SMS provider (Alibaba: SMS_123...)
    channels: tuple[str, ...] = (Channel.INBOX, Channel.EMAIL)
    sample: Callable[[], dict | None] | None = field(default=None, compare=False)  # real data for previews


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"message kind {name!r} is not registered") from None


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.name)


_REMINDERS: list[Callable] = []


def register_reminders(check: Callable) -> Callable:
    """A domain check that sends the reminders due at ``now`` (``check(now=...)`` → count);
    ``manage.py send_due_reminders`` runs them all. Usable as a decorator."""
    if check not in _REMINDERS:
        _REMINDERS.append(check)
    return check


def reminder_checks() -> list[Callable]:
    return list(_REMINDERS)
