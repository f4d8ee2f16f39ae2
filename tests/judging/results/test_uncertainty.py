"""Uncertainty of the ranking (judging.results.uncertainty): pure functions, no database.
Edge cases of the sheets, reproducibility, and calibration against a known truth."""

import random

import numpy as np
import pytest

from judging.results.compute import Sheet, compute
from judging.results.uncertainty import Uncertainty, far_judges, simulate


def world(seed: int, entries=2000, judges=60, k=5, quality_sd=10.0, severity_sd=6.0, noise_sd=8.0):
    """Synthetic truth as in bench/fairness.py: quality N(70, 10), severity N(0, 6), noise N(0, 8)."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(70, quality_sd, entries)
    severity = rng.normal(0, severity_sd, judges)
    sheets = []
    for e in range(entries):
        for j in rng.choice(judges, k, replace=False):
            sheets.append(Sheet(e, int(j), float(quality[e] + severity[j] + rng.normal(0, noise_sd))))
    return quality, sheets


def assert_probabilities(u: Uncertainty, n: int):
    p = u.top_chance(n)
    assert p.shape == u.entries.shape
    assert np.all(p >= 0) and np.all(p <= 1)
    assert np.all(np.isfinite(u.low)) and np.all(np.isfinite(u.high))
    assert np.all(u.low <= u.high)


def test_fitted_scores_are_those_of_compute_and_intervals_contain_them():
    _truth, sheets = world(1, entries=200, judges=20)
    u = simulate(sheets, draws=100)
    figures = compute(sheets).by_entry()
    assert np.allclose(u.quality, [figures[int(e)].calibrated for e in u.entries])
    inside = (u.low <= u.quality) & (u.quality <= u.high)
    assert inside.mean() > 0.95
    assert 7 < u.sigma < 9  # the noise was N(0, 8)


def test_the_population_prior_pulls_the_extremes_in_and_the_flat_one_does_not():
    _truth, sheets = world(11, entries=300, judges=20)
    population, flat = simulate(sheets), simulate(sheets, prior="flat")
    best = int(np.argmax(population.quality))
    middle = (population.low + population.high) / 2
    assert middle[best] < population.quality[best]  # a top score is partly luck
    flat_middle = (flat.low + flat.high) / 2
    assert abs(flat_middle[best] - flat.quality[best]) < 1.5
    # The flat prior takes the fitted scores' spread at face value: fewer misses predicted.
    chosen = [int(e) for e in population.entries[np.argsort(-population.quality)[:30]]]
    assert flat.misses(chosen).expected < population.misses(chosen).expected


def test_same_sheets_same_seed_same_figures_whatever_the_order():
    _truth, sheets = world(2, entries=150, judges=15)
    shuffled = sheets[:]
    random.Random(5).shuffle(shuffled)
    a, b = simulate(sheets, seed=7), simulate(shuffled, seed=7)
    assert np.array_equal(a.ranks, b.ranks)
    assert np.array_equal(a.low, b.low) and np.array_equal(a.high, b.high)
    assert a.misses(list(range(10))) == b.misses(list(range(10)))
    c = simulate(sheets, seed=8)
    assert not np.array_equal(a.ranks, c.ranks)


def test_chances_are_near_one_at_the_head_and_near_zero_at_the_tail():
    truth, sheets = world(3, entries=300, judges=20)
    u = simulate(sheets)
    p = u.top_chance(30)
    order = np.argsort(-u.quality)
    assert p[order[0]] > 0.95
    assert p[order[-1]] == 0
    assert 29 < p.sum() < 31  # every simulation has exactly 30 in its top 30
    assert abs(p.sum() - 30) < 1e-9


def test_expected_misses_is_the_sum_of_one_minus_chance():
    _truth, sheets = world(4, entries=300, judges=20)
    u = simulate(sheets)
    chosen = [int(e) for e in u.entries[np.argsort(-u.quality)[:40]]]
    m = u.misses(chosen)
    p = u.top_chance(40)
    assert m.size == 40
    assert m.expected == pytest.approx(float((1 - p[u.positions(chosen)]).sum()))
    assert m.low <= m.expected <= m.high


def test_unknown_entries_in_a_list_always_miss():
    _truth, sheets = world(4, entries=50, judges=10)
    u = simulate(sheets, draws=20)
    m = u.misses([0, 1, 999_999])
    assert m.size == 3 and m.low >= 1 and m.expected >= 1


def test_a_judge_who_gives_everyone_100_or_the_same():
    _truth, sheets = world(5, entries=100, judges=10)
    flat = [
        Sheet(s.entry, s.judge, 100.0 if s.judge == 0 else 60.0 if s.judge == 1 else s.total) for s in sheets
    ]
    u = simulate(flat)
    assert_probabilities(u, 10)
    offsets = dict(zip(u.judges.tolist(), u.offset.tolist(), strict=True))
    assert offsets[0] > 10  # everything 100: very lenient


def test_a_judge_with_three_sheets_and_an_entry_with_one_sheet():
    _truth, sheets = world(6, entries=80, judges=8)
    sheets = [s for s in sheets if s.entry != 0] + [Sheet(0, 3, 80.0)]  # one sheet
    sheets += [Sheet(e, 99, 75.0) for e in (1, 2, 3)]  # a judge with three sheets
    u = simulate(sheets)
    assert_probabilities(u, 10)
    width = u.high - u.low
    lone = int(np.searchsorted(u.entries, 0))
    assert width[lone] > np.median(width)  # one sheet: the widest kind of interval


def test_every_entry_with_one_sheet_uses_the_pools_spread():
    sheets = [Sheet(e, e % 3, 50.0 + e) for e in range(12)]
    u = simulate(sheets)
    assert not u.sigma_estimated
    assert u.sigma == pytest.approx(float(np.std([50.0 + e for e in range(12)])))
    assert_probabilities(u, 3)


def test_a_disconnected_judge_graph_names_the_parts():
    _truth, main = world(7, entries=60, judges=8)
    # Entries 1000–1003 scored only by judges 500 and 501, who scored nothing else.
    island = [Sheet(1000 + e, j, 70.0 + e + j - 500) for e in range(4) for j in (500, 501)]
    u = simulate(main + island)
    assert len(u.parts) == 1
    assert u.parts[0].entries == (1000, 1001, 1002, 1003)
    assert u.parts[0].judges == (500, 501)
    part = dict(zip(u.entries.tolist(), u.part.tolist(), strict=True))
    assert part[0] == 0 and part[1000] == 1
    assert_probabilities(u, 10)


def test_ties_at_the_cut_share_the_chance():
    # Entries 0 and 1 get the very same sheets from the same judges: tied in score, and the cut
    # of the top 1 falls between them.
    sheets = [Sheet(e, j, 90.0 if e in (0, 1) else 60.0 + e) for e in range(6) for j in range(3)]
    u = simulate(sheets, draws=400)
    p = u.top_chance(1)
    assert abs(p[0] - p[1]) < 0.15
    assert p[0] + p[1] == pytest.approx(1.0)
    assert_probabilities(u, 1)


def test_identical_sheets_everywhere_do_not_crash():
    sheets = [Sheet(e, j, 70.0) for e in range(5) for j in range(3)]
    u = simulate(sheets)
    assert_probabilities(u, 2)
    assert u.top_chance(2).sum() == pytest.approx(2.0)


def test_no_sheets():
    u = simulate([])
    assert u.top_chance(5).shape == (0,)
    assert u.misses([]).expected == 0


def test_category_places_with_fewer_entries_than_places_are_certain():
    _truth, sheets = world(8, entries=60, judges=8)
    categories = {e: ("A" if e < 50 else "B") for e in range(60)}
    u = simulate(sheets)
    p = u.category_chance(categories, {"A": 5, "B": 20})
    b = u.entries >= 50
    assert np.all(p[b] == 1.0)  # 10 entries for 20 places
    assert np.all((p >= 0) & (p <= 1))
    assert p[~b].sum() == pytest.approx(5.0)
    assert np.all(u.category_chance(categories, {"A": 0})[~b] == 0)
    chosen = [int(e) for e in range(50, 60)]
    m = u.category_misses(chosen, categories, {"A": 5, "B": 20})
    assert m.expected == 0 and m.high == 0


def test_storage_round_trip():
    _truth, sheets = world(9, entries=40, judges=6)
    u = simulate(sheets, draws=30)
    v = Uncertainty.loads(u.dumps())
    assert np.array_equal(u.ranks, v.ranks)
    assert np.allclose(u.low, v.low)
    assert v.sigma == u.sigma and v.seed == u.seed
    assert v.misses([1, 2, 3]) == u.misses([1, 2, 3])


def test_far_judges_are_measured_against_the_others():
    offsets = {1: 0.5, 2: -0.4, 3: 0.1, 4: -0.2, 5: 0.3, 6: 9.0}
    far = far_judges(offsets)
    assert set(far) == {6} and far[6] > 2
    assert far_judges({1: 0.0, 2: 0.0, 3: 0.0, 4: 5.0}) == {}  # the others do not vary
    assert far_judges({1: 0.0, 2: 9.0}) == {}


def test_predicted_misses_match_realised_misses_on_a_known_truth():
    """2,000 entries, 60 judges, 5 sheets each, the top 100: over several seeds the mean
    predicted number of the chosen 100 not in the true top 100 is within ±3 of the realised."""
    predicted, realised = [], []
    for seed in range(6):
        truth, sheets = world(100 + seed)
        u = simulate(sheets, seed=seed)
        chosen = [int(e) for e in u.entries[np.argsort(-u.quality, kind="stable")[:100]]]
        true_top = set(np.argsort(-truth)[:100].tolist())
        predicted.append(u.misses(chosen).expected)
        realised.append(100 - len(true_top & set(chosen)))
    assert abs(np.mean(predicted) - np.mean(realised)) <= 3, (predicted, realised)
