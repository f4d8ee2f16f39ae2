"""The conflict-of-interest rule (回避), once: a judge never scores an entry of their own
county or organization, nor one they declared or an organizer set. Plain values in, so the
assigner (no Django) and the services share it; ``judging.conflicts.selectors.conflicted_q``
is the same rule as a database filter."""

SAME_COUNTY = "same_county"
SAME_ORGANIZATION = "same_organization"
DECLARED = "declared"


def conflict_reason(
    *,
    judge_county: int | None,
    judge_organization: int | None,
    entry_county: int | None,
    entry_organization: int | None,
    declared: bool,
) -> str | None:
    """Why this judge may not score this entry, or None when they may."""
    if judge_county is not None and judge_county == entry_county:
        return SAME_COUNTY
    if judge_organization is not None and judge_organization == entry_organization:
        return SAME_ORGANIZATION
    if declared:
        return DECLARED
    return None
