"""Log-in lock-out, counted per (username, client address) pair, plus a failure budget per
address across all accounts.

Keyed on the pair on purpose: by username alone, anyone could lock a judge out by guessing
wrong on purpose; by address alone, a whole county office behind one address would be locked
out by one forgetful colleague. The pair alone, though, lets one address try one password on
each of many accounts forever; so an address also has a budget of failures, whatever the
accounts (``LOGIN_ADDRESS_FAILURE_LIMIT`` per ``LOGIN_LOCKOUT_SECONDS``), set high enough
for an office of forgetful colleagues and far below what spraying passwords needs.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import ratelimit
from .models import LoginThrottle


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def login_locked_until(*, username: str, address: str, now=None):
    """When the pair may try again, or None if it is not locked."""
    now = now or timezone.now()
    locked_until = (
        LoginThrottle.objects.filter(username=_key(username), address=address)
        .values_list("locked_until", flat=True)
        .first()
    )
    if locked_until and locked_until > now:
        return locked_until
    return None


def _address_key(address: str) -> str:
    return f"login-failures:address:{address}"


def address_locked_until(*, address: str, now=None):
    """When the address may try again after using its failure budget, or None."""
    return ratelimit.exhausted_until(
        key=_address_key(address),
        limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        window=settings.LOGIN_LOCKOUT_SECONDS,
        now=now,
    )


def record_login_failure(*, username: str, address: str, now=None) -> None:
    now = now or timezone.now()
    ratelimit.consume(
        key=_address_key(address),
        limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        window=settings.LOGIN_LOCKOUT_SECONDS,
        now=now,
    )
    window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    with transaction.atomic():
        row, created = LoginThrottle.objects.select_for_update().get_or_create(
            username=_key(username), address=address, defaults={"first_failure_at": now, "failures": 0}
        )
        if not created and row.first_failure_at + window < now:
            # The previous burst is old: start counting again.
            row.failures = 0
            row.first_failure_at = now
            row.locked_until = None
            row.save()
        LoginThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
        row.refresh_from_db(fields=["failures"])
        if row.failures >= settings.LOGIN_FAILURE_LIMIT:
            LoginThrottle.objects.filter(pk=row.pk).update(locked_until=now + window)
    # Rows of bursts that ended long ago (typos of unknown names included) are forgotten.
    LoginThrottle.objects.filter(first_failure_at__lt=now - 2 * window).exclude(locked_until__gt=now).delete()


def clear_login_failures(*, username: str, address: str) -> None:
    LoginThrottle.objects.filter(username=_key(username), address=address).delete()


def clear_all_login_failures(*, username: str) -> None:
    """After the owner proved who they are (a password reset), lift the lock from every address."""
    LoginThrottle.objects.filter(username=_key(username)).delete()


def count_account_mail(*, email: str, address: str, now=None):
    """Count one sign-up or password-reset request against the client address's and the e-mail
    address's hourly limits (``ACCOUNT_MAIL_PER_ADDRESS``, ``ACCOUNT_MAIL_PER_RECIPIENT``).
    Returns None when it may go ahead, else when to try again. Counted whether or not the
    e-mail address has an account, so the answer tells nothing about it."""
    for key, limit in (
        (f"account-mail:address:{address}", settings.ACCOUNT_MAIL_PER_ADDRESS),
        (f"account-mail:recipient:{(email or '').strip().lower()}", settings.ACCOUNT_MAIL_PER_RECIPIENT),
    ):
        until = ratelimit.consume(key=key, limit=limit, window=3600, now=now)
        if until is not None:
            return until
    return None
