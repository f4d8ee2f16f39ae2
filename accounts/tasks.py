"""Account e-mails, sent by the task queue rather than in the request (thin: ids in, fetch,
compose, send once). Links are made here, when the mail is sent, so no token waits in the
queue's table. Each mail is written in the language of the page that asked for it."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tasking.mail import absolute_url, compose, send_once, task_mail_key

from .roles import may_reset_password
from .tokens import signup_token

logger = logging.getLogger(__name__)
User = get_user_model()


def _uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


@task(takes_context=True)
def send_password_reset(context, user_id: int, language: str | None = None) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not may_reset_password(user):
        logger.info("password reset for user %s: no active account that may reset it", user_id)
        return
    link = absolute_url(
        "accounts:password_reset_confirm", _uid(user), default_token_generator.make_token(user)
    )
    subject, body = compose("accounts/email/password_reset", {"user": user, "link": link}, language=language)
    send_once(
        key=task_mail_key(context, "password-reset", user.pk), subject=subject, body=body, to=[user.email]
    )


@task(takes_context=True)
def send_signup_confirmation(context, user_id: int, language: str | None = None) -> None:
    """To a new (inactive) account: the link that activates it."""
    user = User.objects.filter(pk=user_id, is_active=False).first()
    if user is None or not user.email:
        logger.info("sign-up confirmation for user %s: gone or already active", user_id)
        return
    link = absolute_url("accounts:signup_confirm", _uid(user), signup_token.make_token(user))
    subject, body = compose("accounts/email/signup_confirm", {"user": user, "link": link}, language=language)
    send_once(
        key=task_mail_key(context, "signup-confirm", user.pk), subject=subject, body=body, to=[user.email]
    )


@task(takes_context=True)
def send_signup_known_address(context, user_id: int, language: str | None = None) -> None:
    """To the owner of an address someone tried to register again: what happened, and how to
    log in or reset the password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        logger.info("sign-up with a known address, user %s: gone or inactive", user_id)
        return
    subject, body = compose(
        "accounts/email/signup_known_address",
        {
            "user": user,
            "login_link": absolute_url("accounts:login"),
            "reset_link": absolute_url("accounts:password_reset"),
        },
        language=language,
    )
    send_once(
        key=task_mail_key(context, "signup-known", user.pk), subject=subject, body=body, to=[user.email]
    )
