"""Judge copies of the entries' PDFs: when they are made, what they record, and the
organizers' own redaction boxes.

A PDF of a round entry reaches judges only as its judge copy (``judging.masking.redact``).
Copies take time (about a tenth of a second a page), so they are made in the background
(``judging.masking.tasks.make_judge_copy``), one task per PDF:

- once the entries can no longer change (submission closed) and they take part in a round in
  setup: when they join it (``round_sync_entries``), and when an organizer asks on the masked
  texts page (which remakes every copy);
- when an entry joins a round that is already open to judges (``freeze_for_judges``).

A round opens for scoring only when every copy is ready (``judging.phases.round_can_open``);
until then a judge who reaches a PDF is told the copy is being made, never sent the original.
Organizers keep the original, see which texts were blacked out on which page, and may add
boxes by hand before scoring starts; the copy is then made again, replacing the old file.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.storage import private_storage, random_file_name
from competition.models import EntryAttachment
from competition.phases import REVIEW, contest_phase
from competition.selectors import entries_with_identity
from judging.errors import JudgingError
from judging.masking.redact import ManualBox, Quality, judge_copy
from judging.masking.services import entry_masking_terms
from judging.masking.text import compile_terms, identifying_spans
from judging.models import BlindFile, JudgingEvent, Round, RoundEntry
from judging.phases import round_phase

logger = logging.getLogger(__name__)


def entries_frozen(round: Round) -> bool:
    """Submission has closed: the entries' files can no longer change."""
    return contest_phase(round.contest).order >= REVIEW.order


def copies_request(*, round_entry_ids: list[int], remake: bool = False) -> int:
    """Make sure every PDF of these round entries has its judge-copy row, and queue the ones
    not made yet (all of them with ``remake``) for the background, after commit. Returns how
    many were queued. A constant number of queries."""
    existing = {
        (f.round_entry_id, f.attachment_id): f
        for f in BlindFile.objects.filter(round_entry_id__in=round_entry_ids, kind=BlindFile.Kind.ATTACHMENT)
    }
    round_entries = RoundEntry.objects.filter(pk__in=round_entry_ids).values_list("pk", "entry_id")
    attachments: dict[int, list[EntryAttachment]] = {}
    for attachment in EntryAttachment.objects.filter(entry_id__in=[e for _pk, e in round_entries]):
        attachments.setdefault(attachment.entry_id, []).append(attachment)
    made, queued, stale = [], [], []
    for pk, entry_id in round_entries:
        wanted = sorted(attachments.get(entry_id, []), key=lambda a: (a.sort_order, a.pk))
        for position, attachment in enumerate(wanted, start=1):
            row = existing.pop((pk, attachment.pk), None)
            if row is None:
                made.append(
                    BlindFile(
                        round_entry_id=pk,
                        kind=BlindFile.Kind.ATTACHMENT,
                        position=position,
                        attachment=attachment,
                        status=BlindFile.Status.PENDING,
                        content_type="application/pdf",
                        size=0,
                        file="",
                    )
                )
            elif remake or row.status != BlindFile.Status.READY:
                queued.append(row.pk)
    # Rows whose PDF is gone (the entry's files are fixed once submission closed, so only
    # rows made earlier than that).
    stale = [row.pk for row in existing.values()]
    with transaction.atomic():
        if stale:
            gone = list(
                BlindFile.objects.filter(pk__in=stale).exclude(file="").values_list("file", flat=True)
            )
            BlindFile.objects.filter(pk__in=stale).delete()
            _delete_on_commit(gone)
        queued += [row.pk for row in BlindFile.objects.bulk_create(made)]
        if queued:
            BlindFile.objects.filter(pk__in=queued).update(status=BlindFile.Status.PENDING, message="")
            transaction.on_commit(lambda: _enqueue(queued))
    return len(queued)


def _enqueue(ids: list[int]) -> None:
    from judging.masking.tasks import make_judge_copy

    for pk in ids:
        make_judge_copy.enqueue(pk)


def _delete_on_commit(names: list[str]) -> None:
    if names:
        storage = private_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def round_copies_request(*, round: Round, by) -> int:
    """An organizer (re)makes every judge copy of a round before scoring starts."""
    if not round_phase(round).can_edit_masked:
        raise JudgingError(_("评分开始后不能再重新生成匿名副本。"))
    if not entries_frozen(round):
        raise JudgingError(_("申报尚未截止，参赛项目的附件还可能修改，截止后才能生成匿名副本。"))
    ids = list(RoundEntry.objects.filter(round=round).values_list("pk", flat=True))
    return copies_request(round_entry_ids=ids, remake=True)


