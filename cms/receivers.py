"""Reactions to other apps' events."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from wagtail.signals import page_published

from awards.signals import shortlist_finalized
from competition.models import Contest


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


PAGE_DETAILS = {"title", "description", "slug"}


@receiver(pre_save, sender=Contest, dispatch_uid="cms.contest_before_saving")
def remember_contest_details(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """What the page may have taken from the contest, as it was before this save (not read when
    the save writes none of it, as when the contest moves to its next stage)."""
    if raw or instance.pk is None or (update_fields is not None and not PAGE_DETAILS & set(update_fields)):
        return
    instance._page_details_before = (
        Contest.objects.filter(pk=instance.pk).values("title", "description", "slug").first()
    )


@receiver(post_save, sender=Contest, dispatch_uid="cms.contest_page")
def contest_page_with_the_contest(sender, instance, created, raw=False, **kwargs) -> None:
    """A new contest gets its live page under the home page; a changed one's page follows the
    new title, description and slug where the editors have not rewritten them."""
    from .services import ensure_contest_page, follow_contest

    if raw:  # loading fixtures
        return
    if created:
        ensure_contest_page(instance)
        return
    previous = getattr(instance, "_page_details_before", None)
    if previous is not None:
        del instance._page_details_before
        follow_contest(instance, previous=previous)
