"""The judges' role (a group of its own) and what organizers and supervisors may do with
judging's models, kept in step after every migrate."""

from django.db import DEFAULT_DB_ALIAS
from django.urls import reverse

from accounts.roles import ORGANIZERS, SUPERVISORS, grant, group_names

JUDGES = "评委"
JUDGING_MODELS = ("round", "criterion", "judge", "judgeinvitation", "conflict")


def is_judge(user) -> bool:
    """In the judges' group (their profile may be inactive: the judging pages explain that)."""
    return user.is_active and JUDGES in group_names(user)


def ensure_judging_permissions(*, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    grant(
        {
            ORGANIZERS: [
                ("judging", f"{action}_{model}")
                for model in JUDGING_MODELS
                for action in ("add", "change", "delete", "view")
            ],
            SUPERVISORS: [("judging", f"view_{model}") for model in JUDGING_MODELS],
            JUDGES: [],
        },
        using=using,
    )


def judge_home(user) -> str | None:
    """A judge's dashboard is where logging in takes them (``competition.extensions``)."""
    return reverse("judging:dashboard") if is_judge(user) else None
