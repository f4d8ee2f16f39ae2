"""Judges hear when a round opens and are reminded of unscored sheets before it closes (once per
window); teams hear that their entry advanced. Nothing sent to a judge names a team."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Q

from judging.phases import SCORING
from judging.results.services import advance
from messaging.models import Channel, Message
from tests.factories import ContestFactory
from tests.judging.factories import JudgeFactory, RoundFactory, assign, set_status, sync
from tests.judging.result_factories import entry_in, ranked_round, rubric_round, save_sheet

pytestmark = pytest.mark.django_db

CLOSES = dt.datetime(2027, 4, 1, 10, 0, tzinfo=dt.UTC)  # 18:00 in Beijing


def test_judges_are_told_when_a_round_opens_without_any_team_named(
    contest, django_capture_on_commit_callbacks
):
    entries = [entry_in(contest) for _ in range(2)]
    judge = JudgeFactory()
    round = RoundFactory(contest=contest, name="初评")
    for round_entry in sync(round):
        assign(round_entry, judge)
    with django_capture_on_commit_callbacks(execute=True):
        set_status(round, SCORING)

    by_channel = {m.channel: m for m in Message.objects.filter(kind="judging.round_opened")}
    assert set(by_channel) == {Channel.INBOX, Channel.EMAIL}
    inbox = by_channel[Channel.INBOX]
    assert inbox.user == judge.user
    assert "分配给您的项目共 2 个" in inbox.body
    for entry in entries:
        assert entry.team.name not in inbox.body and entry.title not in inbox.body


def test_judges_with_unscored_sheets_are_reminded_3_days_and_1_day_before_the_round_closes(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(CLOSES - dt.timedelta(days=10), tick=False)
    contest = ContestFactory()
    entry_in(contest)
    round = rubric_round(contest)
    (round_entry,) = sync(round)
    judge, done = JudgeFactory(), JudgeFactory()
    assign(round_entry, judge)
    assign(round_entry, done)
    set_status(round, SCORING)
    save_sheet(round_entry, done, 80)
    round.__class__.objects.filter(pk=round.pk).update(scoring_closes=CLOSES)

    def reminded():
        return list(
            Message.objects.filter(kind="judging.reminder", channel=Channel.INBOX).values_list(
                "user_id", "key"
            )
        )

    time_machine.move_to(CLOSES - dt.timedelta(days=2), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert reminded() == [(judge.user_id, f"judge-reminder:{round.pk}:3d:{judge.pk}:u{judge.user_id}:inbox")]
    time_machine.move_to(CLOSES - dt.timedelta(hours=2), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(reminded()) == 2
    body = Message.objects.filter(kind="judging.reminder", channel=Channel.INBOX).last().body
    assert "您还有 1 个项目尚未提交评分。评分截止时间为 2027-04-01 18:00" in body


def test_teams_hear_that_their_entry_advanced(contest, django_capture_on_commit_callbacks):
    entries = [entry_in(contest) for _ in range(3)]
    first, _ = ranked_round(contest, [90, 60, 50], order=1)
    with django_capture_on_commit_callbacks(execute=True):
        advance(round=first, by=None, top=2)
    told = Message.objects.filter(kind="judging.advanced", channel=Channel.INBOX)
    assert sorted(m.user_id for m in told) == sorted(e.team.user_id for e in entries[:2])
    assert not Message.objects.filter(~Q(kind="judging.advanced"), user=entries[2].team.user).exists()


def test_the_reminder_template_previews_on_a_real_round(contest):
    from django.test import Client
    from django.urls import reverse

    from tests import factories

    entry_in(contest)
    judge = JudgeFactory(name="王评委")
    round = RoundFactory(contest=contest, name="初评")
    for round_entry in sync(round):
        assign(round_entry, judge)
    client = Client()
    client.force_login(factories.organizer())
    page = client.get(reverse("messaging:template_edit", args=["judging.reminder"])).content.decode()
    assert "王评委，您好" in page and "您还有 1 个项目尚未提交评分" in page
