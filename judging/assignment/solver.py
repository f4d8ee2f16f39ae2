"""Conflict-free, balanced, expertise-aware assignment of entries to judges.

Pure functions over plain data (no Django), so that they can be property-tested and
benchmarked at national scale.

Method
------
1. Fair share: every judge gets ``k·|entries|`` slots in proportion to a weight (1, or the
   judge's capacity); the balanced band is ``[floor(share), ceil(share)]``, capped by capacity.
2. Re-runs keep every existing assignment that is still allowed (and always those that carry a
   score sheet) and release only what balance requires, so few assignments move.
3. What is left is a transportation problem between *classes*: entries that are
   interchangeable (same category, county, exclusions and need) and judges that are
   (same county, organization, expertise and bounds). It is solved as a linear programme
   with HiGHS (scipy); its constraint matrix is totally unimodular (two laminar families of
   rows), so the optimal vertex is integral: an exact min-cost flow, not a greedy loop.
   Costs: uncovered slots (huge) > leaving the balanced band (large) > expertise (small).
   At most ``(need-1)`` of an entry's slots go to experts in its category, so every entry also
   gets a judge from outside it: judges then see several categories and calibration works.
4. Each class's flow is spread over its members (rotating floor/ceil shares), then over the
   class's entries by McNaughton's wrap-around fill: a judge's slots in a class are at most the
   class size and consecutive, so no entry gets the same judge twice.
5. The judge–entry graph is checked for connectivity (union–find) and repaired by swapping
   judges between entries of different components where both swaps stay conflict-free.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from math import ceil, floor

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

from judging.conflicts.rules import conflict_reason

COST_UNCOVERED = 1_000_000.0
COST_OUT_OF_BAND = 1_000.0
COST_EXPERT = -1.0
COST_KEEP = -3.0
COST_EXPERT_OVER = 5.0  # an entry judged by experts only, when an outsider could have been found
# A judge who scored the entry in an earlier round: avoided whenever the entry can be covered
# otherwise, even at the price of a judge leaving the balanced band (a second look by the same
# judge adds little that is new).
COST_SEEN = 5_000.0
NONE = -1  # stands for "not set" in class keys (ids are never negative)


def _key(value: int | None) -> int:
    return NONE if value is None else value


@dataclass(frozen=True)
class EntryInfo:
    id: int
    category: int
    county: int | None
    organization: int | None


@dataclass(frozen=True)
class JudgeInfo:
    id: int
    county: int | None
    organization: int | None
    expertise: frozenset[int] = frozenset()
    capacity: int | None = None


@dataclass
class Problem:
    k: int
    entries: list[EntryInfo]
    judges: list[JudgeInfo]
    conflicts: set[tuple[int, int]] = field(default_factory=set)  # declared or set: (entry, judge)
    existing: list[tuple[int, int]] = field(default_factory=list)  # current (entry, judge)
    locked: set[tuple[int, int]] = field(default_factory=set)  # carry a sheet: never moved
    proportional_to_capacity: bool = False
    # Judges wanted per entry where it differs from ``k`` (a second round aimed at the boundary:
    # 0 for an entry that goes on without new sheets).
    need: dict[int, int] = field(default_factory=dict)
    seen: set[tuple[int, int]] = field(default_factory=set)  # (entry, judge) of earlier rounds

    def wanted(self, entry_id: int) -> int:
        return self.need.get(entry_id, self.k)


@dataclass
class Uncovered:
    entry: int
    missing: int
    compatible_judges: int
    reason: str  # "conflicts" (too few judges without a conflict) or "capacity"


@dataclass
class Result:
    assignments: list[tuple[int, int]]
    added: list[tuple[int, int]]
    removed: list[tuple[int, int]]
    loads: dict[int, int]
    fair_share: dict[int, float]
    band: dict[int, tuple[int, int]]
    uncovered: list[Uncovered]
    connected: bool
    components: int
    conflicts_avoided: dict[str, int]
    expert_share: float
    locked_in_conflict: list[tuple[int, int]]
    connectivity_swaps: int = 0  # swaps made only to join components (two moves each)

    @property
    def complete(self) -> bool:
        return not self.uncovered


def allowed(entry: EntryInfo, judge: JudgeInfo, conflicts: set[tuple[int, int]]) -> bool:
    """The conflict-of-interest rule (``judging.conflicts.rules``) on the solver's data."""
    return (
        conflict_reason(
            judge_county=judge.county,
            judge_organization=judge.organization,
            entry_county=entry.county,
            entry_organization=entry.organization,
            declared=(entry.id, judge.id) in conflicts,
        )
        is None
    )


