"""What each back-office role may do with the data core's models, kept in step after every
migrate (the roles themselves are ``accounts.roles``)."""

from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS

from accounts.roles import COORDINATORS, ORGANIZERS, SUPERVISORS, forget_group_names, grant

COMPETITION_MODELS = (
    "county",
    "organization",
    "category",
    "team",
    "teammember",
    "coordinator",
    "contest",
)


def ensure_role_permissions(*, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    grant(
        {
            # Organizers run the contest in the back office; entries themselves are written by
            # teams and only reviewed there (see competition.admin_views).
            ORGANIZERS: [
                ("competition", f"{action}_{model}")
                for model in COMPETITION_MODELS
                for action in ("add", "change", "delete", "view")
            ]
            + [("competition", "view_entry"), ("competition", "review_entry")],
            COORDINATORS: [("competition", "view_entry"), ("competition", "review_entry")],
            SUPERVISORS: [("competition", "view_entry")]
            + [("competition", f"view_{model}") for model in COMPETITION_MODELS],
        },
        using=using,
    )


def sync_coordinator_group(user) -> None:
    """A user is in the coordinators' group exactly when a Coordinator row names them."""
    from .models import Coordinator

    group = Group.objects.get(name=COORDINATORS)
    if Coordinator.objects.filter(user=user).exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)
    forget_group_names(user)
