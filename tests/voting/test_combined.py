"""The vote beside the judges' results: a reference by default (the judges' order, votes beside
it); with a weight of up to 20 % a combined score; a weight of 0 leaves the ranking identical,
whatever the votes; voided votes never count."""

import random

import pytest
from django.test import Client

from judging.results.selectors import ranked_entries
from tests import factories
from tests.judging.scored import scored_round
from voting.ballots.services import vote_cast
from voting.models import Vote, VoteEntry, Voter
from voting.reviews import votes_void
from voting.tallies.combined import combine, combined_results
from voting.voters import keys

from .factories import make_window, nonce

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(20))
def test_a_weight_of_zero_leaves_the_judges_ranking_identical(seed):
    rng = random.Random(seed)
    scores = sorted((round(rng.uniform(40, 95), rng.choice([0, 1, 2])) for _ in range(60)), reverse=True)
    judged = [(1000 + i, score, i + 1) for i, score in enumerate(scores)]  # ties keep the judges' ranks
    votes = {entry_id: rng.randrange(0, 5000) for entry_id, _, _ in judged}
    rows = combine(judged, votes, 0)
    assert [(r.entry_id, r.rank) for r in rows] == [(entry_id, rank) for entry_id, _, rank in judged]
    assert [r.combined for r in rows] == scores


def test_a_weight_mixes_in_the_vote_share():
    judged = [(1, 80.0, 1), (2, 78.0, 2), (3, 60.0, 3)]
    votes = {1: 10, 2: 100, 3: 0}
    rows = combine(judged, votes, 20)
    assert [r.entry_id for r in rows] == [2, 1, 3]
    assert rows[0].combined == pytest.approx(0.8 * 78 + 0.2 * 100)
    assert rows[1].combined == pytest.approx(0.8 * 80 + 0.2 * 10)
    assert combine(judged, votes, 35)[0].combined == rows[0].combined  # at most 20 %
    assert [r.entry_id for r in combine(judged, {}, 20)] == [1, 2, 3]  # no votes: the judges' order


def votes_for(window, entry_id, n, block):
    vote_entry = VoteEntry.objects.get(window=window, entry_id=entry_id)
    for i in range(n):
        number = f"{block}{i:04d}"
        voter = Voter.objects.create(
            contest=window.contest, number_hash=keys.number_hash(number), verified_at=window.opens_at
        )
        vote_cast(window=window, code=vote_entry.code, voter_id=voter.pk, nonce=nonce())


def test_the_window_of_a_computed_round_ranks_with_its_weight_and_without_voided_votes():
    round, _panel, _entries = scored_round(entries=4)
    judged = ranked_entries(round=round)
    window = make_window(round.contest, entries=0, round=round)
    last = judged[-1][0]
    votes_for(window, last, 30, "1370000")
    votes_for(window, judged[0][0], 3, "1370001")

    reference = combined_results(window=window)
    assert [r.entry_id for r in reference] == [row[0] for row in judged]
    assert {r.entry_id: r.votes for r in reference}[last] == 30

    window.weight_percent = 20
    window.save()
    weighted = combined_results(window=window)
    assert weighted[0].entry_id == last

    organizer = factories.organizer()
    ids = list(Vote.objects.filter(vote_entry__entry_id=last).values_list("pk", flat=True))
    votes_void(window=window, by=organizer, reason="刷票", vote_ids=ids)
    assert [r.entry_id for r in combined_results(window=window)][-1] == last

    browser = Client()
    browser.force_login(organizer)
    page = browser.get(f"/admin/voting/{window.pk}/").content.decode()
    assert "与评审结果对照" in page and "投票计入总成绩 20%" in page


def test_the_weight_is_explained_in_english_too():
    from django.utils import translation

    round, _panel, _entries = scored_round(entries=2)
    window = make_window(round.contest, entries=0, round=round, weight_percent=10)
    browser = Client()
    browser.force_login(factories.organizer())
    with translation.override("en"):
        page = browser.get(f"/admin/voting/{window.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The vote counts 10% of the result" in page


# --- the weight in the office's decisions: the shortlist ranks by it and the notice says so ----


def weighted_round(weight: int):
    """A computed round of 4 whose last entry has by far the most votes, in a window over the
    round with ``weight`` (closed, not frozen yet)."""
    round, _panel, _entries = scored_round(entries=4)
    judged = ranked_entries(round=round)
    window = make_window(round.contest, entries=0, round=round, weight_percent=weight)
    votes_for(window, judged[-1][0], 30, "1370000")
    votes_for(window, judged[0][0], 1, "1370001")
    return round, window, judged


def test_the_shortlist_waits_for_a_weighted_vote_to_be_frozen_then_ranks_by_the_combined_score(
    time_machine,
):
    from awards.errors import AwardsError
    from awards.notice.services import notice_publish
    from awards.shortlist.services import shortlist_commit, shortlist_preview
    from voting.tallies.services import window_freeze

    round, window, judged = weighted_round(20)
    organizer = factories.organizer()
    with pytest.raises(AwardsError, match="请在投票截止并锁定结果后再生成入围名单"):
        shortlist_preview(round=round, size=2)
    with pytest.raises(AwardsError, match="请在投票截止并锁定结果后再生成入围名单"):
        shortlist_commit(round=round, by=organizer, size=2)

    time_machine.move_to(window.closes_at, tick=False)
    window_freeze(window=window)
    combined = combined_results(window=window)
    assert combined[0].entry_id == judged[-1][0]  # the vote lifts the judges' last to the top
    shortlist = shortlist_commit(round=round, by=organizer, size=2)
    items = list(shortlist.items.order_by("rank").values_list("entry_id", "rank", "score"))
    assert items == [(row.entry_id, row.rank, pytest.approx(row.combined)) for row in combined[:2]]
    assert "网络投票占 20%" in shortlist.score_note

    notice_publish(shortlist=shortlist, by=organizer, days=5)
    page = Client().get(f"/notice/{round.contest.slug}/").content.decode()
    assert "综合得分中网络投票占 20%" in page


def test_a_vote_for_reference_only_changes_nothing_in_the_shortlist(time_machine):
    from awards.shortlist.services import shortlist_commit

    round, window, judged = weighted_round(0)
    shortlist = shortlist_commit(round=round, by=factories.organizer(), size=2)
    assert list(shortlist.items.order_by("rank").values_list("entry_id", flat=True)) == [
        row[0] for row in judged[:2]
    ]
    assert shortlist.score_note == ""


def test_one_weighted_vote_per_round_and_a_weight_needs_a_round():
    from voting.errors import VotingError
    from voting.windows.services import window_save

    round, window, _judged = weighted_round(10)
    with pytest.raises(VotingError, match="同一轮次只能有一个"):
        make_window(round.contest, entries=0, round=round, weight_percent=5)
    make_window(round.contest, entries=0, round=round)  # for reference: allowed
    with pytest.raises(VotingError, match="请选择它所计入的评审轮次"):
        make_window(round.contest, entries=0, weight_percent=5)
    window.weight_percent = 15  # the weighted window itself may still change its weight
    window_save(window=window)
