"""Reads of award tiers (one query each)."""

from awards.models import DEFAULT_TIER_NAME, AwardTier
from competition.models import Contest


def contest_tiers(*, contest: Contest) -> list[AwardTier]:
    """The contest's award tiers, best first (empty: the one default tier)."""
    return list(AwardTier.objects.filter(contest=contest).order_by("position", "pk"))


def by_tier(rows) -> list[tuple[str, list]]:
    """Rows (shortlist entries or featured projects, in tier order, with ``tier`` loaded) as
    (tier name, rows) groups; an empty list when they are all of one tier, so that a page
    with a single award lists them as before."""
    groups: list[tuple[int | None, str, list]] = []
    for row in rows:
        if not groups or groups[-1][0] != row.tier_id:
            groups.append((row.tier_id, row.tier.name if row.tier_id else str(DEFAULT_TIER_NAME), []))
        groups[-1][2].append(row)
    if len({key for key, _name, _rows in groups}) <= 1:
        return []
    return [(name, members) for _key, name, members in groups]
