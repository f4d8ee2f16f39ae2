"""Registers the accounts' back-office screens; the screens live in accounts.users."""

from wagtail import hooks

from .users.events import account_event_viewset
from .users.viewsets import BULK_ACTIONS


@hooks.register("register_admin_viewset")
def register_account_event_viewset():
    return account_event_viewset


# After Wagtail's own user bulk actions (order), which these replace: same action types.
for action_class in BULK_ACTIONS:
    hooks.register("register_bulk_action", action_class, order=100)
