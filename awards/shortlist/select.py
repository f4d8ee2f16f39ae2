"""The shortlist: the best N entries under per-category minimum/maximum and per-county caps.

Exact method: a min-cost flow, solved by successive shortest paths in exact integer
arithmetic. The network is source → category → county → sink; each entry is a unit arc from
its category to its county (entries of the same category and county are taken best first, so
only the best unused and the worst used one of each pair are ever candidates for a path). A
category's arc from the source has capacity ``max`` and its first ``min`` units carry a bonus
larger than any selection's worth, so a flow that meets every minimum is preferred to any that
does not; a county's arc to the sink has capacity ``cap``. Successive shortest paths give a
minimum-cost flow of every value (the network starts without cycles), so after N paths the
selection is optimal; fewer than N paths, or an unmet minimum, means no selection exists.

What is optimised: the total score (in millionths of a point, the unit the ranking compares),
then the ranks — an entry's tie-break weight is 2^(n − position), which exceeds the weights of
all worse-ranked entries together, so among selections with the same total score the one with
the better-ranked entries wins and the optimum is unique. Without constraints the selection is
exactly the plain top N.

Infeasible constraints are explained (which bound cannot be met and why), never relaxed.
The report names, for every entry that is in the plain top N but not selected, the
constraint that displaced it and the entry that took its place.
"""

from dataclasses import dataclass, field

from judging.results.compute import score_units


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
class Selection:
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


def select(candidates: list[Candidate], rules: Constraints) -> Selection:
    candidates = sorted(candidates, key=lambda c: (c.rank, c.entry))
    plain = [c.entry for c in candidates[: rules.size]]
    n = len(candidates)
    if n == 0 or rules.size <= 0:
        return Selection(selected=[], feasible=rules.size <= 0, problems=infeasibility(candidates, rules))
    chosen, shortfall = _best_flow(candidates, rules)
    if chosen is None:
        return Selection(selected=[], feasible=False, problems=infeasibility(candidates, rules) or shortfall)
    selected = [c.entry for c in candidates if c.entry in chosen]
    return Selection(
        selected=selected,
        feasible=True,
        displaced=explain(candidates, rules, plain, selected),
        promoted=[e for e in selected if e not in set(plain)],
    )


def _best_flow(candidates: list[Candidate], rules: Constraints) -> tuple[set[int] | None, list[dict]]:
    """The optimal selection (entry ids) by successive shortest paths, or None and why not.

    ``candidates`` are in rank order. Costs are Python integers (exact): minus the worth of
    an entry, minus ``bonus`` on each of a category's first ``min`` units."""
    n = len(candidates)
    scale = 1 << (n + 1)  # above the sum of all tie-break weights
    worth = [score_units(c.score) * scale + (1 << (n - i)) for i, c in enumerate(candidates)]
    bonus = 2 * sum(abs(w) for w in worth) + 1
    unbounded = n + 1
    categories = sorted({c.category for c in candidates} | set(rules.category_min) | set(rules.category_max))
    counties = sorted({c.county for c in candidates})
    minimum = {g: rules.category_min.get(g, 0) for g in categories}
    maximum = {g: rules.category_max.get(g, unbounded) for g in categories}
    cap = rules.county_cap if rules.county_cap is not None else unbounded
    # Entries of each (category, county) pair, best first, and how many of them are taken.
    pairs: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(candidates):
        pairs.setdefault((c.category, c.county), []).append(i)
    taken = dict.fromkeys(pairs, 0)
    category_flow = dict.fromkeys(categories, 0)
    county_flow = dict.fromkeys(counties, 0)
    source, sink = ("s",), ("t",)
    for placed in range(rules.size):
        # Bellman–Ford from the source over the residual network (a few dozen nodes).
        dist = {source: 0}
        via: dict = {}
        for _pass in range(len(categories) + len(counties) + 2):
            changed = False
            for g in categories:
                if category_flow[g] < maximum[g]:
                    cost = -bonus if category_flow[g] < minimum[g] else 0
                    changed |= _relax(dist, via, source, ("c", g), cost, None)
            for (g, k), members in pairs.items():
                used = taken[(g, k)]
                if used < len(members):
                    changed |= _relax(dist, via, ("c", g), ("k", k), -worth[members[used]], (g, k, +1))
                if used > 0:
                    changed |= _relax(dist, via, ("k", k), ("c", g), worth[members[used - 1]], (g, k, -1))
            for k in counties:
                if county_flow[k] < cap:
                    changed |= _relax(dist, via, ("k", k), sink, 0, None)
            if not changed:
                break
        if sink not in dist:
            return None, [{"kind": "caps_below_size", "capacity": placed, "size": rules.size}]
        node = sink
        while node != source:
            previous, pair = via[node]
            if node == sink:
                county_flow[previous[1]] += 1
            elif previous == source:
                category_flow[node[1]] += 1
            else:
                g, k, step = pair
                taken[(g, k)] += step
            node = previous
    unmet = [g for g in categories if category_flow[g] < minimum[g]]
    if unmet:
        return None, [
            {"kind": "category_min", "category": g, "needed": minimum[g], "available": category_flow[g]}
            for g in unmet
        ]
    return {candidates[i].entry for key, members in pairs.items() for i in members[: taken[key]]}, []


def _relax(dist: dict, via: dict, start, end, cost: int, pair) -> bool:
    if start not in dist or (end in dist and dist[end] <= dist[start] + cost):
        return False
    dist[end] = dist[start] + cost
    via[end] = (start, pair)
    return True


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
