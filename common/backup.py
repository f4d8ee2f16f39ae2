"""Backup and restore of the whole site: database, media files and a manifest, in one tar.gz.

Archive layout::

    database/db.sqlite3        SQLite: a consistent copy made with SQLite's online backup API
    database/db.dump           PostgreSQL: ``pg_dump --format=custom``
    media/public/...           the "default" storage (MEDIA_ROOT/public)
    media/private/...          the "private" storage (MEDIA_ROOT/private)
    manifest.json              what was written: versions, every table's row count, every file's SHA-256

Used by ``manage.py backup`` and ``manage.py restore`` (and ``make backup`` / ``make restore``).
Media held in S3-compatible storage is not copied: the bucket is backed up with the provider's
tools (versioning, replication); the manifest records which storages were skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SQLITE_MEMBER = "database/db.sqlite3"
PG_MEMBER = "database/db.dump"
# Storage alias -> folder inside the archive's media/.
MEDIA_STORAGES = {"default": "public", "private": "private"}
CHUNK = 1024 * 1024
# libpq environment variables for the connection OPTIONS we may be given in DATABASE_URL.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """Something the operator must fix; the message says what."""


# --- Helpers ---------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_roots() -> tuple[dict[str, Path], dict[str, str]]:
    """(archive folder -> local root) for file-system storages, (archive folder -> why skipped)."""
    roots, skipped = {}, {}
    for alias, folder in MEDIA_STORAGES.items():
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            roots[folder] = Path(storage.location)
        else:
            skipped[folder] = (
                f"storage {alias!r} is {type(storage).__module__}.{type(storage).__name__}, not local "
                "files: back up its bucket with the provider's tools (versioning, replication)"
            )
    return roots, skipped


def walk_files(root: Path) -> dict[str, Path]:
    """Every regular file under root, by its POSIX path relative to root (symlinks not followed)."""
    found = {}
    if not root.is_dir():
        return found
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path
    return found


def media_checksums(root: Path) -> dict[str, dict]:
    return {
        rel: {"sha256": sha256_file(path), "size": path.stat().st_size}
        for rel, path in sorted(walk_files(root).items())
    }


def quote_sqlite(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_row_counts(path: Path) -> dict[str, int]:
    """Every table's row count in an SQLite file (SQLite's own bookkeeping tables included)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        counts = {}
        for name in names:
            query = f"SELECT COUNT(*) FROM {quote_sqlite(name)}"  # noqa: S608 - names from sqlite_master
            counts[name] = conn.execute(query).fetchone()[0]
    conn.close()
    return counts


