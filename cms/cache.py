"""The public site's cache.

Public pages are rendered once and then served from the cache to anonymous readers. Every
cache key carries the site's *generation*, a counter bumped whenever anything public changes
(a page published, unpublished, moved or deleted; the site settings saved; a shortlist
published or finalized). Bumping it purges every public page at once, on every app server
sharing the cache, without having to know which pages showed what.
"""

import time

from django.core.cache import cache

GENERATION_KEY = "cms:generation"
# Even without a change, pages expire: the contest timeline moves with the clock.
PAGE_SECONDS = 5 * 60


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # add() does not overwrite a value another server set meanwhile. The clock, not 1, so
        # that a counter lost from the cache never comes back to an old generation.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return value


def purge() -> None:
    """Make every cached public page stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def key(name: str) -> str:
    """A cache key that dies with the current generation."""
    return f"cms:{generation()}:{name}"
