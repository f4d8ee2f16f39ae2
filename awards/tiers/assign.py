"""Award tiers from the shortlist (pure): tier 1 is the best selection of its size under its
own constraints (``awards.shortlist.select``) from the shortlisted entries, tier 2 the best of
the rest under its constraints, and so on; the last tier takes everything left, which must
still meet its constraints. The first tier that cannot be filled stops the assignment and is
named, with the reasons ``select`` gives."""

from dataclasses import dataclass, field

from awards.shortlist.select import Candidate, Constraints, infeasibility, select


@dataclass(frozen=True)
class TierRule:
    key: int  # the tier (its id or position): what the assignment maps entries to
    constraints: Constraints  # size = the tier's places (the last tier's is ignored)


@dataclass
class TierAssignment:
    feasible: bool
    tiers: dict[int, list[int]] = field(default_factory=dict)  # tier key -> entry ids, best first
    failed: int | None = None  # the key of the first tier that could not be filled
    problems: list[dict] = field(default_factory=list)

    def tier_of(self) -> dict[int, int]:
        """Entry id -> tier key."""
        return {entry: key for key, entries in self.tiers.items() for entry in entries}


def assign_tiers(candidates: list[Candidate], rules: list[TierRule]) -> TierAssignment:
    """Every candidate placed in exactly one tier, best tiers first (see the module)."""
    if not rules:
        return TierAssignment(feasible=True)
    remaining = sorted(candidates, key=lambda c: (c.rank, c.entry))
    tiers: dict[int, list[int]] = {}
    for position, rule in enumerate(rules):
        last = position == len(rules) - 1
        constraints = rule.constraints
        if last:
            constraints = Constraints(
                size=len(remaining),
                category_min=constraints.category_min,
                category_max=constraints.category_max,
                county_cap=constraints.county_cap,
            )
        result = select(remaining, constraints)
        if result.feasible and constraints.size <= 0:
            # nothing to place: still wrong if the tier asks for a minimum of some category
            problems = infeasibility(remaining, constraints)
            if any(v > 0 for v in constraints.category_min.values()):
                return TierAssignment(feasible=False, tiers=tiers, failed=rule.key, problems=problems)
        if not result.feasible:
            return TierAssignment(feasible=False, tiers=tiers, failed=rule.key, problems=result.problems)
        tiers[rule.key] = result.selected
        chosen = set(result.selected)
        remaining = [c for c in remaining if c.entry not in chosen]
    return TierAssignment(feasible=True, tiers=tiers)
