"""Reads of assignment for the back office (one query each)."""

from django.db.models import Count

from judging.models import Assignment, Round, RoundEntry


def latest_assignment_run(*, round: Round):
    from judging.models import AssignmentRun

    return AssignmentRun.objects.filter(round=round).select_related("requested_by").order_by("-pk").first()


def round_entries_named(*, round: Round, ids) -> dict[int, RoundEntry]:
    return (
        RoundEntry.objects.filter(round=round)
        .select_related("entry__category")
        .only("pk", "blind_code", "title", "entry__title", "entry__category__name")
        .in_bulk(list(ids))
    )


def round_coverage_by_category(*, round: Round) -> list[dict]:
    """Per category: entries taking part, the slots they need (entries × k) and those filled."""
    rows = (
        RoundEntry.objects.filter(round=round)
        .values("entry__category__name", "entry__category__name_en", "entry__category__sort_order")
        .annotate(entries=Count("pk", distinct=True), filled=Count("assignments"))
        .order_by("entry__category__sort_order", "entry__category__name")
    )
    k = round.judges_per_entry
    return [
        {
            "category": row["entry__category__name"] or "—",
            "category_en": row["entry__category__name_en"] or "",
            "entries": row["entries"],
            "slots": row["entries"] * k,
            "filled": row["filled"],
        }
        for row in rows
    ]


def round_entries_short(*, round: Round, limit: int = 50) -> list[RoundEntry]:
    """Entries with fewer than k judges, fewest first (for the manual adjustment page)."""
    return list(
        RoundEntry.objects.filter(round=round)
        .annotate(judges=Count("assignments"))
        .filter(judges__lt=round.judges_per_entry)
        .order_by("judges", "blind_code")[:limit]
    )


def round_entry_assignments(*, round_entry: RoundEntry) -> list[Assignment]:
    return list(
        Assignment.objects.filter(round_entry=round_entry)
        .select_related("judge__county", "judge__organization", "sheet")
        .order_by("judge__name", "pk")
    )
