"""The demo's vote (end of the ``results`` stage): a window open now on the demo contest over the
round's entries, made-up verified voters (only hashes kept), votes over entries and days within
each number's daily limits, the counters set from the database, and one flagged burst."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from competition.demo import DEMO_CONTEST_SLUG
from judging.models import Round
from judging.phases import rounds_where
from voting import demo as voting_demo
from voting.ballots import counters
from voting.models import Vote, VoteEntry, VoteFlag, Voter, VotingWindow
from voting.phases import OPEN, window_phase
from voting.tallies.services import database_counts
from voting.voters import keys
from voting.windows.services import candidate_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # seed_demo is for development (the test runner turns DEBUG off)
    call_command("seed_demo", entries=30, judges=9, stage="results", stdout=io.StringIO())
    return VotingWindow.objects.select_related("contest").get()


def test_the_demo_stops_before_the_vote_while_the_round_is_scoring(settings):
    settings.DEBUG = True

    call_command("seed_demo", entries=6, judges=3, stage="judging", stdout=io.StringIO())

    assert not VotingWindow.objects.exists()


def test_the_demo_vote_is_open_now_on_the_demo_contest_over_the_round_s_entries(seeded):
    window = seeded

    assert window.contest.slug == DEMO_CONTEST_SLUG
    assert window_phase(window) is OPEN
    # The gallery is public: no round of the contest is scoring any more.
    assert not Round.objects.filter(rounds_where(can_score=True), contest=window.contest).exists()
    in_vote = set(VoteEntry.objects.filter(window=window, included=True).values_list("entry_id", flat=True))
    assert in_vote and in_vote == set(candidate_entries(window=window).values_list("pk", flat=True))


def test_the_demo_votes_spread_over_entries_and_days_within_the_rules(seeded):
    window = seeded
    votes = Vote.objects.filter(window=window)

    assert votes.count() >= 200
    assert votes.values("day").distinct().count() >= 2
    assert votes.values("vote_entry").distinct().count() >= 10
    assert all(window.opens_at <= at for at in votes.values_list("created_at", flat=True))
    per_voter_day = votes.values("voter", "day").annotate(n=Count("pk")).values_list("n", flat=True)
    assert max(per_voter_day) <= window.max_votes_per_day
    assert not votes.filter(voter__verified_at__isnull=True).exists()
    assert not votes.filter(voter__verified_at__gt=F("created_at")).exists()


def test_the_demo_voters_are_made_up_numbers_kept_only_as_hashes(seeded):
    voters = Voter.objects.filter(contest=seeded.contest)
    made_up = {
        keys.number_hash(voting_demo._number(block, n))
        for block in [*voting_demo.NUMBER_BLOCKS, voting_demo.BURST_BLOCK]
        for n in range(voting_demo.VOTERS)
    }

    assert voters.count() == voting_demo.VOTERS + voting_demo.BURST_VOTERS
    assert set(voters.values_list("number_hash", flat=True)) <= made_up


def test_the_demo_counters_are_reconciled_with_the_database(seeded):
    window = seeded
    expected = database_counts(window=window)

    assert counters.read(window_id=window.pk, vote_entry_ids=expected) == expected
    assert sum(expected.values()) == Vote.objects.filter(window=window).count()


def test_the_demo_burst_is_flagged_and_nothing_else(seeded):
    flags = VoteFlag.objects.filter(vote__window=seeded)
    burst_votes = flags.filter(reason=VoteFlag.Reason.BURST)

    assert Counter(flags.values_list("reason", flat=True)) == {
        VoteFlag.Reason.BURST: voting_demo.BURST_VOTERS,
        VoteFlag.Reason.SEQUENCE: voting_demo.BURST_VOTERS,
    }
    assert burst_votes.values("vote__vote_entry").distinct().count() == 1
    assert set(burst_votes.values_list("vote__subnet", flat=True)) == {"203.0.113.0/24"}
