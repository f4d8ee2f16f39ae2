"""Reads of masking."""

from django.db.models import Q, QuerySet

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
