"""/healthz: JSON 200 when the database, cache (with Redis) and storages work, 503 naming the
failed check otherwise; never cached, nothing secret in it. The failures are real ones: a
media folder that is a file, a Redis port nobody listens on, a database file that cannot be
opened."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def get_health(client=None):
    response = (client or Client()).get("/healthz")
    return response, json.loads(response.content)


def test_healthy_site_answers_ok_with_every_check(settings):
    response, body = get_health()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "private_storage": "ok", "site_address": "ok"},
    }
    assert "no-store" in response["Cache-Control"]


def test_probe_files_are_removed(settings):
    get_health()

    for folder in (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)):
        assert not folder.exists() or list(folder.rglob("healthz-*")) == []


def test_healthz_is_never_served_from_the_page_cache():
    client = Client()
    first, _ = get_health(client)
    second, _ = get_health(client)

    assert "X-Cache" not in first and "X-Cache" not in second
    assert "no-store" in second["Cache-Control"]


def test_head_is_answered_and_post_is_not():
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


def test_media_folder_that_is_a_file_fails_the_storage_check(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker

    response, body = get_health()

    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"] == {
        "database": "ok",
        "storage": "error",
        "private_storage": "ok",
        "site_address": "ok",
    }
    assert "no-store" in response["Cache-Control"]
    assert str(tmp_path) not in response.content.decode()


def test_private_folder_that_is_a_file_fails_the_private_storage_check(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.PRIVATE_MEDIA_ROOT = blocker

    response, body = get_health()

    assert response.status_code == 503
    assert body["checks"]["private_storage"] == "error"
    assert body["checks"]["storage"] == "ok"


def test_cache_is_checked_when_redis_is_configured(settings):
    settings.REDIS_URL = CLOSED_REDIS
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    response, body = get_health()

    assert response.status_code == 200
    assert body["checks"]["cache"] == "ok"


def test_redis_that_does_not_answer_fails_the_cache_check(settings):
    """A real redis client against a port nobody listens on. The check is called as a view:
    the public page cache in front of it (cms.middleware) needs the cache too."""
    from django.test import RequestFactory

    from config.health import healthz

    settings.REDIS_URL = CLOSED_REDIS
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_REDIS}
    }

    response = healthz(RequestFactory().get("/healthz"))
    body = json.loads(response.content)

    assert response.status_code == 503
    assert body["checks"] == {
        "database": "ok",
        "cache": "error",
        "storage": "ok",
        "private_storage": "ok",
        "site_address": "ok",
    }
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.slow
def test_database_that_cannot_be_opened_fails_the_database_check(tmp_path):
    """A real server process whose SQLite file lies in a folder that does not exist."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SQLITE_PATH=str(tmp_path / "missing" / "db.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    script = (
        "import json; from django.test import Client;"
        "r = Client(HTTP_HOST='127.0.0.1').get('/healthz');"
        "print(json.dumps({'code': r.status_code, 'body': json.loads(r.content)}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["code"] == 503
    assert answer["body"]["checks"]["database"] == "error"
    assert answer["body"]["checks"]["storage"] == "ok"
    assert str(tmp_path) not in result.stdout


def test_healthz_is_not_redirected_to_https(settings):
    """A probe talks plain HTTP to an app server; everything else is redirected."""
    settings.SECURE_SSL_REDIRECT = True

    assert Client().get("/healthz").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301
