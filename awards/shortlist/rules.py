"""Constraints as organizers enter them (by category code) for ``awards.shortlist.select``."""

from awards.shortlist.select import Constraints
from competition.selectors import category_codes


def constraints_from(*, size: int, county_cap: int | None, category_min: dict, category_max: dict):
    """Constraints by category code (as organizers enter them) → by category id."""
    ids = {code: pk for pk, code in category_codes().items()}
    return Constraints(
        size=size,
        county_cap=county_cap,
        category_min={ids[c]: int(n) for c, n in category_min.items() if c in ids and n not in (None, "")},
        category_max={ids[c]: int(n) for c, n in category_max.items() if c in ids and n not in (None, "")},
    )