def fair_bands(problem: Problem) -> tuple[dict[int, float], dict[int, tuple[int, int]]]:
    total = sum(problem.wanted(e.id) for e in problem.entries)
    if problem.proportional_to_capacity:
        weights = {j.id: float(j.capacity or 0) for j in problem.judges}
    else:
        weights = {j.id: 1.0 for j in problem.judges}
    weight_sum = sum(weights.values()) or 1.0
    share, band = {}, {}
    for judge in problem.judges:
        s = total * weights[judge.id] / weight_sum
        high = ceil(s - 1e-9)
        if judge.capacity is not None:
            high = min(high, judge.capacity)
        low = min(floor(s + 1e-9), high)
        share[judge.id] = s
        band[judge.id] = (low, high)
    return share, band


def solve(problem: Problem) -> Result:
    entries = sorted(problem.entries, key=lambda e: e.id)
    judges = sorted(problem.judges, key=lambda j: j.id)
    entry_by_id = {e.id: e for e in entries}
    judge_by_id = {j.id: j for j in judges}
    share, band = fair_bands(problem)

    # 2. Keep what is still allowed; locked pairs (with a sheet) are kept whatever happened.
    kept: dict[int, list[int]] = defaultdict(list)
    removed: list[tuple[int, int]] = []
    locked_in_conflict = []
    for e_id, j_id in sorted(set(problem.existing)):
        pair = (e_id, j_id)
        entry, judge = entry_by_id.get(e_id), judge_by_id.get(j_id)
        if pair in problem.locked:
            if entry is None or judge is None or not allowed(entry, judge, problem.conflicts):
                locked_in_conflict.append(pair)
            kept[e_id].append(j_id)
        elif entry is not None and judge is not None and allowed(entry, judge, problem.conflicts):
            kept[e_id].append(j_id)
        else:
            removed.append(pair)
    for e_id, j_ids in kept.items():  # k was lowered: drop unlocked extras
        unlocked = [j for j in j_ids if (e_id, j) not in problem.locked]
        while len(j_ids) > problem.wanted(e_id) and unlocked:
            j = unlocked.pop()
            j_ids.remove(j)
            removed.append((e_id, j))
    load = Counter(j for j_ids in kept.values() for j in j_ids)
    entries_of = defaultdict(set)
    for e_id, j_ids in kept.items():
        for j_id in j_ids:
            entries_of[j_id].add(e_id)

    # Release for balance: over-loaded judges give up unlocked assignments, and judges at the
    # top of their band give up more while the under-loaded cannot otherwise be filled.
    def needy_judges():
        return [j for j in judges if load[j.id] < band[j.id][0]]

    released: dict[int, set[int]] = defaultdict(set)  # entry -> judges it was taken from

    def release_one(judge_id: int, *, for_needy: bool) -> bool:
        """Take one unlocked assignment from a judge: the one others can most easily take.
        When releasing for under-loaded judges, only an entry one of them may take."""
        takers_pool = needy_judges() if for_needy else [j for j in judges if load[j.id] < band[j.id][1]]
        candidates = [
            e_id
            for e_id in entries_of[judge_id]
            if (e_id, judge_id) not in problem.locked and e_id in entry_by_id
        ]

        def takers(e_id):
            entry = entry_by_id[e_id]
            return sum(
                1 for n in takers_pool if n.id not in kept[e_id] and allowed(entry, n, problem.conflicts)
            )

        # Free takers: judges who may take it, less the slots of it already released (a judge
        # can take only one slot of an entry).
        scored = [(takers(e_id) - len(released[e_id]), e_id) for e_id in sorted(candidates, reverse=True)]
        if for_needy:
            scored = [pair for pair in scored if pair[0] > 0]
        if not scored:
            return False
        _count, e_id = max(scored, key=lambda pair: pair[0])
        kept[e_id].remove(judge_id)
        entries_of[judge_id].discard(e_id)
        released[e_id].add(judge_id)
        load[judge_id] -= 1
        return True

    for judge in judges:
        while load[judge.id] > band[judge.id][1] and release_one(judge.id, for_needy=False):
            pass
    while True:
        need = sum(max(0, band[j.id][0] - load[j.id]) for j in judges)
        supply = sum(max(0, problem.wanted(e.id) - len(kept.get(e.id, []))) for e in entries)
        if supply >= need:
            break
        donors = sorted(
            (j for j in judges if load[j.id] > band[j.id][0]),
            key=lambda j: (-(load[j.id] - band[j.id][0]), j.id),
        )
        if not any(release_one(d.id, for_needy=True) for d in donors):
            break

    # 3. The residual transportation problem between classes.
    residual = [
        (e, problem.wanted(e.id) - len(kept.get(e.id, [])))
        for e in entries
        if len(kept.get(e.id, [])) < problem.wanted(e.id)
    ]
    added = _solve_residual(problem, residual, judges, kept, load, band, released)
    for e_id, j_id in added:
        kept[e_id].append(j_id)
        load[j_id] += 1

    assignments = sorted((e_id, j_id) for e_id, j_ids in kept.items() for j_id in j_ids)
    # 5. Connectivity, repaired by conflict-free swaps of freshly made assignments.
    assignments, components, swaps = _connect(assignments, entry_by_id, judge_by_id, problem, band)
    final = set(assignments)
    before = set(problem.existing)
    added = sorted(final - before)
    removed = sorted(before - final)

    uncovered = []
    per_entry = Counter(e for e, _j in assignments)
    for entry in entries:
        missing = problem.wanted(entry.id) - per_entry[entry.id]
        if missing > 0:
            compatible = sum(1 for j in judges if allowed(entry, j, problem.conflicts))
            uncovered.append(
                Uncovered(
                    entry.id,
                    missing,
                    compatible,
                    "conflicts" if compatible < problem.wanted(entry.id) else "capacity",
                )
            )
    loads = Counter(j for _e, j in assignments)
    expert = sum(
        1
        for e, j in assignments
        if e in entry_by_id and j in judge_by_id and entry_by_id[e].category in judge_by_id[j].expertise
    )
    return Result(
        assignments=assignments,
        added=added,
        removed=removed,
        loads={j.id: loads[j.id] for j in judges},
        fair_share=share,
        band=band,
        uncovered=uncovered,
        connected=components <= 1,
        components=components,
        conflicts_avoided=_conflicts_avoided(entries, judges, problem.conflicts),
        expert_share=expert / len(assignments) if assignments else 0.0,
        locked_in_conflict=locked_in_conflict,
        connectivity_swaps=swaps,
    )


