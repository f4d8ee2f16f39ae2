"""The task worker as tests run it, in the test's own process and transaction."""

from django_tasks_db.management.commands import db_worker


def run_worker() -> None:
    """What `manage.py db_worker --batch` runs: every ready task (retries included), then stop."""
    db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
