"""Inviting judges by e-mail with a one-time sign-up link (sent through the tasks framework)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.roles import group_names
from judging.judges.services import judge_invite
from judging.models import Judge, JudgeInvitation
from judging.roles import JUDGES
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/judging/invitation/(\S+)/")


def page_without_request_details(response) -> str:
    """The body without the CSRF token and the language switcher's return path."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", text)


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite a judge; the e-mail task runs when the transaction commits."""

    def make(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return _invite(**overrides)

    return make


def _invite(**overrides):
    data = {
        "email": "wang.laoshi@example.org",
        "name": "王老师",
        "by": factories.organizer(),
        "expertise": [factories.category("legal")],
        "county": factories.CountyFactory(name="壶关县"),
        "capacity": 40,
    }
    data.update(overrides)
    return judge_invite(**data)


def accept(client: Client, token: str, username="wanglaoshi", password="Long-Secret-2026"):
    return client.post(
        f"/judging/invitation/{token}/", {"username": username, "password1": password, "password2": password}
    )


def test_invitation_is_mailed_with_a_link_that_carries_the_token(invite):
    invitation, token = invite()

    assert [m.to for m in mail.outbox] == [["wang.laoshi@example.org"]]
    assert LINK.search(mail.outbox[0].body).group(1) == token
    assert "王老师" in mail.outbox[0].body
    # Only a hash of the token is kept.
    assert (
        token not in JudgeInvitation.objects.filter(pk=invitation.pk).values_list("token_hash", flat=True)[0]
    )


def test_invitation_accepted_creates_the_judge_with_the_invited_profile(invite):
    invitation, token = invite()
    client = Client()

    response = accept(client, token)

    assert response.status_code == 302
    assert response.url == "/judging/"
    judge = Judge.objects.get(user__username="wanglaoshi")
    assert (judge.name, judge.county.name, judge.capacity) == ("王老师", "壶关县", 40)
    assert [c.code for c in judge.expertise.all()] == ["legal"]
    assert JUDGES in group_names(judge.user)
    assert judge.user.email == "wang.laoshi@example.org"
    invitation.refresh_from_db()
    assert invitation.judge == judge and invitation.accepted_at is not None


def test_invitation_link_works_only_once(invite):
    _invitation, token = invite()
    accept(Client(), token)

    again = Client().get(f"/judging/invitation/{token}/")
    reuse = accept(Client(), token, username="someone-else")

    assert again.status_code == 404
    assert "邀请链接已失效" in again.text
    assert reuse.status_code == 404
    assert not get_user_model().objects.filter(username="someone-else").exists()


def test_invitation_expired_link_is_refused_like_an_unknown_one(invite):
    invitation, token = invite()
    JudgeInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    expired = Client().get(f"/judging/invitation/{token}/")
    unknown = Client().get("/judging/invitation/not-a-real-token/")

    assert (expired.status_code, unknown.status_code) == (404, 404)
    assert page_without_request_details(expired) == page_without_request_details(unknown)


def test_invitation_taken_username_keeps_the_form_and_says_why(invite):
    factories.UserFactory(username="wanglaoshi")
    _invitation, token = invite()

    response = accept(Client(), token)

    assert response.status_code == 200
    assert "这个用户名已被使用，请换一个。" in response.text
    assert JudgeInvitation.objects.get().accepted_at is None


def test_invitation_weak_password_is_refused_in_chinese(invite):
    _invitation, token = invite()

    response = accept(Client(), token, password="12345678")

    assert response.status_code == 200
    assert "密码" in response.text and "常见" in response.text
    assert not Judge.objects.exists()
