"""Live vote counts in the cache (Redis when ``REDIS_URL`` is set, else this process's memory):
one counter per entry in the vote, raised by one after each accepted vote commits and set
from the database by ``voting.tallies.services.counts_reconcile`` (the task that makes
database rows = counters). A counter that is missing is not guessed: it is filled from the
database by the next reconcile or read. A vote whose raise is lost (Redis down) is counted
again at the next reconcile."""

import contextlib

from django.core.cache import cache

from common.cache import incr_existing


def counter_key(window_id: int, vote_entry_id: int) -> str:
    return f"voting:count:{window_id}:{vote_entry_id}"


def bump(*, window_id: int, vote_entry_id: int) -> None:
    # No counter yet: left alone, the reconcile (or the next read) sets it from the database.
    incr_existing(counter_key(window_id, vote_entry_id))


def read(*, window_id: int, vote_entry_ids) -> dict[int, int | None]:
    """The counters of these entries (None where there is none)."""
    ids = list(vote_entry_ids)
    found = cache.get_many([counter_key(window_id, pk) for pk in ids])
    return {pk: found.get(counter_key(window_id, pk)) for pk in ids}


def store(*, window_id: int, counts: dict[int, int]) -> None:
    cache.set_many({counter_key(window_id, pk): n for pk, n in counts.items()}, timeout=None)


def views_key(window_id: int, vote_entry_id: int) -> str:
    return f"voting:views:{window_id}:{vote_entry_id}"


def view_bump(*, window_id: int, vote_entry_id: int) -> None:
    """One more view of an entry's public page (added to ``VoteEntry.page_views`` by the
    task ``reconcile_views``)."""
    key = views_key(window_id, vote_entry_id)
    cache.add(key, 0, timeout=None)
    with contextlib.suppress(ValueError):
        cache.incr(key)


def views_take(*, window_id: int, vote_entry_ids) -> dict[int, int]:
    """The views counted since the last take, taken out of the counters (decremented by what
    was read, so views counted meanwhile stay for the next take)."""
    ids = list(vote_entry_ids)
    found = cache.get_many([views_key(window_id, pk) for pk in ids])
    taken = {}
    for pk in ids:
        n = found.get(views_key(window_id, pk)) or 0
        if n > 0:
            with contextlib.suppress(ValueError):
                cache.decr(views_key(window_id, pk), n)
                taken[pk] = n
    return taken
