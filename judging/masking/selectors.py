"""Reads of masking."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from judging.models import BlindFile, Round, RoundEntry


def round_masked_entries(*, round: Round, query: str = "") -> QuerySet[RoundEntry]:
    entries = RoundEntry.objects.filter(round=round).select_related("masked_edited_by")
    query = (query or "").strip()[:50]
    if query:
        entries = entries.filter(Q(blind_code__icontains=query) | Q(title__icontains=query))
    return entries.order_by("blind_code")


def round_entry_copies(*, round_entry: RoundEntry) -> list[BlindFile]:
    """The judge copies of a round entry's PDFs with their originals (one query)."""
    return list(
        BlindFile.objects.filter(round_entry=round_entry, kind=BlindFile.Kind.ATTACHMENT)
        .select_related("attachment")
        .order_by("position")
    )


def copy_pages(blind: BlindFile) -> list[dict]:
    """Per page of a judge copy: what was blacked out automatically and by hand."""
    pages = {n: {"page": n, "texts": [], "manual": 0} for n in range(1, (blind.pages or 0) + 1)}
    for item in blind.redactions:
        if item["page"] in pages and item["text"] not in pages[item["page"]]["texts"]:
            pages[item["page"]]["texts"].append(item["text"])
    for item in blind.manual_boxes:
        if item["page"] in pages:
            pages[item["page"]]["manual"] += 1
    return list(pages.values())


def round_entry_ids(*, round_id: int) -> QuerySet:
    """The ids of the entries taking part in a round (for other apps: the public vote)."""
    return RoundEntry.objects.filter(round_id=round_id).values_list("entry_id", flat=True)


def frozen_photos(*, round_id: int, entry_id: int) -> list[BlindFile]:
    """An entry's photos as frozen for a round's judges (re-encoded, no metadata), in order."""
    return list(
        BlindFile.objects.filter(
            round_entry__round_id=round_id,
            round_entry__entry_id=entry_id,
            kind=BlindFile.Kind.PHOTO,
            status=BlindFile.Status.READY,
        ).order_by("position")
    )


def frozen_photo_count(*, round_id: int, entry_ref: str = "entry_id") -> Subquery:
    """For annotating rows that name an entry (``entry_ref``): how many frozen photos the
    entry has in the round (0 for none), as one subquery."""
    counts = (
        BlindFile.objects.filter(
            round_entry__round_id=round_id,
            round_entry__entry_id=OuterRef(entry_ref),
            kind=BlindFile.Kind.PHOTO,
            status=BlindFile.Status.READY,
        )
        .order_by()
        .values("round_entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
