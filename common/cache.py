"""A Redis cache that fails open: while Redis is unreachable, reads miss and writes are
dropped, so the site keeps serving from the database (slower) instead of failing every
request. After an error Redis is left alone for a few seconds, so that a dead server costs
one failed connection per interval, not one per cache call."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # shared by every instance in this process

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
