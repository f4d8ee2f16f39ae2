"""Moving dates and times by whole years, for a contest copied into a new year. Pure: no
Django models."""

import datetime as dt

from django.utils import timezone


def shift_date(value: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def shift_years(value, years: int):
    """A date, or an aware time at the same wall-clock time in Beijing (server time), moved by
    whole years; None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            return shift_date(value, years)
        local = timezone.localtime(value)  # zoneinfo: the wall-clock time keeps its offset rules
        return shift_date(local, years)
    return shift_date(value, years)