def _solve_residual(problem, residual, judges, kept, load, band, released) -> list[tuple[int, int]]:
    if not residual:
        return []
    conflicts = problem.conflicts
    judge_by_id = {j.id: j for j in judges}
    judge_orgs = {j.organization for j in judges if j.organization is not None}
    # Judges named in an entry's exclusions (declared conflicts, already assigned) stand alone.
    excluded_of = {}
    for entry, _need in residual:
        ex = frozenset(kept.get(entry.id, ())) | frozenset(
            j.id for j in judges if (entry.id, j.id) in conflicts
        )
        excluded_of[entry.id] = ex
    seen_of = defaultdict(set)
    for e_id, j_id in problem.seen:
        seen_of[e_id].add(j_id)
    seen_of = {entry.id: frozenset(seen_of.get(entry.id, ())) for entry, _need in residual}
    singled = (
        set().union(*excluded_of.values(), *released.values(), *seen_of.values()) if excluded_of else set()
    )

    entry_classes: dict[tuple, list[EntryInfo]] = defaultdict(list)
    for entry, need in residual:
        org = entry.organization if entry.organization in judge_orgs else None
        key = (
            need,
            entry.category,
            _key(entry.county),
            _key(org),
            tuple(sorted(excluded_of[entry.id])),
            tuple(sorted(released.get(entry.id, ()))),
            tuple(sorted(seen_of[entry.id])),
        )
        entry_classes[key].append(entry)
    judge_classes: dict[tuple, list[JudgeInfo]] = defaultdict(list)
    for judge in judges:
        low, high = band[judge.id]
        room_low = max(0, low - load[judge.id])
        room_high = max(0, high - load[judge.id])
        cap = judge.capacity - load[judge.id] if judge.capacity is not None else None
        if cap is not None and cap <= 0:
            continue
        key = (
            judge.id if judge.id in singled else NONE,
            _key(judge.county),
            _key(judge.organization),
            tuple(sorted(judge.expertise)),
            room_low,
            room_high,
            -1 if cap is None else cap,
        )
        judge_classes[key].append(judge)

    a_keys = sorted(entry_classes)
    b_keys = sorted(judge_classes)
    cols_a, cols_b, costs, upper = [], [], [], []
    for ai, akey in enumerate(a_keys):
        need, category, county, org, excluded, previous, seen = akey
        size = len(entry_classes[akey])
        for bi, bkey in enumerate(b_keys):
            members = judge_classes[bkey]
            sample = members[0]
            if county != NONE and sample.county == county:
                continue
            if org != NONE and sample.organization == org:
                continue
            if bkey[0] != NONE and bkey[0] in excluded:
                continue
            cols_a.append(ai)
            cols_b.append(bi)
            cost = COST_EXPERT if category in sample.expertise else 0.0
            if bkey[0] != NONE and bkey[0] in previous:
                cost += COST_KEEP  # giving it back to the judge it came from moves nothing
            if bkey[0] != NONE and bkey[0] in seen:
                cost += COST_SEEN
            costs.append(cost)
            upper.append(size * len(members))
    n_x = len(cols_a)
    n_a, n_b = len(a_keys), len(b_keys)
    # Columns: x (n_x) | uncovered slack (n_a) | under-band slack (n_b) | over-band slack (n_b)
    #          | experts-above-cap slack (n_a)
    n_cols = n_x + 2 * n_a + 2 * n_b
    expert_slack = n_x + n_a + 2 * n_b
    cost = np.zeros(n_cols)
    cost[:n_x] = costs
    cost[n_x : n_x + n_a] = COST_UNCOVERED
    cost[n_x + n_a : expert_slack] = COST_OUT_OF_BAND
    cost[expert_slack:] = COST_EXPERT_OVER
    lower_b = np.zeros(n_cols)
    upper_b = np.full(n_cols, np.inf)
    upper_b[:n_x] = upper

    rows, cols, vals = [], [], []
    eq_rhs = []
    ub_rows, ub_cols, ub_vals, ub_rhs = [], [], [], []
    cols_a_arr = np.asarray(cols_a, dtype=np.int64)
    cols_b_arr = np.asarray(cols_b, dtype=np.int64)
    x_idx = np.arange(n_x, dtype=np.int64)
    # coverage: sum_b x_ab + short_a = need_a * size_a
    rows.extend(cols_a_arr.tolist())
    cols.extend(x_idx.tolist())
    vals.extend([1.0] * n_x)
    for ai, akey in enumerate(a_keys):
        rows.append(ai)
        cols.append(n_x + ai)
        vals.append(1.0)
        eq_rhs.append(akey[0] * len(entry_classes[akey]))
    r = 0
    # experts: sum over expert columns <= (need-1) * size when need >= 2
    expert_cols = defaultdict(list)
    for c in range(n_x):
        if a_keys[cols_a[c]][1] in judge_classes[b_keys[cols_b[c]]][0].expertise:
            expert_cols[cols_a[c]].append(c)
    for ai, akey in enumerate(a_keys):
        need = akey[0]
        if need >= 2 and expert_cols.get(ai):
            for c in expert_cols[ai]:
                ub_rows.append(r)
                ub_cols.append(c)
                ub_vals.append(1.0)
            ub_rows.append(r)
            ub_cols.append(expert_slack + ai)
            ub_vals.append(-1.0)
            ub_rhs.append((need - 1) * len(entry_classes[akey]))
            r += 1
    # loads: sum_a x_ab - over_b <= high_b*|b| ; -sum_a x_ab - under_b <= -low_b*|b| ; hard cap
    by_b = defaultdict(list)
    for c in range(n_x):
        by_b[cols_b_arr[c]].append(c)
    for bi, bkey in enumerate(b_keys):
        size = len(judge_classes[bkey])
        room_low, room_high, cap = bkey[4], bkey[5], bkey[6]
        columns = by_b.get(bi, [])
        for c in columns:
            ub_rows.append(r)
            ub_cols.append(c)
            ub_vals.append(1.0)
        ub_rows.append(r)
        ub_cols.append(n_x + n_a + n_b + bi)
        ub_vals.append(-1.0)
        ub_rhs.append(room_high * size)
        r += 1
        for c in columns:
            ub_rows.append(r)
            ub_cols.append(c)
            ub_vals.append(-1.0)
        ub_rows.append(r)
        ub_cols.append(n_x + n_a + bi)
        ub_vals.append(-1.0)
        ub_rhs.append(-room_low * size)
        r += 1
        if cap >= 0:
            upper_b[n_x + n_a + n_b + bi] = max(0, cap - room_high) * size
        # A judge class cannot fall short of its lower band by more than its lower band.
        upper_b[n_x + n_a + bi] = room_low * size

    a_eq = coo_array((vals, (rows, cols)), shape=(n_a, n_cols)).tocsr()
    a_ub = coo_array((ub_vals, (ub_rows, ub_cols)), shape=(r, n_cols)).tocsr()
    solution = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.asarray(ub_rhs, dtype=float),
        A_eq=a_eq,
        b_eq=np.asarray(eq_rhs, dtype=float),
        bounds=np.column_stack([lower_b, upper_b]),
        method="highs-ds",
    )
    x = solution.x[:n_x] if solution.status == 0 else None
    if x is None or np.max(np.abs(x - np.round(x)), initial=0.0) > 1e-6:
        solution = milp(
            cost,
            constraints=[
                LinearConstraint(a_eq, np.asarray(eq_rhs, float), np.asarray(eq_rhs, float)),
                LinearConstraint(a_ub, -np.inf, np.asarray(ub_rhs, float)),
            ],
            integrality=np.concatenate([np.ones(n_x), np.zeros(n_cols - n_x)]),
            bounds=Bounds(lower_b, upper_b),
        )
        if solution.x is None:
            raise RuntimeError(f"assignment solver failed: {solution.message}")
        x = solution.x[:n_x]
    flows = np.round(x).astype(np.int64)

    # 4. Spread class flows over judges (rotating shares), then over entries (wrap-around).
    slots: dict[int, dict[int, int]] = defaultdict(dict)  # a -> judge -> slots
    offset = defaultdict(int)
    for c in np.nonzero(flows)[0]:
        ai, bi, f = cols_a[c], cols_b[c], int(flows[c])
        members = judge_classes[b_keys[bi]]
        base, extra = divmod(f, len(members))
        start = offset[bi]
        for m, judge in enumerate(members):
            count = base + (1 if (m - start) % len(members) < extra else 0)
            if count:
                slots[ai][judge.id] = slots[ai].get(judge.id, 0) + count
        offset[bi] = (start + extra) % len(members)

    added = []
    for ai, akey in enumerate(a_keys):
        category = akey[1]
        class_entries = entry_classes[akey]
        size = len(class_entries)
        judge_slots = slots.get(ai, {})
        experts_first = sorted(
            judge_slots, key=lambda j: (0 if category in judge_by_id[j].expertise else 1, j)
        )
        sequence = [j for j in experts_first for _ in range(judge_slots[j])]
        for p, judge_id in enumerate(sequence):
            added.append((class_entries[p % size].id, judge_id))
    return added


