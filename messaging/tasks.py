"""Background work of messaging: one task per e-mail or SMS (thin: id in, delegate)."""

from django.conf import settings
from django.tasks import task

from tasking.retry import retry


@retry(max_attempts=settings.MESSAGING_MAX_ATTEMPTS)
@task
def send_message(message_id: int) -> str:
    from .services import deliver

    return deliver(message_id=message_id)
