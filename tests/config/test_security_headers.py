import pytest

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
