"""Background work of messaging: the e-mails and SMS of one ``notify`` call, a few per task (thin:
ids in, delegate). Each message keeps its own attempts and status; a task with a message left
to retry fails, so the queue runs it again later (tasking.retry's growing delay) and that run
sends only what is still queued."""

from django.conf import settings
from django.tasks import task

from tasking.retry import retry


@retry(max_attempts=settings.MESSAGING_MAX_ATTEMPTS)
@task
def send_messages(message_ids: list[int]) -> dict:
    from .services import deliver_all

    return deliver_all(message_ids=message_ids)
