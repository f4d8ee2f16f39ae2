"""The organizer's review of flagged votes: grouped by reason with counts, void or restore chosen
votes or a whole group with a required reason (logged: who, when, why), the counts before and
after; voided votes leave the tallies, no row is ever deleted; supervisors read everything."""

from datetime import timedelta

import pytest
from django.test import Client

from tests import factories
from voting.ballots.services import vote_cast
from voting.errors import VotingError
from voting.models import Vote, VoteEntry, VoteFlag, Voter, VoteReview
from voting.reviews import before_after, flag_groups, votes_restore, votes_void
from voting.tallies.services import database_counts, window_freeze
from voting.tasks import flag_votes
from voting.voters import keys

from .factories import make_window, nonce

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged():
    """A window with 12 votes from one network for one entry in 4 minutes (a burst, regular
    gaps, numbers of one block verified in sequence) and 3 ordinary votes for another."""
    window = make_window(entries=2, max_votes_per_day=5)
    target, other = VoteEntry.objects.filter(window=window).order_by("pk")
    start = window.opens_at + timedelta(hours=1)
    for i in range(15):
        number = f"1370000{i:04d}" if i < 12 else f"13{i}5{i}00{i}0{i}"[:11]
        voter = Voter.objects.create(
            contest=window.contest,
            number_hash=keys.number_hash(number),
            prefix_hash=keys.prefix_hash(number),
            verified_at=start + timedelta(seconds=i if i < 12 else 3000 * i),
        )
        vote_cast(
            window=window,
            code=(target if i < 12 else other).code,
            voter_id=voter.pk,
            nonce=nonce(),
            address=f"203.0.113.{i + 1}" if i < 12 else f"10.{i}.0.1",
            now=start + timedelta(seconds=20 * i + 30 if i < 12 else 3000 * i),
        )
    flag_votes.call(window.pk)
    return window, target, other


def test_groups_count_the_flagged_votes_by_reason(flagged):
    window, target, other = flagged
    groups = {group.reason: group for group in flag_groups(window=window)}
    assert (groups["burst"].flagged, groups["regular"].flagged, groups["views"].flagged) == (12, 12, 0)
    rows = {row["item"].pk: row for row in before_after(window=window)}
    assert (rows[target.pk]["valid"], rows[target.pk]["flagged"], rows[target.pk]["after"]) == (12, 12, 0)
    assert (rows[other.pk]["valid"], rows[other.pk]["after"]) == (3, 3)


def test_void_a_group_then_restore_some_logged_and_nothing_deleted(flagged):
    window, target, other = flagged
    organizer = factories.organizer()
    with pytest.raises(VotingError, match="请填写原因"):
        votes_void(window=window, by=organizer, reason="   ", flag_reason="burst")
    done = votes_void(window=window, by=organizer, reason="同一网段脚本刷票", flag_reason="burst")
    assert (done.changed, done.valid_before, done.valid_after) == (12, 15, 3)
    assert database_counts(window=window) == {target.pk: 0, other.pk: 3}
    assert Vote.objects.count() == 15  # voiding never deletes
    voided = Vote.objects.filter(voided_at__isnull=False)
    assert voided.count() == 12 and set(voided.values_list("voided_by", flat=True)) == {organizer.pk}

    two = list(voided.order_by("pk").values_list("pk", flat=True)[:2])
    again = votes_restore(window=window, by=organizer, reason="核实为本人投票", vote_ids=[*two, "x", "-1"])
    assert (again.changed, again.valid_before, again.valid_after) == (2, 3, 5)
    assert database_counts(window=window)[target.pk] == 2
    log = list(VoteReview.objects.order_by("pk").values_list("action", "reason", "by"))
    assert log[:12] == [("void", "同一网段脚本刷票", organizer.pk)] * 12
    assert log[12:] == [("restore", "核实为本人投票", organizer.pk)] * 2
    # Voiding again what is voided changes nothing and logs nothing.
    assert votes_void(window=window, by=organizer, reason="再次", flag_reason="burst").changed == 2
    assert VoteReview.objects.count() == 16


