"""Registers the judging back office (评审管理); the screens live in viewsets/admin_views."""

from wagtail import hooks

from .viewsets import judging_viewset_group


@hooks.register("register_admin_viewset")
def register_judging_viewsets():
    return judging_viewset_group


# 评审管理 → 导出与导入 (judging.spreadsheet_views): its menu item joins the group's submenu.
from .spreadsheet_views import JUDGING_SUBMENU_HOOK, spreadsheet_viewset  # noqa: E402

judging_viewset_group.submenu_hook = JUDGING_SUBMENU_HOOK


@hooks.register("register_admin_viewset")
def register_spreadsheet_viewset():
    return spreadsheet_viewset
