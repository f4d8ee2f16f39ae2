"""Reactions to other apps' events."""

from django.dispatch import receiver
from wagtail.signals import page_published

from awards.signals import shortlist_finalized


@receiver(shortlist_finalized, dispatch_uid="cms.make_project_drafts")
def draft_project_pages(sender, *, contest_id: int, **kwargs) -> None:
    """A finalized shortlist (sent once its transaction has committed): draft a project page
    per featured project, in the background."""
    from .tasks import make_project_drafts

    make_project_drafts.enqueue(contest_id)


@receiver(page_published, dispatch_uid="cms.release_project_photos")
def release_photos_on_publishing(sender, instance, **kwargs) -> None:
    """A project page just published: its photos join the public image collection."""
    from .models import ProjectPage
    from .services import release_project_photos

    if isinstance(instance, ProjectPage):
        release_project_photos(instance)


@receiver(page_published, dispatch_uid="cms.make_renditions")
def make_renditions_after_publishing(sender, instance, **kwargs) -> None:
    """A page just published: make its image renditions in the background, once committed."""
    from .tasks import queue_renditions

    queue_renditions(instance.pk)