def django_row_counts(alias: str = "default") -> dict[str, int]:
    """Every table's row count through Django's connection (tables of the current schema)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


# --- PostgreSQL tools ------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """Path of pg_dump / pg_restore: from PG_BINDIR when set (e.g. /usr/lib/postgresql/16/bin),
    else from PATH."""
    bindir = os.environ.get("PG_BINDIR", "")
    if bindir:
        path = Path(bindir) / name
        if not path.is_file():
            raise BackupError(f"{name} not found in PG_BINDIR={bindir}")
        return str(path)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (Debian: postgresql-client) "
            "or set PG_BINDIR to the folder holding it"
        )
    return found


def pg_env(alias: str = "default") -> dict[str, str]:
    """libpq environment for the Django database (the password never appears on a command line)."""
    db = settings.DATABASES[alias]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
        else:
            env.pop(var, None)
    env["PGDATABASE"] = db["NAME"]
    for option, var in LIBPQ_OPTIONS.items():
        if option in db.get("OPTIONS", {}):
            env[var] = str(db["OPTIONS"][option])
    return env


def check_pg_tool_version(tool: str, alias: str = "default") -> str:
    """pg_dump refuses a server of a newer major version; say so before starting."""
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    tool_major = int(match.group(1)) if match else 0
    connection = connections[alias]
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{tool} is version {tool_major} but the server is PostgreSQL {server_major}: install the "
            f"client of version {server_major} or newer, or point PG_BINDIR at it"
        )
    return output.strip()


def run_tool(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}):\n{result.stderr.strip()}")


# --- Backup ----------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Feeds tarfile a file while computing its SHA-256, so each file is read once."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> dict:
    info = tar.gettarinfo(str(path), arcname=arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _add_bytes(tar: tarfile.TarFile, data: bytes, arcname: str) -> None:
    info = tarfile.TarInfo(arcname)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _dump_sqlite(workdir: Path, alias: str) -> tuple[Path, dict[str, int]]:
    """Copy the live database with sqlite3's online backup API: a consistent snapshot even while
    the site writes (WAL mode), without stopping it."""
    source_name = settings.DATABASES[alias]["NAME"]
    if not Path(source_name).is_file():
        raise BackupError(f"SQLite database {source_name} does not exist")
    copy = workdir / "db.sqlite3"
    sqlite_online_copy(Path(source_name), copy)
    return copy, sqlite_row_counts(copy)


def sqlite_online_copy(source_path: Path, copy: Path) -> None:
    """What is committed in source_path (WAL included) into the single file copy."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=60)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
        # One self-contained file (no -wal beside it); the site turns WAL on again when it opens it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def _dump_postgresql(workdir: Path, alias: str, log) -> tuple[Path, dict[str, int], str]:
    """pg_dump in a snapshot shared with our row counts, so the manifest describes exactly the dump."""
    pg_dump = pg_tool("pg_dump")
    tool_version = check_pg_tool_version(pg_dump, alias)
    dump = workdir / "db.dump"
    connection = connections[alias]
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        log(f"pg_dump ({tool_version}) of database {settings.DATABASES[alias]['NAME']!r}…")
        run_tool(
            [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={dump}"],
            pg_env(alias),
        )
        counts = django_row_counts(alias)
    return dump, counts, tool_version


def default_archive_path() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "backups" / f"backup-{stamp}.tar.gz"


def make_backup(output: Path, alias: str = "default", log=print) -> dict:
    """Write the archive to output (via a .partial file renamed at the end); return the manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    db_vendor = vendor(alias)
    if db_vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backing up a {db_vendor} database is not supported")
    manifest = {
        "format": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": {
            "app": package_version("volunteer-contest"),
            "django": django.get_version(),
            "wagtail": package_version("wagtail"),
            "git_commit": git_commit(),
        },
        "database": {"vendor": db_vendor},
        "tables": {},
        "media": {},
        "media_skipped": {},
    }
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="vc-backup-") as tmp:
        workdir = Path(tmp)
        if db_vendor == "sqlite":
            log("Copying the SQLite database (online backup API)…")
            db_file, counts = _dump_sqlite(workdir, alias)
            member = SQLITE_MEMBER
        else:
            db_file, counts, tool_version = _dump_postgresql(workdir, alias, log)
            member = PG_MEMBER
            manifest["database"]["pg_dump"] = tool_version
            manifest["database"]["server_version"] = connections[alias].pg_version
        manifest["database"]["file"] = member
        manifest["tables"] = counts
        roots, skipped = media_roots()
        manifest["media_skipped"] = skipped
        for folder, reason in skipped.items():
            log(f"Media {folder}/ skipped: {reason}.")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                manifest["database"]["sha256"] = _add_file(tar, db_file, member)["sha256"]
                for folder, root in roots.items():
                    files = {}
                    for rel, path in sorted(walk_files(root).items()):
                        files[rel] = _add_file(tar, path, f"media/{folder}/{rel}")
                    manifest["media"][folder] = files
                    log(f"Media {folder}/: {len(files)} files from {root}.")
                _add_bytes(tar, json.dumps(manifest, ensure_ascii=False, indent=1).encode(), MANIFEST_NAME)
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


# --- Restore ---------------------------------------------------------------------------------


@dataclass
class Report:
    tables_checked: int = 0
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _database_is_empty(alias: str) -> bool:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES[alias]["NAME"])
        if not name.exists() or name.stat().st_size == 0:
            return True
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor, include_views=True)


def _media_is_empty(roots: dict[str, Path]) -> bool:
    return not any(walk_files(root) for root in roots.values())


def _safe_member_path(name: str, prefix: str) -> str | None:
    """The part of an archive member's name after prefix, if it is a plain relative path."""
    if not name.startswith(prefix):
        return None
    rel = PurePosixPath(name[len(prefix) :])
    if rel.is_absolute() or not rel.parts or any(part in {"", ".", ".."} for part in rel.parts):
        raise BackupError(f"unsafe path in archive: {name!r}")
    return rel.as_posix()


def _read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.getmember(MANIFEST_NAME)
        except KeyError:
            raise BackupError(
                f"{archive} has no {MANIFEST_NAME}: not a backup made by `manage.py backup`"
            ) from None
        manifest = json.load(tar.extractfile(member))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    return manifest


def _restore_sqlite(db_file: Path, alias: str) -> None:
    target = Path(settings.DATABASES[alias]["NAME"])
    connections[alias].close()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    shutil.copyfile(db_file, staging)
    # Stale -wal / -shm files of a replaced database must not be applied to the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staging, target)


def _drop_all_tables(alias: str) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.get_table_list(cursor)
        views = [t.name for t in tables if t.type == "v"]
        names = [t.name for t in tables if t.type == "t"]
        if views:
            cursor.execute(
                "DROP VIEW IF EXISTS " + ", ".join(map(connection.ops.quote_name, views)) + " CASCADE"
            )
        if names:
            cursor.execute(
                "DROP TABLE IF EXISTS " + ", ".join(map(connection.ops.quote_name, names)) + " CASCADE"
            )


def _restore_postgresql(db_file: Path, alias: str, force: bool, log) -> None:
    pg_restore = pg_tool("pg_restore")
    check_pg_tool_version(pg_restore, alias)
    if force:
        log("Dropping the existing tables (--force)…")
        _drop_all_tables(alias)
    connections[alias].close()
    log(f"pg_restore into database {settings.DATABASES[alias]['NAME']!r}…")
    run_tool(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={settings.DATABASES[alias]['NAME']}",
            str(db_file),
        ],
        pg_env(alias),
    )


