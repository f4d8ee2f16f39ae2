"""Two app servers on one PostgreSQL + Redis + S3 stack, for tests/scale/test_two_servers.py.

``two_server_stack()`` builds, on 127.0.0.1 only:

- a fresh PostgreSQL database (postgres@127.0.0.1:5432), dropped WITH (FORCE) at the end;
- a Redis database of 127.0.0.1:6379 claimed for this run (REDIS_DBS), emptied at the end;
- moto's S3-compatible server in its own process, with an empty bucket;
- the schema and a small demo (``seed_demo --stage judging``: judges with sheets to score),
  made by manage.py in a child process, while another collects the static files;
- two gunicorn app servers (config/gunicorn.conf.py, two workers each) on their own ports,
  started with the same environment and nothing else: production settings
  (DJANGO_DEBUG=false) configured by environment variables only, as docs/deploy.md says.

Every child process is started in a session of its own and stopped by its process group id
(the app servers' workers go with their master). Everything is undone on the way out, also
when a step fails; a failed step raises StackError with the tail of the step's log.
"""

import contextlib
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import boto3
import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Redis databases a stack may claim: not those other tests (7, 11) or the benches (13, 14) use,
# so that two test runs on one machine (or CI beside a developer's run) never flush each other's.
REDIS_DBS = (9, 10, 12, 15)
REDIS_CLAIM_KEY = "vc-scale:claimed-by"
S3_KEYS = {"aws_access_key_id": "vc-scale", "aws_secret_access_key": "vc-scale-secret"}
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# The demo's accounts (competition/demo.py: DEMO_PASSWORD, DEMO_CONTEST_SLUG).
DEMO_PASSWORD = "demo-2021"  # noqa: S105 (documented demo accounts)
DEMO_CONTEST_SLUG = "demo-contest"
# A second contest open for submission (the demo contest is in judging: closed to teams).
OPEN_CONTEST_SLUG = "next-contest"
# Seconds: one HTTP request; a manage.py step; an app server's start-up.
HTTP_TIMEOUT = 30
STEP_TIMEOUT = 240
START_TIMEOUT = 90


class StackError(RuntimeError):
    """A part of the stack could not be set up (the message says which, with its log)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- child processes ---------------------------------------------------------------------------


def spawn(argv: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """A child process in a session of its own (so that its whole process group can be
    stopped), output to *log*."""
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def stop(*processes: subprocess.Popen, grace: float = 10) -> None:
    """Stop child processes started by spawn: SIGTERM to each one's process group (all at once,
    so that they shut down side by side), SIGKILL to what is left after *grace* seconds."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)
        _signal_group(process, signal.SIGKILL)  # workers that outlived their master


def finish(process: subprocess.Popen, *, what: str, log: Path, timeout: float = STEP_TIMEOUT) -> None:
    """Wait for a one-off step; StackError with its log if it fails or takes too long."""
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        raise StackError(f"{what} took more than {timeout} s\n{tail(log)}") from None
    if code != 0:
        raise StackError(f"{what} failed (exit {code})\n{tail(log)}")


def child_env(**settings: str) -> dict[str, str]:
    """Only what is given here, plus PATH/HOME/locale: nothing of pytest's settings or of the
    CI's DATABASE_URL reaches the children."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR") if name in os.environ}
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
    env.update(settings)
    return env


# --- the stack ---------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log: Path

    def __str__(self) -> str:
        return f"server {self.name} ({self.url})"


@dataclass
class Stack:
    database_url: str
    redis_url: str
    s3_url: str
    bucket: str
    media_root: Path
    servers: list[Server] = field(default_factory=list)

    def s3_client(self):
        return boto3.client("s3", endpoint_url=self.s3_url, region_name="us-east-1", **S3_KEYS)

    def s3_keys(self, prefix: str = "") -> set[str]:
        client, keys, token = self.s3_client(), set(), None
        while True:
            kwargs = {"ContinuationToken": token} if token else {}
            page = client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **kwargs)
            keys.update(item["Key"] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return keys
            token = page["NextContinuationToken"]

    def s3_body(self, key: str) -> bytes:
        return self.s3_client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Rows straight from the database, past both app servers."""
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    @contextlib.contextmanager
    def holding(self, table: str) -> Iterator["Hold"]:
        """Hold back every request that locks rows of *table* (SELECT ... FOR UPDATE, writes)
        while the block runs: an EXCLUSIVE lock lets plain reads through and nothing else.
        ``hold.wait_for(n)`` waits until n database sessions are queued behind it; when the
        block ends they are let go at the same moment, so their transactions truly overlap in
        the database, rather than merely being sent at about the same time."""
        conn = psycopg.connect(self.database_url, connect_timeout=5)
        try:
            conn.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            yield Hold(self, table, conn.info.backend_pid)
        finally:
            conn.rollback()
            conn.close()

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, socket_timeout=5)

    def logs(self) -> str:
        return "\n".join(f"--- {s} log:\n{tail(s.log, 20)}" for s in self.servers)


