"""Reads of outcomes: for teams, their own published results (never a judge's identity);
for the public, the featured projects."""

from awards.models import FeaturedProject
from awards.notice.selectors import PUBLIC_ORDER, PUBLIC_RELATED
from judging.results.selectors import RoundOutcome, published_outcomes


def entry_outcomes(*, entry) -> tuple[list[RoundOutcome], FeaturedProject | None]:
    """The entry's published results and its featured project (with its award tier), if any."""
    return published_outcomes(entry=entry), entry_featured(entry=entry)


def entry_featured(*, entry) -> FeaturedProject | None:
    """The entry's featured project with its award tier, or None (one query)."""
    return FeaturedProject.objects.filter(entry=entry).select_related("tier").first()


def featured_projects(*, contest) -> list[FeaturedProject]:
    """The finalized featured projects of a contest (one query)."""
    return list(
        FeaturedProject.objects.filter(contest=contest)
        .select_related(*PUBLIC_RELATED)
        .order_by(*PUBLIC_ORDER)
    )
