import contextlib
import copy
import datetime as dt
import gc
import itertools

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import translation

from tests import factories

# The instant every test not marked ``slow`` runs at: 2026-12-31 16:30 UTC is already
# 2027-01-01 00:30 in Beijing, so the UTC and the Shanghai date differ (as do the years), and a test
# or code that takes one for the other fails on every run, not only between 16:00 and 24:00 UTC.
# It is given in UTC, so time-machine also sets the process's time zone (TZ) to UTC while the test
# runs: code that used the machine's local time where it means Beijing time fails too.
PINNED_INSTANT = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)


def pytest_configure(config):
    """Less garbage collection (about 5 % of the run): what is loaded by now (Django, Wagtail,
    the code) is never garbage, so the collector stops walking it (freeze), and the suite's
    millions of short-lived objects are collected less often (threshold, default 2000)."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


# A test using one of these is ``slow`` wherever it lives (the browser journeys, tests/e2e): a live
# server thread and a real browser. Tests that start other processes are marked where they are.
SLOW_FIXTURES = {"live_server", "browser"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # Within each run of a module's tests, those using data kept for the module (a fixture named
    # ``*_for_the_module``, see kept_for_the_module) go after the others, which so never see it.
    # Nothing moves across runs: pytest-django has put the transactional tests last (they flush
    # the database), and that order must stay.
    runs = [list(run) for _path, run in itertools.groupby(items, key=lambda item: item.path)]
    items[:] = [item for run in runs for item in sorted(run, key=uses_kept_data)]


def uses_kept_data(item) -> bool:
    return any(name.endswith("_for_the_module") for name in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    """Every test not marked ``slow`` starts at PINNED_INSTANT, the clock then running on
    (``tick=True``: timeouts and "a second later" still work). A test that needs another instant
    moves there with the ``time_machine`` fixture (``time_machine.move_to(...)``), which is this
    same traveller. Slow tests keep the real clock: they talk to other processes (servers,
    workers, a browser) that do not travel with this one."""
    if request.node.get_closest_marker("slow") or request.node.get_closest_marker("time_machine"):
        yield
        return
    traveller = request.getfixturevalue("time_machine")
    traveller.move_to(PINNED_INSTANT, tick=True)
    yield


@pytest.fixture(scope="module")
def pinned_clock_for_module():
    """For a module-scoped fixture that makes data once for the module's tests (request it first):
    ten minutes before PINNED_INSTANT (still 2027-01-01 in Beijing, 2026-12-31 in UTC), so that
    the data is in the tests' recent past and does not depend on the day the suite runs."""
    with time_machine.travel(PINNED_INSTANT - dt.timedelta(minutes=10), tick=True):
        yield


@contextlib.contextmanager
def kept_for_the_module(django_db_blocker):
    """For a module-scoped fixture (named ``*_for_the_module``) that makes the same data for
    many of a module's tests: made once, in a transaction rolled back after the module's last
    test, each test running in a savepoint of it (what Django's setUpTestData does). The tests
    that use it run after the module's other tests (pytest_collection_modifyitems), and each
    gets ``for_one_test`` (a deep copy) of the objects, so that what one test changes on them in
    memory does not reach the next."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def for_one_test(data):
    return copy.deepcopy(data)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a public page cached by one test must not be
    served to the next, whose data differs."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_media(settings, tmp_path):
    """Every test writes its files to its own folder, so file assertions see only its own."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """A request through the test client leaves its language active in this thread (English
    after a request with the language cookie); every test starts from the default language."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def contest(db):
    return factories.ContestFactory()


@pytest.fixture
def team(db):
    return factories.TeamFactory()


@pytest.fixture
def team_client(team) -> Client:
    client = Client()
    client.force_login(team.user)
    return client


@pytest.fixture
def other_team(db):
    return factories.TeamFactory()


@pytest.fixture
def organizer(db):
    return factories.organizer()


@pytest.fixture
def organizer_client(organizer) -> Client:
    client = Client()
    client.force_login(organizer)
    return client
