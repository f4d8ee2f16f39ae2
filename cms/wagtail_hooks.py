"""Registers the back-office screens of the public site (cms.admin_views)."""

from django.urls import path
from wagtail import hooks

from .admin_views import PublishDraftsView


@hooks.register("register_admin_urls")
def register_publish_drafts_url():
    return [
        path(
            "cms/contests/<int:contest_id>/publish-drafts/",
            PublishDraftsView.as_view(),
            name="cms_publish_drafts",
        )
    ]
