"""Registers the shortlist pages (入围名单) under 评审管理."""

from wagtail import hooks

from awards.shortlist.admin_views import shortlist_viewset


@hooks.register("register_admin_viewset")
def register_shortlist_viewset():
    return shortlist_viewset
