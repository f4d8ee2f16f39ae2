"""The public site's home page leads readers to a vote that is taking votes; not to one held
while judges score (its gallery is closed then), not before it opens or after it closes."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from cms import cache as public_cache
from judging.phases import CLOSED, SCORING
from tests.judging.factories import RoundFactory, set_status, sync
from voting.windows.selectors import vote_taking_votes

from .factories import make_window

pytestmark = pytest.mark.django_db


def banner(client):
    public_cache.purge()  # the clock or a round moved, nothing public was saved: read afresh
    response = client.get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser").select_one(".vote-banner")


def test_the_home_page_leads_to_an_open_vote(client):
    window = make_window(entries=1)
    found = banner(client)
    assert found is not None and "网络投票进行中" in found.get_text()
    assert window.contest.title in found.get_text()
    assert found.select_one("a")["href"] == f"/vote/{window.contest.slug}/"


def test_no_banner_while_held_before_opening_or_after_closing(client, time_machine):
    assert banner(client) is None
    window = make_window(entries=1, opens_in=timedelta(days=1))
    assert banner(client) is None and vote_taking_votes() is None
    time_machine.move_to(window.opens_at + timedelta(minutes=1), tick=False)
    assert banner(client) is not None
    round = RoundFactory(contest=window.contest)
    sync(round)
    set_status(round, SCORING)
    assert banner(client) is None
    set_status(round, CLOSED)
    assert vote_taking_votes() == window
    time_machine.move_to(window.closes_at, tick=False)
    assert banner(client) is None


def test_the_contest_page_leads_to_its_own_open_vote_only(client):
    from cms.models import ContestPage

    window = make_window(entries=1)
    other = make_window(entries=1)
    public_cache.purge()
    page = ContestPage.objects.get(contest=window.contest)
    found = BeautifulSoup(client.get(page.url).content.decode(), "html.parser").select_one(".vote-cta")
    assert found is not None and "网络投票进行中" in found.get_text()
    assert found.select_one("a")["href"] == f"/vote/{window.contest.slug}/"
    assert vote_taking_votes(contest=other.contest) == other
