"""Settings for the worker subprocesses of tests/config/test_tasks_worker.py: the ordinary
settings (database from DATABASE_URL / SQLITE_PATH) with the database task backend and e-mail
written to files in TEST_MAIL_DIR, so that the test can count what was sent."""

import os

from config.settings.base import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["TEST_MAIL_DIR"]},
    }
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
