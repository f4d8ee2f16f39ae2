"""Reminders before deadlines, on a schedule. Domain apps register their checks
(``registry.register_reminders``); each check sends, through ``notify``, what is due at ``now``
with a key per reminder window, so running the checks again sends nothing twice."""

import logging
from datetime import timedelta

from . import registry

logger = logging.getLogger(__name__)

# Reminders go out once in each window before a deadline: 3 days before, then 1 day before.
WINDOWS = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))


def window(*, deadline, now) -> str | None:
    """The reminder window ``now`` is in before ``deadline`` ("3d", "1d"), or None (too early,
    or past the deadline). Each window is [deadline − its span, the next window's start)."""
    if deadline is None or now >= deadline:
        return None
    current = None
    for name, span in WINDOWS:
        if now >= deadline - span:
            current = name
    return current


def send_due_reminders(*, now) -> dict[str, int]:
    """Run every registered check; one failing check does not stop the others."""
    counts = {}
    for check in registry.reminder_checks():
        name = f"{check.__module__}.{check.__name__}"
        try:
            counts[name] = check(now=now)
        except Exception:
            logger.exception("reminder check %s failed", name)
            counts[name] = -1
    return counts
