"""Reads about conflicts of interest."""

from django.db.models import Exists, OuterRef, Q

from judging.models import Conflict, Judge


def conflicted_judge_ids(*, entry_id: int) -> set[int]:
    return set(Conflict.objects.filter(entry_id=entry_id).values_list("judge_id", flat=True))


def conflicted_q(judge: Judge, *, prefix: str = "") -> Q:
    """The entries this judge may not score, as a filter on entries (or, with ``prefix``, on
    what leads to one, e.g. ``"round_entry__entry__"``): ``judging.conflicts.rules`` in SQL,
    so that conflicts made after an assignment (a county changed, one declared) still hide it."""
    declared = Conflict.objects.filter(judge=judge, entry_id=OuterRef(f"{prefix}pk" if prefix else "pk"))
    q = Q(Exists(declared))
    if judge.county_id is not None:
        q |= Q(**{f"{prefix}team__organization__county_id": judge.county_id})
    if judge.organization_id is not None:
        q |= Q(**{f"{prefix}team__organization_id": judge.organization_id})
    return q
