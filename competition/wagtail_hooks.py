"""Registers the back-office screens; the screens themselves live in admin_views/viewsets."""

from wagtail import hooks

from .onboarding.admin_views import onboarding_viewset
from .viewsets import competition_viewset_group


@hooks.register("register_admin_viewset")
def register_competition_viewsets():
    return competition_viewset_group


@hooks.register("register_admin_viewset")
def register_onboarding_viewset():
    return onboarding_viewset
