"""报告 → 消息发件箱, 设置 → 消息模板 (messaging.admin_views), and 站内消息 (the inbox)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import outbox_viewset, templates_menu_viewset


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return outbox_viewset


@hooks.register("register_admin_viewset")
def register_templates_menu():
    return templates_menu_viewset


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    """Organizers and coordinators read their own inbox (objections filed, reminders) on the
    same page as teams and judges."""
    return MenuItem(_("站内消息"), reverse("inbox:index"), icon_name="mail", order=9000)