class _UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def components_of(assignments: list[tuple[int, int]]) -> _UnionFind:
    uf = _UnionFind()
    for e, j in assignments:
        uf.union(("e", e), ("j", j))
    return uf


def _repick_fresh(pairs, count, uf, entry_by_id, judge_by_id, problem, band):
    existing = set(problem.existing)
    load = Counter(j for _e, j in pairs)
    by_entry = defaultdict(set)
    for e, j in pairs:
        by_entry[e].add(j)
    for e, j in sorted(pairs - existing):
        if count <= 1:
            break
        if (e, j) in problem.locked or e not in entry_by_id or load[j] - 1 < band.get(j, (0, 0))[0]:
            continue
        own = uf.find(("e", e))
        for other in sorted(judge_by_id, key=lambda x: (load[x], x)):
            if other in by_entry[e] or load[other] + 1 > band[other][1]:
                continue
            if (
                (e, other) in problem.seen
                or uf.find(("j", other)) == own
                or not allowed(entry_by_id[e], judge_by_id[other], problem.conflicts)
            ):
                continue
            trial = (pairs - {(e, j)}) | {(e, other)}
            trial_count, trial_uf = _count_components(trial)
            if trial_count < count:
                pairs, count, uf = trial, trial_count, trial_uf
                by_entry[e] ^= {j, other}
                load[j] -= 1
                load[other] += 1
                break
    return pairs, count, uf


