"""The life of a generated document (``awards.models.GeneratedDocument``): queued, running with
pages done / total, ready with its file, or failed with the reason. Every kind of document
(list, certificates, compendium, one team's certificate) runs through ``document_build``, so
progress, replacement of the old file and failures work the same for all of them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import GeneratedDocument
from common.storage import random_file_name

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Built:
    content: bytes
    extension: str  # "pdf", "xlsx"
    # What the organizer should know about the file (characters no font prints, unreadable
    # photos), in the reader's language; empty when there is nothing to say.
    warnings: tuple[str, ...] = ()


def document_queue(*, contest, kind: str, subject: str = "", by=None) -> GeneratedDocument:
    """Mark a document as wanted (shown at once as 排队中); the caller enqueues the task."""
    document, _created = GeneratedDocument.objects.update_or_create(
        contest=contest,
        kind=kind,
        subject=subject,
        defaults={
            "status": GeneratedDocument.Status.QUEUED,
            "done": 0,
            "total": 0,
            "error": "",
            "requested_by": by,
            "started_at": None,
            "finished_at": None,
        },
    )
    return document


def document_build(*, contest, kind: str, subject: str = "", make: Callable[[Progress], Built], now=None):
    """Run ``make`` (which reports progress) and store its file in place of the old one.
    A failure keeps the previous file and records the reason in the reader's language."""
    document, _created = GeneratedDocument.objects.get_or_create(contest=contest, kind=kind, subject=subject)
    GeneratedDocument.objects.filter(pk=document.pk).update(
        status=GeneratedDocument.Status.RUNNING, started_at=now or timezone.now(), done=0, error=""
    )

    def progress(done: int, total: int) -> None:
        GeneratedDocument.objects.filter(pk=document.pk).update(done=done, total=total)

    try:
        built = make(progress)
    except Exception as error:
        GeneratedDocument.objects.filter(pk=document.pk).update(
            status=GeneratedDocument.Status.FAILED,
            error=str(error) or _("生成失败。"),
            finished_at=timezone.now(),
        )
        raise
    document.refresh_from_db()
    old_name = document.file.name if document.file else ""
    name = document.file.storage.save(
        random_file_name(f"documents/{contest.pk}", built.extension), ContentFile(built.content)
    )
    GeneratedDocument.objects.filter(pk=document.pk).update(
        status=GeneratedDocument.Status.READY,
        file=name,
        size=len(built.content),
        warnings=list(built.warnings),
        finished_at=timezone.now(),
    )
    if old_name and old_name != name:
        document.file.storage.delete(old_name)
    document.refresh_from_db()
    return document
