"""The office's announcements reach people: teams on the notice (with its link), organizers when
the public objects, the objector when answered (by SMS: the public leave a phone number), and
every team at finalization with the real number featured. A team ruled ineligible is never
told that it can read scores."""

from datetime import timedelta

import pytest
from django.conf import settings

from awards.notice.services import objection_answer
from awards.outcomes.services import shortlist_finalize
from messaging.models import Channel, Message
from tests import factories
from tests.awards.factories import START, file

pytestmark = pytest.mark.django_db


def inbox(kind):
    return Message.objects.filter(kind=kind, channel=Channel.INBOX).order_by("pk")


def test_notice_publication_tells_the_teams_on_the_list_with_its_link(
    contest_results, organizer, django_capture_on_commit_callbacks
):
    from awards.notice.services import notice_publish
    from awards.shortlist.services import shortlist_commit

    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    with django_capture_on_commit_callbacks(execute=True):
        notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)

    told = list(inbox("awards.notice_published"))
    assert sorted(m.user_id for m in told) == sorted(
        e.team.user_id for e in (entries[0], entries[1], entries[2])
    )
    assert told[0].link == f"{settings.WAGTAILADMIN_BASE_URL}/notice/{round.contest.slug}/"
    assert "公示期至 2026-06-06 09:00" in told[0].body


def test_an_objection_reaches_organizers_and_its_answer_the_objector_by_sms(
    in_notice, organizer, django_capture_on_commit_callbacks
):
    shortlist, entries = in_notice
    with django_capture_on_commit_callbacks(execute=True):
        objection = file(shortlist, entries[0], at=START + timedelta(hours=1))
    (filed,) = inbox("awards.objection_filed")
    assert filed.user == organizer
    assert "服务时长数据存疑。" in filed.body
    assert Message.objects.filter(
        kind="awards.objection_filed", channel=Channel.EMAIL, address=organizer.email
    ).exists()

    with django_capture_on_commit_callbacks(execute=True):
        objection_answer(objection=objection, answer="经核实，异议不成立。", by=organizer)
    (answered,) = Message.objects.filter(kind="awards.objection_answered")
    assert (answered.channel, answered.address, answered.status) == (
        Channel.SMS,
        "13800000000",
        Message.Status.SENT,
    )
    assert answered.body == "王建华：您对公示提出的异议已答复，详见公示页面。"


def test_results_tell_the_real_count_and_never_offer_scores_to_an_ineligible_team(
    in_notice, organizer, django_capture_on_commit_callbacks
):
    shortlist, entries = in_notice
    contest = shortlist.contest
    ineligible = factories.EntryFactory(
        contest=contest,
        submitted=True,
        eligibility="ineligible",
        eligibility_reason="材料不全",
        title="“山乡书屋”",
    )
    with django_capture_on_commit_callbacks(execute=True):
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=5))

    told = {m.user_id: m for m in inbox("awards.results")}
    assert len(told) == len(entries) + 1
    featured = told[entries[0].team.user_id]
    assert "入选本届 3 个优秀志愿服务项目之列，祝贺您！" in featured.body
    assert "可查看各评分项的平均分" in featured.body and featured.link.endswith(
        f"/my/results/{entries[0].public_id}/"
    )
    other = told[ineligible.team.user_id]
    assert "您申报的项目“山乡书屋”本次未能入选" in other.body
    assert "评分" not in other.body and other.link == ""
    assert "入选百个" not in "".join(m.body for m in Message.objects.all())
