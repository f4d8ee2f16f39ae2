"""The shortlist's lifecycle (awards.phases) with the contest's: a shortlist is committed and
put on notice only while the contest's results are being decided, objections come in only in
the notice window, and finalizing announces the contest."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.errors import AwardsError
from awards.notice.services import notice_publish, objection_file
from awards.outcomes.services import shortlist_finalize
from awards.phases import COMMITTED, FINALIZED, ON_NOTICE, shortlist_phase, takes_objections
from awards.shortlist.services import shortlist_commit
from competition.models import Contest
from competition.phases import FINAL, JUDGING, NOTICE, RESULTS, contest_phase
from judging.phases import PUBLISHED, SCORING, round_phase
from tests.judging.factories import RoundFactory, set_status
from tests.judging.scored import end_notice, scored_round

pytestmark = pytest.mark.django_db


def phase_of(contest):
    return contest_phase(Contest.objects.get(pk=contest.pk))


def test_a_shortlist_walks_committed_notice_finalized_with_its_contest(organizer):
    round, _panel, _entries = scored_round(entries=2)
    contest = round.contest
    assert phase_of(contest) is RESULTS

    shortlist = shortlist_commit(round=round, by=organizer, size=2)
    committed = (shortlist_phase(shortlist), phase_of(contest))
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5)
    noticed = (shortlist_phase(shortlist), phase_of(contest), takes_objections(shortlist))
    end_notice(shortlist)
    shortlist.refresh_from_db()
    shortlist_finalize(shortlist=shortlist, by=organizer)
    shortlist.refresh_from_db()
    round.refresh_from_db()

    assert committed == (COMMITTED, RESULTS)
    assert noticed == (ON_NOTICE, NOTICE, True)
    assert (shortlist_phase(shortlist), phase_of(contest), round_phase(round)) == (
        FINALIZED,
        FINAL,
        PUBLISHED,
    )


def test_no_shortlist_while_a_round_is_scoring(organizer):
    round, _panel, _entries = scored_round(entries=2)
    second = RoundFactory(contest=round.contest, name="复评", order=round.order + 1)
    set_status(second, SCORING)
    assert phase_of(round.contest) is JUDGING

    with pytest.raises(AwardsError) as refused:
        shortlist_commit(round=round, by=organizer, size=2)

    assert (
        refused.value.message
        == "大赛处于“评审中”阶段，不能确定入围名单：请在所有评审轮次截止评分之后再确定。"
    )


def test_no_notice_while_a_round_is_scoring_and_the_page_says_why(organizer, organizer_client):
    round, _panel, _entries = scored_round(entries=2)
    shortlist = shortlist_commit(round=round, by=organizer, size=2)
    second = RoundFactory(contest=round.contest, name="复评", order=round.order + 1)
    set_status(second, SCORING)
    url = reverse("awards_shortlist:shortlist", args=[round.contest_id])

    with pytest.raises(AwardsError) as refused:
        notice_publish(shortlist=shortlist, by=organizer)
    page = organizer_client.get(url)
    posted = organizer_client.post(url, {"action": "publish", "notice-days": "5"}, follow=True)

    message = "大赛处于“评审中”阶段，不能发布公示：请在所有评审轮次截止评分之后再发布。"
    assert refused.value.message == message
    assert "大赛处于“评审中”阶段：请在所有评审轮次截止评分之后再发布公示。" in page.text
    assert posted.status_code == 200
    assert message in posted.text
    shortlist.refresh_from_db()
    assert shortlist_phase(shortlist) is COMMITTED


@pytest.mark.parametrize("offset", [timedelta(seconds=-1), timedelta(days=5)], ids=["before", "after"])
def test_objections_come_in_only_inside_the_notice_window(organizer, offset):
    round, _panel, _entries = scored_round(entries=1)
    start = timezone.now()
    shortlist = notice_publish(
        shortlist=shortlist_commit(round=round, by=organizer, size=1), by=organizer, days=5, now=start
    )

    with pytest.raises(AwardsError) as refused:
        objection_file(
            shortlist=shortlist,
            entry=None,
            name="王建华",
            phone="13800000000",
            reason="请核实服务时长数据。",
            address="203.0.113.9",
            now=start + offset,
        )

    assert refused.value.message == "公示期已结束，不再受理异议。"
