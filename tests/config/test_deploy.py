import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.env import parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "MEDIA_S3_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.base", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


@pytest.mark.slow
def test_check_deploy_with_production_variables_reports_no_issues():
    result = run_manage(
        "check",
        "--deploy",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 20 + "-Zq8v!x2LmP0rT5wYb3N7sJ9dF4hG6cV1aE",
        DJANGO_ALLOWED_HOSTS="contest.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNINGS" not in result.stderr


# What docs/deploy.md tells an operator to set on an app server behind nginx.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-Zq8v!x2LmP0rT5wYb3N7sJ9dF4hG6cV1aE",
    "DJANGO_ALLOWED_HOSTS": "contest.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://contest.example.org",
    "DJANGO_BEHIND_TLS_PROXY": "true",
    "DJANGO_TRUSTED_PROXIES": "10.0.0.10,10.0.0.11",
    "DJANGO_LOG_FORMAT": "json",
    "DJANGO_SERVE_MEDIA": "false",
    "PRIVATE_MEDIA_ACCEL_PREFIX": "/_private/",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SITE_URL": "https://contest.example.org",
    "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
}


@pytest.mark.slow
def test_check_deploy_with_the_documented_production_environment_reports_no_issues(tmp_path):
    result = run_manage("check", "--deploy", SQLITE_PATH=str(tmp_path / "db.sqlite3"), **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNINGS" not in result.stderr


@pytest.mark.slow
def test_trusted_proxy_that_is_not_an_address_refuses_to_start():
    result = run_manage("check", DJANGO_TRUSTED_PROXIES="10.0.0.10,nginx.internal")

    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES: 'nginx.internal' is not an address or network" in result.stderr


@pytest.mark.slow
def test_production_without_secret_key_refuses_to_start():
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="contest.example.org")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_development_starts_with_no_variables_set():
    result = run_manage("check")

    assert result.returncode == 0, result.stderr


def test_parse_database_url_postgres_reads_every_part():
    assert parse_database_url("postgres://vc:p%40ss@db.internal:6432/contest?sslmode=require") == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "contest",
        "USER": "vc",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6432",
        "OPTIONS": {"sslmode": "require"},
    }


def test_parse_database_url_sqlite_absolute_path():
    assert parse_database_url("sqlite:////var/lib/contest/db.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/var/lib/contest/db.sqlite3",
    }


def test_parse_database_url_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured):
        parse_database_url("mysql://root@localhost/contest")
