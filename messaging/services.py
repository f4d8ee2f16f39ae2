"""Writes of messaging: ``notify`` (what domain services call), the delivery each task runs,
organizers' retries and template edits, and reading the inbox."""

import hashlib
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.tasks import task_backends
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .models import Channel, Message, MessageTemplate
from .render import TemplateError, check, render, sandboxed
from .sms import SmsRejected, get_backend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Whom to tell, with what we know of them; a channel without an address is skipped."""

    user: object | None = None  # an account: the in-site inbox
    email: str = ""
    phone: str = ""
    name: str = ""

    def ident(self) -> str:
        if self.user is not None:
            return f"u{self.user.pk}"
        return self.email or self.phone or self.name


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    sms_body: str
    sms_template_code: str
    channels: tuple[str, ...]


def template_for(kind: registry.Kind, stored: MessageTemplate | None = None) -> Template:
    """The organizers' version of the kind's template when there is one, else the default."""
    if stored is None:
        stored = MessageTemplate.objects.filter(kind=kind.name).first()
    if stored is None:
        return Template(kind.subject, kind.body, kind.sms_body, kind.sms_template_code, tuple(kind.channels))
    return Template(
        stored.subject,
        stored.body,
        stored.sms_body,
        stored.sms_template_code,
        tuple(stored.channels),
    )


def compose(kind: registry.Kind, template: Template, context: dict) -> dict:
    """Subject, body and SMS text of a kind for one context. A stored template that no longer
    renders (it was checked when saved) falls back to the default rather than sending nothing."""
    variables = {**kind.variables, "link": ""}
    try:
        return {
            "subject": " ".join(render(template.subject, variables, context).split())[:200],
            "body": render(template.body, variables, context),
            "sms": render(template.sms_body, variables, context) if template.sms_body else "",
        }
    except TemplateError:
        logger.exception("template of %s does not render, using the default", kind.name)
        return {
            "subject": " ".join(render(kind.subject, variables, context).split())[:200],
            "body": render(kind.body, variables, context),
            "sms": render(kind.sms_body, variables, context) if kind.sms_body else "",
        }


def _message_key(key: str, recipient: Recipient, channel: str) -> str:
    full = f"{key}:{recipient.ident()}:{channel}"
    if len(full) <= 255:
        return full
    return f"{key[:150]}:{hashlib.sha256(full.encode()).hexdigest()}"


def _address(recipient: Recipient, channel: str) -> str:
    if channel == Channel.EMAIL:
        return recipient.email or ""
    if channel == Channel.SMS:
        return "".join(ch for ch in recipient.phone or "" if ch.isdigit() or ch == "+")
    return ""


def _missing_reason(recipient: Recipient, channel: str) -> str:
    if channel == Channel.INBOX and recipient.user is None:
        return _("收件人没有平台账号")
    if channel == Channel.EMAIL and not recipient.email:
        return _("收件人没有电子邮箱")
    if channel == Channel.SMS and not _address(recipient, channel):
        return _("收件人没有手机号码")
    return ""


def notify(*, kind: str, recipients: list[Recipient], context: dict, key: str, link: str = "") -> int:
    """Send a message of ``kind`` to each recipient on the kind's channels, once per ``key``
    (a second call with the same key sends nothing new). The in-site inbox is written at once;
    e-mail and SMS go out by a task each. Returns how many messages were created now."""
    spec = registry.kind(kind)
    template = template_for(spec)
    context = {**context, "link": link}
    # The SMS provider fills its approved template from these (Alibaba: at most 35 characters each).
    params = {name: _param(value) for name, value in sandboxed(spec.variables, context).items()}
    now = timezone.now()
    wanted: list[Message] = []
    for recipient in recipients:
        texts = compose(spec, template, context)
        for channel in template.channels:
            reason = _missing_reason(recipient, channel)
            is_inbox = channel == Channel.INBOX
            status = (
                Message.Status.SKIPPED
                if reason
                else (Message.Status.SENT if is_inbox else Message.Status.QUEUED)
            )
            wanted.append(
                Message(
                    kind=kind,
                    channel=channel,
                    user=recipient.user
                    if recipient.user is not None and getattr(recipient.user, "pk", None)
                    else None,
                    name=recipient.name[:100],
                    address=_address(recipient, channel),
                    subject=texts["subject"],
                    body=texts["sms"] if channel == Channel.SMS else texts["body"],
                    link=link,
                    sms_template_code=template.sms_template_code if channel == Channel.SMS else "",
                    sms_params=params if channel == Channel.SMS else {},
                    status=status,
                    last_error=reason,
                    key=_message_key(key, recipient, channel),
                    created_at=now,
                    sent_at=now if is_inbox and not reason else None,
                )
            )
    if not wanted:
        return 0
    keys = [m.key for m in wanted]
    existing = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [m for m in wanted if m.key not in existing]
    Message.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    to_send = list(
        Message.objects.filter(
            key__in=[m.key for m in new], status=Message.Status.QUEUED, attempts=0
        ).values_list("pk", flat=True)
    )
    enqueue(to_send)
    return len(new)


def enqueue(message_ids: list[int]) -> None:
    """One task per few messages: the queue's own cost per task (claim, result) would otherwise
    be most of the cost of an e-mail."""
    from .tasks import send_messages

    size = settings.MESSAGING_TASK_BATCH
    for start in range(0, len(message_ids), size):
        send_messages.enqueue(message_ids[start : start + size])


def _param(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)[:35]


def notify_on_commit(**kwargs) -> None:
    """``notify`` once the caller's transaction has committed (nothing is sent for a change
    that was rolled back)."""
    transaction.on_commit(partial(_notify_quietly, **kwargs))


def on_commit_quietly(send) -> None:
    """Run ``send`` (which calls ``notify``) once the caller's transaction has committed; an
    error is logged, never raised into the action that was committed."""

    def run():
        try:
            send()
        except Exception:
            logger.exception("could not queue messages (%s)", getattr(send, "__qualname__", send))

    transaction.on_commit(run)


def _notify_quietly(**kwargs) -> None:
    # The change is committed by now: a message that cannot be queued must not turn the
    # organizer's or team's action into an error page.
    try:
        notify(**kwargs)
    except Exception:
        logger.exception("could not queue the messages of %s", kwargs.get("kind"))


def send_sms_now(*, phone: str, body: str, template_code: str = "", params: dict | None = None) -> None:
    """Send one SMS through the gateway now, in this request, without keeping it in the outbox:
    for what must arrive at once or not at all and must not be stored (a verification code, whose
    number is kept only as a keyed hash). Raises ``SmsError`` (``SmsRejected`` when refused for
    good) for the caller to tell the person; nothing is retried."""
    get_backend().send(phone=phone, body=body, template_code=template_code, params=params or {})


# --- Delivery (run by messaging.tasks.send_messages) ----------------------------------------


class DeliveryFailed(Exception):
    """This attempt failed; the task queue tries again later."""


def attempts_allowed() -> int:
    """Attempts per message: the task queue's (retries with backoff) on the database backend;
    one where tasks run in the request (ImmediateBackend), which does not retry."""
    from django_tasks_db.backend import DatabaseBackend

    from .tasks import send_messages

    if isinstance(task_backends["default"], DatabaseBackend):
        from tasking.retry import max_attempts_for

        return max_attempts_for(send_messages.module_path)
    return 1


def sms_over_limit(phone: str, *, now=None, pending: Counter | None = None) -> str:
    """Why an SMS to ``phone`` may not go now (the per-number limits and the daily cap), or '';
    ``pending``: SMS about to be sent with it (per number), counted as sent."""
    pending = pending or Counter()
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    since = min(start_of_day, now - timedelta(days=1))
    counts = Message.objects.filter(
        channel=Channel.SMS, status=Message.Status.SENT, sent_at__gte=since
    ).aggregate(
        today=Count("pk", filter=Q(sent_at__gte=start_of_day)),
        hour=Count("pk", filter=Q(address=phone, sent_at__gte=now - timedelta(hours=1))),
        day=Count("pk", filter=Q(address=phone)),
    )
    counts["today"] += sum(pending.values())
    for window in ("hour", "day"):
        counts[window] += pending[phone]
    if counts["today"] >= settings.SMS_DAILY_CAP:
        return _("已达到每日短信总量上限（%(n)s 条）") % {"n": settings.SMS_DAILY_CAP}
    if counts["hour"] >= settings.SMS_PER_NUMBER_HOURLY:
        return _("该号码一小时内的短信已达上限（%(n)s 条）") % {"n": settings.SMS_PER_NUMBER_HOURLY}
    if counts["day"] >= settings.SMS_PER_NUMBER_DAILY:
        return _("该号码一天内的短信已达上限（%(n)s 条）") % {"n": settings.SMS_PER_NUMBER_DAILY}
    return ""


def deliver_all(*, message_ids: list[int]) -> dict:
    """Send each still-queued message of the list; raises ``DeliveryFailed`` at the end when
    one of them failed with attempts left (the task is then retried for those). The SMS of the
    batch wait for the gateway together (``MESSAGING_SMS_CONCURRENCY`` at a time): a real
    gateway answers in tens of milliseconds, most of an SMS's time."""
    statuses: dict[str, int] = {"gone": len(message_ids)}
    retry: list[str] = []

    def count(status):
        statuses[status] = statuses.get(status, 0) + 1

    # One query for the batch; a message no longer queued (sent by an earlier run) is left alone.
    queued = list(Message.objects.filter(pk__in=message_ids, status=Message.Status.QUEUED).order_by("pk"))
    statuses["gone"] -= len(queued)
    texts: list[Message] = []
    in_batch: Counter = Counter()
    now = timezone.now()
    for message in queued:
        if message.channel != Channel.SMS:
            count(_attempt(message, now=now, retry=retry))
            continue
        # Limits are checked one by one (counting this batch's own SMS), the sending together.
        message.attempts += 1
        reason = sms_over_limit(message.address, now=now, pending=in_batch)
        if reason:
            count(_finish(message, Message.Status.SKIPPED, reason))
            continue
        in_batch[message.address] += 1
        texts.append(message)
    if texts:
        workers = min(settings.MESSAGING_SMS_CONCURRENCY, len(texts))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            errors = list(pool.map(_transmit_quietly, texts))
        for message, error in zip(texts, errors, strict=True):
            count(_outcome(message, error, now=now, retry=retry))
    if retry:
        raise DeliveryFailed(f"{len(retry)} message(s) to retry: {retry[0]}")
    return statuses


