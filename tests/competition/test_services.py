from datetime import UTC, datetime, timedelta

import pytest
from django import forms
from django.utils import timezone

from common.storage import private_storage
from competition import errors, services
from competition.models import Entry, EntryEvent, EntryPhoto
from competition.uploads import CleanPhoto
from tests import factories
from tests.files import jpeg_bytes

pytestmark = pytest.mark.django_db


def entry_data(**overrides):
    data = {
        "category": factories.category("health"),
        "title": "健康小屋义诊服务",
        "summary": "每月义诊。",
        "need": "老人看病难。",
        "approach": "卫生院医生每月进村。",
        "innovation": "线上预约。",
        "outcomes": "服务两千人次。",
        "volunteers": 12,
        "beneficiaries": 2000,
        "service_hours": 600,
        "activities": 48,
        "started_on": timezone.localdate() - timedelta(days=900),
        "consent_publish": True,
        "consent_guardians": True,
    }
    data.update(overrides)
    return data


def a_photo(caption="义诊现场"):
    return (CleanPhoto(jpeg_bytes(), "jpg", "image/jpeg", 64, 48), caption)


def test_entry_create_submit_complete_entry_is_submitted(team, contest):
    entry = services.entry_create(
        team=team,
        contest=contest,
        data=entry_data(),
        files=services.EntryFileChanges(new_photos=[a_photo()]),
        creation_token=None,
        submit=True,
        by=team.user,
    )

    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.submitted_at is not None
    assert [e.kind for e in entry.events.all()] == ["created", "submitted"]
    assert private_storage().exists(entry.photos.get().file.name)


def test_entry_create_submit_incomplete_keeps_draft_and_names_missing_parts(team, contest):
    with pytest.raises(errors.EntryIncomplete) as caught:
        services.entry_create(
            team=team,
            contest=contest,
            data=entry_data(need=""),
            files=services.EntryFileChanges(),
            creation_token=None,
            submit=True,
            by=team.user,
        )

    assert caught.value.entry.status == Entry.Status.DRAFT
    assert Entry.objects.get().title == "健康小屋义诊服务"
    assert "请填写“针对的需求”。" in caught.value.problems
    assert "请至少上传 1 张项目照片。" in caught.value.problems


def test_entry_create_same_token_twice_makes_one_entry(team, contest):
    token = "7d9f0a4e-2b7c-4c36-9a55-3f8a4d1c2e11"
    first = services.entry_create(
        team=team,
        contest=contest,
        data=entry_data(),
        files=services.EntryFileChanges(),
        creation_token=token,
        submit=False,
        by=team.user,
    )
    second = services.entry_create(
        team=team,
        contest=contest,
        data=entry_data(),
        files=services.EntryFileChanges(),
        creation_token=token,
        submit=False,
        by=team.user,
    )

    assert first.pk == second.pk
    assert Entry.objects.count() == 1


def test_entry_create_over_team_limit_is_refused(team):
    contest = factories.ContestFactory(max_entries_per_team=1)
    factories.EntryFactory(team=team, contest=contest)

    with pytest.raises(errors.EntryLimitReached):
        services.entry_create(
            team=team,
            contest=contest,
            data=entry_data(),
            files=services.EntryFileChanges(),
            creation_token=None,
            submit=False,
            by=team.user,
        )

    assert Entry.objects.count() == 1


def test_entry_update_after_deadline_is_refused_and_draft_kept(team):
    contest = factories.ContestFactory()
    entry = factories.EntryFactory(team=team, contest=contest, title="原来的标题")
    one_second_late = contest.submission_closes + timedelta(seconds=1)

    with pytest.raises(errors.DeadlinePassed):
        services.entry_update(
            entry=entry,
            data=entry_data(title="新标题"),
            files=services.EntryFileChanges(),
            expected_version=entry.version,
            submit=False,
            by=team.user,
            now=one_second_late,
        )

    entry.refresh_from_db()
    assert entry.title == "原来的标题"


# --- The deadline is Beijing time ---------------------------------------------------------------

DEADLINE_MESSAGE = "申报已于 2027-01-01 00:00（北京时间）截止，本次修改未能保存；已保存的内容不受影响。"


def typed(text: str) -> datetime:
    """A time as an organizer types it into the contest form: read in TIME_ZONE (Beijing)."""
    return forms.DateTimeField().clean(text)


def save(*, team, contest, entry=None, title="标题"):
    """entry_create, or entry_update of ``entry``, at the clock's now (no ``now`` passed)."""
    if entry is None:
        return services.entry_create(
            team=team,
            contest=contest,
            data=entry_data(title=title),
            files=services.EntryFileChanges(),
            creation_token=None,
            submit=False,
            by=team.user,
        )
    return services.entry_update(
        entry=entry,
        data=entry_data(title=title),
        files=services.EntryFileChanges(),
        expected_version=entry.version,
        submit=False,
        by=team.user,
    )


