"""The role groups and their model permissions, kept in step after every migrate."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from .rules import COORDINATORS, JUDGES, ORGANIZERS, SUPERVISORS

COMPETITION_MODELS = (
    "county",
    "organization",
    "category",
    "team",
    "teammember",
    "coordinator",
    "contest",
)

ROLE_PERMISSIONS = {
    # Organizers run the contest in the back office; entries themselves are written by teams
    # and only reviewed there (see competition.admin_views).
    ORGANIZERS: [("wagtailadmin", "access_admin")]
    + [
        ("competition", f"{action}_{model}")
        for model in COMPETITION_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    + [("competition", "view_entry"), ("competition", "review_entry")]
    # to create accounts for coordinators, judges and supervisors in the back office
    + [("auth", "add_user"), ("auth", "change_user"), ("auth", "view_user")],
    COORDINATORS: [
        ("wagtailadmin", "access_admin"),
        ("competition", "view_entry"),
        ("competition", "review_entry"),
    ],
    SUPERVISORS: [("wagtailadmin", "access_admin"), ("competition", "view_entry")]
    + [("competition", f"view_{model}") for model in COMPETITION_MODELS],
    JUDGES: [],
}


def ensure_role_groups(*, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    # On a fresh database this runs before auth's own post_migrate handler has created the
    # model permissions (competition comes first in INSTALLED_APPS): create them first, or the
    # groups would be left without them until the next migrate.
    for label in {app for wanted in ROLE_PERMISSIONS.values() for app, _code in wanted}:
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        permissions = [
            p
            for p in Permission.objects.using(using)
            .filter(
                content_type__app_label__in={app for app, _code in wanted},
                codename__in={code for _app, code in wanted},
            )
            .select_related("content_type")
            if (p.content_type.app_label, p.codename) in set(wanted)
        ]
        group.permissions.add(*permissions)


def sync_coordinator_group(user) -> None:
    """A user is in the coordinators' group exactly when a Coordinator row names them."""
    from .models import Coordinator

    group = Group.objects.get(name=COORDINATORS)
    if Coordinator.objects.filter(user=user).exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.__dict__.pop("_group_names", None)
