"""Background work of scoring: reminder e-mails (thin: ids in, delegate)."""

from django.tasks import task

from tasking.mail import task_mail_key


@task(takes_context=True)
def send_reminders(context, round_id: int, judge_ids: list[int], by_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from judging.scoring.services import reminders_send

    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return reminders_send(
        round_id=round_id, judge_ids=judge_ids, by=by, mail_key=task_mail_key(context, "reminder")
    )
