"""Background work for the public site. Thin: ids in, fetch, log and return if gone, delegate."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def make_project_drafts(contest_id: int) -> list[int]:
    """Draft project pages for the contest's featured projects (see
    ``cms.services.create_project_drafts``); returns the new pages' ids."""
    from competition.models import Contest

    from .services import create_project_drafts

    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        logger.warning("contest %s is gone", contest_id)
        return []
    return [page.pk for page in create_project_drafts(contest)]
