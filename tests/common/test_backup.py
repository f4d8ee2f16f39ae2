"""Backup of a seeded site, restore into an empty database and empty media folders, and a check —
made here, independently of the tool's own manifest — that every table's row count and every
file's SHA-256 came back. Once on SQLite, once on PostgreSQL (127.0.0.1:5432, user postgres)."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Variables that would point the child processes elsewhere than the databases made here.
INHERITED_PREFIXES = (
    "DJANGO_",
    "DATABASE_URL",
    "SQLITE_PATH",
    "MEDIA_",
    "TEST_MEDIA_ROOT",
    "REDIS_URL",
    "PG",
    "AWS_",
)


def manage(*args, database_url: str, media: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """manage.py in a child process with development settings (DEBUG on, so seed_demo runs) and
    only the database and media folder given here; nothing of pytest's test settings leaks in.
    Several commands separated by ";" run one after the other in the same process (one start-up)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_PREFIXES)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        PYTHONWARNINGS="ignore",
    )
    commands = [[]]
    for arg in args:
        if arg == ";":
            commands.append([])
        else:
            commands[-1].append(arg)
    argv = [sys.executable, "manage.py", *args]
    if len(commands) > 1:
        script = (
            "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.base');"
            "django.setup(); from django.core.management import call_command\n"
            + "".join(f"call_command(*{command!r})\n" for command in commands)
        )
        argv = [sys.executable, "-c", script]
    return subprocess.run(
        argv,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (
        f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def file_checksums(media: Path) -> dict[str, str]:
    sums = {}
    for directory, _dirs, files in os.walk(media):
        for name in files:
            path = Path(directory) / name
            sums[path.relative_to(media).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608
    finally:
        conn.close()


def pg_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


@pytest.fixture
def pg_databases():
    """Two fresh, empty PostgreSQL databases (source and restore target), dropped afterwards."""
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is needed for this test: {exc}")
    suffix = uuid.uuid4().hex[:10]
    names = [f"vc_backup_src_{suffix}", f"vc_backup_dst_{suffix}"]
    try:
        for name in names:
            admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        yield [f"postgresql://postgres@127.0.0.1:5432/{name}" for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def seed_backup_restore(source_url: str, target_url: str, tmp_path: Path) -> Path:
    """Seed a site on source, back it up, restore it on target; returns the archive."""
    source_media, target_media = tmp_path / "media-source", tmp_path / "media-target"
    target_media.mkdir()
    archive = tmp_path / "backup.tar.gz"
    src = {"database_url": source_url, "media": source_media}
    out = ok(
        manage(
            *("migrate", "--noinput", "-v", "0", ";"),
            *("seed_demo", "--entries", "40", "--judges", "12", "--stage", "published", ";"),
            *("backup", "--output", str(archive)),
            **src,
        )
    )
    assert "Backup written to" in out
    assert archive.is_file()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    out = ok(manage("restore", str(archive), database_url=target_url, media=target_media))
    assert "Restored and verified" in out
    return archive


def assert_same_media(tmp_path: Path) -> None:
    source = file_checksums(tmp_path / "media-source")
    restored = file_checksums(tmp_path / "media-target")
    assert any(name.startswith("public/") for name in source)
    assert any(name.startswith("private/") for name in source)
    assert restored == source


def assert_same_rows(source: dict[str, int], restored: dict[str, int]) -> None:
    assert len(source) > 50
    assert source["auth_user"] > 12 and source["wagtailimages_image"] > 0
    assert restored == source


@pytest.mark.slow
def test_sqlite_backup_restores_every_row_and_file(tmp_path):
    source_db, target_db = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"
    archive = seed_backup_restore(f"sqlite:///{source_db}", f"sqlite:///{target_db}", tmp_path)

    assert_same_rows(sqlite_counts(source_db), sqlite_counts(target_db))
    assert_same_media(tmp_path)
    # A second restore onto the now full database and media is refused without --force.
    again = manage(
        "restore", str(archive), database_url=f"sqlite:///{target_db}", media=tmp_path / "media-target"
    )
    assert again.returncode != 0
    assert "not empty" in again.stderr


@pytest.mark.slow
def test_postgresql_backup_restores_every_row_and_file(tmp_path, pg_databases):
    source_url, target_url = pg_databases
    archive = seed_backup_restore(source_url, target_url, tmp_path)

    assert_same_rows(pg_counts(source_url), pg_counts(target_url))
    assert_same_media(tmp_path)
    # --force replaces a database and media folder that are not empty, and verifies again.
    (tmp_path / "media-target" / "public" / "stray.txt").write_text("not in the backup")
    out = ok(
        manage("restore", "--force", str(archive), database_url=target_url, media=tmp_path / "media-target")
    )
    assert "Restored and verified" in out
    assert_same_rows(pg_counts(source_url), pg_counts(target_url))
    assert_same_media(tmp_path)


def test_sqlite_online_copy_takes_committed_rows_from_the_wal_while_a_writer_is_busy(tmp_path):
    from common.backup import sqlite_online_copy

    live = tmp_path / "live.sqlite3"
    site = sqlite3.connect(live, isolation_level=None)
    site.execute("PRAGMA journal_mode=WAL")
    site.execute("PRAGMA wal_autocheckpoint=0")  # committed rows stay in the -wal file
    site.execute("CREATE TABLE sheet (id INTEGER PRIMARY KEY, score INTEGER)")
    site.executemany("INSERT INTO sheet (score) VALUES (?)", [(n,) for n in range(100)])
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO sheet (score) VALUES (-1)")  # not committed: not in the copy
    assert (tmp_path / "live.sqlite3-wal").stat().st_size > 0

    copy = tmp_path / "copy.sqlite3"
    sqlite_online_copy(live, copy)
    writer.execute("ROLLBACK")
    writer.close()
    site.close()

    assert sqlite_counts(copy) == {"sheet": 100}
    assert not (tmp_path / "copy.sqlite3-wal").exists()
    check = sqlite3.connect(copy)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
