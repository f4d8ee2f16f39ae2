import time

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an empty database and empty media "
        "folders, then check every table's row count and every file's SHA-256 against its manifest. "
        "Stop the app servers and the task worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and media folders that are not empty (their contents are lost)",
        )
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, archive, force, database, **options):
        started = time.perf_counter()
        try:
            report = restore_backup(archive, alias=database, force=force, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"Restored, but {len(report.problems)} differences from the backup (above).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and verified: {report.tables_checked} tables' row counts and "
                f"{report.files_checked} files' SHA-256 match the backup ({elapsed:.1f} s)."
            )
        )
