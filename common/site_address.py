"""The site's public address (``settings.SITE_URL``) and Wagtail's Site row that must agree with it.

Wagtail builds a page's ``full_url`` (canonical and Open Graph addresses, links in the admin)
from the default Site's host name and port; e-mails build their links from ``SITE_URL``
(``tasking.mail.absolute_url``). ``sync_default_site`` makes the Site follow the setting: it runs
after ``migrate`` (post_migrate, cms/apps.py) and from ``seed_demo``; ``/healthz`` reports when
the two disagree (e.g. the setting changed and ``migrate`` has not run since).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_site_url(url: str) -> tuple[str, str, int]:
    """(scheme, host name, port) of a public address like ``https://contest.example.org``;
    ImproperlyConfigured for anything else (a path, no host, another scheme)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ImproperlyConfigured(f"SITE_URL must be http(s)://host[:port], not {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"SITE_URL must have no path (the site is served at /), not {url!r}")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise ImproperlyConfigured(f"SITE_URL has an invalid port: {url!r}") from error
    return parts.scheme, parts.hostname, port


def normalized_site_url() -> str:
    """SITE_URL as Wagtail writes a Site's ``root_url``: no default port, no trailing slash.
    (Wagtail can only say https on port 443: https on another port always reads as a mismatch.)"""
    scheme, hostname, port = parse_site_url(settings.SITE_URL)
    return f"{scheme}://{hostname}" + ("" if port == DEFAULT_PORTS[scheme] else f":{port}")


def sync_default_site(*, using: str = "default") -> bool:
    """Give the default Site the host name and port of SITE_URL; True if it changed.
    Idempotent; does nothing before Wagtail's tables exist or when there is no default site."""
    from django.db import connections
    from wagtail.models import Site

    if Site._meta.db_table not in connections[using].introspection.table_names():
        return False
    _scheme, hostname, port = parse_site_url(settings.SITE_URL)
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    # save(), not update(): Wagtail's post_save handler clears its cached site root paths.
    site.save(using=using, update_fields=["hostname", "port"])
    return True


def site_address_matches() -> bool:
    """Does the default Site's address equal SITE_URL's (one query)?"""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).only("hostname", "port").first()
    return site is not None and site.root_url == normalized_site_url()
