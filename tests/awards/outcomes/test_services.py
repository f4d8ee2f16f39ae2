"""Finalization: refused before the notice is over or with an objection open; then the list is
featured, the rounds published, every team told, and nothing changes any more."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from awards.errors import AwardsError
from awards.models import FeaturedProject, Shortlist, ShortlistEntry
from awards.notice.services import notice_publish, objection_answer
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import (
    shortlist_add,
    shortlist_commit,
    shortlist_swap,
)
from competition.models import Entry
from competition.phases import FINAL, contest_phase
from judging.errors import JudgingError
from judging.models import (
    Round,
)
from judging.phases import SCORING
from judging.rounds.services import round_set_status
from tests.awards.factories import START, file
from tests.judging.factories import RoundFactory

pytestmark = pytest.mark.django_db


def test_finalize_is_refused_before_the_notice_and_before_it_ends(contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    with pytest.raises(AwardsError) as committed:
        shortlist_finalize(shortlist=shortlist, by=organizer)
    notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)
    with pytest.raises(AwardsError) as early:
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=4))

    assert (committed.value.message, early.value.message) == (
        "只有公示中的入围名单才能正式公布。",
        "公示期尚未结束。",
    )
    assert not FeaturedProject.objects.exists()


def test_finalize_is_refused_while_an_objection_is_open(in_notice, organizer):
    shortlist, entries = in_notice
    file(shortlist, entries[0], at=START + timedelta(hours=1))

    with pytest.raises(AwardsError) as error:
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    assert error.value.message == "还有未答复的异议，请先答复。"
    assert Shortlist.objects.get().status == Shortlist.Status.NOTICE


def test_finalize_features_the_list_publishes_closed_rounds_and_tells_every_team(
    in_notice, organizer, django_capture_on_commit_callbacks
):
    shortlist, entries = in_notice
    contest = shortlist.contest
    closed = shortlist.round
    # A second round prepared but never opened: finalizing publishes only what was scored.
    never_opened = RoundFactory(contest=contest, name="复评", order=closed.order + 1)
    objection = file(shortlist, entries[1], at=START + timedelta(hours=1))
    objection_answer(objection=objection, answer="经核实，异议不成立。", by=organizer)
    shortlist_swap(
        shortlist=shortlist, out_entry=entries[1], in_entry=entries[5], reason="复核后调整", by=organizer
    )
    finished = START + timedelta(days=5)

    with django_capture_on_commit_callbacks(execute=True):
        featured = shortlist_finalize(shortlist=shortlist, by=organizer, now=finished)

    # in rank order: 90 (rank 1), 80 (rank 3), then the override 65 (rank 6)
    assert [(f.entry_id, f.rank, f.score) for f in FeaturedProject.objects.order_by("rank")] == [
        (entries[0].pk, 1, 90.0),
        (entries[2].pk, 2, 80.0),
        (entries[5].pk, 3, 65.0),
    ]
    assert [f.entry_id for f in featured] == [entries[0].pk, entries[2].pk, entries[5].pk]
    shortlist.refresh_from_db()
    assert (shortlist.status, shortlist.finalized_at) == (Shortlist.Status.FINALIZED, finished)
    assert shortlist.events.order_by("pk").last().after == {
        "status": "finalized",
        "featured": [entries[0].pk, entries[2].pk, entries[5].pk],
    }
    closed.refresh_from_db()
    never_opened.refresh_from_db()
    assert (closed.status, never_opened.status) == (Round.Status.PUBLISHED, Round.Status.SETUP)
    contest.refresh_from_db()
    assert contest_phase(contest) is FINAL
    teams = {e.pk: e for e in Entry.objects.filter(contest=contest).select_related("team__user")}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.team.user.email for e in teams.values())
    featured_ids = {entries[0].pk, entries[2].pk, entries[5].pk}
    for entry in teams.values():
        (message,) = [m for m in mail.outbox if m.to == [entry.team.user.email]]
        assert f"{settings.SITE_URL}/my/results/{entry.public_id}/" in message.body
        assert ("入选本届 3 个优秀志愿服务项目之列" in message.body) == (entry.pk in featured_ids)
        assert "入选百个" not in message.body and "““" not in message.body
        assert ("本次未能入选" in message.body) == (entry.pk not in featured_ids)


def test_nothing_changes_after_finalization(in_notice, organizer):
    shortlist, entries = in_notice
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=5))

    with pytest.raises(AwardsError) as error:
        shortlist_add(shortlist=shortlist, entry=entries[5], reason="补录", by=organizer)

    assert error.value.message == "入围名单已正式公布，不能再调整。"
    assert ShortlistEntry.objects.filter(shortlist=shortlist).count() == 3


def test_no_round_reopens_for_scoring_once_the_shortlist_is_on_notice(in_notice, organizer):
    shortlist, _entries = in_notice

    with pytest.raises(JudgingError) as error:
        round_set_status(round=shortlist.round, to=SCORING, by=organizer)

    assert error.value.message == "大赛已进入“入围公示”阶段，评审轮次不能再开放评分。"
    shortlist.round.refresh_from_db()
    assert shortlist.round.status == Round.Status.CLOSED
