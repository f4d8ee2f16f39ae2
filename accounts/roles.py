"""The back-office roles (Django groups) and the predicates views name.

Each domain app says which permissions of its own models a role gets (its ``roles.py``) and
calls ``grant`` after every migrate; the judges' role belongs to ``judging``.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

ORGANIZERS = "组委会"
COORDINATORS = "县区管理员"
SUPERVISORS = "监督委员会"


def group_names(user) -> frozenset[str]:
    """The user's group names, looked up once per request-bound user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._group_names = cached
    return cached


def forget_group_names(user) -> None:
    """After the user's groups changed: the next ``group_names`` reads them again."""
    user.__dict__.pop("_group_names", None)


def is_organizer(user) -> bool:
    return user.is_active and (user.is_superuser or ORGANIZERS in group_names(user))


def is_supervisor(user) -> bool:
    return user.is_active and SUPERVISORS in group_names(user)


def may_reset_password(user) -> bool:
    """Who "忘记密码" serves: active accounts with a password, and county coordinators made by
    the spreadsheet import, whose accounts start without one (their first link may expire)."""
    if not user.is_active or not user.email:
        return False
    return user.has_usable_password() or COORDINATORS in group_names(user)


def can_read_back_office(user) -> bool:
    """Organizers run the contest's back-office pages; supervisors (监委) read them all."""
    return is_organizer(user) or is_supervisor(user)


# Rights that only operations (superusers) give or take: whoever holds one could otherwise
# pass it on, or watch the office that is meant to watch them.
GUARDED_GROUPS = frozenset({ORGANIZERS, SUPERVISORS})


def holds_guarded_rights(account) -> bool:
    """A superuser, organizer or supervisor account: only a superuser may change it."""
    return account.is_superuser or bool(group_names(account) & GUARDED_GROUPS)


def can_manage_account(actor, account) -> bool:
    """Superusers manage every account; organizers those without guarded rights (coordinators,
    judges, other back-office helpers), never their own; nobody else manages any."""
    if not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return is_organizer(actor) and actor.pk != account.pk and not holds_guarded_rights(account)


def accounts_managed_by(actor, accounts):
    """The accounts of the queryset *accounts* that ``can_manage_account`` lets *actor* manage
    (one query, for the account choosers of the judges' and coordinators' screens)."""
    if not actor.is_active:
        return accounts.none()
    if actor.is_superuser:
        return accounts
    if not is_organizer(actor):
        return accounts.none()
    return accounts.exclude(is_superuser=True).exclude(groups__name__in=GUARDED_GROUPS).exclude(pk=actor.pk)


def can_grant_group(actor, name: str) -> bool:
    return actor.is_active and (actor.is_superuser or (is_organizer(actor) and name not in GUARDED_GROUPS))


def can_set_passwords(actor) -> bool:
    """Only operations set another person's password; everyone else sends a set-password link
    to the account's own e-mail address."""
    return actor.is_active and actor.is_superuser


def grant(wanted: dict[str, list[tuple[str, str]]], *, using=DEFAULT_DB_ALIAS) -> None:
    """Make each named group exist and hold the listed (app label, codename) permissions.

    On a fresh database this may run before auth's own post_migrate handler has created the
    model permissions: create them first, or the groups would lack them until the next migrate.
    """
    for label in {app for pairs in wanted.values() for app, _code in pairs}:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    for name, pairs in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        pairs = set(pairs)
        group.permissions.add(
            *(
                p
                for p in Permission.objects.using(using)
                .filter(
                    content_type__app_label__in={app for app, _code in pairs},
                    codename__in={code for _app, code in pairs},
                )
                .select_related("content_type")
                if (p.content_type.app_label, p.codename) in pairs
            )
        )


def ensure_groups(*, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """The back-office roles can reach the admin."""
    grant(
        {name: [("wagtailadmin", "access_admin")] for name in (ORGANIZERS, COORDINATORS, SUPERVISORS)}
        | {
            ORGANIZERS: [
                ("wagtailadmin", "access_admin"),
                ("auth", "add_user"),
                ("auth", "change_user"),
                ("auth", "view_user"),
            ]
        },
        using=using,
    )
