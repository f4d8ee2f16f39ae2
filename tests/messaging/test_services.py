"""The outbox: one message per recipient and channel, sent once per key; a channel without an
address is skipped while the others go; SMS limits; the gateway down or refusing; templates."""

import datetime as dt
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from messaging.models import Channel, Message, MessageTemplate
from messaging.render import TemplateError
from messaging.services import DeliveryFailed, Recipient, deliver, notify, template_save
from tests import factories
from tests.messaging.kinds import TEST_KIND
from tests.worker import run_worker

pytestmark = pytest.mark.django_db


def recipient(user=None, email="team@example.org", phone="138 1234 1234"):
    return Recipient(user=user, email=email, phone=phone, name="红马甲志愿服务队")


def by_channel(key_prefix="k"):
    return {m.channel: m for m in Message.objects.filter(key__startswith=key_prefix)}


def test_notify_writes_the_inbox_mails_and_texts_once_per_key(aliyun):
    user = factories.UserFactory()
    for _ in range(2):  # a caller that runs twice sends nothing twice
        notify(
            kind=TEST_KIND.name,
            recipients=[recipient(user)],
            context={"team": "红马甲", "count": 6},
            key="k1",
        )

    messages = by_channel()
    assert set(messages) == {Channel.INBOX, Channel.EMAIL, Channel.SMS}
    assert all(m.status == Message.Status.SENT for m in messages.values())
    assert messages[Channel.INBOX].user == user and messages[Channel.INBOX].read_at is None
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [
        ("您好，红马甲", "红马甲：共 6 个。", ["team@example.org"])
    ]
    (sent,) = aliyun.requests
    assert (sent["PhoneNumbers"], sent["TemplateCode"], sent["SignName"]) == (
        "13812341234",
        "SMS_TEST",
        "志愿服务项目大赛",
    )
    assert sent["TemplateParam"] == '{"team": "红马甲", "count": "6"}'
    assert messages[Channel.SMS].body == "红马甲：共6个"


def test_a_recipient_without_phone_or_email_is_skipped_on_that_channel_only(aliyun):
    notify(kind=TEST_KIND.name, recipients=[recipient(email="", phone="")], context={"team": "甲"}, key="k2")

    messages = by_channel("k2")
    assert {c: (m.status, m.last_error) for c, m in messages.items()} == {
        Channel.INBOX: (Message.Status.SKIPPED, "收件人没有平台账号"),
        Channel.EMAIL: (Message.Status.SKIPPED, "收件人没有电子邮箱"),
        Channel.SMS: (Message.Status.SKIPPED, "收件人没有手机号码"),
    }
    notify(kind=TEST_KIND.name, recipients=[recipient(phone="")], context={"team": "乙"}, key="k3")
    messages = by_channel("k3")
    assert messages[Channel.EMAIL].status == Message.Status.SENT
    assert messages[Channel.SMS].status == Message.Status.SKIPPED
    assert aliyun.requests == []


def test_gateway_down_is_retried_with_backoff_then_failed_and_nothing_else_fails(db_tasks, settings):
    settings.SMS_BACKEND = "messaging.sms.aliyun.AliyunBackend"
    settings.SMS_ALIYUN_ENDPOINT = "127.0.0.1:9"  # nothing listens: connection refused
    settings.SMS_ALIYUN_PROTOCOL = "http"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "k"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "s"
    notify(kind=TEST_KIND.name, recipients=[recipient()], context={"team": "甲"}, key="k4")

    run_worker()

    messages = by_channel("k4")
    sms = messages[Channel.SMS]
    assert (sms.status, sms.attempts) == (Message.Status.FAILED, settings.MESSAGING_MAX_ATTEMPTS)
    assert "Connection refused" in sms.last_error
    assert messages[Channel.EMAIL].status == Message.Status.SENT
    assert len(mail.outbox) == 1


def test_gateway_answering_a_limit_code_is_retried_and_a_bad_number_fails_at_once(db_tasks, aliyun, settings):
    aliyun.code = "isv.BUSINESS_LIMIT_CONTROL"
    notify(kind=TEST_KIND.name, recipients=[recipient()], context={"team": "甲"}, key="k5")
    run_worker()
    sms = by_channel("k5")[Channel.SMS]
    assert (sms.status, sms.attempts) == (Message.Status.FAILED, settings.MESSAGING_MAX_ATTEMPTS)
    assert sms.last_error.startswith("SmsError: isv.BUSINESS_LIMIT_CONTROL")

    aliyun.code = "isv.MOBILE_NUMBER_ILLEGAL"
    notify(kind=TEST_KIND.name, recipients=[recipient(phone="123")], context={"team": "甲"}, key="k6")
    run_worker()
    sms = by_channel("k6")[Channel.SMS]
    assert (sms.status, sms.attempts) == (Message.Status.FAILED, 1)
    assert sms.last_error.startswith("isv.MOBILE_NUMBER_ILLEGAL")


def test_a_gateway_back_up_sends_on_the_next_attempt(db_tasks, aliyun):
    aliyun.code = "isv.BUSINESS_LIMIT_CONTROL"
    notify(kind=TEST_KIND.name, recipients=[recipient()], context={"team": "甲"}, key="k7")
    sms = by_channel("k7")[Channel.SMS]
    with pytest.raises(DeliveryFailed):
        deliver(message_id=sms.pk)  # the first attempt, as the worker would make it
    aliyun.code = "OK"
    run_worker()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (Message.Status.SENT, 2, "")


