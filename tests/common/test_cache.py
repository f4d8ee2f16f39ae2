"""With Redis down the site keeps serving: the cache fails open (common/cache.py)."""

import time

import pytest
from django.core.cache import cache

from common.cache import ResilientRedisCache
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
