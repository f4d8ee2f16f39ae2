"""Background work of the people import: the new coordinator's welcome e-mail (thin: ids in)."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tasking.mail import absolute_url, compose, send_once, task_mail_key

logger = logging.getLogger(__name__)


@task(takes_context=True)
def send_coordinator_welcome(context, user_id: int) -> None:
    """To a coordinator made by the import: their county, their log-in name and a link to set
    their password (the password-reset link of the accounts app: made here, when the mail is
    sent, so no token waits in the queue; it stops working once the password is set)."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .select_related("coordinator__county")
        .first()
    )
    if user is None or not user.email or not hasattr(user, "coordinator"):
        logger.info("coordinator welcome for user %s: gone, inactive or no longer a coordinator", user_id)
        return
    link = absolute_url(
        "accounts:password_reset_confirm",
        urlsafe_base64_encode(force_bytes(user.pk)),
        default_token_generator.make_token(user),
    )
    subject, body = compose(
        "judging/email/coordinator_welcome",
        {
            "user": user,
            "county": user.coordinator.county,
            "link": link,
            "login": absolute_url("accounts:login"),
        },
    )
    send_once(
        key=task_mail_key(context, "coordinator-welcome", user.pk),
        subject=subject,
        body=body,
        to=[user.email],
    )
