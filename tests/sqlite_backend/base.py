"""SQLite for the test suite, with the migrated test database kept between runs.

Every run (every pytest-xdist worker) otherwise builds its in-memory test database by running
all 200-odd migrations, most of them Wagtail's: 12–15 s of Django working out model states,
the largest single cost of ``make test-fast``. The first run stores the freshly migrated
database (post-migrate data included: categories, the Wagtail root, groups and permissions)
under the system's temporary folder, named by a digest of every installed app's migration
files and the Django and Wagtail versions; later runs copy it into their in-memory database
(SQLite's backup API, a few milliseconds). Any change to a migration gives a new name, so a
stale copy is never used. ``TEST_DB_TEMPLATES=off`` migrates every time, as Django does.
PostgreSQL runs are not affected.
"""

import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path

import django
import wagtail
from django.apps import apps
from django.conf import settings
from django.db.backends.sqlite3 import base, creation

TEMPLATES = Path(tempfile.gettempdir()) / "vc-test-databases"


def migrations_digest() -> str:
    digest = hashlib.sha256(f"{django.__version__} {wagtail.__version__}".encode())
    for config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def copy_database(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


class DatabaseCreation(creation.DatabaseCreation):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=None, keepdb=False):
        name = self._get_test_db_name()
        if keepdb or not self.is_in_memory_db(name) or os.environ.get("TEST_DB_TEMPLATES") == "off":
            return super().create_test_db(verbosity, autoclobber, serialize, keepdb)
        template = TEMPLATES / f"{migrations_digest()}.sqlite3"
        if not template.exists():
            name = super().create_test_db(verbosity, autoclobber, serialize, keepdb)
            TEMPLATES.mkdir(parents=True, exist_ok=True)
            partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
            target = sqlite3.connect(partial)
            try:
                copy_database(self.connection.connection, target)
            finally:
                target.close()
            partial.replace(template)  # atomic: a concurrent worker sees all of it or none
            return name
        self._create_test_db(verbosity, autoclobber, keepdb)
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        self.connection.ensure_connection()
        source = sqlite3.connect(template)
        try:
            copy_database(source, self.connection.connection)
        finally:
            source.close()
        # Post-migrate data that depends on settings rather than migrations: the Wagtail Site's
        # address follows SITE_URL, which may differ from the run that stored the template.
        from common.site_address import sync_default_site

        sync_default_site(using=self.connection.alias)
        return name


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
