"""Background work about accounts: the set-password e-mail (thin: an id in, delegate)."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tasking.mail import absolute_url, compose, send_once, task_mail_key

logger = logging.getLogger(__name__)


@task(takes_context=True)
def send_password_link(context, account_id: int) -> None:
    """The password-reset link of /accounts/ (made now: no secret in the task's arguments)."""
    account = get_user_model().objects.filter(pk=account_id, is_active=True).first()
    if account is None or not account.email:
        logger.info("account %s is gone, inactive or has no e-mail address", account_id)
        return
    link = absolute_url(
        "accounts:password_reset_confirm",
        urlsafe_base64_encode(force_bytes(account.pk)),
        default_token_generator.make_token(account),
    )
    subject, body = compose("accounts/email/password_link", {"account": account, "link": link})
    send_once(
        key=task_mail_key(context, "password-link", account.pk),
        subject=subject,
        body=body,
        to=[account.email],
    )