def test_nothing_chosen_or_a_frozen_window_is_refused(flagged, time_machine):
    window, *_ = flagged
    organizer = factories.organizer()
    with pytest.raises(VotingError, match="请选择要处理的投票"):
        votes_void(window=window, by=organizer, reason="原因", vote_ids=[])
    with pytest.raises(VotingError, match="请选择要处理的投票"):
        votes_void(window=window, by=organizer, reason="原因", flag_reason="nonsense")
    time_machine.move_to(window.closes_at + timedelta(minutes=1))
    window_freeze(window=window)
    with pytest.raises(VotingError, match="已锁定"):
        votes_void(window=window, by=organizer, reason="原因", flag_reason="burst")


def test_the_back_office_page_voids_with_a_reason_and_supervisors_read(
    flagged, django_assert_max_num_queries
):
    window, target, _ = flagged
    organizer = Client()
    organizer.force_login(factories.organizer())
    url = f"/admin/voting/{window.pk}/flags/"
    page = organizer.get(url + "?reason=burst")
    text = page.content.decode()
    assert page.status_code == 200 and "同一网段或地址短时间内集中投给同一项目" in text
    missing = organizer.post(url + "?reason=burst", {"action": "void", "scope": "group", "group": "burst"})
    assert "请填写原因" in missing.content.decode()
    done = organizer.post(
        url, {"action": "void", "scope": "group", "group": "burst", "reason_text": "脚本刷票"}, follow=True
    )
    assert "有效票由 15 张变为 3 张" in done.content.decode()
    assert "脚本刷票" in done.content.decode()
    ids = list(Vote.objects.filter(vote_entry=target).values_list("pk", flat=True)[:3])
    organizer.post(url, {"action": "restore", "vote": ids, "reason_text": "核实"})
    assert Vote.objects.filter(voided_at__isnull=True).count() == 6

    supervisor = Client()
    supervisor.force_login(factories.supervisor())
    with django_assert_max_num_queries(25):
        read = supervisor.get(url)
    assert read.status_code == 200 and "核实" in read.content.decode()
    assert 'name="vote"' not in read.content.decode()
    assert supervisor.post(url, {"action": "void", "scope": "group", "group": "burst"}).status_code == 404
    assert organizer.post(url, {"action": "recompute"}).status_code == 302
    assert VoteFlag.objects.filter(reason="burst").count() == 12


def flagged_of_size(size: int):
    """A window with ``size`` entries, each with ``4 * size`` votes from one network flagged for
    two reasons, half of them voided by one of ``size`` organizers (the log)."""
    window = make_window(entries=size, max_votes_per_day=5)
    start = window.opens_at + timedelta(hours=1)
    votes = []
    for e, item in enumerate(VoteEntry.objects.filter(window=window).order_by("pk")):
        for i in range(4 * size):
            number = f"137{e:04d}{i:04d}"
            voter = Voter.objects.create(
                contest=window.contest,
                number_hash=keys.number_hash(number),
                prefix_hash=keys.prefix_hash(number),
                verified_at=start,
            )
            votes.append(
                vote_cast(
                    window=window,
                    code=item.code,
                    voter_id=voter.pk,
                    nonce=nonce(),
                    address=f"203.0.{e}.{i + 1}",
                    now=start + timedelta(seconds=5 * i + 1),
                ).vote
            )
    VoteFlag.objects.bulk_create(
        VoteFlag(vote=vote, reason=reason) for vote in votes for reason in ("burst", "regular")
    )
    for n in range(size):
        organizer = factories.organizer()
        votes_void(
            window=window, by=organizer, reason=f"核实 {n}", vote_ids=[v.pk for v in votes[n :: 2 * size]]
        )
    return window


# Session, user, permissions and groups (6), the window, the flagged votes and their flags, the
# groups, the counts before and after, the totals, the log, and the admin's menus (Wagtail: 4).
PAGE_QUERIES = 17


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("reason", ["", "burst"])
def test_the_flags_page_takes_as_many_queries_however_many_votes_are_flagged(
    size, reason, django_assert_num_queries
):
    window = flagged_of_size(size)
    organizer = Client()
    organizer.force_login(factories.organizer())
    url = f"/admin/voting/{window.pk}/flags/" + (f"?reason={reason}" if reason else "")
    organizer.get(url)  # the session and the admin's own first-visit reads

    with django_assert_num_queries(PAGE_QUERIES):
        page = organizer.get(url)

    assert page.status_code == 200
    assert len(page.context["votes"]) == 4 * size * size
    assert len(page.context["reviews"]) == 4 * size * size // 2
