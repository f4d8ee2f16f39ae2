"""Background work of assignment (thin: ids in, fetch, delegate)."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def run_assignment(run_id: int) -> None:
    from judging.assignment.services import assignment_run_execute
    from judging.models import AssignmentRun

    run = AssignmentRun.objects.select_related("round", "requested_by").filter(pk=run_id).first()
    if run is None:
        logger.warning("assignment run %s is gone", run_id)
        return
    assignment_run_execute(run=run)
