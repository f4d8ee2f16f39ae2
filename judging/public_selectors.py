"""Reads for the public notice page (公示): the shortlist shown to anyone, and after
finalization the featured projects. Public data by design at this stage: title, team,
organization, county and category; never scores, ranks, people or phone numbers."""

from .models import FeaturedProject, Shortlist, ShortlistEntry

# Listed by category, then county, then team name (pinyin): not by score, which is not public.
PUBLIC_ORDER = (
    "entry__category__sort_order",
    "entry__category_id",
    "entry__team__organization__county__sort_order",
    "entry__team__sort_key",
    "entry_id",
)
PUBLIC_RELATED = ("entry__team__organization__county", "entry__category")


def shortlist_for_notice(*, slug: str) -> Shortlist | None:
    """The contest's shortlist once it has been published for notice (one query); None
    before (a committed shortlist is not public yet) or when there is none."""
    return (
        Shortlist.objects.select_related("contest")
        .filter(contest__slug=slug)
        .exclude(status=Shortlist.Status.COMMITTED)
        .exclude(notice_starts_at__isnull=True)
        .first()
    )


def notice_items(*, shortlist: Shortlist) -> list[ShortlistEntry]:
    """The shortlisted projects with what the notice shows (one query)."""
    return list(
        ShortlistEntry.objects.filter(shortlist=shortlist)
        .select_related(*PUBLIC_RELATED)
        .order_by(*PUBLIC_ORDER)
    )


def featured_projects(*, contest) -> list[FeaturedProject]:
    """The finalized featured projects of a contest (one query)."""
    return list(
        FeaturedProject.objects.filter(contest=contest)
        .select_related(*PUBLIC_RELATED)
        .order_by(*PUBLIC_ORDER)
    )