@dataclass
class Hold:
    stack: Stack
    table: str
    holder_pid: int

    def waiting(self) -> int:
        return self.stack.sql(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND pid <> %s AND query LIKE %s
            """,
            (self.holder_pid, f"%{self.table}%"),
        )[0][0]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while (waiting := self.waiting()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{waiting} of {count} requests reached {self.table} in {timeout} s\n{self.stack.logs()}"
                )
            time.sleep(0.05)


def _create_database(stack: contextlib.ExitStack) -> str:
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise StackError(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is needed: {exc}") from exc
    stack.callback(admin.close)
    name = f"vc_scale_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    stack.callback(admin.execute, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _redis(stack: contextlib.ExitStack) -> str:
    """A Redis database of our own: the first of REDIS_DBS no other stack has claimed (the
    claim expires, so a killed run frees its database), emptied again when the stack ends."""
    for db in REDIS_DBS:
        client = redis.Redis(host="127.0.0.1", port=6379, db=db, socket_timeout=5, socket_connect_timeout=5)
        try:
            claimed = client.set(REDIS_CLAIM_KEY, str(os.getpid()), nx=True, ex=2 * 3600)
        except redis.RedisError as exc:
            raise StackError(f"Redis at 127.0.0.1:6379 is needed: {exc}") from exc
        if claimed:
            stack.callback(client.close)
            stack.callback(client.flushdb)
            return f"redis://127.0.0.1:6379/{db}"
        client.close()
    raise StackError(f"every Redis database of {REDIS_DBS} is claimed by another test run")


def _s3_server(stack: contextlib.ExitStack, tmp: Path) -> tuple[str, str]:
    port, log = free_port(), tmp / "moto.log"
    process = spawn(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=child_env(), log=log
    )
    stack.callback(stop, process)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise StackError(f"moto server did not start\n{tail(log)}") from None
            time.sleep(0.1)
    url, bucket = f"http://127.0.0.1:{port}", f"vc-scale-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", **S3_KEYS).create_bucket(Bucket=bucket)
    return url, bucket


def _wait_healthy(server: Server, deadline: float) -> None:
    while True:
        if server.process.poll() is not None:
            raise StackError(f"{server} exited with {server.process.returncode}\n{tail(server.log)}")
        try:
            response = requests.get(server.url + "/healthz", timeout=5)
            if response.status_code == 200:
                return
            last = f"/healthz answered {response.status_code}: {response.text[:300]}"
        except requests.RequestException as exc:
            last = f"/healthz: {type(exc).__name__}"
        if time.monotonic() > deadline:
            raise StackError(f"{server} not healthy after {START_TIMEOUT} s ({last})\n{tail(server.log)}")
        time.sleep(0.2)


@contextlib.contextmanager
def two_server_stack(tmp: Path, *, workers: int = 2) -> Iterator[Stack]:
    with contextlib.ExitStack() as stack:
        database_url = _create_database(stack)
        redis_url = _redis(stack)
        s3_url, bucket = _s3_server(stack, tmp)
        media_root = tmp / "media"  # must stay empty: media go to S3
        env = child_env(
            DJANGO_SETTINGS_MODULE="tests.scale.server_settings",
            SCALE_STATIC_ROOT=str(tmp / "static"),
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            # Plain HTTP on 127.0.0.1 (no TLS proxy in front here).
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            DJANGO_HSTS_SECONDS="0",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            # These tests check what the servers share, not how fast they give up on Redis: on a
            # loaded machine (CI on 2 cores) a reply can take longer than the 0.5 s default, and
            # the server would then keep a session in the database only for a while.
            REDIS_TIMEOUT="5",
            MEDIA_ROOT=str(media_root),
            MEDIA_S3_BUCKET=bucket,
            MEDIA_S3_ENDPOINT_URL=s3_url,
            MEDIA_S3_REGION="us-east-1",
            MEDIA_S3_ACCESS_KEY_ID=S3_KEYS["aws_access_key_id"],
            MEDIA_S3_SECRET_ACCESS_KEY=S3_KEYS["aws_secret_access_key"],
            MEDIA_S3_ADDRESSING_STYLE="path",
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            DJANGO_LOG_LEVEL="WARNING",
        )

        # Schema and demo data in one process, static files in another, side by side.
        script = (
            "import django; django.setup(); from django.core.management import call_command\n"
            "call_command('migrate', '--noinput', verbosity=0)\n"
            "call_command('seed_demo', '--force', '--entries', '40', '--judges', '12',"
            " '--stage', 'judging')\n"
            # The demo contest is in judging (closed to teams): uploads go to a second one.
            "from datetime import timedelta; from django.utils import timezone\n"
            "from competition.models import Category, Contest\n"
            "now = timezone.now()\n"
            "open = Contest.objects.create(title='下一届志愿服务项目大赛', year=now.year + 1,"
            f" slug={OPEN_CONTEST_SLUG!r}, submission_opens=now - timedelta(days=1),"
            " submission_closes=now + timedelta(days=30))\n"
            "open.categories.set(Category.objects.all())\n"
        )
        seed_log, static_log = tmp / "seed.log", tmp / "collectstatic.log"
        seed = spawn([sys.executable, "-c", script], env=env, log=seed_log)
        stack.callback(stop, seed)
        static = spawn(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, log=static_log
        )
        stack.callback(stop, static)
        finish(seed, what="migrate + seed_demo", log=seed_log)
        finish(static, what="collectstatic", log=static_log)

        servers: list[Server] = []
        # Both app servers are stopped together (each by its process group), however far we got.
        stack.callback(lambda: stop(*[server.process for server in servers]))
        for name in ("A", "B"):
            port, log = free_port(), tmp / f"gunicorn-{name}.log"
            server_env = {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": str(workers),
                "GUNICORN_TIMEOUT": "60",
                "GUNICORN_GRACEFUL_TIMEOUT": "5",
                "GUNICORN_MAX_REQUESTS": "0",
                # The app servers queue background work in the database, as in production.
                "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            }
            process = spawn(
                [str(GUNICORN), "-c", "config/gunicorn.conf.py", "config.wsgi"], env=server_env, log=log
            )
            servers.append(Server(name, f"http://127.0.0.1:{port}", process, log))
        deadline = time.monotonic() + START_TIMEOUT
        for server in servers:
            _wait_healthy(server, deadline)

        yield Stack(database_url, redis_url, s3_url, bucket, media_root, servers)


# --- a browser ---------------------------------------------------------------------------------


class _Fields(HTMLParser):
    """Hidden inputs, text inputs' values and select options of a page."""

    def __init__(self):
        super().__init__()
        self.inputs: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_fields(html: str) -> _Fields:
    parser = _Fields()
    parser.feed(html)
    return parser


def field_value(html: str, name: str) -> str:
    values = page_fields(html).inputs.get(name)
    if not values:
        raise AssertionError(f"no input named {name!r} in the page")
    return values[0]


class Browser:
    """One person's browser, talking plain HTTP to the app servers. Its cookies go to every
    server (a browser keeps cookies per host name, not per port)."""

    def __init__(self, cookies: dict | None = None):
        self.session = requests.Session()
        self.session.headers.update({"Accept-Language": "zh-CN,zh;q=0.9", "User-Agent": "vc-scale-test"})
        for name, value in (cookies or {}).items():
            self.session.cookies.set(name, value, domain="127.0.0.1", path="/")

    def cookies(self) -> dict:
        return self.session.cookies.get_dict()

    def get(self, server: Server, path: str) -> requests.Response:
        return self.session.get(server.url + path, timeout=HTTP_TIMEOUT, allow_redirects=False)

    def post(self, server: Server, path: str, data: dict, files=None) -> requests.Response:
        return self.session.post(
            server.url + path,
            data=data,
            files=files,
            timeout=HTTP_TIMEOUT,
            allow_redirects=False,
            # As a browser posts a form: its page's address as referer, its origin as origin.
            headers={"Referer": server.url + path, "Origin": server.url},
        )

    def form_page(self, server: Server, path: str) -> str:
        response = self.get(server, path)
        assert response.status_code == 200, f"GET {path} on {server}: {response.status_code}"
        return response.text

    def login(self, server: Server, username: str, password: str = DEMO_PASSWORD) -> requests.Response:
        page = self.form_page(server, "/accounts/login/")
        response = self.post(
            server,
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": field_value(page, "csrfmiddlewaretoken"),
                "username": username,
                "password": password,
            },
        )
        assert response.status_code == 302, (
            f"log-in of {username} on {server}: {response.status_code}\n{text_of(response)[:2000]}"
        )
        return response


def text_of(response: requests.Response) -> str:
    """The visible text of a page, roughly (for messages in assertion failures)."""
    text = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", response.text)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def jpeg(width: int = 640, height: int = 480, color=(30, 120, 200)) -> bytes:
    """A real JPEG photo (Pillow)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    for n in range(0, width, 40):
        draw.rectangle([n, height // 3, n + 20, 2 * height // 3], fill=(240, 200, 40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()
