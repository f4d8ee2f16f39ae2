"""Permissions of the role groups (named by competition.rules) on judging models."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from competition.rules import ORGANIZERS, SUPERVISORS

JUDGING_MODELS = ("round", "criterion", "judge", "judgeinvitation", "conflict")


def ensure_judging_permissions(*, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    create_permissions(apps.get_app_config("judging"), verbosity=0, using=using)
    wanted = {
        ORGANIZERS: [
            f"{action}_{model}" for model in JUDGING_MODELS for action in ("add", "change", "delete", "view")
        ],
        SUPERVISORS: [f"view_{model}" for model in JUDGING_MODELS],
    }
    for name, codenames in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(using).filter(content_type__app_label="judging", codename__in=codenames)
        )
