"""The notice services: publishing the notice, objections from the public with their limits,
the organizers' answers."""

from datetime import timedelta

import pytest

from awards.errors import AwardsError
from awards.models import Objection, Shortlist, ShortlistEvent
from awards.notice.services import address_hash, notice_publish, objection_answer
from awards.shortlist.services import (
    shortlist_commit,
)
from tests.awards.factories import START, file

pytestmark = pytest.mark.django_db


def test_notice_publish_starts_the_notice_period(in_notice, organizer):
    shortlist, _entries = in_notice

    assert (shortlist.status, shortlist.notice_starts_at, shortlist.notice_ends_at) == (
        Shortlist.Status.NOTICE,
        START,
        START + timedelta(days=5),
    )
    event = shortlist.events.get(kind=ShortlistEvent.Kind.NOTICE)
    assert (event.actor, event.at, event.before, event.after) == (
        organizer,
        START,
        {"status": "committed"},
        {
            "status": "notice",
            "starts": START.isoformat(),
            "ends": (START + timedelta(days=5)).isoformat(),
            "entries": 3,
        },
    )


def test_notice_publish_refuses_a_short_notice_and_a_second_publication(contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    with pytest.raises(AwardsError) as too_short:
        notice_publish(shortlist=shortlist, by=organizer, days=0)
    notice_publish(shortlist=shortlist, by=organizer)
    with pytest.raises(AwardsError) as twice:
        notice_publish(shortlist=shortlist, by=organizer)

    assert (too_short.value.message, twice.value.message) == ("公示期至少 1 天。", "入围名单已经公示过了。")


def test_objection_is_stored_with_a_hashed_address_and_logged(in_notice):
    shortlist, entries = in_notice

    objection = file(shortlist, entries[0], at=START + timedelta(hours=2), reason="  服务时长数据存疑。 ")

    assert (objection.entry_id, objection.reason, objection.status, objection.created_at) == (
        entries[0].pk,
        "服务时长数据存疑。",
        Objection.Status.OPEN,
        START + timedelta(hours=2),
    )
    assert objection.address_hash == address_hash("203.0.113.7") != "203.0.113.7"
    event = shortlist.events.get(kind=ShortlistEvent.Kind.OBJECTION)
    assert (event.at, event.after) == (
        START + timedelta(hours=2),
        {"objection": objection.pk, "entry": entries[0].pk},
    )


def test_objection_about_the_list_as_a_whole_needs_no_entry(in_notice):
    shortlist, _entries = in_notice

    objection = file(shortlist, None, at=START + timedelta(days=1))

    assert objection.entry is None


@pytest.mark.parametrize("at", [START - timedelta(minutes=1), START + timedelta(days=5)])
def test_objection_outside_the_notice_period_is_refused(in_notice, at):
    shortlist, entries = in_notice

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[0], at=at)

    assert error.value.message == "公示期已结束，不再受理异议。"
    assert not Objection.objects.exists()


def test_objection_about_an_entry_not_on_the_list_is_refused(in_notice):
    shortlist, entries = in_notice

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[5], at=START + timedelta(hours=1))

    assert error.value.message == "所选项目不在公示名单中。"


def test_objections_are_limited_to_three_an_hour_per_address(in_notice):
    shortlist, entries = in_notice
    at = START + timedelta(hours=1)
    for minute in range(3):
        file(shortlist, entries[0], at=at + timedelta(minutes=minute))

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[0], at=at + timedelta(minutes=30))
    file(shortlist, entries[0], at=at + timedelta(minutes=30), address="198.51.100.1")  # someone else
    file(shortlist, entries[0], at=at + timedelta(minutes=61))  # the first one is over an hour old

    assert error.value.message == "提交过于频繁，请稍后再试。"
    assert Objection.objects.count() == 5


def test_objections_are_limited_to_ten_a_day_per_address(in_notice):
    shortlist, entries = in_notice
    at = START + timedelta(hours=1)
    for n in range(10):  # every half hour: never more than three within an hour
        file(shortlist, entries[0], at=at + timedelta(minutes=30 * n))

    with pytest.raises(AwardsError) as error:
        file(shortlist, entries[0], at=at + timedelta(minutes=300))
    file(shortlist, entries[0], at=at + timedelta(days=1, minutes=1))  # the first one is a day old

    assert error.value.message == "提交过于频繁，请稍后再试。"
    assert Objection.objects.count() == 11


def test_objection_answer_is_recorded_with_before_and_after(in_notice, organizer):
    shortlist, entries = in_notice
    objection = file(shortlist, entries[0], at=START + timedelta(hours=1))

    with pytest.raises(AwardsError) as error:
        objection_answer(objection=objection, answer="  ", by=organizer)
    answered = objection_answer(
        objection=objection, answer="经核实，数据属实。", by=organizer, now=START + timedelta(hours=3)
    )

    assert error.value.message == "请填写答复内容。"
    assert (answered.status, answered.answer, answered.answered_by, answered.answered_at) == (
        Objection.Status.ANSWERED,
        "经核实，数据属实。",
        organizer,
        START + timedelta(hours=3),
    )
    event = shortlist.events.get(kind=ShortlistEvent.Kind.ANSWERED)
    assert (event.actor, event.at, event.before, event.after) == (
        organizer,
        START + timedelta(hours=3),
        {"status": "open", "answer": ""},
        {"status": "answered", "answer": "经核实，数据属实。", "objection": objection.pk},
    )
