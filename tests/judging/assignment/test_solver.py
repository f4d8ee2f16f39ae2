"""Properties of the assigner (judging.assignment.solver), over random instances (hypothesis) and
hand-made ones. Pure functions: no database."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from judging.assignment.solver import EntryInfo, JudgeInfo, Problem, allowed, fair_bands, solve

CATEGORIES = 8


@st.composite
def instances(draw, *, max_entries=40, max_judges=14, with_conflicts=True):
    k = draw(st.integers(1, 4))
    n_counties = draw(st.integers(2, 6))
    n_judges = draw(st.integers(k + 2, max_judges))
    n_entries = draw(st.integers(1, max_entries))
    entries = [
        EntryInfo(
            id=100 + i,
            category=draw(st.integers(0, CATEGORIES - 1)),
            county=draw(st.integers(1, n_counties)),
            organization=1000 + draw(st.integers(0, 3 * n_counties)),
        )
        for i in range(n_entries)
    ]
    judges = [
        JudgeInfo(
            id=5000 + j,
            county=draw(st.one_of(st.none(), st.integers(1, n_counties))),
            organization=None,
            expertise=frozenset(draw(st.sets(st.integers(0, CATEGORIES - 1), max_size=2))),
        )
        for j in range(n_judges)
    ]
    conflicts = set()
    if with_conflicts:
        for entry in entries:
            if draw(st.integers(0, 9)) == 0:
                conflicts.add((entry.id, draw(st.sampled_from(judges)).id))
    return Problem(k=k, entries=entries, judges=judges, conflicts=conflicts)


def coverable(problem: Problem) -> bool:
    """Each entry has at least k judges it may be given (a necessary condition)."""
    return all(
        sum(1 for j in problem.judges if allowed(e, j, problem.conflicts)) >= problem.k
        for e in problem.entries
    )


def balance_possible(problem: Problem) -> bool:
    """Whether an assignment with every entry covered and every load in its band exists,
    checked independently of the assigner by a pair-level linear programme."""
    import numpy as np
    from scipy.optimize import linprog

    share, band = fair_bands(problem)
    pairs = [(e, j) for e in problem.entries for j in problem.judges if allowed(e, j, problem.conflicts)]
    if not pairs:
        return not problem.entries
    e_index = {e.id: i for i, e in enumerate(problem.entries)}
    j_index = {j.id: i for i, j in enumerate(problem.judges)}
    n_e, n_j = len(problem.entries), len(problem.judges)
    a_eq = np.zeros((n_e, len(pairs)))
    a_ub = np.zeros((2 * n_j, len(pairs)))
    for c, (e, j) in enumerate(pairs):
        a_eq[e_index[e.id], c] = 1
        a_ub[j_index[j.id], c] = 1
        a_ub[n_j + j_index[j.id], c] = -1
    b_ub = [band[j.id][1] for j in problem.judges] + [-band[j.id][0] for j in problem.judges]
    result = linprog(
        np.zeros(len(pairs)),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=[problem.k] * n_e,
        bounds=(0, 1),
        method="highs",
    )
    return result.status == 0


def judges_of(result):
    per_entry = {}
    for e, j in result.assignments:
        per_entry.setdefault(e, []).append(j)
    return per_entry


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_assignment_gives_every_entry_exactly_k_distinct_judges_when_feasible(problem):
    assume(coverable(problem) and balance_possible(problem))

    result = solve(problem)

    per_entry = judges_of(result)
    assert result.uncovered == []
    assert {e.id: len(per_entry.get(e.id, [])) for e in problem.entries} == {
        e.id: problem.k for e in problem.entries
    }
    assert all(len(set(js)) == len(js) for js in per_entry.values())


@SETTINGS
@given(instances())
def test_assignment_never_pairs_a_judge_with_a_conflicted_entry(problem):
    result = solve(problem)

    entries = {e.id: e for e in problem.entries}
    judges = {j.id: j for j in problem.judges}
    assert [
        p for p in result.assignments if not allowed(entries[p[0]], judges[p[1]], problem.conflicts)
    ] == []


@SETTINGS
@given(instances(with_conflicts=False))
def test_assignment_loads_stay_within_one_of_the_fair_share(problem):
    assume(coverable(problem) and balance_possible(problem))

    result = solve(problem)

    share, _band = fair_bands(problem)
    assert all(abs(result.loads[j] - share[j]) < 1 + 1e-9 for j in result.loads), (result.loads, share)


@SETTINGS
@given(instances())
def test_assignment_is_deterministic(problem):
    first = solve(problem)
    second = solve(
        Problem(
            **{
                **problem.__dict__,
                "entries": list(reversed(problem.entries)),
                "judges": list(reversed(problem.judges)),
            }
        )
    )

    assert first.assignments == second.assignments


@SETTINGS
@given(instances())
def test_assignment_rerun_without_changes_moves_nothing(problem):
    first = solve(problem)

    again = solve(Problem(**{**problem.__dict__, "existing": first.assignments}))

    assert (again.added, again.removed) == ([], [])


@SETTINGS
@given(instances(with_conflicts=False), st.data())
def test_assignment_declared_conflict_moves_only_what_it_must(problem, data):
    assume(coverable(problem) and balance_possible(problem))
    first = solve(problem)
    assume(first.assignments)
    entry_id, judge_id = data.draw(st.sampled_from(first.assignments))
    changed = Problem(
        **{**problem.__dict__, "existing": first.assignments, "conflicts": {(entry_id, judge_id)}}
    )
    assume(coverable(changed))

    again = solve(changed)

    assert (entry_id, judge_id) in again.removed
    # The conflicted pair is replaced; at most one more move restores the judge's balance
    # (plus two per swap made only to keep the graph connected for calibration).
    assert len(again.removed) <= 2 + 2 * again.connectivity_swaps
    assert len(again.added) == len(again.removed)
    assert Counter(e for e, _j in again.assignments)[entry_id] == problem.k


@SETTINGS
@given(instances(with_conflicts=False))
def test_assignment_new_judge_takes_a_fair_share_with_the_fewest_moves(problem):
    assume(coverable(problem) and balance_possible(problem))
    first = solve(problem)
    newcomer = JudgeInfo(id=9999, county=None, organization=None)
    changed = Problem(
        **{**problem.__dict__, "judges": [*problem.judges, newcomer], "existing": first.assignments}
    )
    assume(balance_possible(changed))

    again = solve(changed)

    _share, band = fair_bands(changed)
    assert all(band[j][0] <= again.loads[j] <= band[j][1] for j in again.loads)
    # Fewest moves that balance allows: the newcomer's lower band, or what the others must shed
    # (plus two per swap made only to keep the graph connected for calibration).
    must_shed = sum(max(0, first.loads[j.id] - band[j.id][1]) for j in problem.judges)
    assert band[9999][0] <= len(again.added) <= max(band[9999][0], must_shed) + 2 * again.connectivity_swaps
    assert len(again.removed) == len(again.added)


@SETTINGS
@given(instances())
def test_assignment_never_moves_a_locked_pair(problem):
    first = solve(problem)
    assume(first.assignments)
    locked = set(first.assignments[::2])
    # A judge leaves: their unlocked assignments move, the locked ones stay.
    leaving = first.assignments[0][1]
    changed = Problem(
        **{
            **problem.__dict__,
            "existing": first.assignments,
            "locked": locked,
            "judges": [j for j in problem.judges if j.id != leaving],
        }
    )

    again = solve(changed)

    assert locked <= set(again.assignments)


def test_assignment_too_few_judges_outside_a_county_names_the_entries_and_why():
    entries = [
        EntryInfo(id=1, category=0, county=7, organization=70),
        EntryInfo(id=2, category=0, county=8, organization=80),
    ]
    judges = [
        JudgeInfo(id=10, county=7, organization=None),
        JudgeInfo(id=11, county=7, organization=None),
        JudgeInfo(id=12, county=8, organization=None),
    ]

    result = solve(Problem(k=2, entries=entries, judges=judges))

    assert [(u.entry, u.missing, u.compatible_judges, u.reason) for u in result.uncovered] == [
        (1, 1, 1, "conflicts")
    ]
    assert sorted(result.assignments) == [(1, 12), (2, 10), (2, 11)]


def test_assignment_prefers_experts_but_leaves_every_entry_a_judge_from_outside_its_category():
    entries = [EntryInfo(id=i, category=i % 2, county=None, organization=None) for i in range(1, 41)]
    judges = [
        JudgeInfo(id=100 + j, county=None, organization=None, expertise=frozenset({j % 2})) for j in range(12)
    ]

    result = solve(Problem(k=3, entries=entries, judges=judges))

    by_id = {j.id: j for j in judges}
    per_entry = judges_of(result)
    experts = Counter(sum(1 for j in per_entry[e.id] if e.category in by_id[j].expertise) for e in entries)
    assert experts == Counter({2: 40})  # two experts and one outsider each
    assert result.connected


def test_assignment_capacity_caps_a_judge_and_proportional_mode_follows_capacity():
    entries = [EntryInfo(id=i, category=0, county=None, organization=None) for i in range(1, 31)]
    judges = [
        JudgeInfo(id=100, county=None, organization=None, capacity=10),
        JudgeInfo(id=101, county=None, organization=None, capacity=20),
        JudgeInfo(id=102, county=None, organization=None, capacity=30),
    ]

    result = solve(Problem(k=2, entries=entries, judges=judges, proportional_to_capacity=True))

    assert result.loads == {100: 10, 101: 20, 102: 30}


def test_assignment_reports_the_conflicts_it_avoided():
    entries = [
        EntryInfo(id=1, category=0, county=7, organization=70),
        EntryInfo(id=2, category=0, county=8, organization=80),
    ]
    judges = [
        JudgeInfo(id=10, county=7, organization=70),
        JudgeInfo(id=11, county=9, organization=None),
        JudgeInfo(id=12, county=9, organization=None),
    ]

    result = solve(Problem(k=1, entries=entries, judges=judges, conflicts={(2, 11)}))

    assert result.conflicts_avoided == {"same_county": 1, "same_organization": 1, "declared": 1}


@pytest.mark.parametrize("k", [1, 3, 5])
def test_assignment_graph_is_connected_on_a_city_like_instance(k):
    import random

    rng = random.Random(k)
    entries = [
        EntryInfo(id=i, category=rng.randrange(8), county=rng.randrange(1, 14), organization=None)
        for i in range(300)
    ]
    judges = [
        JudgeInfo(
            id=1000 + j,
            county=rng.choice([None, *range(1, 14)]),
            organization=None,
            expertise=frozenset({rng.randrange(8)}),
        )
        for j in range(20)
    ]

    result = solve(Problem(k=k, entries=entries, judges=judges))

    assert result.uncovered == []
    assert (result.connected, result.components) == (k > 1, 1 if k > 1 else result.components)
