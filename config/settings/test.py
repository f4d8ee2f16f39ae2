"""Fast settings for the test suite (pytest uses these)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Each test run writes uploads to its own throw-away folder.
MEDIA_DIR = Path(os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="vc-media-"))
MEDIA_ROOT = MEDIA_DIR / "public"
PRIVATE_MEDIA_ROOT = MEDIA_DIR / "private"
LOGGING = {"version": 1, "disable_existing_loggers": False}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Static files straight from the finders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# SQLite test databases are copied from one migrated the first time (tests/sqlite_backend).
# The test database stays in memory (named so, pytest-django leaves it alone per xdist worker).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "tests.sqlite_backend"
    DATABASES["default"]["TEST"] = {**DATABASES["default"].get("TEST", {}), "NAME": ":memory:"}
