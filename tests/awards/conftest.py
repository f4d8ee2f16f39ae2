"""Worlds the awards tests share: a contest with computed results, and its shortlist on
notice, made through the services."""

import pytest

from awards.notice.services import notice_publish
from awards.shortlist.services import (
    shortlist_commit,
)
from tests import factories
from tests.awards.factories import START
from tests.judging.result_factories import entry_in, ranked_round


@pytest.fixture
def contest_results(contest):
    """Six entries in three counties (two each), one closed round with totals 90 … 65, plus a
    seventh entry in a round still in setup (it is not in the results)."""
    counties = [factories.CountyFactory(name=name) for name in ("潞州区", "上党区", "屯留区")]
    entries = [entry_in(contest, county=counties[i // 2]) for i in range(6)]
    round, round_entries = ranked_round(contest, [90, 85, 80, 75, 70, 65], order=1)
    return round, entries, counties


@pytest.fixture
def in_notice(contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)
    return shortlist, entries
