"""Reads of award tiers (one query each)."""

from awards.models import AwardTier
from competition.models import Contest


def contest_tiers(*, contest: Contest) -> list[AwardTier]:
    """The contest's award tiers, best first (empty: the one default tier)."""
    return list(AwardTier.objects.filter(contest=contest).order_by("position", "pk"))