def copy_make(*, blind_file_id: int) -> BlindFile | None:
    """Render one judge copy (the background task's work) and store it in place of the old
    one. A failure is recorded on the row (organizers see it; the round cannot open)."""
    blind = (
        BlindFile.objects.select_related("round_entry__round", "attachment")
        .filter(pk=blind_file_id, kind=BlindFile.Kind.ATTACHMENT)
        .first()
    )
    if blind is None or blind.attachment is None:
        return None
    entry = entries_with_identity(ids=[blind.round_entry.entry_id]).select_related("team__user").get()
    terms = compile_terms(entry_masking_terms(entry))
    manual = [ManualBox(item["page"], tuple(item["box"])) for item in blind.manual_boxes]
    try:
        with blind.attachment.file.open("rb") as source:
            copy = judge_copy(
                source.read(),
                spans=lambda text: identifying_spans(text, terms),
                manual=manual,
                quality=Quality(),
            )
    except Exception:
        logger.exception("judge copy %s failed", blind.pk)
        BlindFile.objects.filter(pk=blind.pk).update(
            status=BlindFile.Status.FAILED,
            message=_("无法读取这个 PDF，请查看服务器日志。"),
            made_at=timezone.now(),
        )
        return None
    name = private_storage().save(random_file_name("judge-copies", "pdf"), ContentFile(copy.content))
    old = blind.file.name
    with transaction.atomic():
        current = BlindFile.objects.select_for_update().filter(pk=blind.pk).first()
        if current is None:
            _delete_on_commit([name])
            return None
        current.file = name
        current.size = len(copy.content)
        current.pages = copy.pages
        current.source_pages = copy.source_pages
        current.status = BlindFile.Status.READY
        current.redactions = [
            {"page": f.page, "text": f.text, "boxes": [list(b) for b in f.boxes]} for f in copy.found
        ]
        current.made_at = timezone.now()
        current.message = (
            _("原文件共 %(all)s 页，匿名副本只含前 %(pages)s 页。")
            % {"all": copy.source_pages, "pages": copy.pages}
            if copy.source_pages > copy.pages
            else ""
        )
        current.save()
        if old and old != name:
            _delete_on_commit([old])
    return current


def copy_add_box(
    *, blind_file: BlindFile, page: int, box: tuple[float, float, float, float], by
) -> BlindFile:
    """An organizer blacks out a region of a page by hand (fractions of the page, from the top
    left) before scoring starts; the copy is made again. Logged."""
    round = blind_file.round_entry.round
    if not round_phase(round).can_edit_masked:
        raise JudgingError(_("评分开始后不能再修改匿名副本。"))
    if blind_file.kind != BlindFile.Kind.ATTACHMENT or blind_file.status == BlindFile.Status.PENDING:
        raise JudgingError(_("匿名副本正在生成，请稍后再试。"))
    if not 1 <= page <= (blind_file.pages or 0):
        raise JudgingError(_("没有第 %(page)s 页。") % {"page": page})
    left, top, right, bottom = box
    if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
        raise JudgingError(_("涂黑区域须在页面之内，且右边大于左边、下边大于上边。"))
    item = {"page": page, "box": [round_to(v) for v in box]}
    with transaction.atomic():
        blind = BlindFile.objects.select_for_update().get(pk=blind_file.pk)
        blind.manual_boxes = [*blind.manual_boxes, item]
        blind.status = BlindFile.Status.PENDING
        blind.save(update_fields=["manual_boxes", "status"])
        JudgingEvent.objects.create(
            round=round,
            kind=JudgingEvent.Kind.COPY_REDACTED,
            actor=by,
            round_entry=blind.round_entry,
            before={},
            after={"attachment": blind.position, **item},
        )
        transaction.on_commit(lambda: _enqueue([blind.pk]))
    return blind


def round_to(value: float) -> float:
    return round(float(value), 4)


def round_copy_counts(*, round: Round) -> dict[str, int]:
    """How far the round's judge copies are: PDFs of its entries, copies ready, being made,
    failed (one query each)."""
    total = EntryAttachment.objects.filter(
        entry_id__in=RoundEntry.objects.filter(round=round).values("entry_id")
    ).count()
    counts = BlindFile.objects.filter(round_entry__round=round, kind=BlindFile.Kind.ATTACHMENT).aggregate(
        ready=Count("pk", filter=Q(status=BlindFile.Status.READY)),
        pending=Count("pk", filter=Q(status=BlindFile.Status.PENDING)),
        failed=Count("pk", filter=Q(status=BlindFile.Status.FAILED)),
    )
    return {"total": total, **counts, "missing": max(0, total - counts["ready"])}