def deliver(*, message_id: int) -> str:
    """One attempt to send one queued message; "gone" when it is not queued. Raises
    ``DeliveryFailed`` when the attempt failed and another is allowed."""
    message = Message.objects.filter(pk=message_id, status=Message.Status.QUEUED).first()
    if message is None:
        return "gone"  # sent, skipped or failed already (a retry of a finished run)
    retry: list[str] = []
    now = timezone.now()
    if message.channel == Channel.SMS:
        message.attempts += 1
        reason = sms_over_limit(message.address, now=now)
        status = (
            _finish(message, Message.Status.SKIPPED, reason)
            if reason
            else _outcome(message, _transmit_quietly(message), now=now, retry=retry)
        )
    else:
        status = _attempt(message, now=now, retry=retry)
    if retry:
        raise DeliveryFailed(retry[0])
    return status


def _attempt(message: Message, *, now, retry: list) -> str:
    message.attempts += 1
    return _outcome(message, _transmit_quietly(message), now=now, retry=retry)


def _transmit_quietly(message: Message) -> Exception | None:
    """Hand the message to its channel; the error, if any (no database work: runs in threads)."""
    try:
        if message.channel == Channel.EMAIL:
            send_mail(message.subject, message.body, None, [message.address])
        elif message.channel == Channel.SMS:
            get_backend().send(
                phone=message.address,
                body=message.body,
                template_code=message.sms_template_code,
                params=message.sms_params,
            )
    except Exception as error:  # noqa: BLE001  (any channel error: retried, then failed)
        return error
    return None


