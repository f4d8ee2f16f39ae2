"""How an app server runs: gunicorn's settings from the environment (config/gunicorn.conf.py),
structured logs (config/logging.py), and a real gunicorn answering /healthz with JSON access
lines."""

import json
import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "config" / "gunicorn.conf.py"
GUNICORN_VARIABLES = (
    "GUNICORN_",
    "PORT",
    "FORWARDED_ALLOW_IPS",
    "DJANGO_TRUSTED_PROXIES",
    "DJANGO_LOG_FORMAT",
)


def clean_environment(**env) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", *GUNICORN_VARIABLES))
    }
    environment.update(env)
    return environment


@pytest.fixture
def gunicorn_settings(monkeypatch):
    for name in list(os.environ):
        if name.startswith(GUNICORN_VARIABLES):
            monkeypatch.delenv(name)

    def load(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONF))

    return load


def test_gunicorn_defaults(gunicorn_settings):
    conf = gunicorn_settings()

    cores = os.process_cpu_count() if hasattr(os, "process_cpu_count") else len(os.sched_getaffinity(0))
    assert conf["workers"] == 2 * cores + 1
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert (conf["timeout"], conf["graceful_timeout"]) == (60, 30)
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert conf["accesslog"] == "-"
    assert "logconfig_dict" not in conf
    assert conf["control_socket_disable"] is True


def test_gunicorn_settings_from_the_environment(gunicorn_settings):
    conf = gunicorn_settings(
        GUNICORN_WORKERS="3",
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_TIMEOUT="120",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        DJANGO_TRUSTED_PROXIES="10.0.0.10,10.0.0.11",
        DJANGO_LOG_FORMAT="json",
    )

    assert conf["workers"] == 3
    assert conf["bind"] == ["0.0.0.0:9000"]
    assert (conf["timeout"], conf["graceful_timeout"]) == (120, 20)
    assert conf["forwarded_allow_ips"] == "10.0.0.10,10.0.0.11"
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "config.logging.JsonFormatter"


def test_gunicorn_port_alone_moves_the_bind(gunicorn_settings):
    assert gunicorn_settings(PORT="8123")["bind"] == ["127.0.0.1:8123"]


def test_gunicorn_refuses_a_worker_count_that_is_not_a_number(gunicorn_settings):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS must be an integer"):
        gunicorn_settings(GUNICORN_WORKERS="many")


# --- Logs ----------------------------------------------------------------------------------------


def format_record(message, *args, **kwargs) -> dict:
    record = logging.getLogger("competition").makeRecord(
        "competition", logging.WARNING, __file__, 1, message, args, None, extra=kwargs or None
    )
    return json.loads(JsonFormatter().format(record))


def test_json_formatter_writes_one_object_with_the_usual_fields():
    line = format_record("参赛项目 %s 已提交", 42, entry_id=42)

    assert line["level"] == "WARNING"
    assert line["logger"] == "competition"
    assert line["message"] == "参赛项目 42 已提交"
    assert line["entry_id"] == 42
    assert line["time"].endswith("+00:00")


def test_json_formatter_keeps_the_traceback_on_one_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    text = JsonFormatter().format(record)

    assert "\n" not in text
    assert "ValueError: broken" in json.loads(text)["exception"]


def test_json_formatter_gives_only_method_and_path_of_a_request():
    from django.test import RequestFactory

    request = RequestFactory().get("/accounts/password/reset/?token=secret")

    assert format_record("x", request=request)["request"] == "GET /accounts/password/reset/"


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_environment(DJANGO_SETTINGS_MODULE="config.settings.base", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_django_logs_are_json_lines_when_asked(tmp_path):
    result = manage(
        "shell",
        "-c",
        "import logging;logging.getLogger('competition').warning('截止时间已过 %s', 'x', extra={'round': 7})",
        DJANGO_LOG_FORMAT="json",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"], line["round"]) == (
        "WARNING",
        "competition",
        "截止时间已过 x",
        7,
    )


@pytest.mark.slow
def test_django_logs_are_text_by_default(tmp_path):
    result = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('competition').warning('hello')",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("WARNING competition hello")


@pytest.mark.slow
def test_unknown_log_format_is_refused(tmp_path):
    result = manage("check", DJANGO_LOG_FORMAT="xml", SQLITE_PATH=str(tmp_path / "db.sqlite3"))

    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be text or json" in result.stderr


# --- A real app server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_healthz_and_logs_json_access_lines(tmp_path):
    port = free_port()
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    environment = clean_environment(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_LOG_FORMAT="json",
        GUNICORN_WORKERS="1",
        PORT=str(port),
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONF)],
            cwd=ROOT,
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            body = None
            deadline = time.monotonic() + 90
            while body is None and time.monotonic() < deadline:
                assert server.poll() is None, err.read_text()
                request = urllib.request.Request(  # noqa: S310
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-For": "203.0.113.7"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                        body = json.loads(response.read())
                        status = response.status
                except OSError:
                    time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=60)

    # A database nobody migrated: the site's address cannot be checked yet, and that fails nothing.
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "private_storage": "ok", "site_address": "error"},
    }
    assert status == 200
    access = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    hit = [line for line in access if line.get("http", {}).get("path") == "/healthz"]
    assert hit, out.read_text()
    assert hit[-1]["logger"] == "gunicorn.access"
    assert hit[-1]["http"]["status"] == 200
    assert hit[-1]["http"]["method"] == "GET"
    assert hit[-1]["http"]["forwarded_for"] == "203.0.113.7"
    assert "duration_ms" in hit[-1]["http"]
    # The error log is JSON too.
    assert all(json.loads(line)["logger"] for line in err.read_text().splitlines() if line.strip())
