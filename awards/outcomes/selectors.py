"""Reads of outcomes: for teams, their own published results (never a judge's identity);
for the public, the featured projects."""

from awards.models import FeaturedProject
from awards.notice.selectors import PUBLIC_ORDER, PUBLIC_RELATED
from judging.results.selectors import RoundOutcome, published_outcomes


def entry_outcomes(*, entry) -> tuple[list[RoundOutcome], bool]:
    """The entry's published results and whether it was featured."""
    return published_outcomes(entry=entry), is_featured(entry=entry)


def is_featured(*, entry) -> bool:
    return FeaturedProject.objects.filter(entry=entry).exists()


def featured_projects(*, contest) -> list[FeaturedProject]:
    """The finalized featured projects of a contest (one query)."""
    return list(
        FeaturedProject.objects.filter(contest=contest)
        .select_related(*PUBLIC_RELATED)
        .order_by(*PUBLIC_ORDER)
    )
