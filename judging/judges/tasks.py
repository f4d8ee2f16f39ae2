"""Background work about judges: the invitation e-mail (thin: ids in, delegate)."""

import logging

from django.tasks import task

from tasking.mail import absolute_url, compose, send_once, task_mail_key

logger = logging.getLogger(__name__)


@task(takes_context=True)
def send_judge_invitation(context, invitation_id: int, token: str) -> None:
    from judging.models import JudgeInvitation

    invitation = JudgeInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        logger.info("invitation %s is gone or used", invitation_id)
        return
    subject, body = compose(
        "judging/email/invitation",
        {"invitation": invitation, "link": absolute_url("judging:accept_invitation", token)},
    )
    key = task_mail_key(context, "invitation", invitation.pk)
    send_once(key=key, subject=subject, body=body, to=[invitation.email])
