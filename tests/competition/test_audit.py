"""An entry's record on the back-office review page: who by name (the team by its team name),
what changed as "字段：旧值 → 新值", in Beijing time."""

from datetime import UTC, datetime

import pytest

from competition.audit import describe_entry_events
from competition.models import Entry, EntryEvent
from tests import factories

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 December in Beijing


def test_review_page_shows_the_record_with_names_and_local_times(organizer_client, organizer):
    organizer.last_name, organizer.first_name = "赵", "审查"
    organizer.save()
    team = factories.TeamFactory(name="红马甲志愿服务队")
    entry = factories.EntryFactory(team=team, submitted=True, title="彩虹课堂")
    EntryEvent.objects.create(entry=entry, kind=EntryEvent.Kind.SUBMITTED, actor=team.user, at=AT)
    EntryEvent.objects.create(
        entry=entry,
        kind=EntryEvent.Kind.ELIGIBILITY,
        actor=organizer,
        at=AT.replace(hour=17),
        changes={"eligibility": [Entry.Eligibility.PENDING, Entry.Eligibility.INELIGIBLE]},
        note="不属于志愿服务项目。",
    )

    response = organizer_client.get(f"/admin/competition/entries/review/{entry.public_id}/")

    body = response.content.decode()
    assert "2026-12-02 00:30</time> 红马甲志愿服务队 提交" in body
    eligibility = Entry._meta.get_field("eligibility").verbose_name
    ineligible = Entry.Eligibility.INELIGIBLE.label
    assert f"赵审查 {EntryEvent.Kind.ELIGIBILITY.label}：不属于志愿服务项目。" in body
    assert f"{eligibility}：{Entry.Eligibility.PENDING.label} → {ineligible}" in body
    assert team.user.username not in body


def test_saved_fields_are_named_by_their_labels():
    entry = factories.EntryFactory(title="彩虹课堂")
    event = EntryEvent.objects.create(
        entry=entry,
        kind=EntryEvent.Kind.SAVED,
        actor=entry.team.user,
        at=AT,
        changes={"title": ["旧名称", "彩虹课堂"], "volunteers": [None, 25]},
    )

    (described,) = describe_entry_events([event])

    assert described.change_lines == [
        f"{Entry._meta.get_field('title').verbose_name}：旧名称 → 彩虹课堂",
        f"{Entry._meta.get_field('volunteers').verbose_name}：— → 25",
    ]
