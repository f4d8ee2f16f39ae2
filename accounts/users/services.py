"""Writes about back-office accounts made in Wagtail's user admin: each change of rights, each
password set by operations and each set-password link leaves an ``AccountEvent``.

Who may do what is ``accounts.roles`` (``can_manage_account``, ``can_grant_group``,
``can_set_passwords``); the forms and views of ``accounts.users`` only offer what it allows.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import AccountEvent


def account_rights(*, account_id) -> dict:
    """What an account may do, as stored now (read from the database, not from a form's
    instance, which already carries the new values): superuser, active, group names."""
    account = get_user_model().objects.filter(pk=account_id).first()
    if account is None:
        return {}
    return {
        "superuser": account.is_superuser,
        "active": account.is_active,
        "groups": sorted(account.groups.values_list("name", flat=True)),
    }


def _record(*, kind: str, account, by, before=None, after=None) -> AccountEvent:
    return AccountEvent.objects.create(
        kind=kind,
        actor=by,
        actor_name=by.get_username() if by else "",
        account=account,
        account_name=account.get_username(),
        before=before or {},
        after=after or {},
    )


def account_send_password_link(*, account, by) -> AccountEvent:
    """E-mail the account's owner a link to set their own password (the password-reset link of
    /accounts/, made when the mail goes out), through the task queue."""
    from .tasks import send_password_link

    event = _record(
        kind=AccountEvent.Kind.PASSWORD_LINK, account=account, by=by, after={"email": account.email}
    )
    account_id = account.pk
    transaction.on_commit(lambda: send_password_link.enqueue(account_id))
    return event


def account_created(*, account, by, password_set: bool) -> None:
    """A new account: recorded with its rights; without a password set by operations it gets
    an unusable one and its owner a set-password link."""
    _record(
        kind=AccountEvent.Kind.CREATED, account=account, by=by, after=account_rights(account_id=account.pk)
    )
    if password_set:
        _record(kind=AccountEvent.Kind.PASSWORD_SET, account=account, by=by)
    elif account.email:
        account_send_password_link(account=account, by=by)


def account_changed(*, account, by, before: dict, password_set: bool, send_link: bool) -> None:
    """After an edit was saved (``before``: ``account_rights`` read before saving)."""
    after = account_rights(account_id=account.pk)
    if after != before:
        _record(kind=AccountEvent.Kind.RIGHTS, account=account, by=by, before=before, after=after)
    if password_set:
        _record(kind=AccountEvent.Kind.PASSWORD_SET, account=account, by=by)
    if send_link and account.email:
        account_send_password_link(account=account, by=by)


def account_rights_changed(*, account, by, before: dict) -> None:
    """After a bulk action (a role given, accounts (de)activated)."""
    after = account_rights(account_id=account.pk)
    if after != before:
        _record(kind=AccountEvent.Kind.RIGHTS, account=account, by=by, before=before, after=after)


def account_deleting(*, account, by) -> None:
    """Before an account is deleted: its rights as they were."""
    _record(
        kind=AccountEvent.Kind.DELETED, account=account, by=by, before=account_rights(account_id=account.pk)
    )
