"""The client's address behind a reverse proxy (common.http.client_address): believed from
X-Forwarded-For only when the request comes from a trusted proxy, so a client cannot pick the
address its log-in failures and objections are counted under."""

import pytest
from django.test import Client, RequestFactory

from accounts.models import LoginThrottle
from awards.models import Objection
from awards.notice.services import address_hash
from common.http import client_address
from tests import factories
from tests.awards.notice.test_views import form_data, url
from tests.judging.scored import shortlist_in_notice

PROXY = "10.0.0.10"
CLIENT = "203.0.113.7"


def address(remote: str, forwarded: str | None = None) -> str:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert address(PROXY, CLIENT) == PROXY


def test_forwarded_for_from_a_proxy_gives_the_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert address(PROXY, CLIENT) == CLIENT


def test_forwarded_for_from_anyone_else_is_ignored(settings):
    """Spoofing: a client talking to gunicorn directly cannot choose its address."""
    settings.TRUSTED_PROXIES = [PROXY]

    assert address(CLIENT, "198.51.100.1") == CLIENT
    assert address(CLIENT, f"{PROXY}, 198.51.100.1") == CLIENT


def test_addresses_the_client_put_in_front_are_ignored(settings):
    """nginx appends the address it saw; what the client sent is to its left."""
    settings.TRUSTED_PROXIES = [PROXY]

    assert address(PROXY, f"198.51.100.1, 198.51.100.2, {CLIENT}") == CLIENT


def test_chained_proxies_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.5"]

    assert address(PROXY, f"198.51.100.1, {CLIENT}, 192.0.2.5, 10.0.0.3") == CLIENT


def test_only_proxies_in_the_chain_gives_the_first_of_them(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]

    assert address(PROXY, "10.0.0.3, 10.0.0.4") == "10.0.0.3"


def test_from_a_proxy_without_the_header_is_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert address(PROXY) == PROXY
    assert address(PROXY, "") == PROXY


def test_garbage_in_the_header_falls_back_to_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]

    assert address(PROXY, "not-an-address") == PROXY
    assert address(PROXY, f"{CLIENT}, <script>") == PROXY


def test_ipv6_and_ipv4_mapped_addresses(settings):
    settings.TRUSTED_PROXIES = ["::1"]

    assert address("::1", "[2001:db8::7]") == "2001:db8::7"
    assert address("::1", "2001:db8::7") == "2001:db8::7"
    assert address("::ffff:203.0.113.7") == CLIENT


def test_a_missing_remote_address_is_a_placeholder(settings):
    assert address("") == "0.0.0.0"  # noqa: S104


# --- Everything keyed on the address uses it --------------------------------------------------


def log_in_through(client: Client, *, remote: str, forwarded: str, password: str = "wrong-password"):
    return client.post(
        "/accounts/login/",
        {"username": "alice", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_lockout_behind_the_proxy_is_per_client_not_per_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    factories.UserFactory(username="alice")
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in_through(client, remote=PROXY, forwarded=CLIENT)

    assert list(LoginThrottle.objects.values_list("address", flat=True)) == [CLIENT]
    # Another reader behind the same proxy is not locked out.
    other = Client()
    response = log_in_through(other, remote=PROXY, forwarded="198.51.100.20", password=factories.PASSWORD)
    assert response.status_code == 302
    assert other.session.get("_auth_user_id")


@pytest.mark.django_db
def test_lockout_cannot_be_dodged_by_a_forged_header(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    factories.UserFactory(username="alice")
    client = Client()
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in_through(client, remote=CLIENT, forwarded=f"198.51.100.{attempt}")

    response = log_in_through(client, remote=CLIENT, forwarded="198.51.100.99", password=factories.PASSWORD)

    assert list(LoginThrottle.objects.values_list("address", flat=True)) == [CLIENT]
    assert "登录失败次数过多，请在" in response.content.decode()


@pytest.mark.django_db
def test_objection_behind_the_proxy_is_counted_under_the_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    shortlist = shortlist_in_notice(entries=1)

    Client().post(url(shortlist), form_data(), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {CLIENT}")

    assert Objection.objects.get().address_hash == address_hash(CLIENT)
