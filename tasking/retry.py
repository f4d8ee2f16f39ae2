"""Retries for tasks on the database backend (django_tasks_db runs each task once).

When the worker marks a task FAILED it sends ``task_finished``; ``retry_failed_task`` then puts
the same row back in the queue (status READY, ``run_after`` = now + delay) while attempts remain.
The row keeps its id, so a retried e-mail task recognises what it already sent
(``tasking.mail``), and the worker appends its id to ``worker_ids`` at every claim, so
``len(worker_ids)`` is the number of attempts so far. The last error stays on the row until an
attempt succeeds. After the last attempt the row stays FAILED and organizers see it
(设置 → 报告 → 后台任务).

Every task gets ``TASKS_MAX_ATTEMPTS`` attempts unless it declares its own with ``@retry``
(above ``@task``). The delay doubles: ``TASKS_RETRY_DELAY`` seconds, then twice that, ...
Tasks run by the ImmediateBackend (development, tests) are not retried.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.dispatch import receiver
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.utils import timezone

logger = logging.getLogger(__name__)

_MAX_ATTEMPTS: dict[str, int] = {}


def retry(*, max_attempts: int):
    """Declare how many attempts a task gets in all (1: never retried). Goes above ``@task``."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def register(task):
        _MAX_ATTEMPTS[task.module_path] = max_attempts
        return task

    return register


def max_attempts_for(task_path: str) -> int:
    return _MAX_ATTEMPTS.get(task_path, settings.TASKS_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt, after ``attempts`` attempts have failed."""
    return timedelta(seconds=settings.TASKS_RETRY_DELAY * 2 ** max(attempts - 1, 0))


def requeue_failed(db_result) -> bool:
    """Put a FAILED task row back in the queue if it has attempts left; True if it was."""
    from django_tasks_db.models import DBTaskResult

    attempts = len(db_result.worker_ids)
    allowed = max_attempts_for(db_result.task_path)
    if attempts >= allowed:
        logger.error(
            "task %s (%s) failed for good after %d attempt(s)", db_result.pk, db_result.task_path, attempts
        )
        return False
    delay = retry_delay(attempts)
    requeued = DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + delay, finished_at=None
    )
    if requeued:
        logger.warning(
            "task %s (%s) failed (attempt %d of %d), retrying in %ss",
            db_result.pk,
            db_result.task_path,
            attempts,
            allowed,
            int(delay.total_seconds()),
        )
    return bool(requeued)


@receiver(task_finished, dispatch_uid="tasking.retry_failed_task")
def retry_failed_task(sender, task_result, **kwargs):
    db_result = getattr(task_result, "db_result", None)  # only the database backend's results
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return
    try:
        requeue_failed(db_result)
    except Exception:
        # Never let bookkeeping kill the worker; the task then simply stays FAILED.
        logger.exception("could not schedule a retry of task %s", db_result.pk)