def test_a_deadline_of_midnight_in_beijing_refuses_saves_from_16_00_utc_the_day_before(team, time_machine):
    contest = factories.ContestFactory(
        submission_opens=typed("2026-12-01 00:00"), submission_closes=typed("2027-01-01 00:00")
    )

    time_machine.move_to(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), tick=False)
    entry = save(team=team, contest=contest, title="最后一秒新建")
    entry = save(team=team, contest=contest, entry=entry, title="最后一秒保存")

    time_machine.move_to(datetime(2026, 12, 31, 16, 0, 1, tzinfo=UTC), tick=False)
    with pytest.raises(services.DeadlinePassed) as late_update:
        save(team=team, contest=contest, entry=entry, title="晚了一秒")
    with pytest.raises(services.DeadlinePassed) as late_create:
        save(team=team, contest=contest, title="晚了一秒新建")

    assert late_update.value.message == late_create.value.message == DEADLINE_MESSAGE
    entry.refresh_from_db()
    assert (Entry.objects.count(), entry.title, entry.version) == (1, "最后一秒保存", 2)
    assert contest.submission_closes == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_the_deadline_test_above_would_fail_were_the_time_zone_utc(team, time_machine, settings):
    """The control for the test above: with TIME_ZONE "UTC" the same typed deadline is eight
    hours later, and the save at 16:00:01 UTC that Beijing time refuses goes through."""
    settings.TIME_ZONE = "UTC"
    contest = factories.ContestFactory(
        submission_opens=typed("2026-12-01 00:00"), submission_closes=typed("2027-01-01 00:00")
    )

    time_machine.move_to(datetime(2026, 12, 31, 16, 0, 1, tzinfo=UTC), tick=False)
    entry = save(team=team, contest=contest, title="晚了一秒新建")

    assert contest.submission_closes == datetime(2027, 1, 1, 0, 0, tzinfo=UTC)
    assert Entry.objects.filter(pk=entry.pk, title="晚了一秒新建").exists()


def test_entry_update_with_stale_version_is_a_conflict_not_an_overwrite(team):
    entry = factories.EntryFactory(team=team)
    services.entry_update(
        entry=entry,
        data=entry_data(title="第一个窗口"),
        files=services.EntryFileChanges(),
        expected_version=1,
        submit=False,
        by=team.user,
    )

    with pytest.raises(errors.EditConflict):
        services.entry_update(
            entry=entry,
            data=entry_data(title="第二个窗口"),
            files=services.EntryFileChanges(),
            expected_version=1,
            submit=False,
            by=team.user,
        )

    entry.refresh_from_db()
    assert entry.title == "第一个窗口"
    assert entry.version == 2


def test_entry_update_failing_midway_leaves_no_rows_and_no_files(team):
    entry = factories.EntryFactory(team=team, submitted=True)
    factories.add_photo(entry)
    photo = entry.photos.get()

    # Deleting the only photo of a submitted entry while adding a new one that is then
    # rejected (incomplete: summary cleared) must leave everything as it was.
    with pytest.raises(errors.EntryIncomplete):
        services.entry_update(
            entry=entry,
            data=entry_data(summary=""),
            files=services.EntryFileChanges(new_photos=[a_photo()], delete_photos={str(photo.public_id)}),
            expected_version=entry.version,
            submit=False,
            by=team.user,
        )

    assert list(EntryPhoto.objects.values_list("pk", flat=True)) == [photo.pk]
    assert private_storage().exists(photo.file.name)
    _dirs, files = private_storage().listdir("photos/" + photo.file.name.split("/")[1])
    assert len(files) == 1
    entry.refresh_from_db()
    assert entry.summary == "为留守儿童提供课后辅导。"


def test_entry_withdraw_then_reopen_records_history(team):
    entry = factories.EntryFactory(team=team, submitted=True)

    services.entry_withdraw(entry=entry, by=team.user)
    services.entry_reopen(entry=entry, by=team.user)

    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT
    assert list(entry.events.values_list("kind", flat=True)) == [
        EntryEvent.Kind.WITHDRAWN,
        EntryEvent.Kind.REOPENED,
    ]


def test_eligibility_ineligible_without_reason_is_refused(team, organizer):
    entry = factories.EntryFactory(team=team, submitted=True)

    with pytest.raises(errors.EntryError):
        services.entry_decide_eligibility(entry=entry, eligible=False, reason="  ", by=organizer)


def test_eligibility_decision_is_audited_with_before_and_after(team, organizer):
    entry = factories.EntryFactory(team=team, submitted=True)

    services.entry_decide_eligibility(entry=entry, eligible=False, reason="项目启动不满一年", by=organizer)

    event = entry.events.get(kind=EntryEvent.Kind.ELIGIBILITY)
    assert event.actor == organizer
    assert event.changes["eligibility"] == ["pending", "ineligible"]
    assert event.changes["eligibility_reason"] == ["", "项目启动不满一年"]


def test_recommendation_respects_county_quota(organizer):
    contest = factories.ContestFactory(recommendation_quota=1)
    county = factories.CountyFactory(name="黎城县")
    first, second = (
        factories.EntryFactory(
            contest=contest,
            team__organization__county=county,
            submitted=True,
            eligibility=Entry.Eligibility.ELIGIBLE,
        )
        for _ in range(2)
    )
    services.entry_set_recommended(entry=first, recommended=True, by=organizer)

    with pytest.raises(errors.EntryLimitReached):
        services.entry_set_recommended(entry=second, recommended=True, by=organizer)

    assert list(Entry.objects.filter(recommended=True)) == [first]
