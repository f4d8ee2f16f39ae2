"""E-mail from tasks, sent once per task run however often the task is retried.

``send_once`` skips a message whose key is already recorded, and records the key right after
the mail server accepted the message (``SentEmail``, committed at once: tasks do not run inside
a transaction). Keys start with the task result's id (``task_mail_key``), which a retry keeps,
so a new request (another reminder round, a re-sent invitation) sends again while a retry of the
same run does not.

Order chosen: send, then record. The only duplicate left is a worker killed (or a database
failure) in the few milliseconds between the server's acceptance and the commit of the record;
the opposite order would instead lose that e-mail for good. A lost e-mail is worse here
(an invitation, a result notice) than a rare second copy.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import SentEmail

logger = logging.getLogger(__name__)


def compose(template: str, context: dict, *, language: str | None = None) -> tuple[str, str]:
    """The subject and body of a message: ``<template>_subject.txt`` and ``<template>.txt``
    rendered in the site's language (a task has no request to take one from) or in
    ``language`` when the task was given the one of the request that queued it, with
    ``platform_name`` always in the context."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"platform_name": settings.PLATFORM_NAME, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    return subject, body


def absolute_url(name: str, *args) -> str:
    """A link for a message: the site's public address (settings.SITE_URL) and the path."""
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def task_mail_key(context, *parts) -> str | None:
    """The key for one message of the running task (``context``: its TaskContext), or None
    when there is no task run to be idempotent about."""
    if context is None:
        return None
    return ":".join([str(context.task_result.id), *(str(part) for part in parts)])[:255]


def send_once(*, key: str | None, subject: str, body: str, to: list[str]) -> bool:
    """Send the message unless one with this key was sent already; True if it was sent now.
    A key of None sends unconditionally."""
    if key is not None and SentEmail.objects.filter(key=key).exists():
        logger.info("e-mail %s was already sent, not sending again", key)
        return False
    send_mail(subject, body, None, to)
    if key is not None:
        SentEmail.objects.get_or_create(key=key)
    return True