def _clear_directory(root: Path) -> None:
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def verify(manifest: dict, alias: str = "default") -> Report:
    """Compare the live database and media roots with the manifest: row counts and SHA-256."""
    report = Report()
    if vendor(alias) == "sqlite":
        # Counted straight from the file, like the manifest (SQLite's own tables included).
        counts = sqlite_row_counts(Path(settings.DATABASES[alias]["NAME"]))
    else:
        counts = django_row_counts(alias)
    for table, expected in sorted(manifest["tables"].items()):
        report.tables_checked += 1
        actual = counts.get(table)
        if actual is None:
            report.problems.append(f"table {table}: missing (backup had {expected} rows)")
        elif actual != expected:
            report.problems.append(f"table {table}: {actual} rows, backup had {expected}")
    for table in sorted(set(counts) - set(manifest["tables"])):
        report.problems.append(f"table {table}: not in the backup ({counts[table]} rows)")
    roots, _skipped = media_roots()
    for folder, files in sorted(manifest["media"].items()):
        root = roots.get(folder)
        if root is None:
            report.problems.append(
                f"media {folder}/: no local storage to check ({len(files)} files in backup)"
            )
            continue
        present = walk_files(root)
        for rel, meta in sorted(files.items()):
            report.files_checked += 1
            path = present.get(rel)
            if path is None:
                report.problems.append(f"media {folder}/{rel}: missing")
            elif sha256_file(path) != meta["sha256"]:
                report.problems.append(f"media {folder}/{rel}: checksum differs")
        for rel in sorted(set(present) - set(files)):
            report.problems.append(f"media {folder}/{rel}: not in the backup")
    return report


def restore_backup(archive: Path, alias: str = "default", force: bool = False, log=print) -> Report:
    """Restore the archive into the configured database and media roots, then verify it."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    manifest = _read_manifest(archive)
    db_vendor = vendor(alias)
    if manifest["database"]["vendor"] != db_vendor:
        raise BackupError(
            f"the backup holds a {manifest['database']['vendor']} database but DATABASE_URL points to "
            f"{db_vendor}; convert with dumpdata/loaddata instead"
        )
    roots, skipped = media_roots()
    for folder in manifest["media"]:
        if folder in skipped:
            raise BackupError(f"cannot restore media {folder}/: {skipped[folder]}")
    wanted_roots = {folder: roots[folder] for folder in manifest["media"]}
    if not force:
        if not _database_is_empty(alias):
            raise BackupError(
                f"the database {settings.DATABASES[alias]['NAME']!r} is not empty; restore into an empty "
                "database, or add --force to replace its contents"
            )
        if not _media_is_empty(wanted_roots):
            raise BackupError(
                "the media folders are not empty ("
                + ", ".join(str(r) for r in wanted_roots.values())
                + "); restore into empty ones, or add --force to replace their contents"
            )
    with tempfile.TemporaryDirectory(prefix="vc-restore-") as tmp:
        db_file = Path(tmp) / Path(manifest["database"]["file"]).name
        if force:
            for root in wanted_roots.values():
                _clear_directory(root)
        log(f"Unpacking {archive}…")
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name == manifest["database"]["file"]:
                    if not member.isfile():
                        raise BackupError(f"{member.name} is not a regular file")
                    with tar.extractfile(member) as src, open(db_file, "wb") as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
                    continue
                for folder, root in wanted_roots.items():
                    rel = _safe_member_path(member.name, f"media/{folder}/")
                    if rel is None:
                        continue
                    if not member.isfile():
                        raise BackupError(f"{member.name} is not a regular file")
                    path = root / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as src, open(path, "wb") as dst:
                        shutil.copyfileobj(src, dst, CHUNK)
                    os.chmod(path, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
                    break
        if not db_file.is_file():
            raise BackupError(f"{archive} has no {manifest['database']['file']}")
        if sha256_file(db_file) != manifest["database"].get("sha256"):
            raise BackupError("the database file in the archive does not match its checksum: archive damaged")
        if db_vendor == "sqlite":
            log(f"Putting the database in place at {settings.DATABASES[alias]['NAME']}…")
            _restore_sqlite(db_file, alias)
        else:
            _restore_postgresql(db_file, alias, force, log)
    connections[alias].close()
    log("Checking row counts and checksums against the manifest…")
    return verify(manifest, alias)
