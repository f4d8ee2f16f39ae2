"""Reads of the notice. The public page shows public data by design at this stage: title,
team, organization, county and category; never scores, ranks, people or phone numbers."""

from django.db.models import Count, Q, QuerySet

from awards.models import Objection, Shortlist, ShortlistEntry
from awards.phases import open_notice_q, public_q

# Listed by award tier (best first; none without tiers), then category, then county, then team
# name (pinyin): not by score, which is not public.
PUBLIC_ORDER = (
    "tier__position",
    "entry__category__sort_order",
    "entry__category_id",
    "entry__team__organization__county__sort_order",
    "entry__team__sort_key",
    "entry_id",
)


PUBLIC_RELATED = ("entry__team__organization__county", "entry__category", "tier")


def shortlist_for_notice(*, slug: str) -> Shortlist | None:
    """The contest's shortlist once it has been published for notice (one query); None
    before (a committed shortlist is not public yet) or when there is none."""
    return Shortlist.objects.select_related("contest").filter(public_q(), contest__slug=slug).first()


def current_notice(*, now=None) -> Shortlist | None:
    """The shortlist whose notice window is open now, with its contest (one query): the public
    site points readers to its list. The latest started, should two contests overlap."""
    return (
        Shortlist.objects.select_related("contest")
        .filter(open_notice_q(now=now))
        .order_by("-notice_starts_at", "-pk")
        .first()
    )


def notice_items(*, shortlist: Shortlist) -> list[ShortlistEntry]:
    """The shortlisted projects with what the notice shows (one query)."""
    return list(
        ShortlistEntry.objects.filter(shortlist=shortlist)
        .select_related(*PUBLIC_RELATED)
        .order_by(*PUBLIC_ORDER)
    )


def shortlist_objections(*, shortlist: Shortlist) -> QuerySet[Objection]:
    return shortlist.objections.select_related("entry", "answered_by").order_by("-created_at", "-pk")


def shortlist_objection_counts(*, shortlist: Shortlist) -> dict:
    return shortlist.objections.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status=Objection.Status.OPEN))
    )


def shortlist_objection(*, shortlist: Shortlist, pk) -> Objection | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return shortlist.objections.filter(pk=pk).first()
