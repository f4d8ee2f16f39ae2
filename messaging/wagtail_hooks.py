"""报告 → 消息发件箱, 设置 → 消息模板 (messaging.admin_views)."""

from wagtail import hooks

from .admin_views import outbox_viewset, templates_menu_viewset


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return outbox_viewset


@hooks.register("register_admin_viewset")
def register_templates_menu():
    return templates_menu_viewset
