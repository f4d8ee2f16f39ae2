"""Reads about judges."""

from django.db.models import Count, Q

from judging.models import Judge, Round


def judge_for_user(user) -> Judge | None:
    if not (user.is_authenticated and user.is_active):
        return None
    return Judge.objects.filter(user=user, active=True).first()


def judges_named(*, ids) -> dict[int, Judge]:
    """Judges by id, with the fields the report shows (one query)."""
    return Judge.objects.select_related("county", "organization").in_bulk(list(ids))


def judges_with_round_load(*, round: Round):
    """Active judges with how many entries they have in the round (for choosing one by hand)."""
    return (
        Judge.objects.filter(active=True)
        .annotate(load=Count("assignments", filter=Q(assignments__round=round)))
        .select_related("county", "organization")
        .order_by("name", "pk")
    )
