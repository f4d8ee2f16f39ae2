"""Background work of exports (thin: ids in, fetch, delegate)."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def run_export(job_id: int) -> None:
    from judging.models import ExportJob
    from judging.spreadsheets.exports import export_run

    job = ExportJob.objects.select_related("contest", "round").filter(pk=job_id).first()
    if job is None:
        logger.warning("export job %s is gone", job_id)
        return
    export_run(job=job)
