"""Registers 网络投票 (under 评审管理)."""

from wagtail import hooks

from .windows.admin_views import voting_viewset


@hooks.register("register_admin_viewset")
def register_voting_viewset():
    return voting_viewset
