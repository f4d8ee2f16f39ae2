"""Reads of masking."""

from django.db.models import Q, QuerySet

from judging.models import Round, RoundEntry


def round_masked_entries(*, round: Round, query: str = "") -> QuerySet[RoundEntry]:
    entries = RoundEntry.objects.filter(round=round).select_related("masked_edited_by")
    query = (query or "").strip()[:50]
    if query:
        entries = entries.filter(Q(blind_code__icontains=query) | Q(title__icontains=query))
    return entries.order_by("blind_code")
