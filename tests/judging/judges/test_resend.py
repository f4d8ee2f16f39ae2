"""Re-sending an invitation (a new link; the old one stops working; the e-mail again) and the
link shown once to the organizer to hand over, e.g. in WeChat."""

import re

import pytest
from django.core import mail
from django.test import Client

from judging.errors import JudgingError
from judging.judges.services import (
    invitation_for_token,
    judge_accept_invitation,
    judge_invitation_resend,
    judge_invite,
)
from judging.models import JudgeInvitation
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/judging/invitation/([^/\s]+)/")


def test_resend_makes_a_new_link_the_old_one_stops_working_and_the_mail_goes_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, old = judge_invite(email="wang@example.org", name="王老师", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, new = judge_invitation_resend(invitation=invitation, by=None)

    assert new != old
    assert invitation_for_token(old) is None
    assert invitation_for_token(new) == invitation
    assert [LINK.search(m.body).group(1) for m in mail.outbox] == [old, new]


def test_an_accepted_invitation_is_not_resent():
    invitation, token = judge_invite(email="wang@example.org", name="王老师", by=None)
    judge_accept_invitation(token=token, username="wang", password="Long-Secret-2026")
    with pytest.raises(JudgingError, match="这份邀请已被接受，不能重新发送。"):
        judge_invitation_resend(invitation=invitation, by=None)


def test_the_organizer_sees_the_link_once_after_inviting_and_after_resending(
    organizer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            "/admin/judging/invitations/new/",
            {"name": "王老师", "email": "wang@example.org", "title": "教授", "phone": "＋86 139 0000 1111"},
        )
    invitation = JudgeInvitation.objects.get()
    assert (invitation.title, invitation.phone) == ("教授", "13900001111")
    assert response.url == f"/admin/judging/invitations/link/{invitation.pk}/"
    page = organizer_client.get(response.url).text
    token = LINK.search(page).group(1)
    assert invitation_for_token(token) == invitation
    assert "链接只显示这一次" in page
    assert LINK.search(organizer_client.get(response.url).text) is None  # once

    listing = organizer_client.get("/admin/judging/invitations/").text
    assert f"/admin/judging/invitations/resend/{invitation.pk}/" in listing
    confirm = organizer_client.get(f"/admin/judging/invitations/resend/{invitation.pk}/")
    assert "之前发出的链接立即失效" in confirm.text
    with django_capture_on_commit_callbacks(execute=True):
        resent = organizer_client.post(f"/admin/judging/invitations/resend/{invitation.pk}/")
    new = LINK.search(organizer_client.get(resent.url).text).group(1)
    assert new != token and invitation_for_token(token) is None
    assert LINK.search(mail.outbox[-1].body).group(1) == new


def test_only_organizers_resend():
    invitation, _token = judge_invite(email="wang@example.org", name="王老师", by=None)
    client = Client()
    client.force_login(factories.supervisor())
    assert client.post(f"/admin/judging/invitations/resend/{invitation.pk}/").status_code == 404
    assert client.get(f"/admin/judging/invitations/link/{invitation.pk}/").status_code == 404
