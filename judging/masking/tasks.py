"""Background work of masking: judge copies of PDFs (thin: id in, fetch, delegate)."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def make_judge_copy(blind_file_id: int) -> None:
    from judging.masking.copies import copy_make

    if copy_make(blind_file_id=blind_file_id) is None:
        logger.warning("judge copy %s was not made (gone or failed)", blind_file_id)
