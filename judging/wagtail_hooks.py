"""Registers the judging back office (评审管理); the screens live in viewsets/admin_views."""

from wagtail import hooks

from .viewsets import judging_viewset_group


@hooks.register("register_admin_viewset")
def register_judging_viewsets():
    return judging_viewset_group
