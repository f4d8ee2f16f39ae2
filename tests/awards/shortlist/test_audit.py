"""The shortlist's record as the supervisor (监委) reads it: sentences naming people and entries,
changes as "字段：旧值 → 新值", Beijing times, no JSON and no database ids."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from awards.notice.services import objection_answer
from tests import factories
from tests.awards.factories import START, file

pytestmark = pytest.mark.django_db


def events_page(shortlist, user):
    client = Client()
    client.force_login(user)
    response = client.get(f"/admin/awards/shortlist/{shortlist.contest_id}/events/")
    assert response.status_code == 200
    return response


def test_the_record_reads_as_sentences_with_names_and_beijing_times(in_notice, organizer):
    shortlist, entries = in_notice
    organizer.last_name, organizer.first_name = "李", "主任"
    organizer.save()
    listed = shortlist.items.order_by("rank").first().entry
    objection = file(shortlist, listed, at=START + timedelta(hours=2))
    objection_answer(
        objection=objection, answer="经核实，异议不成立。", by=organizer, now=START + timedelta(hours=3)
    )

    response = events_page(shortlist, factories.supervisor())

    events = {event.kind: event for event in response.context["events"]}
    assert events["notice"].sentence == "李主任 发布公示"
    assert "公示开始：2026-06-01 09:00" in events["notice"].changes  # 01:00 UTC
    assert "状态：已确定，待公示 → 公示中" in events["notice"].changes
    assert events["objection"].sentence == f"公众 收到异议：“{listed.title}”"
    assert "异议人：王建华" in events["objection"].changes
    assert events["answered"].sentence == "李主任 答复异议"
    assert "答复： → 经核实，异议不成立。" not in events["answered"].changes
    assert "答复：— → 经核实，异议不成立。" in events["answered"].changes
    committed = " ".join(events["committed"].changes)
    assert all(f"“{item.entry.title}”" in committed for item in shortlist.items.select_related("entry"))
    body = response.content.decode()
    assert "2026-06-01 11:00:00" in body and "2026-06-01 12:00:00" in body  # 03:00 and 04:00 UTC
    assert "{&quot;" not in body
    assert not re.search(r"(?<!入围)项目：\d", body)  # entries by title, never by id
