"""Background work for the public site. Thin: ids in, fetch, log and return if gone, delegate."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.tasks import task

from competition.selectors import contest_by_id

logger = logging.getLogger(__name__)

# Pages whose renditions wait until a bulk publish has made every page live (None: not deferring).
_deferred_renditions: ContextVar[list[int] | None] = ContextVar("deferred_renditions", default=None)


def queue_renditions(page_id: int) -> None:
    """A page was just published: make its renditions once the transaction commits, or, inside
    ``renditions_deferred``, once every page of the batch is live."""
    deferred = _deferred_renditions.get()
    if deferred is not None:
        deferred.append(page_id)
    else:
        transaction.on_commit(lambda: make_renditions.enqueue(page_id))


@contextmanager
def renditions_deferred():
    """Publishing many pages: encoding a page's renditions (seconds per page with photos: every
    photo decoded and encoded in six formats and sizes) would hold up the pages after it, and,
    with the in-process task backend, runs inside the publishing itself. Queue them all at the
    end instead, so that every page goes live within seconds of the start."""
    deferred: list[int] = []
    token = _deferred_renditions.set(deferred)
    try:
        yield
    finally:
        _deferred_renditions.reset(token)
        for page_id in deferred:
            make_renditions.enqueue(page_id)


@task()
def make_project_drafts(contest_id: int) -> list[int]:
    """Draft project pages for the contest's featured projects (see
    ``cms.services.create_project_drafts``); returns the new pages' ids."""

    from .services import create_project_drafts

    contest = contest_by_id(contest_id)
    if contest is None:
        logger.warning("contest %s is gone", contest_id)
        return []
    return [page.pk for page in create_project_drafts(contest)]


@task()
def make_renditions(page_id: int) -> int:
    """Render a just-published page, and its card, once in the background so that the image
    renditions they use (AVIF, WebP and JPEG in two sizes each) exist before readers arrive:
    otherwise the first reader of each page waits while they are encoded. Returns the HTTP
    status of the page's render (0 if the page is gone or not live)."""
    from django.template.loader import get_template
    from wagtail.models import Page

    from .models import ProjectPage, StoryPage
    from .templatetags.cms_tags import CARD_TEMPLATES

    page = Page.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return 0
    page = page.specific
    # Wagtail's own way to render a page outside a request (as its previews do): the whole
    # middleware stack, a private response that no cache keeps.
    response = page.make_preview_request()
    kind = {ProjectPage: "project", StoryPage: "story"}.get(type(page))
    if kind:
        get_template(CARD_TEMPLATES[kind]).render({kind: page, "heading": "h3"})
    if response.status_code != 200:
        logger.warning("rendering page %s for its renditions gave HTTP %s", page_id, response.status_code)
    return response.status_code


@task()
def publish_contest_drafts_task(contest_id: int, user_id: int | None = None) -> int:
    """Publish the contest's draft project pages (``cms.services.publish_contest_drafts``);
    returns how many were published."""
    from django.contrib.auth import get_user_model

    from .services import publish_contest_drafts

    contest = contest_by_id(contest_id)
    if contest is None:
        logger.warning("contest %s is gone", contest_id)
        return 0
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return publish_contest_drafts(contest, user=user)
