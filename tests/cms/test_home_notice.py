"""The home page leads readers to the public notice (公示) while its window is open: on a fresh
site nothing else links to it until an editor makes a contest page."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from awards.notice.selectors import current_notice
from awards.outcomes.services import shortlist_finalize
from cms import cache as public_cache
from tests import factories as core_factories
from tests.awards.factories import START
from tests.cms.test_query_counts import render_queries
from tests.judging.scored import shortlist_in_notice

pytestmark = pytest.mark.django_db


def banner(client):
    public_cache.purge()  # the clock moved, nothing was saved: read afresh
    response = client.get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser").select_one(".notice-banner")


@pytest.fixture
def on_notice(time_machine):
    time_machine.move_to(START, tick=False)
    return shortlist_in_notice(entries=2, now=START, days=5)


def test_banner_links_to_the_notice_list_while_the_window_is_open(client, on_notice, time_machine):
    time_machine.move_to(START + timedelta(days=2), tick=False)

    found = banner(client)

    assert found is not None
    assert "入围名单公示中" in found.get_text()
    assert on_notice.contest.title in found.get_text()
    assert found.select_one("a")["href"] == f"/notice/{on_notice.contest.slug}/"


def test_no_banner_without_a_notice(client, time_machine):
    time_machine.move_to(START, tick=False)
    core_factories.ContestFactory()

    assert banner(client) is None


def test_no_banner_once_the_window_has_closed_or_the_list_is_final(client, on_notice, time_machine):
    time_machine.move_to(START + timedelta(days=5), tick=False)  # the window is [start, end)
    assert banner(client) is None

    shortlist_finalize(shortlist=on_notice, by=None)
    assert banner(client) is None


def test_no_banner_before_the_window_opens(client, on_notice):
    assert current_notice(now=START - timedelta(seconds=1)) is None
    assert current_notice(now=START) == on_notice


def test_the_banner_costs_no_extra_query(client, time_machine):
    time_machine.move_to(START, tick=False)
    core_factories.ContestFactory()
    without = render_queries(client, "/")

    shortlist_in_notice(entries=2, now=START)
    with_banner = render_queries(client, "/")

    assert with_banner == without
