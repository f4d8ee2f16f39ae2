import pytest
from django.test import Client

from tests.cms import factories as cms_factories
from tests.judging.factories import client_for, open_round
from tests.judging.scored import shortlist_in_notice

pytestmark = pytest.mark.django_db


def test_public_pages_send_a_strict_csp(client):
    response = client.get("/accounts/login/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_admin_gets_the_relaxed_policy_it_needs(organizer_client):
    response = organizer_client.get("/admin/")

    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in response.headers["Content-Security-Policy"]


def test_admin_loads_no_avatar_from_elsewhere(organizer_client):
    """The admin's policy allows no images from other sites: no Gravatar avatars."""
    response = organizer_client.get("/admin/")

    assert "gravatar.com" not in response.text


def test_pages_are_chinese_by_default(client):
    response = client.get("/accounts/login/")

    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in response.text
    assert "登录" in response.text


def test_english_is_chosen_by_cookie(client):
    client.cookies["django_language"] = "en"

    response = client.get("/accounts/login/")

    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.text


# --- Every kind of page, one policy --------------------------------------------------------------


def strict_policy_problems(response) -> list[str]:
    policy = response.headers.get("Content-Security-Policy", "")
    problems = []
    if not policy:
        problems.append("no CSP")
    for needed in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"):
        if needed not in policy:
            problems.append(f"missing {needed}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("unsafe source")
    for header, value in (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")):
        if response.headers.get(header) != value:
            problems.append(f"{header}={response.headers.get(header)}")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options")
    return problems


def test_public_team_judging_and_notice_pages_all_get_the_strict_policy(team):
    home = cms_factories.home()
    project = cms_factories.project(photos=1)
    _round, judge, round_entries = open_round(entries=1)
    shortlist = shortlist_in_notice(entries=1)
    judge_client, team_client = client_for(judge.user), client_for(team.user)
    anonymous = Client()
    pages = [
        (anonymous, home.url),
        (anonymous, project.url),
        (anonymous, "/search/?q=志愿服务"),
        (anonymous, f"/notice/{shortlist.contest.slug}/"),
        (anonymous, "/accounts/login/"),
        (anonymous, "/accounts/signup/"),
        (anonymous, "/healthz"),
        (anonymous, "/no-such-page/"),
        (team_client, "/my/"),
        (team_client, "/my/team/"),
        (judge_client, "/judging/"),
        (judge_client, f"/judging/{_round.code}/{round_entries[0].blind_code}/"),
    ]

    for client, url in pages:
        response = client.get(url)
        assert response.status_code == (404 if url == "/no-such-page/" else 200), (url, response.status_code)
        assert strict_policy_problems(response) == [], url
        # A second, cached answer (public pages) keeps the same policy.
        assert strict_policy_problems(client.get(url)) == [], url


def test_every_admin_page_gets_the_relaxed_policy_and_nothing_more(organizer_client):
    for url in ("/admin/", "/admin/pages/", "/admin/images/", "/admin/documents/"):
        response = organizer_client.get(url, follow=True)

        policy = response.headers["Content-Security-Policy"]
        assert response.status_code == 200, url
        assert "script-src 'self' 'unsafe-inline'" in policy, url
        assert "frame-ancestors 'self'" in policy, url
        assert "object-src 'none'" in policy, url
        assert "unsafe-eval" not in policy, url


# --- Private pages are never stored (issue 10) ---------------------------------------------------


def test_team_judge_account_and_admin_pages_are_private_no_store(team, organizer_client):
    _round, judge, round_entries = open_round(entries=1)
    judge_client, team_client, anonymous = client_for(judge.user), client_for(team.user), Client()
    pages = [
        (team_client, "/my/"),
        (team_client, "/my/team/"),
        (anonymous, "/my/"),  # the redirect to log-in too
        (judge_client, "/judging/"),
        (judge_client, f"/judging/{_round.code}/{round_entries[0].blind_code}/"),
        (anonymous, "/accounts/login/"),
        (anonymous, "/accounts/signup/"),
        (anonymous, "/accounts/password/reset/"),
        (organizer_client, "/admin/"),
    ]

    headers = {url: client.get(url).headers.get("Cache-Control") for client, url in pages}

    assert headers == {url: "private, no-store" for _client, url in pages}


def test_public_pages_stay_cacheable(client):
    home = cms_factories.home()

    response = client.get(home.url)

    assert "no-store" not in response.headers.get("Cache-Control", "")
