"""Live vote counts in the cache (Redis when ``REDIS_URL`` is set, else this process's memory):
one counter per entry in the vote, raised by one after each accepted vote commits and set
from the database by ``voting.tallies.services.counts_reconcile`` (the task that makes
database rows = counters). A counter that is missing is not guessed: it is filled from the
database by the next reconcile or read. A vote whose raise is lost (Redis down) is counted
again at the next reconcile."""

import contextlib

from django.core.cache import cache


def counter_key(window_id: int, vote_entry_id: int) -> str:
    return f"voting:count:{window_id}:{vote_entry_id}"


def bump(*, window_id: int, vote_entry_id: int) -> None:
    # No counter yet (ValueError): the reconcile (or the next read) sets it from the database.
    with contextlib.suppress(ValueError):
        cache.incr(counter_key(window_id, vote_entry_id))


def read(*, window_id: int, vote_entry_ids) -> dict[int, int | None]:
    """The counters of these entries (None where there is none)."""
    ids = list(vote_entry_ids)
    found = cache.get_many([counter_key(window_id, pk) for pk in ids])
    return {pk: found.get(counter_key(window_id, pk)) for pk in ids}


def store(*, window_id: int, counts: dict[int, int]) -> None:
    cache.set_many({counter_key(window_id, pk): n for pk, n in counts.items()}, timeout=None)