def _count_components(pairs) -> tuple[int, _UnionFind]:
    uf = components_of(sorted(pairs))
    return len({uf.find(("e", e)) for e, _j in pairs}), uf


def _connect(assignments, entry_by_id, judge_by_id, problem, band, max_trials: int = 200):
    """Join the judge–entry graph's components. First give a freshly made pair to another
    judge (in another component, with room in their band) — no extra move; then swap the
    judges of two entries in different components when both new pairs are allowed and the
    swap really joins them (checked, else undone)."""
    pairs = set(assignments)
    count, uf = _count_components(pairs)
    if count > 1:
        pairs, count, uf = _repick_fresh(pairs, count, uf, entry_by_id, judge_by_id, problem, band)
    judges_used = len({j for _e, j in pairs})
    entries_used = len({e for e, _j in pairs})
    # A connected graph needs at least nodes - 1 edges: with k = 1 it can never be connected.
    if count <= 1 or len(pairs) < entries_used + judges_used - 1:
        return sorted(pairs), count, 0
    degree_e = Counter(e for e, _j in pairs)
    degree_j = Counter(j for _e, j in pairs)
    by_entry = defaultdict(set)
    for e, j in pairs:
        by_entry[e].add(j)
    trials = swaps = 0
    while count > 1 and trials < max_trials:
        groups = defaultdict(list)
        for pair in sorted(pairs):
            if pair not in problem.locked and pair[0] in entry_by_id and pair[1] in judge_by_id:
                groups[uf.find(("e", pair[0]))].append(pair)
        if len(groups) < 2:
            break
        ordered = sorted(groups.values(), key=lambda g: (len(g), g[0]))
        small, large = ordered[0], ordered[-1]
        merged = False
        for e1, j1 in small:
            for e2, j2 in large:
                if trials >= max_trials:
                    break
                if j1 == j2 or j2 in by_entry[e1] or j1 in by_entry[e2]:
                    continue
                if (e1, j2) in problem.seen or (e2, j1) in problem.seen:
                    continue
                if not (degree_e[e1] > 1 or degree_j[j1] > 1) or not (degree_e[e2] > 1 or degree_j[j2] > 1):
                    continue
                if not (
                    allowed(entry_by_id[e1], judge_by_id[j2], problem.conflicts)
                    and allowed(entry_by_id[e2], judge_by_id[j1], problem.conflicts)
                ):
                    continue
                trials += 1
                trial = (pairs - {(e1, j1), (e2, j2)}) | {(e1, j2), (e2, j1)}
                trial_count, trial_uf = _count_components(trial)
                if trial_count < count:
                    pairs, count, uf = trial, trial_count, trial_uf
                    by_entry[e1] ^= {j1, j2}
                    by_entry[e2] ^= {j1, j2}
                    swaps += 1
                    merged = True
                    break
            if merged or trials >= max_trials:
                break
        if not merged:
            break
    return sorted(pairs), count, swaps


def _conflicts_avoided(entries, judges, conflicts) -> dict[str, int]:
    entry_counties = Counter(e.county for e in entries if e.county is not None)
    judge_counties = Counter(j.county for j in judges if j.county is not None)
    entry_orgs = Counter(e.organization for e in entries if e.organization is not None)
    judge_orgs = Counter(j.organization for j in judges if j.organization is not None)
    entry_ids = {e.id for e in entries}
    judge_ids = {j.id for j in judges}
    return {
        "same_county": sum(n * judge_counties[c] for c, n in entry_counties.items()),
        "same_organization": sum(n * judge_orgs[o] for o, n in entry_orgs.items()),
        "declared": sum(1 for e, j in conflicts if e in entry_ids and j in judge_ids),
    }
