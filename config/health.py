"""``/healthz``: can this app server do its work? For monitoring and load balancers.

Checks what a request needs, each cheaply: the database (``SELECT 1``), the cache when Redis
is configured (set, get and delete a key), and both media storages (write and delete a tiny
probe file, two requests to an object store: that proves the folder or bucket exists, is
reachable and takes writes, which a listing would not). The answer is JSON, 200
``{"status": "ok", "checks": {...}}`` or 503 with ``"status": "error"`` and the failed checks
marked ``"error"``. It names no host, path, user or
error message (those go to the log, logger ``config.health``) and is never cached.

``site_address`` compares the public address (SITE_URL) with Wagtail's default Site, whose host
name and port make the canonical and Open Graph addresses: ``"mismatch"`` when they differ (run
``manage.py migrate`` to align them). A mismatch is reported but leaves the status 200: the
server still serves every request, and a load balancer must not take every server out for it.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from common.site_address import normalized_site_url, site_address_matches

logger = logging.getLogger(__name__)

PROBE_CONTENT = b"ok\n"


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not return 1")


def check_cache() -> None:
    cache = caches["default"]
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 30)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


def _check_storage(alias: str) -> None:
    storage = storages[alias]
    name = storage.save(f"healthz-{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
    storage.delete(name)


def check_storage() -> None:
    _check_storage("default")


def check_private_storage() -> None:
    _check_storage("private")


def checks() -> dict:
    """The checks this deployment needs, by name."""
    selected = {"database": check_database}
    if settings.REDIS_URL:
        selected["cache"] = check_cache
    selected["storage"] = check_storage
    if "private" in settings.STORAGES:
        selected["private_storage"] = check_private_storage
    return selected


def site_address_status() -> str:
    try:
        if site_address_matches():
            return "ok"
    except Exception:
        logger.exception("Health check site_address failed")
        return "error"
    logger.warning(
        "The default Wagtail Site does not match SITE_URL %s: run manage.py migrate", normalized_site_url()
    )
    return "mismatch"


@never_cache
@require_safe
def healthz(request):
    results = {}
    for name, check in checks().items():
        try:
            check()
        except Exception:
            logger.exception("Health check %s failed", name)
            results[name] = "error"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    if results.get("database") == "ok":
        results["site_address"] = site_address_status()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503
    )
