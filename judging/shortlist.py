"""The shortlist: the best N entries under per-category minimum/maximum and per-county caps.

Exact method: an integer programme solved by HiGHS (scipy.optimize.milp). Its constraint
matrix has one row per category and one per county — two partitions of the entries, hence
two laminar families — so it is totally unimodular and the LP optimum is already integral;
milp only confirms it. The objective adds a tiny rank-based term, so among selections with
the same total score the better-ranked entries win and the optimum is unique (deterministic).

Infeasible constraints are explained (which bound cannot be met and why), never relaxed.
The report names, for every entry that is in the plain top N but not selected, the
constraint that displaced it and the entry that took its place.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


@dataclass(frozen=True)
class Candidate:
    entry: int
    score: float
    rank: int  # 1 = best (the round ranking, ties already broken)
    category: int
    county: int


@dataclass
class Constraints:
    size: int = 100
    category_min: dict[int, int] = field(default_factory=dict)
    category_max: dict[int, int] = field(default_factory=dict)
    county_cap: int | None = None


@dataclass
class Displacement:
    entry: int  # in the plain top N, left out
    reason: str  # "county_cap" | "category_max" | "category_min"
    group: int  # the county or category concerned
    replaced_by: int | None


@dataclass
class Shortlist:
    selected: list[int]  # entry ids, best first
    feasible: bool
    problems: list[dict] = field(default_factory=list)  # why infeasible
    displaced: list[Displacement] = field(default_factory=list)
    promoted: list[int] = field(default_factory=list)  # outside the plain top N, selected


def infeasibility(candidates: list[Candidate], rules: Constraints) -> list[dict]:
    """Reasons the constraints cannot all hold, each as a dict for the report."""
    problems = []
    by_category: dict[int, int] = {}
    by_county_category: dict[tuple[int, int], int] = {}
    counties: dict[int, int] = {}
    for c in candidates:
        by_category[c.category] = by_category.get(c.category, 0) + 1
        by_county_category[(c.category, c.county)] = by_county_category.get((c.category, c.county), 0) + 1
        counties[c.county] = counties.get(c.county, 0) + 1
    if rules.size > len(candidates):
        problems.append({"kind": "too_few_entries", "needed": rules.size, "available": len(candidates)})
    for category, minimum in sorted(rules.category_min.items()):
        # with a county cap, a category can take at most cap entries from each county
        reachable = by_category.get(category, 0)
        if rules.county_cap is not None:
            reachable = sum(
                min(n, rules.county_cap)
                for (cat, _county), n in by_county_category.items()
                if cat == category
            )
        if minimum > reachable:
            problems.append(
                {"kind": "category_min", "category": category, "needed": minimum, "available": reachable}
            )
        maximum = rules.category_max.get(category)
        if maximum is not None and minimum > maximum:
            problems.append(
                {"kind": "category_min_above_max", "category": category, "min": minimum, "max": maximum}
            )
    if sum(rules.category_min.values()) > rules.size:
        problems.append(
            {"kind": "minimums_above_size", "sum": sum(rules.category_min.values()), "size": rules.size}
        )
    capacity = sum(min(n, rules.category_max.get(category, n)) for category, n in by_category.items())
    if rules.county_cap is not None:
        capacity = min(capacity, sum(min(n, rules.county_cap) for n in counties.values()))
    if capacity < rules.size and len(candidates) >= rules.size:
        problems.append({"kind": "caps_below_size", "capacity": capacity, "size": rules.size})
    return problems


def select(candidates: list[Candidate], rules: Constraints) -> Shortlist:
    candidates = sorted(candidates, key=lambda c: c.rank)
    plain = [c.entry for c in candidates[: rules.size]]
    n = len(candidates)
    if n == 0 or rules.size <= 0:
        return Shortlist(selected=[], feasible=rules.size <= 0, problems=infeasibility(candidates, rules))
    scores = np.array([c.score for c in candidates], dtype=float)
    # Tie-break toward better rank without ever outweighing a real score difference.
    epsilon = 1e-6 / max(n, 1)
    objective = -(np.round(scores, 4) + epsilon * (n - np.arange(n)))

    rows, lower, upper = [np.ones(n)], [rules.size], [rules.size]
    categories = sorted({c.category for c in candidates} | set(rules.category_min) | set(rules.category_max))
    for category in categories:
        rows.append(np.array([1.0 if c.category == category else 0.0 for c in candidates]))
        lower.append(rules.category_min.get(category, 0))
        upper.append(rules.category_max.get(category, n))
    if rules.county_cap is not None:
        for county in sorted({c.county for c in candidates}):
            rows.append(np.array([1.0 if c.county == county else 0.0 for c in candidates]))
            lower.append(0)
            upper.append(rules.county_cap)
    result = milp(
        objective,
        constraints=[LinearConstraint(np.vstack(rows), lower, upper)],
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    if result.status != 0 or result.x is None:
        return Shortlist(
            selected=[], feasible=False, problems=infeasibility(candidates, rules) or [{"kind": "infeasible"}]
        )
    chosen = {candidates[i].entry for i in np.nonzero(np.round(result.x) > 0.5)[0]}
    selected = [c.entry for c in candidates if c.entry in chosen]
    return Shortlist(
        selected=selected,
        feasible=True,
        displaced=explain(candidates, rules, plain, selected),
        promoted=[e for e in selected if e not in set(plain)],
    )


def explain(candidates, rules: Constraints, plain: list[int], selected: list[int]) -> list[Displacement]:
    """For each plain-top-N entry left out: the constraint that pushed it out, and who took
    its place (the promoted entries, matched best-with-best)."""
    info = {c.entry: c for c in candidates}
    chosen = set(selected)
    out = [e for e in plain if e not in chosen]
    promoted = [e for e in selected if e not in set(plain)]
    county_count: dict[int, int] = {}
    category_count: dict[int, int] = {}
    for e in selected:
        county_count[info[e].county] = county_count.get(info[e].county, 0) + 1
        category_count[info[e].category] = category_count.get(info[e].category, 0) + 1
    displaced = []
    for position, e in enumerate(out):
        c = info[e]
        if rules.county_cap is not None and county_count.get(c.county, 0) >= rules.county_cap:
            reason, group = "county_cap", c.county
        elif (
            c.category in rules.category_max
            and category_count.get(c.category, 0) >= rules.category_max[c.category]
        ):
            reason, group = "category_max", c.category
        else:
            # Its place went to an entry needed to reach another category's minimum.
            taker = info[promoted[position]] if position < len(promoted) else None
            reason, group = "category_min", taker.category if taker else c.category
        displaced.append(
            Displacement(
                entry=e,
                reason=reason,
                group=group,
                replaced_by=promoted[position] if position < len(promoted) else None,
            )
        )
    return displaced
