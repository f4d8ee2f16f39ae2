"""One public address (settings.SITE_URL) for e-mail links, Wagtail's Site (set after migrate and
by seed_demo), /healthz and the canonical and Open Graph addresses; `make run PORT=…` passes it on."""

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client
from wagtail.models import Site

from common.site_address import parse_site_url, sync_default_site
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://contest.example.org"


def default_site() -> Site:
    return Site.objects.get(is_default_site=True)


def test_links_in_an_email_use_the_site_url(settings):
    settings.SITE_URL = PUBLIC
    factories.UserFactory(username="someone", email="someone@example.org")

    Client().post("/accounts/password/reset/", {"email": "someone@example.org"})

    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith(PUBLIC + "/accounts/") for link in links)
    assert "127.0.0.1" not in message.body


def test_migrate_makes_the_default_site_follow_the_setting(settings):
    site = default_site()
    site.hostname, site.port = "localhost", 80
    site.save()
    settings.SITE_URL = "https://contest.example.org"

    call_command("migrate", verbosity=0)

    site = default_site()
    assert (site.hostname, site.port, site.root_url) == ("contest.example.org", 443, PUBLIC)


def test_syncing_twice_changes_nothing_the_second_time(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"

    sync_default_site()

    assert sync_default_site() is False
    assert default_site().root_url == "http://127.0.0.1:8123"


def test_seed_demo_on_a_database_with_data_still_sets_the_site(settings):
    factories.TeamFactory()
    settings.SITE_URL = "http://127.0.0.1:8124"

    call_command("seed_demo", "--if-empty", "--force", stdout=io.StringIO())

    assert default_site().root_url == "http://127.0.0.1:8124"


@pytest.mark.parametrize("bad", ["ftp://x.org", "https://", "https://x.org/contest", "http://x.org:99999"])
def test_an_address_that_is_not_scheme_host_port_is_refused(bad):
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        parse_site_url(bad)


def test_healthz_reports_a_site_that_does_not_match_the_setting(settings):
    sync_default_site()
    assert json.loads(Client().get("/healthz").content)["checks"]["site_address"] == "ok"

    settings.SITE_URL = "https://elsewhere.example.org"
    response = Client().get("/healthz")

    body = json.loads(response.content)
    assert body["checks"]["site_address"] == "mismatch"
    assert (response.status_code, body["status"]) == (200, "ok")
    assert "elsewhere" not in response.content.decode()


def test_canonical_and_open_graph_addresses_of_a_public_page_use_the_setting(settings):
    from tests.cms import factories as cms_factories

    settings.SITE_URL = PUBLIC
    sync_default_site()
    project = cms_factories.project()

    parsed = BeautifulSoup(Client().get(project.url).content, "html.parser")

    expected = PUBLIC + project.url
    assert parsed.find("link", rel="canonical")["href"] == expected
    assert parsed.find("meta", property="og:url")["content"] == expected
    image = parsed.find("meta", property="og:image")
    assert image is None or image["content"].startswith(PUBLIC + "/")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [({}, "SITE_URL=http://127.0.0.1:8123"), ({"SITE_URL": PUBLIC}, f"SITE_URL={PUBLIC}")],
)
def test_make_run_passes_the_port_on_unless_the_address_is_set(environment, expected):
    import os

    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | environment
    result = subprocess.run(  # noqa: S603
        ["make", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,  # noqa: S607
    )

    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert len(commands) == 3
    assert all(line.startswith(expected + " ") for line in commands)
    assert commands[-1].endswith("runserver 127.0.0.1:8123")
