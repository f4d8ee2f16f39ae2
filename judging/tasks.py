"""Background work for judging. Thin: ids in, fetch, log and return if gone, delegate.

On the database backend a failed task is retried (tasking.retry); the e-mail tasks take their
context so that a retry sends each message once (tasking.mail.send_once)."""

import logging

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tasking.mail import send_once, task_mail_key

logger = logging.getLogger(__name__)


@task()
def run_assignment(run_id: int) -> None:
    from .models import AssignmentRun
    from .services import assignment_run_execute

    run = AssignmentRun.objects.select_related("round", "requested_by").filter(pk=run_id).first()
    if run is None:
        logger.warning("assignment run %s is gone", run_id)
        return
    assignment_run_execute(run=run)


@task(takes_context=True)
def send_judge_invitation(context, invitation_id: int, token: str) -> None:
    from .models import JudgeInvitation

    invitation = JudgeInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at:
        logger.info("invitation %s is gone or used", invitation_id)
        return
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("judging:accept_invitation", args=[token])
    with translation.override(settings.LANGUAGE_CODE):
        mail_context = {"invitation": invitation, "link": link, "platform_name": settings.PLATFORM_NAME}
        subject = render_to_string("judging/email/invitation_subject.txt", mail_context).strip()
        body = render_to_string("judging/email/invitation.txt", mail_context)
    key = task_mail_key(context, "invitation", invitation.pk)
    send_once(key=key, subject=subject, body=body, to=[invitation.email])


@task(takes_context=True)
def send_reminders(context, round_id: int, judge_ids: list[int], by_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from .services import reminders_send

    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return reminders_send(
        round_id=round_id, judge_ids=judge_ids, by=by, mail_key=task_mail_key(context, "reminder")
    )


@task(takes_context=True)
def notify_teams_of_results(context, contest_id: int) -> int:
    """Tell every team of the contest that results are out (and whether it was featured); a
    retry after a failure part-way does not write again to the teams already told."""
    from competition.models import Entry

    from .models import FeaturedProject

    featured = set(FeaturedProject.objects.filter(contest_id=contest_id).values_list("entry_id", flat=True))
    entries = (
        Entry.objects.filter(contest_id=contest_id, status=Entry.Status.SUBMITTED)
        .select_related("team__user", "contest")
        .order_by("pk")
    )
    sent = 0
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for entry in entries:
        email = entry.team.user.email
        if not email:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            mail_context = {
                "entry": entry,
                "featured": entry.pk in featured,
                "link": base + reverse("team_results", args=[entry.public_id]),
            }
            subject = render_to_string("judging/email/results_subject.txt", mail_context).strip()
            body = render_to_string("judging/email/results.txt", mail_context)
        send_once(key=task_mail_key(context, "results", entry.pk), subject=subject, body=body, to=[email])
        sent += 1
    return sent


@task()
def run_export(job_id: int) -> None:
    from .exports import export_run
    from .models import ExportJob

    job = ExportJob.objects.select_related("contest", "round").filter(pk=job_id).first()
    if job is None:
        logger.warning("export job %s is gone", job_id)
        return
    export_run(job=job)
