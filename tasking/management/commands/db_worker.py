"""``manage.py db_worker``: django_tasks_db's worker (same options, see ``--help``) plus a
heartbeat thread that also puts back in the queue the tasks of workers that died
(``tasking.recovery``). This app comes before django_tasks_db in INSTALLED_APPS, so this
command replaces the package's own."""

import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from tasking.recovery import Heartbeat, beat, recover_orphans


class Command(db_worker.Command):
    help = "Run the database task worker (with heartbeat and recovery of tasks whose worker died)"

    def handle(self, *args, **options):
        if options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only restarts its child, which runs the tasks.
            return super().handle(*args, **options)
        worker_id = options["worker_id"]
        beat(worker_id)
        recover_orphans()
        heartbeat = Heartbeat(worker_id, settings.TASKS_HEARTBEAT)
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