def test_over_the_daily_cap_or_a_numbers_limit_is_skipped_with_the_reason(aliyun, settings):
    settings.SMS_DAILY_CAP = 2
    settings.SMS_PER_NUMBER_HOURLY = 1
    notify(kind=TEST_KIND.name, recipients=[recipient(email="")], context={}, key="c1")
    notify(kind=TEST_KIND.name, recipients=[recipient(email="")], context={}, key="c2")
    notify(kind=TEST_KIND.name, recipients=[recipient(email="", phone="13900000000")], context={}, key="c3")
    notify(kind=TEST_KIND.name, recipients=[recipient(email="", phone="13700000000")], context={}, key="c4")

    statuses = [(m.status, m.last_error) for m in Message.objects.filter(channel=Channel.SMS).order_by("pk")]
    assert statuses == [
        (Message.Status.SENT, ""),
        (Message.Status.SKIPPED, "该号码一小时内的短信已达上限（1 条）"),
        (Message.Status.SENT, ""),
        (Message.Status.SKIPPED, "已达到每日短信总量上限（2 条）"),
    ]
    assert len(aliyun.requests) == 2


def test_the_daily_cap_counts_the_beijing_day(aliyun, settings, time_machine):
    settings.SMS_DAILY_CAP = 1
    # 2026-12-31 15:59 UTC is 23:59 in Beijing; two minutes later it is a new day there.
    time_machine.move_to(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC), tick=False)
    notify(kind=TEST_KIND.name, recipients=[recipient(email="", phone="13900000001")], context={}, key="d1")
    time_machine.move_to(dt.datetime(2026, 12, 31, 16, 1, tzinfo=dt.UTC), tick=False)
    notify(kind=TEST_KIND.name, recipients=[recipient(email="", phone="13900000002")], context={}, key="d2")
    assert len(aliyun.requests) == 2


def test_a_template_with_a_syntax_error_is_refused_and_the_previous_one_kept(organizer):
    template_save(
        kind=TEST_KIND.name,
        subject="新标题 {{ team }}",
        body="新内容",
        sms_body="",
        sms_template_code="",
        channels=[Channel.INBOX],
        by=organizer,
    )
    with pytest.raises(TemplateError) as error:
        template_save(
            kind=TEST_KIND.name,
            subject="坏的 {% if team %}",
            body="x",
            sms_body="",
            sms_template_code="",
            channels=[Channel.INBOX],
            by=organizer,
        )
    assert error.value.args[0].startswith("模板有语法错误：")
    assert MessageTemplate.objects.get(kind=TEST_KIND.name).subject == "新标题 {{ team }}"

    notify(
        kind=TEST_KIND.name, recipients=[recipient(factories.UserFactory())], context={"team": "甲"}, key="t1"
    )
    assert [(m.channel, m.subject) for m in Message.objects.filter(key__startswith="t1")] == [
        (Channel.INBOX, "新标题 甲")
    ]


def test_templates_see_only_their_listed_variables():
    user = factories.UserFactory()
    MessageTemplate.objects.create(
        kind=TEST_KIND.name, subject="{{ secret }}{{ team }}", body="{{ user.password }}", channels=["inbox"]
    )
    notify(
        kind=TEST_KIND.name,
        recipients=[recipient(user)],
        context={"team": "甲", "secret": "不该出现", "user": user},
        key="s1",
    )
    message = Message.objects.get(key__startswith="s1")
    assert (message.subject, message.body) == ("甲", "")


def test_sent_at_and_the_hourly_window(aliyun, settings):
    settings.SMS_PER_NUMBER_HOURLY = 1
    notify(kind=TEST_KIND.name, recipients=[recipient(email="")], context={}, key="h1")
    Message.objects.filter(key__startswith="h1").update(sent_at=timezone.now() - timedelta(minutes=61))
    notify(kind=TEST_KIND.name, recipients=[recipient(email="")], context={}, key="h2")
    assert by_channel("h2")[Channel.SMS].status == Message.Status.SENT


def test_with_tasks_run_in_the_request_a_gateway_down_fails_the_sms_not_the_decision(
    settings, team, organizer, django_capture_on_commit_callbacks
):
    from competition.models import Entry
    from competition.services import entry_decide_eligibility

    settings.SMS_BACKEND = "messaging.sms.aliyun.AliyunBackend"
    settings.SMS_ALIYUN_ENDPOINT = "127.0.0.1:9"
    settings.SMS_ALIYUN_PROTOCOL = "http"
    entry = factories.EntryFactory(team=team, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)

    assert Entry.objects.get(pk=entry.pk).eligibility == Entry.Eligibility.ELIGIBLE
    messages = {m.channel: m for m in Message.objects.filter(kind="competition.eligibility")}
    assert (messages[Channel.SMS].status, messages[Channel.SMS].attempts) == (Message.Status.FAILED, 1)
    assert messages[Channel.EMAIL].status == Message.Status.SENT
    assert messages[Channel.INBOX].status == Message.Status.SENT


def test_sms_of_one_batch_count_against_the_limits_together(aliyun, settings):
    from messaging.services import deliver_all

    settings.SMS_PER_NUMBER_HOURLY = 1
    ids = [
        Message.objects.create(
            kind=TEST_KIND.name,
            channel=Channel.SMS,
            address="13812341234",
            body="x",
            sms_template_code="SMS_T",
            key=f"b{n}",
        ).pk
        for n in range(3)
    ]
    assert deliver_all(message_ids=ids) == {"gone": 0, "sent": 1, "skipped": 2}
    assert len(aliyun.requests) == 1
