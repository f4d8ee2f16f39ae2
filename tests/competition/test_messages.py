"""Teams and coordinators hear of the data core's events: sign-up confirmed, the eligibility
decision (with the reason), the recommendation, and reminders before the deadlines (sent once
per window however often ``send_due_reminders`` runs)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import signup_token
from competition import services
from messaging.models import Channel, Message
from tests import factories

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2027, 3, 10, 16, 0, tzinfo=dt.UTC)  # 2027-03-11 00:00 in Beijing


def sent(kind: str) -> dict:
    return {m.channel: m for m in Message.objects.filter(kind=kind)}


def test_an_ineligible_decision_reaches_the_team_with_the_reason_on_every_channel(
    team, organizer, django_capture_on_commit_callbacks
):
    entry = factories.EntryFactory(team=team, submitted=True, title="“七彩课堂”")
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_decide_eligibility(
            entry=entry, eligible=False, reason="项目启动不满一年", by=organizer
        )

    messages = sent("competition.eligibility")
    assert set(messages) == {Channel.INBOX, Channel.EMAIL, Channel.SMS}
    assert all(m.status == Message.Status.SENT for m in messages.values())
    inbox = messages[Channel.INBOX]
    assert inbox.user == team.user
    assert inbox.subject == "资格审查结果：“七彩课堂”"
    assert "未通过资格审查。\n理由：项目启动不满一年" in inbox.body
    assert inbox.link == f"{settings.WAGTAILADMIN_BASE_URL}/my/entries/{entry.public_id}/"
    assert messages[Channel.SMS].address == team.contact_phone


def test_a_changed_decision_is_told_again_and_a_rolled_back_one_never(
    team, organizer, django_capture_on_commit_callbacks
):
    entry = factories.EntryFactory(team=team, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_decide_eligibility(entry=entry, eligible=False, reason="材料不全", by=organizer)
        services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    with django_capture_on_commit_callbacks(execute=False) as rolled_back:
        services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)

    inbox = Message.objects.filter(kind="competition.eligibility", channel=Channel.INBOX).order_by("pk")
    assert [("已通过资格审查" in m.body) for m in inbox] == [False, True]
    assert len(rolled_back) == 1  # queued for the commit, so nothing was sent before it


def test_recommendation_is_told_to_the_team(team, organizer, django_capture_on_commit_callbacks):
    entry = factories.EntryFactory(team=team, submitted=True)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_set_recommended(entry=entry, recommended=True, by=organizer)

    inbox = sent("competition.recommendation")[Channel.INBOX]
    assert "已由县（市、区）推荐参加市级评审" in inbox.body


def test_confirming_the_sign_up_e_mail_welcomes_the_team(django_capture_on_commit_callbacks):
    team = factories.TeamFactory(user__is_active=False)
    uid = urlsafe_base64_encode(force_bytes(team.user.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("accounts:signup_confirm", args=[uid, signup_token.make_token(team.user)])
        )
    assert response.status_code == 302
    messages = sent("competition.signup_confirmed")
    assert set(messages) == {Channel.INBOX, Channel.SMS}
    assert messages[Channel.INBOX].body.startswith(f"{team.name}，您好")


def test_the_inbox_shows_on_the_teams_page_with_the_unread_count(team, team_client):
    factories.EntryFactory(team=team, submitted=True)
    Message.objects.create(
        kind="competition.eligibility",
        channel=Channel.INBOX,
        user=team.user,
        subject="资格审查结果",
        body="通过",
        key="a",
        status="sent",
    )
    page = team_client.get(reverse("competition:dashboard")).content.decode()
    assert 'aria-label="1 条未读"' in page

    inbox = team_client.get(reverse("inbox:index")).content.decode()
    assert "资格审查结果" in inbox and "未读" in inbox
    team_client.post(reverse("inbox:mark_read"))
    assert Message.objects.get(key="a").read_at is not None
    assert "条未读" not in team_client.get(reverse("competition:dashboard")).content.decode()


def test_a_team_never_sees_another_accounts_messages(team_client, other_team):
    Message.objects.create(
        kind="x",
        channel=Channel.INBOX,
        user=other_team.user,
        subject="别人的消息",
        body="",
        key="b",
        status="sent",
    )
    assert "别人的消息" not in team_client.get(reverse("inbox:index")).content.decode()
    team_client.post(reverse("inbox:mark_read"), {"message": Message.objects.get(key="b").pk})
    assert Message.objects.get(key="b").read_at is None


def test_draft_reminders_go_3_days_and_1_day_before_the_deadline_once_each(time_machine):
    time_machine.move_to(DEADLINE - dt.timedelta(days=20), tick=False)
    contest = factories.ContestFactory(
        submission_opens=DEADLINE - dt.timedelta(days=30), submission_closes=DEADLINE
    )
    draft = factories.EntryFactory(contest=contest)
    factories.EntryFactory(contest=contest, submitted=True)

    def reminders():
        return list(
            Message.objects.filter(kind="competition.draft_reminder", channel=Channel.INBOX)
            .order_by("pk")
            .values_list("key", flat=True)
        )

    time_machine.move_to(DEADLINE - dt.timedelta(days=3, hours=1), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert reminders() == []
    time_machine.move_to(DEADLINE - dt.timedelta(days=2, hours=23), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert reminders() == [f"draft-reminder:{draft.pk}:3d:u{draft.team.user_id}:inbox"]
    time_machine.move_to(DEADLINE - dt.timedelta(hours=5), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    time_machine.move_to(DEADLINE + dt.timedelta(minutes=1), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(reminders()) == 2
    body = Message.objects.filter(kind="competition.draft_reminder", channel=Channel.INBOX).last().body
    assert "2027-03-11 00:00（北京时间）截止" in body


def test_coordinators_are_reminded_of_undecided_entries_before_the_recommendation_deadline(time_machine):
    time_machine.move_to(DEADLINE - dt.timedelta(days=20), tick=False)
    county = factories.CountyFactory(name="潞州区")
    coordinator = factories.coordinator_for(county)
    factories.coordinator_for(factories.CountyFactory(name="上党区"))  # nothing undecided there
    contest = factories.ContestFactory(
        submission_opens=DEADLINE - dt.timedelta(days=30),
        submission_closes=DEADLINE - dt.timedelta(days=10),
        recommendation_closes=DEADLINE,
    )
    for _ in range(2):
        factories.EntryFactory(contest=contest, submitted=True, team__organization__county=county)

    time_machine.move_to(DEADLINE - dt.timedelta(hours=20), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    (message,) = Message.objects.filter(kind="competition.coordinator_reminder", channel=Channel.INBOX)
    assert message.user == coordinator
    assert message.subject == "潞州区还有 2 个项目待审查"


def test_after_the_recommendation_deadline_teams_not_recommended_hear_it_once(time_machine, organizer):
    time_machine.move_to(DEADLINE - dt.timedelta(days=20), tick=False)
    contest = factories.ContestFactory(
        submission_opens=DEADLINE - dt.timedelta(days=30),
        submission_closes=DEADLINE - dt.timedelta(days=10),
        recommendation_closes=DEADLINE,
    )
    chosen, passed_over = (factories.EntryFactory(contest=contest, submitted=True) for _ in range(2))
    for entry in (chosen, passed_over):
        services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    services.entry_set_recommended(entry=chosen, recommended=True, by=organizer)

    time_machine.move_to(DEADLINE - dt.timedelta(hours=1), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Message.objects.filter(kind="competition.recommendation").exists()
    time_machine.move_to(DEADLINE + dt.timedelta(hours=1), tick=False)
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_due_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    (told,) = Message.objects.filter(kind="competition.recommendation", channel=Channel.INBOX)
    assert told.user == passed_over.team.user
    assert "未获县（市、区）推荐参加市级评审" in told.body


@pytest.mark.parametrize(
    "title, plain",
    [
        ("“七彩课堂”", "七彩课堂"),
        ("《银龄课堂》", "银龄课堂"),
        ("西村“银龄课堂”", "西村“银龄课堂”"),
        ("“银龄课堂”社区帮学", "“银龄课堂”社区帮学"),
        ("“银龄”与“七彩”", "“银龄”与“七彩”"),
        ("  七彩课堂 ", "七彩课堂"),
    ],
)
def test_a_title_loses_only_quotation_marks_around_all_of_it(title, plain):
    from competition.messages import plain_title

    assert plain_title(title) == plain
