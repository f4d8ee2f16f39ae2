"""The recommendation for a second round aimed at the boundary (judging.results.next_round):
pure rules, property-tested on small inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.results.compute import Sheet
from judging.results.next_round import (
    Candidate,
    candidates_from,
    contribution,
    gain_table,
    recommend,
    spread_from_interval,
)
from judging.results.uncertainty import simulate

candidate = st.builds(
    Candidate,
    entry=st.integers(0, 10_000),
    chance=st.floats(0, 1),
    spread=st.floats(0.1, 20),
    sheets=st.integers(0, 8),
    max_extra=st.integers(0, 12),
)
pool = st.lists(candidate, max_size=25, unique_by=lambda c: c.entry)


@settings(max_examples=80, deadline=None)
@given(pool, st.integers(0, 60), st.floats(0.5, 15), st.floats(0, 10))
def test_never_more_sheets_than_the_budget_nor_than_an_entry_may_take(candidates, budget, sigma, target):
    advice = recommend(candidates, sigma=sigma, budget=budget, target=target)
    assert advice.sheets == sum(advice.extra.values()) <= budget
    cap = {c.entry: c.max_extra for c in candidates}
    assert all(0 <= n <= cap[e] for e, n in advice.extra.items())
    assert 0 <= advice.misses_after <= advice.misses_before + 1e-9
    # Every entry is settled in, settled out or on the boundary, once.
    placed = [*advice.settled_in, *advice.settled_out, *advice.extra]
    assert sorted(placed) == sorted(c.entry for c in candidates)


@settings(max_examples=60, deadline=None)
@given(pool, st.integers(0, 40), st.integers(0, 20), st.floats(0.5, 15), st.floats(0, 10))
def test_more_budget_never_gives_an_entry_fewer_judges_nor_predicts_more_misses(
    candidates, budget, more, sigma, target
):
    small = recommend(candidates, sigma=sigma, budget=budget, target=target)
    large = recommend(candidates, sigma=sigma, budget=budget + more, target=target)
    assert all(large.extra[e] >= n for e, n in small.extra.items())
    assert large.misses_after <= small.misses_after + 1e-9
    assert large.sheets >= small.sheets


@settings(max_examples=60, deadline=None)
@given(pool, st.integers(0, 60), st.floats(0.5, 15))
def test_it_stops_at_the_target(candidates, budget, sigma):
    advice = recommend(candidates, sigma=sigma, budget=budget, target=1.0)
    if advice.sheets:
        # One sheet fewer would not have reached it: the last sheet was needed.
        fewer = recommend(candidates, sigma=sigma, budget=advice.sheets - 1, target=1.0)
        assert fewer.misses_after > 1.0 - 1e-9


def test_the_boundary_gets_the_sheets_and_the_settled_do_not():
    candidates = [
        Candidate(1, 0.999, 3.0, 3),
        Candidate(2, 0.5, 3.0, 3),
        Candidate(3, 0.3, 3.0, 3),
        Candidate(4, 0.0, 3.0, 3),
        Candidate(5, 0.01, 3.0, 3),
    ]
    advice = recommend(candidates, sigma=8.0, budget=10, target=0.0)
    assert advice.settled_in == [1]
    assert advice.settled_out == [4, 5]
    assert advice.boundary == [2, 3]
    assert advice.carried == [1, 2, 3]
    assert advice.sheets == 10
    assert advice.extra[2] >= advice.extra[3] > 0  # the most uncertain gets the most
    assert advice.misses_after < advice.misses_before


def test_budget_zero_recommends_nothing_and_predicts_no_change():
    candidates = [Candidate(1, 0.5, 3.0, 3), Candidate(2, 0.4, 3.0, 3)]
    advice = recommend(candidates, sigma=8.0, budget=0, misses_before=0.9, target=0)
    assert advice.sheets == 0 and advice.extra == {1: 0, 2: 0}
    assert advice.misses_after == pytest.approx(advice.misses_before) == pytest.approx(0.9)
    assert "budget-short" in advice.notes


def test_all_chances_settled_leave_no_boundary():
    candidates = [Candidate(e, float(e % 2), 3.0, 3) for e in range(10)]
    advice = recommend(candidates, sigma=8.0, budget=100)
    assert advice.extra == {} and advice.sheets == 0 and advice.misses_after == 0
    assert advice.notes == ["no-boundary"]
    assert recommend([], sigma=8.0, budget=5).carried == []


def test_target_already_met_uses_no_sheets():
    candidates = [Candidate(1, 0.5, 3.0, 3)]
    advice = recommend(candidates, sigma=8.0, budget=50, misses_before=0.5, target=5)
    assert advice.sheets == 0 and advice.reached_target


def test_categories_with_fewer_entries_than_places_are_settled_in():
    """Chances by category places: a category with fewer entries than places gives each entry
    chance 1, so none of them is on the boundary."""
    sheets = [Sheet(e, j, 60 + e + j) for e in range(6) for j in range(3)]
    sure = simulate(sheets, draws=50, seed=1)
    categories = {0: "a", 1: "a", 2: "b", 3: "b", 4: "b", 5: "b"}
    chance = sure.category_chance(categories, {"a": 3, "b": 1})
    candidates = candidates_from(sure.entries, chance, sure.low, sure.high)
    advice = recommend(candidates, sigma=sure.sigma, budget=10)
    assert {0, 1} <= set(advice.settled_in)
    assert not {0, 1} & set(advice.extra)


def test_more_sheets_narrow_the_chance_on_average():
    table = gain_table([Candidate(1, 0.5, 4.0), Candidate(2, 0.9, 4.0)], sigma=8.0, most=20)
    assert np.all(np.diff(table, axis=1) <= 1e-12)
    assert table[0, 0] == pytest.approx(0.5) and table[0, 20] < 0.3
    # Nothing more to learn when the spread is already nil.
    assert contribution(np.array([0.7]), np.array([1.0]))[0] == pytest.approx(0.3, abs=1e-6)


def test_spread_from_interval():
    assert spread_from_interval(50, 50 + 2 * 1.6448536269514722) == pytest.approx(1.0)
    assert spread_from_interval(3, 1) == 0
