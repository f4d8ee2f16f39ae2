"""The vote is held while judges score (voting.phases): the gallery shows teams, counties and
texts that the judges' blind copies hide, so nothing of a vote is shown or taken while a round
of its contest is being scored, whatever the window's times say; it comes back by itself when
scoring closes."""

from datetime import timedelta

import pytest
from django.test import Client

from judging.phases import CLOSED, SCORING
from tests.judging.factories import RoundFactory, set_status, sync
from voting.ballots.services import vote_cast
from voting.errors import VerificationError, VoteRefused
from voting.models import Vote, VoteEntry, VotingWindow
from voting.phases import CLOSED as WINDOW_CLOSED
from voting.phases import OPEN, window_phase
from voting.voters.services import code_request
from voting.windows.selectors import gallery_window

from .factories import make_window, nonce, number, verified_voter

pytestmark = pytest.mark.django_db

HELD = "评审专家正在评分，投票暂停，评分结束后自动恢复。"


def fresh(window) -> VotingWindow:
    return VotingWindow.objects.get(pk=window.pk)


@pytest.fixture
def window_and_round():
    window = make_window(entries=2)
    round = RoundFactory(contest=window.contest)
    sync(round)
    return window, round


def test_an_open_window_is_held_while_a_round_of_its_contest_is_scored(window_and_round):
    window, round = window_and_round
    assert window_phase(fresh(window)) is OPEN
    set_status(round, SCORING)
    held = window_phase(fresh(window))
    assert held.held and not held.public and not held.takes_votes and not held.can_edit_entries
    # The annotated gallery window says the same, without another query.
    assert window_phase(gallery_window(slug=window.contest.slug)).held
    set_status(round, CLOSED)
    assert window_phase(fresh(window)) is OPEN


def test_a_closed_window_stays_closed_and_its_gallery_hidden_while_a_later_round_is_scored(
    window_and_round, time_machine
):
    window, round = window_and_round
    time_machine.move_to(window.closes_at + timedelta(hours=1), tick=False)
    set_status(round, SCORING)
    held = window_phase(fresh(window))
    assert held.held and not held.public and held.can_freeze
    set_status(round, CLOSED)
    assert window_phase(fresh(window)) is WINDOW_CLOSED


def test_no_vote_and_no_code_while_judges_score(window_and_round, capsys):
    window, round = window_and_round
    voter = verified_voter(window, capsys)
    code = VoteEntry.objects.filter(window=window).values_list("code", flat=True).first()
    set_status(round, SCORING)
    with pytest.raises(VoteRefused, match=HELD):
        vote_cast(window=fresh(window), code=code, voter_id=voter.pk, nonce=nonce())
    with pytest.raises(VerificationError, match=HELD):
        code_request(window=fresh(window), number=number(7))
    assert not Vote.objects.exists()
    set_status(round, CLOSED)
    assert vote_cast(window=fresh(window), code=code, voter_id=voter.pk, nonce=nonce()).created


def test_the_gallery_says_why_and_no_entry_page_is_reachable_while_held(window_and_round):
    window, round = window_and_round
    item = VoteEntry.objects.filter(window=window).first()
    slug = window.contest.slug
    client = Client()
    assert item.entry.title in client.get(f"/vote/{slug}/").content.decode()
    assert client.get(f"/vote/{slug}/e/{item.code}/").status_code == 200
    set_status(round, SCORING)
    page = client.get(f"/vote/{slug}/")
    assert page.status_code == 200 and HELD in page.content.decode()
    assert item.entry.title not in page.content.decode()
    assert client.get(f"/vote/{slug}/e/{item.code}/").status_code == 404
    assert client.get(f"/vote/{slug}/verify/").status_code == 200
    set_status(round, CLOSED)
    assert client.get(f"/vote/{slug}/e/{item.code}/").status_code == 200


def test_the_organizer_may_still_move_the_close_of_a_held_window(window_and_round):
    from voting.windows.services import window_save

    window, round = window_and_round
    set_status(round, SCORING)
    window = fresh(window)
    window.closes_at += timedelta(days=2)
    window_save(window=window)
    assert fresh(window).closes_at == window.closes_at
