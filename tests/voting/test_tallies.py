"""Counting: counters reconciled from the database (rows = counters = tally after a run), the
final tallies frozen when the window closes, the xlsx export with voided votes apart, and the
voters purged after the contest with their votes kept, anonymised."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from common.cache import ResilientRedisCache
from voting.ballots import counters
from voting.ballots.services import vote_cast
from voting.errors import VoteRefused, VotingError
from voting.models import VerificationCode, Vote, VoteEntry, Voter, VotingWindow
from voting.tallies.exports import tallies_xlsx
from voting.tallies.selectors import shown_counts, tally_rows
from voting.tallies.services import counts_reconcile, database_counts, window_freeze
from voting.tasks import freeze_closed_windows, reconcile_counts

from .factories import make_window, nonce, verified_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def voted(capsys):
    """A window of 3 entries: 4 voters, votes 3 / 2 / 0 on its entries, one of them voided."""
    window = make_window(entries=3, max_votes_per_day=3)
    items = list(VoteEntry.objects.filter(window=window).order_by("pk"))
    voters = [verified_voter(window, capsys, n=n) for n in range(4)]
    for voter in voters[:3]:
        vote_cast(window=window, code=items[0].code, voter_id=voter.pk, nonce=nonce(), address="198.51.100.9")
    for voter in voters[2:]:
        vote_cast(window=window, code=items[1].code, voter_id=voter.pk, nonce=nonce(), address="198.51.100.9")
    voided = Vote.objects.filter(vote_entry=items[1]).first()
    # Voiding is the defences' work (another issue's service); here the row is marked as it would.
    Vote.objects.filter(pk=voided.pk).update(voided_at=timezone.now(), void_reason="同一网段集中投票")
    return window, items


def test_after_a_reconcile_database_rows_equal_the_counters(voted):
    window, items = voted
    ids = [item.pk for item in items]
    counters.store(window_id=window.pk, counts={pk: 99 for pk in ids})  # drifted (lost or double raises)

    result = reconcile_counts.enqueue(window.pk)

    assert result.return_value == {str(window.pk): 4}
    rows = {item.pk: Vote.objects.filter(vote_entry=item, voided_at__isnull=True).count() for item in items}
    assert rows == {ids[0]: 3, ids[1]: 1, ids[2]: 0}
    assert counters.read(window_id=window.pk, vote_entry_ids=ids) == rows == database_counts(window=window)


def test_freezing_needs_the_window_closed_then_fixes_the_tallies(voted, time_machine):
    window, items = voted
    with pytest.raises(VotingError, match="只有已截止"):
        window_freeze(window=window)
    assert freeze_closed_windows.enqueue().return_value == []

    time_machine.move_to(window.closes_at + timedelta(minutes=1))
    assert freeze_closed_windows.enqueue().return_value == [window.pk]
    window.refresh_from_db()
    assert window.phase.frozen and window.frozen_at is not None
    tallies = dict(VoteEntry.objects.filter(window=window).values_list("pk", "final_votes"))
    assert tallies == {items[0].pk: 3, items[1].pk: 1, items[2].pk: 0}
    assert shown_counts(window=window) == tallies
    assert [row.pk for row in tally_rows(window=window)] == [items[0].pk, items[1].pk, items[2].pk]
    assert counters.read(window_id=window.pk, vote_entry_ids=tallies) == tallies
    # Frozen once: the task does nothing more, and a vote is refused.
    assert freeze_closed_windows.enqueue().return_value == []
    with pytest.raises(VoteRefused, match="截止"):
        vote_cast(window=window, code=items[2].code, voter_id=Voter.objects.first().pk, nonce=nonce())
    call_command("freeze_votes")


def test_the_export_lists_the_counts_and_the_voided_votes_apart(voted, time_machine):
    window, items = voted
    time_machine.move_to(window.closes_at + timedelta(minutes=1))
    window_freeze(window=window)
    window.refresh_from_db()

    book = load_workbook(io.BytesIO(tallies_xlsx(window=window)))

    counts, voided = book.worksheets
    assert "最终票数" in counts["A1"].value
    rows = [[cell.value for cell in row] for row in counts.iter_rows(min_row=3)]
    assert [(row[1], row[6], row[7]) for row in rows] == [
        (items[0].code, 3, 0),
        (items[1].code, 1, 1),
        (items[2].code, 0, 0),
    ]
    voided_rows = [[cell.value for cell in row] for row in voided.iter_rows(min_row=2)]
    assert (
        len(voided_rows) == 1
        and voided_rows[0][0] == items[1].code
        and voided_rows[0][-1] == "同一网段集中投票"
    )


def test_purge_voters_deletes_the_hashes_and_codes_and_keeps_the_votes_anonymised(voted, time_machine):
    window, items = voted
    year = window.contest.year
    with pytest.raises(CommandError, match="未锁定"):
        call_command("purge_voters", "--contest", str(year))

    time_machine.move_to(window.closes_at + timedelta(minutes=1))
    window_freeze(window=window)
    before = dict(VoteEntry.objects.filter(window=window).values_list("pk", "final_votes"))
    call_command("purge_voters", "--contest", str(year))

    assert Voter.objects.count() == VerificationCode.objects.count() == 0
    assert Vote.objects.count() == 5
    assert not Vote.objects.exclude(voter=None, address=None, subnet="", device_id="").exists()
    assert database_counts(window=window) == before
    window.refresh_from_db()
    assert dict(VoteEntry.objects.filter(window=window).values_list("pk", "final_votes")) == before


def test_counts_shown_come_from_the_counters_and_fill_a_missing_one(voted):
    window, items = voted
    shown = shown_counts(window=window)  # no counters yet: set from the database
    assert shown == {items[0].pk: 3, items[1].pk: 1, items[2].pk: 0}
    VotingWindow.objects.filter(pk=window.pk).update(show_counts=False)
    window.refresh_from_db()
    assert shown_counts(window=window) is None
    assert counts_reconcile(window=window) == shown


def redis_caches(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"voting-test-{uuid.uuid4().hex}",  # apart from any other run on this Redis
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_with_redis_the_counters_count_each_vote_and_the_reconcile_agrees(
    settings, capsys, django_capture_on_commit_callbacks
):
    settings.CACHES = redis_caches("redis://127.0.0.1:6379/11")
    ResilientRedisCache._down_until = 0.0
    window = make_window(entries=2, max_votes_per_day=2)
    items = list(VoteEntry.objects.filter(window=window).order_by("pk"))
    ids = [item.pk for item in items]
    counts_reconcile(window=window)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            voter = verified_voter(window, capsys, n=n)
            vote_cast(window=window, code=items[0].code, voter_id=voter.pk, nonce=nonce())
        vote_cast(window=window, code=items[1].code, voter_id=voter.pk, nonce=nonce())
    assert counters.read(window_id=window.pk, vote_entry_ids=ids) == {ids[0]: 3, ids[1]: 1}
    call_command("reconcile_votes", "--window", str(window.pk))
    assert counters.read(window_id=window.pk, vote_entry_ids=ids) == database_counts(window=window)


def test_with_redis_down_votes_are_still_taken_and_counted_from_the_database(
    settings, capsys, django_capture_on_commit_callbacks
):
    settings.CACHES = redis_caches("redis://127.0.0.1:1/0")  # nothing listens there
    ResilientRedisCache._down_until = 0.0
    window = make_window(entries=1)
    item = VoteEntry.objects.get(window=window)
    voter = verified_voter(window, capsys)
    with django_capture_on_commit_callbacks(execute=True):
        assert vote_cast(window=window, code=item.code, voter_id=voter.pk, nonce=nonce()).created
    assert shown_counts(window=window) == {item.pk: 1}
    ResilientRedisCache._down_until = 0.0
