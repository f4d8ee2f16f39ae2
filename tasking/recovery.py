"""Tasks whose worker died.

django_tasks_db marks a task RUNNING when a worker claims it and leaves it so if that worker is
killed (``kill -9``, out of memory, machine lost): nothing would ever run it again. So each
worker (``manage.py db_worker``) writes a heartbeat every ``TASKS_HEARTBEAT`` seconds from a
thread of its own (it goes on while a long task runs), and every worker, at start-up and at each
heartbeat, looks for RUNNING tasks claimed more than ``TASKS_WORKER_DEAD_AFTER`` seconds ago by a
worker not heard from in that time. Such a task goes back in the queue as a new attempt (the
killed run counts as one), or is marked FAILED with ``WorkerLost`` when it has no attempts left,
so a task that kills its worker every time does not loop forever. A compare-and-set on
``started_at`` keeps two workers from both re-queuing it.

Only time is trusted, not process ids (another machine's, or another container's, pid says
nothing here), so ``TASKS_WORKER_DEAD_AFTER`` must exceed any stall of a live worker's
heartbeat (SQLite's write lock held by a long transaction, for instance): 300 s by default.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone

from .models import SentEmail, WorkerHeartbeat
from .retry import max_attempts_for

logger = logging.getLogger(__name__)

WORKER_LOST = "tasking.recovery.WorkerLost"
# Records older than this are of no use to a retry any more.
KEEP_SENT_EMAILS = timedelta(days=30)
KEEP_DEAD_WORKERS = timedelta(days=1)


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()[:255], "pid": os.getpid()},
    )


def recover_orphans(*, now=None) -> dict[str, int]:
    """Re-queue (or fail, when out of attempts) RUNNING tasks whose worker is gone; returns
    how many of each."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TASKS_WORKER_DEAD_AFTER)
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True))
    counts = {"requeued": 0, "failed": 0}
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff).order_by():
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        attempts = len(row.worker_ids)
        unclaimed = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if attempts < _max_attempts(row):
            done = unclaimed.update(status=TaskResultStatus.READY, run_after=now, finished_at=None)
            kind = "requeued"
        else:
            done = unclaimed.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"{WORKER_LOST}: worker {row.worker_ids[-1] if row.worker_ids else '?'} "
                "stopped while running the task\n",
            )
            kind = "failed"
        if done:
            counts[kind] += 1
            logger.warning(
                "task %s (%s) was left running by a dead worker after attempt %d: %s",
                row.pk,
                row.task_path,
                attempts,
                kind,
            )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - KEEP_DEAD_WORKERS).delete()
    SentEmail.objects.filter(sent_at__lt=now - KEEP_SENT_EMAILS).delete()
    return counts


def _max_attempts(row) -> int:
    try:
        _ = row.task  # imports the task's module, so that its @retry declaration is known
    except Exception:
        logger.warning("task %s: cannot import %s", row.pk, row.task_path)
    return max_attempts_for(row.task_path)


class Heartbeat(threading.Thread):
    """Beats and recovers every ``interval`` seconds until stopped, then forgets the worker."""

    def __init__(self, worker_id: str, interval: float):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()

    def tick(self) -> None:
        try:
            beat(self.worker_id)
            recover_orphans()
        except Exception:
            logger.exception("worker %s: heartbeat failed", self.worker_id)
        finally:
            connection.close()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.tick()
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.exception("worker %s: could not remove its heartbeat", self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)
