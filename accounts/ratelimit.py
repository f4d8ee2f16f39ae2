"""Rate limits in fixed windows, counted in the database (``RateCounter``) so that several app
servers agree. Used for uploads per account, sign-up and reset e-mails per address and per
e-mail address, and log-in failures per address.

A window starts at a multiple of its length (an hourly limit resets on the hour); a refused
request is told when the window ends.
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import RateCounter


def _window(now: datetime, seconds: int) -> tuple[datetime, datetime]:
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)
    return start, start + timedelta(seconds=seconds)


def consume(*, key: str, limit: int, window: int, amount: int = 1, now=None) -> datetime | None:
    """Count ``amount`` against ``key``'s ``limit`` per ``window`` seconds. Returns None when it
    fits (and counts it), else the end of the window (and counts nothing)."""
    now = now or timezone.now()
    start, end = _window(now, window)
    key = key[:200]
    with transaction.atomic():
        row, created = RateCounter.objects.select_for_update().get_or_create(
            key=key, defaults={"window_start": start, "count": 0}
        )
        if row.window_start != start:
            row.window_start, row.count = start, 0
            # A new window: forget every key whose window ended a day ago.
            RateCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
        if row.count + amount > limit:
            if created or row.count == 0:
                row.save()
            return end
        row.count += amount
        row.save()
    return None


def exhausted_until(*, key: str, limit: int, window: int, now=None) -> datetime | None:
    """The end of the window if ``key`` has used ``limit`` already, else None (counts nothing)."""
    now = now or timezone.now()
    start, end = _window(now, window)
    count = (
        RateCounter.objects.filter(key=key[:200], window_start=start).values_list("count", flat=True).first()
    )
    return end if count is not None and count >= limit else None
