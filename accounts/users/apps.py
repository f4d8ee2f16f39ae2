"""Wagtail's users app with our user admin (Wagtail's documented way to replace its viewset)."""

from wagtail.users.apps import WagtailUsersAppConfig


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin with the rights that cannot be borrowed (``accounts.users``):
    INSTALLED_APPS names this instead of "wagtail.users"."""

    user_viewset = "accounts.users.viewsets.UserViewSet"
