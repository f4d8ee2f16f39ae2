"""设置 → 报告 → 后台任务 (tasking.admin_views)."""

from wagtail import hooks

from .admin_views import task_viewset


@hooks.register("register_admin_viewset")
def register_task_viewset():
    return task_viewset
