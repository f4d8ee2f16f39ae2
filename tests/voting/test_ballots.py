"""Votes: one row per accepted vote, once per nonce; one per entry per number per day; at most
M per number per day; refused after the window, for entries not in the vote, forged codes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from voting.ballots import counters
from voting.ballots.services import subnet_of, vote_cast
from voting.errors import VoteRefused
from voting.models import Vote, VoteEntry

from .factories import make_window, nonce, verified_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def window():
    return make_window(entries=4, max_votes_per_day=3)


def codes(window) -> list[str]:
    return list(VoteEntry.objects.filter(window=window).order_by("pk").values_list("code", flat=True))


def cast(window, voter, code, **kwargs):
    kwargs.setdefault("nonce", nonce())
    return vote_cast(window=window, code=code, voter_id=voter.pk if voter else None, **kwargs)


def test_a_vote_is_one_row_with_the_beijing_date_and_its_network(window, capsys):
    voter = verified_voter(window, capsys)
    ballot = cast(window, voter, codes(window)[0], address="203.0.113.7", device_id="d1")

    vote = Vote.objects.get()
    assert ballot.created and ballot.vote == vote and ballot.left_today == 2
    # The pinned instant is 2026-12-31 16:30 UTC: already 1 January in Beijing.
    assert vote.day.isoformat() == "2027-01-01"
    assert (vote.address, vote.subnet, vote.device_id) == ("203.0.113.7", "203.0.113.0/24", "d1")
    assert subnet_of("2001:db8:1:2::5") == "2001:db8:1::/48"


def test_a_replayed_request_returns_the_same_vote_and_writes_nothing(window, capsys):
    voter = verified_voter(window, capsys)
    same = nonce()
    first = cast(window, voter, codes(window)[0], nonce=same)
    again = cast(window, voter, codes(window)[0], nonce=same)

    assert (again.vote.pk, again.created, again.left_today) == (first.vote.pk, False, first.left_today)
    assert Vote.objects.count() == 1
    # The same nonce for another entry or from another voter is no replay: refused.
    with pytest.raises(VoteRefused, match="请求无效"):
        cast(window, voter, codes(window)[1], nonce=same)
    other = verified_voter(window, capsys, n=9)
    with pytest.raises(VoteRefused, match="请求无效"):
        cast(window, other, codes(window)[0], nonce=same)
    assert Vote.objects.count() == 1


def test_a_replay_after_the_window_closed_still_gets_its_answer(window, capsys, time_machine):
    voter = verified_voter(window, capsys)
    same = nonce()
    first = cast(window, voter, codes(window)[0], nonce=same)
    time_machine.move_to(window.closes_at + timedelta(seconds=1))
    assert cast(window, voter, codes(window)[0], nonce=same).vote.pk == first.vote.pk


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "has space in it 123", "../../etc/passwd____"])
def test_a_missing_or_malformed_nonce_is_refused(window, capsys, bad):
    voter = verified_voter(window, capsys)
    with pytest.raises(VoteRefused, match="请求无效"):
        cast(window, voter, codes(window)[0], nonce=bad)


def test_one_vote_per_entry_per_number_per_day_and_again_the_next_day(window, capsys, time_machine):
    voter = verified_voter(window, capsys)
    cast(window, voter, codes(window)[0])
    with pytest.raises(VoteRefused, match="今天已经为这个项目投过票"):
        cast(window, voter, codes(window)[0])

    time_machine.move_to(timezone.now() + timedelta(days=1))
    assert cast(window, voter, codes(window)[0]).created
    assert sorted(str(d) for d in Vote.objects.values_list("day", flat=True)) == ["2027-01-01", "2027-01-02"]


def test_at_most_m_votes_per_number_per_day(window, capsys):
    voter = verified_voter(window, capsys)
    ballots = [cast(window, voter, code) for code in codes(window)[:3]]
    assert [b.left_today for b in ballots] == [2, 1, 0]
    with pytest.raises(VoteRefused, match="今天的 3 票已经投完"):
        cast(window, voter, codes(window)[3])
    assert Vote.objects.count() == 3
    # Another number has its own votes.
    assert cast(window, verified_voter(window, capsys, n=7), codes(window)[3]).created


def test_votes_before_or_after_the_window_are_refused(window, capsys, time_machine):
    voter = verified_voter(window, capsys)
    time_machine.move_to(window.closes_at)
    with pytest.raises(VoteRefused, match="截止，不再接受投票"):
        cast(window, voter, codes(window)[0])
    time_machine.move_to(window.opens_at - timedelta(seconds=1))
    with pytest.raises(VoteRefused, match="投票尚未开始"):
        cast(window, voter, codes(window)[0])
    assert Vote.objects.count() == 0


def test_entries_not_in_the_vote_and_forged_codes_are_refused(window, capsys):
    voter = verified_voter(window, capsys)
    left_out = VoteEntry.objects.filter(window=window).first()
    VoteEntry.objects.filter(pk=left_out.pk).update(included=False)
    other = make_window(entries=1)
    for code in [left_out.code, codes(other)[0], "forged12345", "' OR 1=1 --", ""]:
        with pytest.raises(VoteRefused, match="不在本次投票中"):
            cast(window, voter, code)
    assert Vote.objects.count() == 0


def test_an_unverified_voter_or_one_of_another_contest_is_refused(window, capsys):
    with pytest.raises(VoteRefused, match="请先验证手机号码"):
        cast(window, None, codes(window)[0])
    other = make_window(entries=1)
    stranger = verified_voter(other, capsys)
    with pytest.raises(VoteRefused, match="请先验证手机号码"):
        cast(window, stranger, codes(window)[0])


def test_each_accepted_vote_raises_its_counter_after_commit(
    window, capsys, django_capture_on_commit_callbacks
):
    voter = verified_voter(window, capsys)
    ids = list(VoteEntry.objects.filter(window=window).order_by("pk").values_list("pk", flat=True))
    counters.store(window_id=window.pk, counts={pk: 0 for pk in ids})
    with django_capture_on_commit_callbacks(execute=True):
        cast(window, voter, codes(window)[0])
        cast(window, voter, codes(window)[1])
        same = nonce()
        cast(window, voter, codes(window)[2], nonce=same)
        cast(window, voter, codes(window)[2], nonce=same)  # a replay raises nothing
    assert counters.read(window_id=window.pk, vote_entry_ids=ids) == {
        ids[0]: 1,
        ids[1]: 1,
        ids[2]: 1,
        ids[3]: 0,
    }


def test_a_vote_takes_a_fixed_number_of_queries(window, capsys):
    voter = verified_voter(window, capsys)
    entry_codes = codes(window)
    cast(window, voter, entry_codes[0])
    with CaptureQueriesContext(connection) as first:
        cast(window, voter, entry_codes[1])
    with CaptureQueriesContext(connection) as second:
        cast(window, voter, entry_codes[2])
    # The entry, then in a savepoint the voter's lock, today's votes with the nonce's row, the insert.
    assert len(first) == len(second) == 6
