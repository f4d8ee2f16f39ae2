"""With Redis down the site keeps serving: the cache fails open (common/cache.py)."""

import time
import uuid

import pytest
from django.core.cache import cache

from common.cache import ResilientRedisCache, hits, incr_existing
from tests.cms import factories

DOWN = {
    "default": {
        "BACKEND": "common.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: connection refused
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
UP = {**DOWN, "default": {**DOWN["default"], "LOCATION": "redis://127.0.0.1:6379/7"}}


@pytest.fixture(autouse=True)
def _fresh_breaker():
    ResilientRedisCache._down_until = 0.0
    yield
    ResilientRedisCache._down_until = 0.0


def test_reads_miss_and_writes_are_dropped_while_redis_is_down(settings):
    settings.CACHES = DOWN

    assert cache.set("k", 1) is None
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k"]) == {}
    assert cache.add("k", 1) is False


def test_a_dead_redis_is_left_alone_for_a_while(settings):
    settings.CACHES = DOWN
    cache.get("k")
    started = time.monotonic()

    for _ in range(100):
        cache.get("k")

    assert time.monotonic() - started < 0.1  # no connection attempts


@pytest.mark.django_db
def test_public_pages_are_served_with_redis_down(settings, client):
    settings.CACHES = DOWN
    page = factories.standard(title="关于大赛")

    response = client.get(page.url)

    assert response.status_code == 200
    assert "关于大赛" in response.text


def test_a_running_redis_is_used(settings):
    settings.CACHES = UP
    cache.set("resilience-probe", "yes", 5)

    assert cache.get("resilience-probe") == "yes"
    cache.delete("resilience-probe")


def fresh_redis(db: int = 14) -> dict:
    return {
        "default": {
            **UP["default"],
            "LOCATION": f"redis://127.0.0.1:6379/{db}",
            "KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}",  # apart from any other run on this Redis
        }
    }


@pytest.mark.parametrize("where", ["redis", "memory"])
def test_hits_count_with_an_expiry_and_incr_existing_never_makes_a_counter(settings, where):
    if where == "redis":
        settings.CACHES = fresh_redis()
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert hits({"a": 60, "b": 5}) == {"a": 1, "b": 1}
    assert hits({"a": 60, "b": 5}) == {"a": 2, "b": 2}
    assert cache.get("a") == 2  # a plain integer for the cache's own reads
    assert incr_existing("missing") is None and cache.get("missing") is None
    cache.set("n", 3, None)
    assert incr_existing("n") == 4 and incr_existing("n", 2) == 6
    if where == "redis":
        client = cache._cache.get_client(write=True)
        assert 0 < client.ttl(cache.make_key("b")) <= 5  # made with its timeout
        assert client.ttl(cache.make_key("a")) > 5
        assert cache._cache.get_client() is client  # one client kept, not one a call
        cache.delete_many(["a", "b", "n"])


def test_with_redis_down_hits_count_nothing_and_nothing_fails(settings):
    settings.CACHES = DOWN

    assert hits({"a": 60}) == {"a": 0}
    assert incr_existing("a") is None
