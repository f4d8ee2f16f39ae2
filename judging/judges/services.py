"""Writes about judges: profiles, invitations and accepting them."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from judging.errors import JudgingError
from judging.models import (
    Judge,
    JudgeInvitation,
)
from judging.roles import JUDGES
from tasking.mail import absolute_url

INVITATION_DAYS = 14


def judge_sync_county(judge: Judge) -> None:
    """A judge's county follows their organization: both drive automatic conflicts."""
    if judge.organization_id and judge.county_id != judge.organization.county_id:
        judge.county_id = judge.organization.county_id
        judge.save(update_fields=["county"])


def judge_create(
    *,
    user,
    name: str,
    expertise=(),
    county=None,
    organization=None,
    capacity=None,
    title: str = "",
    phone: str = "",
    active: bool = True,
) -> Judge:
    with transaction.atomic():
        judge = Judge.objects.create(
            user=user,
            name=name,
            title=title,
            phone=phone,
            county=county,
            organization=organization,
            capacity=capacity,
            active=active,
        )
        judge.expertise.set(expertise)
        judge_sync_county(judge)
        user.groups.add(Group.objects.get(name=JUDGES))
    return judge


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    """The sign-up link of an invitation, to copy into a chat. Only the token's hash is kept,
    so the link can be shown only when the token is made (on invitation and on re-sending)."""
    return absolute_url("judging:accept_invitation", token)


def judge_invite(
    *,
    email: str,
    name: str,
    by,
    expertise=(),
    county=None,
    organization=None,
    capacity=None,
    title: str = "",
    phone: str = "",
) -> tuple[JudgeInvitation, str]:
    """Make a one-time sign-up link; the e-mail goes out through the tasks framework."""
    from judging.judges.tasks import send_judge_invitation

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = JudgeInvitation.objects.create(
            email=email,
            name=name,
            title=title,
            phone=phone,
            token_hash=_token_hash(token),
            county=county,
            organization=organization,
            capacity=capacity,
            created_by=by,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        invitation.expertise.set(expertise)
        transaction.on_commit(lambda: send_judge_invitation.enqueue(invitation.pk, token))
    return invitation, token


def judge_invitation_resend(*, invitation: JudgeInvitation, by) -> tuple[JudgeInvitation, str]:
    """A new token for an invitation not yet accepted (the old link stops working), valid for
    another INVITATION_DAYS days, and the e-mail sent again."""
    from judging.judges.tasks import send_judge_invitation

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = JudgeInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise JudgingError(_("这份邀请已被接受，不能重新发送。"))
        invitation.token_hash = _token_hash(token)
        invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
        invitation.save(update_fields=["token_hash", "expires_at"])
        transaction.on_commit(lambda: send_judge_invitation.enqueue(invitation.pk, token))
    return invitation, token


def invitation_for_token(token: str) -> JudgeInvitation | None:
    """The open invitation a token belongs to, or None (used, expired or unknown alike)."""
    invitation = JudgeInvitation.objects.filter(token_hash=_token_hash(token or "")).first()
    if invitation is None or invitation.accepted_at or invitation.expires_at <= timezone.now():
        return None
    return invitation


def judge_accept_invitation(*, token: str, username: str, password: str) -> Judge:
    User = get_user_model()
    with transaction.atomic():
        invitation = JudgeInvitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        if invitation is None or invitation.accepted_at or invitation.expires_at <= timezone.now():
            raise JudgingError(_("邀请链接已失效，请联系组委会重新发送。"))
        try:
            user = User.objects.create_user(username=username, email=invitation.email, password=password)
        except IntegrityError:
            raise JudgingError(_("这个用户名已被使用，请换一个。")) from None
        judge = judge_create(
            user=user,
            name=invitation.name,
            title=invitation.title,
            phone=invitation.phone,
            expertise=invitation.expertise.all(),
            county=invitation.county,
            organization=invitation.organization,
            capacity=invitation.capacity,
        )
        invitation.accepted_at = timezone.now()
        invitation.judge = judge
        invitation.save(update_fields=["accepted_at", "judge"])
    return judge
