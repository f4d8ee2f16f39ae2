"""A Redis cache that fails open: while Redis is unreachable, reads miss and writes are
dropped, so the site keeps serving from the database (slower) instead of failing every
request. After an error Redis is left alone for a few seconds, so that a dead server costs
one failed connection per interval, not one per cache call.

``hits`` and ``incr_existing`` count in one round trip to Redis (a pipeline, a script) where
Django's ``add`` then ``incr`` take three; on any other cache they do just that."""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class KeptClients(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` (and its table of ~170 reply callbacks)
    for every cache call, ~0.3 ms of CPU each; one per connection pool, kept, sends the same
    commands over the same connections for nothing."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        kept = self.__dict__.setdefault("_kept_clients", {})
        client = kept.get(id(pool))
        if client is None:
            client = kept[id(pool)] = self._client(connection_pool=pool)
        return client


# INCRBY only if the key exists (a missing counter is left to the reconcile, never made up).
INCR_EXISTING = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # shared by every instance in this process

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClients

    def _call(self, name, default, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            ResilientRedisCache._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "Redis unavailable (%s: %s); serving without the cache", type(error).__name__, error
            )
            return default

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def set(self, key, value, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._call("set", None, key, value, version=version, **kwargs)

    def set_many(self, data, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._call("set_many", list(data), data, version=version, **kwargs)

    def add(self, key, value, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._call("add", False, key, value, version=version, **kwargs)

    def incr(self, key, delta=1, version=None):
        # ValueError (no such key) passes through: callers handle it as with any cache.
        return self._call("incr", None, key, delta, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def touch(self, key, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._call("touch", False, key, version=version, **kwargs)

    def clear(self):
        return self._call("clear", None)

    def _redis(self, name, default, run):
        """``run(client)`` against Redis, failing open as every call here does."""
        if time.monotonic() < ResilientRedisCache._down_until:
            return default
        try:
            return run(self._cache.get_client(None, write=True))
        except RedisError as error:
            ResilientRedisCache._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "Redis unavailable (%s: %s); serving without the cache", type(error).__name__, error
            )
            return default

    def hits(self, timeouts: dict[str, int]) -> dict[str, int]:
        keys = {key: self.make_and_validate_key(key) for key in timeouts}

        def run(client):
            pipe = client.pipeline(transaction=False)
            for key, full in keys.items():
                pipe.set(full, 0, ex=int(timeouts[key]), nx=True)
                pipe.incr(full)
            replies = pipe.execute()
            return {key: int(replies[2 * n + 1]) for n, key in enumerate(keys)}

        return self._redis("hits", dict.fromkeys(timeouts, 0), run)

    def incr_existing(self, key: str, delta: int = 1) -> int | None:
        full = self.make_and_validate_key(key)
        found = self._redis("incr_existing", None, lambda client: client.eval(INCR_EXISTING, 1, full, delta))
        return None if found is None else int(found)


def hits(timeouts: dict[str, int], cache=None) -> dict[str, int]:
    """Raise each counter of ``timeouts`` (key → seconds it lives) by one, made at 0 with its
    timeout when missing; their new values (0 each while Redis is down: nothing counted)."""
    cache = cache or caches["default"]
    if isinstance(cache, ResilientRedisCache):
        return cache.hits(timeouts)
    found = {}
    for key, timeout in timeouts.items():
        cache.add(key, 0, timeout=timeout)
        try:
            found[key] = cache.incr(key) or 0
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, timeout=timeout)
            found[key] = 1
    return found


def incr_existing(key: str, delta: int = 1, cache=None) -> int | None:
    """Raise the counter ``key`` by ``delta`` if it exists; its new value, else None."""
    cache = cache or caches["default"]
    if isinstance(cache, ResilientRedisCache):
        return cache.incr_existing(key, delta)
    try:
        return cache.incr(key, delta)
    except ValueError:
        return None
