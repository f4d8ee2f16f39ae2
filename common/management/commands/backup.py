import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, default_archive_path, make_backup


class Command(BaseCommand):
    help = (
        "Write one tar.gz with the database (SQLite online copy or pg_dump), the local media files "
        "and a manifest (row counts, SHA-256 of every file). Safe while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="archive to write (default: backups/backup-<timestamp>.tar.gz)"
        )
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, output, database, **options):
        target = Path(output) if output else default_archive_path()
        started = time.perf_counter()
        try:
            manifest = make_backup(target, alias=database, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = sum(len(f) for f in manifest["media"].values())
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {target} ({target.stat().st_size / 1e6:.1f} MB): "
                f"{len(manifest['tables'])} tables, {rows} rows, {files} media files "
                f"({time.perf_counter() - started:.1f} s)."
            )
        )
