"""Reactions to other apps' events."""

from django.dispatch import receiver

from judging.signals import shortlist_finalized


@receiver(shortlist_finalized, dispatch_uid="cms.make_project_drafts")
def draft_project_pages(sender, *, contest_id: int, **kwargs) -> None:
    """A finalized shortlist (sent once its transaction has committed): draft a project page
    per featured project, in the background."""
    from .tasks import make_project_drafts

    make_project_drafts.enqueue(contest_id)
