"""设置 → 报告 → 后台任务: the task queue as organizers need to see it.

Failed tasks first (those whose last attempt failed), or every recent task; per task its name,
when it was queued, started and finished, its attempts and its error as the exception's class
and message only: the traceback (source lines, paths) stays in the database and the logs, and
a task's arguments are never shown (an invitation task carries its secret token). Organizers
may run a failed task once more; supervisors (监督委员会) only read; anyone else gets a 404.
Three queries whatever the page size (workers, count, page).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect
from django.tasks import TaskResultStatus, task_backends
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead

from .models import WorkerHeartbeat
from .retry import max_attempts_for

PER_PAGE = 50
FILTERS = {
    "failed": gettext_lazy("失败"),
    "pending": gettext_lazy("排队与重试中"),
    "all": gettext_lazy("全部"),
}


def error_summary(traceback: str, class_path: str) -> str:
    """The exception's own lines (``module.Class: message``) from the end of a formatted
    traceback, without the stack above them."""
    lines = traceback.rstrip().splitlines()
    tail: list[str] = []
    for line in reversed(lines):
        if line.startswith((" ", "\t")) or line.startswith("Traceback ("):
            break
        tail.append(line)
    text = "\n".join(reversed(tail)).strip() or class_path
    return text[:500]


def status_label(row) -> str:
    if row.status == TaskResultStatus.READY:
        return _("等待重试") if row.exception_class_path else _("排队中")
    return {
        TaskResultStatus.RUNNING: _("执行中"),
        TaskResultStatus.FAILED: _("失败"),
        TaskResultStatus.SUCCESSFUL: _("成功"),
    }.get(row.status, row.status)


def task_rows(filter_name: str):
    rows = DBTaskResult.objects.defer("args_kwargs", "return_value")
    if filter_name == "failed":
        rows = rows.filter(status=TaskResultStatus.FAILED)
    elif filter_name == "pending":
        rows = rows.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    return rows.order_by(F("finished_at").desc(nulls_first=True), "-enqueued_at")


class TaskListView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("后台任务")
    header_icon = "cogs"
    template_name = "tasking/task_list.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_name = self.request.GET.get("status", "failed")
        if filter_name not in FILTERS:
            filter_name = "failed"
        page = Paginator(task_rows(filter_name), PER_PAGE).get_page(self.request.GET.get("p"))
        cutoff = timezone.now() - timedelta(seconds=settings.TASKS_WORKER_DEAD_AFTER)
        rows = [
            {
                "id": row.pk,
                "name": row.task_name,
                "path": row.task_path,
                "status": row.status,
                "status_label": status_label(row),
                "enqueued_at": row.enqueued_at,
                "started_at": row.started_at,
                "finished_at": row.finished_at,
                "next_attempt_at": row.run_after
                if row.status == TaskResultStatus.READY and row.exception_class_path
                else None,
                "attempts": len(row.worker_ids),
                "max_attempts": max_attempts_for(row.task_path),
                "error": error_summary(row.traceback, row.exception_class_path)
                if row.exception_class_path
                else "",
            }
            for row in page
        ]
        context.update(
            can_change=self.can_change,
            uses_database=isinstance(task_backends["default"], DatabaseBackend),
            workers=list(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).order_by("started_at")),
            filters=[
                {"name": name, "label": label, "url": f"{reverse('tasking:index')}?status={name}"}
                for name, label in FILTERS.items()
            ],
            filter_name=filter_name,
            page=page,
            rows=rows,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Run a failed task once more (one more attempt, at once)."""
        requeued = DBTaskResult.objects.filter(
            pk=request.POST.get("task"), status=TaskResultStatus.FAILED
        ).update(status=TaskResultStatus.READY, run_after=timezone.now(), finished_at=None)
        if requeued:
            messages.success(request, _("任务已重新排队，将由工作进程再执行一次。"))
        else:
            messages.error(request, _("找不到这个失败的任务，可能已经重新排队。"))
        return redirect(f"{reverse('tasking:index')}?status=failed")


class TaskViewSet(ViewSet):
    name = "tasking"
    url_prefix = "tasks"
    icon = "cogs"
    menu_label = gettext_lazy("后台任务")
    menu_hook = "register_reports_menu_item"
    menu_item_class = BackOfficeMenuItem

    def get_urlpatterns(self):
        return [path("", TaskListView.as_view(), name="index")]


task_viewset = TaskViewSet()
