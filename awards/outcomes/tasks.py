"""Background work of outcomes: telling the teams (thin: ids in, delegate)."""

from django.tasks import task

from tasking.mail import task_mail_key


@task(takes_context=True)
def notify_teams_of_results(context, contest_id: int) -> int:
    from awards.outcomes.services import results_notify

    return results_notify(contest_id=contest_id, mail_key=task_mail_key(context, "results"))
