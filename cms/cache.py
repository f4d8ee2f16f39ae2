"""The public site's cache.

Public pages are rendered once and then served from the cache to anonymous readers
(cms.middleware). Every cached thing carries the site's *generation*, a counter bumped
whenever anything public changes (a page published, unpublished, moved or deleted; the site
settings saved; a shortlist published or finalized: cms.cache_receivers). Fragments carry it
in their key (``key``); whole pages carry it in the stored entry, so that a hit is a single
cache round trip. Bumping it purges every public page at once, on every app server sharing
the cache, without having to know which pages showed what.

Views opt in to the page cache with ``public_cacheable`` (or ``mark_cacheable`` on the
response); the middleware still decides who may be served and what may be stored.
"""

import time
from functools import wraps

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "cms:generation"
# Even without a change, pages expire: the contest timeline moves with the clock.
PAGE_SECONDS = 5 * 60
# How long browsers and CDNs may keep a public page without asking again (our own copy is
# purged on publish; theirs is not, so keep this short).
BROWSER_SECONDS = 60
# The response attribute by which a view opts in to the public page cache (cms.middleware).
CACHEABLE = "public_cacheable"


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


def purge_on_commit() -> None:
    """Purge now and again once the current transaction commits: a page rendered between the
    first purge and the commit read the old rows, and the second purge drops it too."""
    purge()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(purge)


def mark_cacheable(response):
    """Let cms.middleware.PublicPageCacheMiddleware keep this response for anonymous readers
    (it still checks the request and the response: status 200, no cookie set, not private)."""
    setattr(response, CACHEABLE, True)
    return response


def is_cacheable(response) -> bool:
    return getattr(response, CACHEABLE, False) is True


def public_cacheable(view):
    """Decorator for a view whose response is the same for every anonymous reader of a URL
    (in one language): the search page, the sitemap, the feeds."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return mark_cacheable(view(request, *args, **kwargs))

    return wrapped


def key(name: str) -> str:
    """A cache key that dies with the current generation."""
    return f"cms:{generation()}:{name}"


def remembered(name: str, compute):
    """``compute()``, kept until the site's next change (or PAGE_SECONDS): for what many public
    pages read and only a publish can change (navigation, settings, categories, years)."""
    full_key = key(name)
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, PAGE_SECONDS)
    return value