def _outcome(message: Message, error: Exception | None, *, now, retry: list) -> str:
    """Record one attempt: sent; failed for good (refused, or the last attempt); or left queued
    with its error, noted in ``retry`` so that the task runs again later."""
    if error is None:
        message.sent_at = now
        return _finish(message, Message.Status.SENT, "")
    if isinstance(error, SmsRejected):
        return _finish(message, Message.Status.FAILED, str(error))
    text = f"{error.__class__.__name__}: {error}"[:500]
    if message.attempts >= attempts_allowed():
        return _finish(message, Message.Status.FAILED, text)
    message.last_error = text
    message.save(update_fields=["attempts", "last_error"])
    retry.append(text)
    return "retry"


def _finish(message: Message, status: str, reason: str) -> str:
    message.status = status
    message.last_error = reason[:500]
    message.save(update_fields=["status", "last_error", "attempts", "sent_at"])
    if status == Message.Status.FAILED:
        logger.error("message %s (%s, %s) failed: %s", message.pk, message.kind, message.channel, reason)
    return status


def message_retry(*, message: Message) -> bool:
    """Organizers send a failed or skipped message once more (fresh attempts)."""

    if message.channel == Channel.INBOX:
        return False
    updated = Message.objects.filter(
        pk=message.pk, status__in=[Message.Status.FAILED, Message.Status.SKIPPED]
    ).update(status=Message.Status.QUEUED, attempts=0, last_error="")
    if updated:
        transaction.on_commit(lambda: enqueue([message.pk]))
    return bool(updated)


# --- Templates ------------------------------------------------------------------------------


def template_save(*, kind: str, subject: str, body: str, sms_body: str, sms_template_code: str, channels, by):
    """Store organizers' template for ``kind``; a template that does not parse raises
    ``TemplateError`` (in Chinese) and the previous one stays."""
    registry.kind(kind)
    for source in (subject, body, sms_body):
        check(source)
    unknown = set(channels) - set(Channel.values)
    if unknown or not channels:
        raise TemplateError(_("请至少选择一个发送渠道。"))
    stored, _created = MessageTemplate.objects.update_or_create(
        kind=kind,
        defaults={
            "subject": subject.strip(),
            "body": body,
            "sms_body": sms_body.strip(),
            "sms_template_code": sms_template_code.strip(),
            "channels": [c for c in Channel.values if c in channels],
            "updated_at": timezone.now(),
            "updated_by": by,
        },
    )
    return stored


def template_reset(*, kind: str) -> None:
    MessageTemplate.objects.filter(kind=kind).delete()


# --- Inbox ----------------------------------------------------------------------------------


def inbox_mark_read(*, user, message_id: int | None = None) -> int:
    """Mark one of the user's inbox messages read, or all of them (``message_id`` None)."""
    rows = Message.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True)
    if message_id is not None:
        rows = rows.filter(pk=message_id)
    return rows.update(read_at=timezone.now())
