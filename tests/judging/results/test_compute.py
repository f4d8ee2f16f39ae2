"""The results computation (judging.results.compute) and the shortlist (awards.shortlist.select): pure
functions, no database. Small cases are computed by hand (the arithmetic is in the comments);
properties are checked over random instances (hypothesis), the shortlist against brute force."""

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from awards.shortlist.select import Candidate, Constraints, Displacement, select
from judging.results.compute import Sheet, calibrate, compute, icc_oneway, kendall_w, score_units

SETTINGS = settings(max_examples=60, deadline=None)


def by_entry(sheets, **kwargs):
    return compute(sheets, **kwargs).by_entry()


def ranking(sheets, **kwargs) -> list[int]:
    return [f.entry for f in compute(sheets, **kwargs).entries]


def lstsq_additive(sheets, shrinkage: float) -> tuple[dict, dict]:
    """The additive model by numpy's dense least squares: one row per sheet (q_e + b_j = y),
    √shrinkage·b_j = 0 rows for the ridge, and Σb = 0 to fix the common shift."""
    entries = sorted({s.entry for s in sheets})
    judges = sorted({s.judge for s in sheets})
    n = len(entries) + len(judges)
    rows, rhs = [], []
    for s in sheets:
        row = np.zeros(n)
        row[entries.index(s.entry)] = 1
        row[len(entries) + judges.index(s.judge)] = 1
        rows.append(row)
        rhs.append(s.total)
    for j in range(len(judges)):
        row = np.zeros(n)
        row[len(entries) + j] = math.sqrt(shrinkage)
        rows.append(row)
        rhs.append(0.0)
    row = np.zeros(n)
    row[len(entries) :] = 1
    rows.append(row)
    rhs.append(0.0)
    solution = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    quality = dict(zip(entries, solution[: len(entries)], strict=True))
    offset = dict(zip(judges, solution[len(entries) :], strict=True))
    return quality, offset


# --- Per-entry figures by hand ---------------------------------------------------------------


def test_raw_mean_median_trimmed_spread_and_sd_by_hand():
    sheets = [
        # entry 1, five sheets 40 70 72 80 98: mean 360/5 = 72, median 72,
        # trimmed drops 40 and 98: (70 + 72 + 80)/3 = 74, spread 98 − 40 = 58
        *(Sheet(1, j, t) for j, t in zip((1, 2, 3, 4, 5), (40, 70, 72, 80, 98), strict=True)),
        # entry 2, four sheets 60 62 70 96: mean 288/4 = 72, median (62 + 70)/2 = 66,
        # trimmed drops 60 and 96: (62 + 70)/2 = 66, spread 36
        *(Sheet(2, j, t) for j, t in zip((1, 2, 3, 4), (96, 60, 70, 62), strict=True)),
        # entry 3, three sheets 50 80 83 (too few to trim): mean 213/3 = 71, median 80,
        # trimmed = mean = 71; sd² = (21² + 9² + 12²)/3 = 666/3 = 222
        *(Sheet(3, j, t) for j, t in zip((3, 4, 5), (50, 80, 83), strict=True)),
    ]

    figures = by_entry(sheets, method="mean")

    assert [(f.sheets, f.mean, f.median, f.trimmed, f.spread) for f in map(figures.get, (1, 2, 3))] == [
        (5, 72.0, 72.0, 74.0, 58.0),
        (4, 72.0, 66.0, 66.0, 36.0),
        (3, 71.0, 80.0, 71.0, 33.0),
    ]
    assert figures[3].sd == pytest.approx(math.sqrt(222))


def test_each_method_ranks_by_its_own_figure():
    sheets = [
        *(Sheet(1, j, t) for j, t in zip((1, 2, 3, 4, 5), (40, 70, 72, 80, 98), strict=True)),
        *(Sheet(2, j, t) for j, t in zip((1, 2, 3, 4), (96, 60, 70, 62), strict=True)),
        *(Sheet(3, j, t) for j, t in zip((3, 4, 5), (50, 80, 83), strict=True)),
    ]

    # mean: 72 (entry 1) = 72 (entry 2) > 71, the tie goes to the higher median (72 > 66);
    # trimmed: 74 > 71 > 66
    assert ranking(sheets, method="mean") == [1, 2, 3]
    assert ranking(sheets, method="trimmed") == [1, 3, 2]
    assert [f.score for f in compute(sheets, method="trimmed").entries] == [74.0, 71.0, 66.0]


def test_per_judge_zscores_are_mapped_onto_the_pool_scale_by_hand():
    sheets = [
        # judge 1 gives 60 and 80: mean 70, sd 10, so z = −1 and +1
        Sheet(1, 1, 60),
        Sheet(2, 1, 80),
        # judge 2 gives 85 and 95: mean 90, sd 5, so z = −1 and +1 (lenient but in the same order)
        Sheet(1, 2, 85),
        Sheet(2, 2, 95),
        # judge 3 has one sheet: no spread to standardise by, so z = 0
        Sheet(3, 3, 75),
    ]
    # pool: mean (60 + 80 + 85 + 95 + 75)/5 = 79; sd² = (19² + 1² + 6² + 16² + 4²)/5 = 670/5 = 134
    pool_sd = math.sqrt(134)

    result = compute(sheets, method="zscore")

    assert (result.pool_mean, result.pool_sd) == (79.0, pytest.approx(pool_sd))
    figures = result.by_entry()
    assert figures[1].zscore == pytest.approx(79 - pool_sd)  # mean of 79 − sd and 79 − sd
    assert figures[2].zscore == pytest.approx(79 + pool_sd)
    assert figures[3].zscore == pytest.approx(79.0)
    assert [f.entry for f in result.entries] == [2, 3, 1]


# --- The additive model ----------------------------------------------------------------------

# Entries 1 and 2 are scored by judges 10 and 11, entry 3 by judge 11 only (a connected design).
SMALL_DESIGN = [
    Sheet(1, 10, 80),
    Sheet(1, 11, 70),
    Sheet(2, 10, 60),
    Sheet(2, 11, 55),
    Sheet(3, 11, 90),
]


@pytest.mark.parametrize("shrinkage", [0.0, 1.0, 5.0])
def test_additive_model_closed_form_on_a_small_design(shrinkage):
    # At the optimum Σ offsets = 0, so b10 = β and b11 = −β. Given β, the least-squares
    # qualities are q1 = ((80 − β) + (70 + β))/2 = 75, q2 = 57.5, q3 = 90 + β (fitted exactly).
    # RSS + λ·Σb² = 2(5 − β)² + 2(2.5 − β)² + 2λβ²; its derivative in β is zero at
    # β = 7.5/(2 + λ): λ = 0 gives 3.75 (the judges differ by 7.5 on average), λ = 1 gives 2.5.
    beta = 7.5 / (2 + shrinkage)

    result = compute(SMALL_DESIGN, shrinkage=shrinkage)

    figures = result.by_entry()
    assert [figures[e].calibrated for e in (1, 2, 3)] == pytest.approx([75.0, 57.5, 90 + beta], abs=1e-9)
    assert [j.offset for j in result.judges] == pytest.approx([beta, -beta], abs=1e-9)


def test_additive_model_with_a_huge_shrinkage_gives_the_plain_means():
    figures = by_entry(SMALL_DESIGN, shrinkage=1e9)

    # β = 7.5/(2 + 10⁹) ≈ 7.5·10⁻⁹: no correction left, each quality is the entry's mean.
    assert [figures[e].calibrated for e in (1, 2, 3)] == pytest.approx(
        [figures[e].mean for e in (1, 2, 3)], abs=1e-6
    )


def connected_design(rng: random.Random, entries: int, judges: int, per_entry: int) -> list[Sheet]:
    """Entry i is scored by judges i and i + 1 (mod judges), which links every judge, plus
    random others; totals are quality + severity + noise."""
    severity = [rng.gauss(0, 6) for _ in range(judges)]
    sheets = []
    for entry in range(entries):
        chosen = {entry % judges, (entry + 1) % judges}
        while len(chosen) < min(per_entry, judges):
            chosen.add(rng.randrange(judges))
        quality = rng.gauss(70, 10)
        sheets += [Sheet(entry, j, round(quality + severity[j] + rng.gauss(0, 8), 3)) for j in sorted(chosen)]
    return sheets


@pytest.mark.parametrize("shrinkage", [0.0, 1e-6, 2.0, 25.0])
def test_additive_model_equals_numpy_least_squares_on_a_connected_design(shrinkage):
    sheets = connected_design(random.Random(7), entries=30, judges=8, per_entry=3)
    quality, offset = lstsq_additive(sheets, shrinkage)

    result = compute(sheets, shrinkage=shrinkage)

    assert [f.calibrated for f in sorted(result.entries, key=lambda f: f.entry)] == pytest.approx(
        [quality[e] for e in sorted(quality)], abs=1e-6
    )
    assert [j.offset for j in result.judges] == pytest.approx([offset[j] for j in sorted(offset)], abs=1e-6)


def test_additive_model_fixes_the_shift_in_each_disconnected_part():
    # Two separate panels: entries 1–2 with judges 1–2, entries 3–4 with judges 3–4. Each part
    # keeps its offsets summing to 0, so its qualities stay on the scale of its own sheets.
    sheets = [
        Sheet(1, 1, 80),
        Sheet(1, 2, 70),
        Sheet(2, 1, 60),
        Sheet(2, 2, 50),
        Sheet(3, 3, 40),
        Sheet(3, 4, 44),
        Sheet(4, 3, 30),
        Sheet(4, 4, 34),
    ]

    result = compute(sheets, shrinkage=0)

    # judge 1 is 10 above judge 2 on both entries: b = ±5, q1 = 75, q2 = 55; judge 4 is 4
    # above judge 3: b = ∓2, q3 = 42, q4 = 32
    assert [f.calibrated for f in sorted(result.entries, key=lambda f: f.entry)] == pytest.approx(
        [75.0, 55.0, 42.0, 32.0]
    )
    assert [j.offset for j in result.judges] == pytest.approx([5.0, -5.0, -2.0, 2.0])


def test_calibrate_works_on_plain_arrays():
    entry_index = np.array([0, 0, 1, 1, 2])
    judge_index = np.array([0, 1, 0, 1, 1])
    y = np.array([80.0, 70.0, 60.0, 55.0, 90.0])

    quality, offset = calibrate(entry_index, judge_index, y, 3, 2, 0.0)

    assert quality.tolist() == pytest.approx([75.0, 57.5, 93.75])
    assert offset.tolist() == pytest.approx([3.75, -3.75])


# --- Disagreement, ties ----------------------------------------------------------------------


def test_disagreement_flag_is_a_spread_above_the_threshold():
    sheets = [
        Sheet(1, 1, 60),
        Sheet(1, 2, 80),  # spread 20: at the threshold, not above
        Sheet(2, 1, 60),
        Sheet(2, 2, 80.5),  # spread 20.5
        Sheet(3, 1, 10),  # one sheet: nobody to disagree with
    ]

    figures = by_entry(sheets, flag_spread=20)

    assert [(figures[e].spread, figures[e].flagged) for e in (1, 2, 3)] == [
        (20.0, False),
        (20.5, True),
        (0.0, False),
    ]


def test_ties_break_by_median_then_criterion_then_submission_then_entry_id():
    sheets = [
        # entries 1 and 2: mean 80 each; medians 70 and 90, so 2 before 1
        Sheet(1, 1, 70, (7.0, 63.0)),
        Sheet(1, 2, 70, (7.0, 63.0)),
        Sheet(1, 3, 100, (10.0, 90.0)),
        Sheet(2, 1, 60, (6.0, 54.0)),
        Sheet(2, 2, 90, (9.0, 81.0)),
        Sheet(2, 3, 90, (9.0, 81.0)),
        # entries 3 and 4: mean 60 and median 60 each; criterion 0 means 8 and 5, so 3 before 4
        Sheet(3, 1, 60, (8.0, 52.0)),
        Sheet(3, 2, 60, (8.0, 52.0)),
        Sheet(4, 1, 60, (5.0, 55.0)),
        Sheet(4, 2, 60, (5.0, 55.0)),
        # entries 5 and 6: identical in everything; 6 was submitted earlier
        Sheet(5, 1, 50, (5.0, 45.0)),
        Sheet(6, 1, 50, (5.0, 45.0)),
        # entries 7 and 8: identical, same submission time: the entry id decides
        Sheet(7, 1, 40, (4.0, 36.0)),
        Sheet(8, 1, 40, (4.0, 36.0)),
    ]
    submitted = {5: (200.0,), 6: (100.0,), 7: (300.0,), 8: (300.0,)}

    result = compute(sheets, method="mean", tie_criterion=0, submitted_order=submitted)

    assert [(f.entry, f.rank) for f in result.entries] == [
        (2, 1),
        (1, 2),
        (3, 3),
        (4, 4),
        (6, 5),
        (5, 6),
        (7, 7),
        (8, 8),
    ]


def test_a_tie_criterion_beyond_the_rubric_is_ignored():
    sheets = [Sheet(1, 1, 60, (6.0, 54.0)), Sheet(2, 1, 60, (9.0, 51.0))]

    result = compute(sheets, method="mean", tie_criterion=5)

    assert [f.entry for f in result.entries] == [1, 2]  # entry id, no IndexError


def test_floating_point_noise_never_decides_but_a_thousandth_of_a_point_does():
    # (0.1 + 0.2) + 0.3 = 0.6000000000000001 but (0.3 + 0.2) + 0.1 = 0.6: the same three
    # totals summed in another order differ in the last bit. Entries 1 and 2 have the same
    # totals from different judges (so summed in different orders): a true tie, which the
    # median (equal) and then the entry id decide — and entry 3's real 0.001 lead counts.
    sheets = [
        Sheet(1, 1, 70.1),
        Sheet(1, 2, 70.2),
        Sheet(1, 3, 70.3),
        Sheet(2, 1, 70.3),
        Sheet(2, 2, 70.2),
        Sheet(2, 3, 70.1),
        Sheet(3, 1, 70.101),
        Sheet(3, 2, 70.2),
        Sheet(3, 3, 70.3),
    ]

    result = compute(sheets, method="mean")

    figures = result.by_entry()
    assert score_units(figures[1].mean) == score_units(figures[2].mean)
    assert [f.entry for f in result.entries] == [3, 1, 2]


# --- Agreement -------------------------------------------------------------------------------


def agreement(sheets):
    entries = sorted({s.entry for s in sheets})
    judges = sorted({s.judge for s in sheets})
    ei = np.array([entries.index(s.entry) for s in sheets])
    ji = np.array([judges.index(s.judge) for s in sheets])
    y = np.array([s.total for s in sheets], dtype=float)
    return icc_oneway(ei, y), kendall_w(ei, ji, y)


def test_icc_is_one_when_every_entry_gets_the_same_total_from_all_its_judges():
    sheets = [Sheet(e, j, t) for e, t in ((1, 60), (2, 80), (3, 70)) for j in (1, 2)]

    icc, _w = agreement(sheets)

    assert icc == 1.0


def test_icc_balanced_by_hand():
    # entries: (60, 70), (80, 90), (70, 70); means 65, 85, 70; grand mean 440/6
    # MSB = 2·Σ(mean − grand)²/(3 − 1) = 650/3; MSW = (25·4 + 0)/(6 − 3) = 100/3; n0 = 2
    # ICC(1) = (MSB − MSW)/(MSB + (n0 − 1)·MSW) = (550/3)/(750/3) = 11/15
    sheets = [
        Sheet(1, 1, 60),
        Sheet(1, 2, 70),
        Sheet(2, 1, 80),
        Sheet(2, 2, 90),
        Sheet(3, 1, 70),
        Sheet(3, 2, 70),
    ]

    icc, _w = agreement(sheets)

    assert icc == pytest.approx(11 / 15)


def test_icc_unbalanced_by_hand():
    # entry 1: 60 70 80 (mean 70), entry 2: 90 100 (mean 95); grand mean 400/5 = 80
    # SSB = 3·10² + 2·15² = 750, MSB = 750/1; SSW = 100 + 0 + 100 + 25 + 25 = 250, MSW = 250/3
    # n0 = (5 − (3² + 2²)/5)/(2 − 1) = 2.4; ICC = (750 − 250/3)/(750 + 1.4·250/3) = 10/13
    sheets = [Sheet(1, 1, 60), Sheet(1, 2, 70), Sheet(1, 3, 80), Sheet(2, 4, 90), Sheet(2, 5, 100)]

    icc, _w = agreement(sheets)

    assert icc == pytest.approx(10 / 13)


def test_kendall_w_is_one_when_judges_rank_alike_whatever_their_severity():
    totals = {1: (60, 70, 80, 90), 2: (50, 55, 60, 65), 3: (80, 85, 90, 99)}
    sheets = [Sheet(e + 1, j, t[e]) for j, t in totals.items() for e in range(4)]

    _icc, w = agreement(sheets)

    assert w == pytest.approx(1.0)


def textbook_kendall_w(matrix: np.ndarray) -> float:
    """W = 12·S / (m²·(n³ − n)) for m judges (rows) ranking n entries (columns), no ties."""
    m, n = matrix.shape
    ranks = matrix.argsort(axis=1).argsort(axis=1) + 1
    sums = ranks.sum(axis=0)
    s = float(((sums - m * (n + 1) / 2) ** 2).sum())
    return 12 * s / (m**2 * (n**3 - n))


def test_kendall_w_complete_design_by_hand():
    # ranks (1 = lowest total) — judge 1: 1 2 3 4; judge 2: 2 1 4 3; judge 3: 1 3 2 4
    # rank sums 4 6 9 11, mean m(n + 1)/2 = 7.5, S = 3.5² + 1.5² + 1.5² + 3.5² = 29
    # W = 12·29/(3²·(4³ − 4)) = 348/540 = 29/45
    totals = {1: (60, 70, 80, 90), 2: (65, 62, 90, 85), 3: (50, 72, 71, 88)}
    sheets = [Sheet(e + 1, j, t[e]) for j, t in totals.items() for e in range(4)]

    _icc, w = agreement(sheets)

    assert w == pytest.approx(29 / 45)
    assert textbook_kendall_w(np.array(list(totals.values()))) == pytest.approx(29 / 45)


@pytest.mark.parametrize("seed", range(5))
def test_kendall_w_matches_the_textbook_formula_on_complete_designs(seed):
    rng = np.random.default_rng(seed)
    judges, entries = 2 + seed, 5 + seed
    matrix = rng.normal(70, 10, entries)[None, :] + rng.normal(0, 8, (judges, entries))
    sheets = [Sheet(e, j, float(matrix[j, e])) for j in range(judges) for e in range(entries)]

    _icc, w = agreement(sheets)

    assert w == pytest.approx(textbook_kendall_w(matrix))


# --- Properties of the ranking ---------------------------------------------------------------


@st.composite
def rounds(draw, *, entries=(2, 7), judges=(2, 4)):
    """A connected design (entry i scored by judges i and i + 1 mod m, plus any others) with
    integer or half-point totals."""
    n = draw(st.integers(*entries))
    m = draw(st.integers(*judges))
    sheets = []
    for entry in range(n):
        chosen = {entry % m, (entry + 1) % m} | set(draw(st.lists(st.integers(0, m - 1), max_size=m)))
        for judge in sorted(chosen):
            total = draw(st.integers(0, 200)) / 2
            sheets.append(Sheet(entry, judge, total, (total / 10, total * 9 / 10)))
    return sheets


@SETTINGS
@given(
    sheets=rounds(),
    seed=st.randoms(use_true_random=False),
    method=st.sampled_from(["calibrated", "mean", "trimmed", "zscore"]),
)
def test_ranking_and_figures_do_not_depend_on_the_order_of_the_sheets(sheets, seed, method):
    shuffled = list(sheets)
    seed.shuffle(shuffled)

    first = compute(sheets, method=method, tie_criterion=1)
    second = compute(shuffled, method=method, tie_criterion=1)

    assert [(f.entry, f.rank) for f in second.entries] == [(f.entry, f.rank) for f in first.entries]
    assert second.entries == first.entries
    assert second.judges == first.judges


# Adding c to every sheet of one judge is absorbed by that judge's offset only when offsets are
# free (shrinkage 0): every quality then moves by the same c/m (m judges in the connected
# design, because Σ offsets stays 0), so the order of the qualities — the calibrated ranking —
# is the same; where qualities tie, the first tie-break (the median of total − offset) moves by
# c/m as well, so it decides as before (a raw median would not: see the lenient-judge test).
# With shrinkage λ > 0 the judge's offset moves by less than c (the ridge pulls it back toward
# 0) and the rest leaks unevenly into that judge's entries; the leak shrinks as λ → 0 but is
# never exactly zero, so the exact property is tested at λ = 0 on connected designs.
@SETTINGS
@given(
    sheets=rounds(),
    judge=st.integers(0, 3),
    constant=st.integers(-40, 40).map(lambda c: c / 2),
)
def test_a_constant_added_to_one_judge_leaves_the_calibrated_ranking_unchanged(sheets, judge, constant):
    judges = sorted({s.judge for s in sheets})
    assume(judge in judges)
    shifted = [
        Sheet(s.entry, s.judge, s.total + constant if s.judge == judge else s.total, s.criteria)
        for s in sheets
    ]
    before = compute(sheets, shrinkage=0)
    after = compute(shifted, shrinkage=0)

    moved = [after.by_entry()[f.entry].calibrated - f.calibrated for f in before.entries]
    assert moved == pytest.approx([constant / len(judges)] * len(moved), abs=1e-7)
    assert [f.entry for f in after.entries] == [f.entry for f in before.entries]


# --- Shortlist -------------------------------------------------------------------------------


def candidates_from(rows) -> list[Candidate]:
    """Candidates (score, category, county) listed best first; ranks 1, 2, …; entry ids 101, …"""
    return [
        Candidate(entry=100 + i, score=score, rank=i, category=category, county=county)
        for i, (score, category, county) in enumerate(rows, start=1)
    ]


def satisfies(selected: list[int], candidates: list[Candidate], rules: Constraints) -> bool:
    info = {c.entry: c for c in candidates}
    categories = [info[e].category for e in selected]
    counties = [info[e].county for e in selected]
    return (
        len(selected) == rules.size == len(set(selected))
        and all(categories.count(g) >= n for g, n in rules.category_min.items())
        and all(categories.count(g) <= n for g, n in rules.category_max.items())
        and (rules.county_cap is None or all(counties.count(k) <= rules.county_cap for k in counties))
    )


def brute_force(candidates: list[Candidate], rules: Constraints) -> list[int] | None:
    """The best feasible selection over all subsets: highest total score (in the ranking's unit),
    then the better-ranked entries (the lexicographically smallest list of ranks)."""
    ordered = sorted(candidates, key=lambda c: c.rank)
    best, best_key = None, None
    for subset in itertools.combinations(ordered, rules.size):
        entries = [c.entry for c in subset]
        if not satisfies(entries, candidates, rules):
            continue
        key = (sum(score_units(c.score) for c in subset), [-c.rank for c in subset])
        if best_key is None or key > best_key:
            best, best_key = entries, key
    return best


def test_shortlist_without_constraints_is_the_plain_top_n_even_among_equal_scores():
    # 300 entries, all with the same score: the ranking's tie-breaks must decide, so the
    # shortlist is ranks 1–100 exactly (the solver may not pick any 100 of the tied ones).
    candidates = candidates_from([(70.0, 1 + i % 3, 1 + i % 5) for i in range(300)])

    result = select(candidates, Constraints(size=100))

    assert result.selected == [c.entry for c in candidates[:100]]
    assert (result.feasible, result.displaced, result.promoted) == (True, [], [])


def test_shortlist_county_cap_displaces_the_weakest_of_the_full_county():
    candidates = candidates_from([(90, 1, 7), (85, 1, 7), (80, 1, 7), (75, 1, 8)])

    result = select(candidates, Constraints(size=3, county_cap=2))

    assert result.selected == [101, 102, 104]
    assert result.displaced == [Displacement(entry=103, reason="county_cap", group=7, replaced_by=104)]
    assert result.promoted == [104]


def test_shortlist_category_max_displaces_the_weakest_of_the_full_category():
    candidates = candidates_from([(90, 1, 7), (85, 1, 8), (80, 1, 9), (75, 2, 10)])

    result = select(candidates, Constraints(size=3, category_max={1: 2}))

    assert result.selected == [101, 102, 104]
    assert result.displaced == [Displacement(entry=103, reason="category_max", group=1, replaced_by=104)]


def test_shortlist_category_min_names_the_category_that_needed_the_place():
    candidates = candidates_from([(90, 1, 7), (85, 1, 8), (80, 1, 9), (75, 2, 10), (70, 2, 11)])

    result = select(candidates, Constraints(size=3, category_min={2: 1}))

    assert result.selected == [101, 102, 104]
    assert result.displaced == [Displacement(entry=103, reason="category_min", group=2, replaced_by=104)]


def test_shortlist_maximises_the_total_score_even_without_the_best_entry():
    # Category 1 may send one entry, each county one. Entry 101 (95, category 1, county 7)
    # can only be paired with 104 (50): 102 is category 1 and 103 is county 7, so 95 + 50 = 145.
    # Without it, 102 + 103 = 94 + 93 = 187: the best shortlist leaves the top entry out.
    candidates = candidates_from([(95, 1, 7), (94, 1, 8), (93, 2, 7), (50, 3, 9)])
    rules = Constraints(size=2, category_max={1: 1}, county_cap=1)

    result = select(candidates, rules)

    assert result.selected == [102, 103]
    assert result.selected == brute_force(candidates, rules)
    assert result.displaced == [Displacement(entry=101, reason="county_cap", group=7, replaced_by=103)]


@pytest.mark.parametrize(
    ("rows", "rules", "problems"),
    [
        ([(90, 1, 7)], Constraints(size=2), [{"kind": "too_few_entries", "needed": 2, "available": 1}]),
        (
            [(90, 1, 7), (80, 1, 7), (70, 2, 8)],
            Constraints(size=2, category_min={2: 2}),
            [{"kind": "category_min", "category": 2, "needed": 2, "available": 1}],
        ),
        (
            # two category-1 entries exist, but the county cap lets only one through
            [(90, 1, 7), (80, 1, 7), (70, 2, 8)],
            Constraints(size=2, category_min={1: 2}, county_cap=1),
            [{"kind": "category_min", "category": 1, "needed": 2, "available": 1}],
        ),
        (
            [(90, 1, 7), (80, 1, 8), (70, 2, 9)],
            Constraints(size=2, category_min={1: 2}, category_max={1: 1}),
            [{"kind": "category_min_above_max", "category": 1, "min": 2, "max": 1}],
        ),
        (
            [(90, 1, 7), (80, 1, 8), (70, 2, 9), (60, 2, 10)],
            Constraints(size=2, category_min={1: 2, 2: 1}),
            [{"kind": "minimums_above_size", "sum": 3, "size": 2}],
        ),
        (
            [(90, 1, 7), (80, 1, 7), (70, 2, 7)],
            Constraints(size=2, county_cap=1),
            [{"kind": "caps_below_size", "capacity": 1, "size": 2}],
        ),
        (
            # Each minimum alone is reachable and the caps allow 2 in all (one per county), but
            # both categories live only in county 7: the two minimums cannot be met together.
            [(90, 1, 7), (80, 2, 7), (70, 3, 8)],
            Constraints(size=2, category_min={1: 1, 2: 1}, county_cap=1),
            [{"kind": "category_min", "category": 2, "needed": 1, "available": 0}],
        ),
        (
            # Category 1 may send one; every county one. The simple bounds allow 3 (category:
            # 1 + 3; county: 1 + 1 + 1), but category 2 lives only in county 7, so at most 2
            # — found by the flow (a cut through category 1 and county 7).
            [(90, 1, 8), (80, 1, 9), (70, 2, 7), (60, 2, 7), (50, 2, 7)],
            Constraints(size=3, category_max={1: 1}, county_cap=1),
            [{"kind": "caps_below_size", "capacity": 2, "size": 3}],
        ),
    ],
)
def test_infeasible_constraints_are_explained_and_select_nothing(rows, rules, problems):
    candidates = candidates_from(rows)

    result = select(candidates, rules)

    assert (result.feasible, result.selected, result.problems) == (False, [], problems)
    assert brute_force(candidates, rules) is None


@st.composite
def shortlist_instances(draw):
    n = draw(st.integers(1, 8))
    # few distinct scores (ties are common), including differences below a millionth
    scores = draw(st.lists(st.sampled_from([60.0, 70.0, 70.0000004, 70.5, 80.0]), min_size=n, max_size=n))
    categories = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    counties = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    # ranks follow the scores, ties broken in any order (as the ranking's tie-breaks would)
    tie_order = draw(st.permutations(range(n)))
    order = sorted(range(n), key=lambda i: (-score_units(scores[i]), tie_order[i]))
    candidates = [
        Candidate(
            entry=200 + i,
            score=scores[i],
            rank=order.index(i) + 1,
            category=categories[i],
            county=counties[i],
        )
        for i in range(n)
    ]
    rules = Constraints(
        size=draw(st.integers(1, n)),
        category_min=draw(st.dictionaries(st.integers(1, 3), st.integers(0, 3), max_size=2)),
        category_max=draw(st.dictionaries(st.integers(1, 3), st.integers(0, 4), max_size=2)),
        county_cap=draw(st.none() | st.integers(1, 3)),
    )
    return candidates, rules


@SETTINGS
@given(instance=shortlist_instances())
def test_shortlist_is_feasible_and_optimal_whenever_a_selection_exists(instance):
    candidates, rules = instance

    result = select(candidates, rules)

    expected = brute_force(candidates, rules)
    if expected is None:
        assert (result.feasible, result.selected) == (False, [])
        assert result.problems != []
    else:
        assert result.feasible is True
        assert satisfies(result.selected, candidates, rules)
        assert result.selected == expected


@SETTINGS
@given(instance=shortlist_instances())
def test_every_displacement_names_a_binding_constraint(instance):
    candidates, rules = instance
    result = select(candidates, rules)
    assume(result.feasible)
    info = {c.entry: c for c in candidates}
    categories = [info[e].category for e in result.selected]
    counties = [info[e].county for e in result.selected]

    for d in result.displaced:
        entry = info[d.entry]
        if d.reason == "county_cap":
            assert (d.group, counties.count(d.group)) == (entry.county, rules.county_cap)
        elif d.reason == "category_max":
            assert (d.group, categories.count(d.group)) == (entry.category, rules.category_max[d.group])
        else:
            # the place went to another category held at its minimum
            assert d.reason == "category_min"
            assert d.group != entry.category
            assert categories.count(d.group) == rules.category_min[d.group]
    assert [d.entry for d in result.displaced] == [
        c.entry
        for c in sorted(candidates, key=lambda c: c.rank)[: rules.size]
        if c.entry not in result.selected
    ]


def test_a_tie_in_the_calibrated_score_is_not_broken_in_favour_of_lenient_judges():
    # A cycle of three judges; judge 1 gives 76 where the others give 70. Least squares with
    # Σb = 0: b1 = 6 − 2 = 4, b2 = b3 = −2, and every entry's quality is 72 — a tie. The raw
    # medians (73, 70, 73) would put entries 1 and 3 first only because judge 1 is lenient;
    # the medians of the calibrated values (total − offset: 72, 72 for each entry) tie as
    # well, so the tie goes on to the entry id.
    sheets = [
        Sheet(1, 1, 76),
        Sheet(1, 2, 70),
        Sheet(2, 2, 70),
        Sheet(2, 3, 70),
        Sheet(3, 3, 70),
        Sheet(3, 1, 76),
    ]

    result = compute(sheets, shrinkage=0)

    assert [f.calibrated for f in result.entries] == pytest.approx([72.0, 72.0, 72.0])
    assert [(f.entry, f.median, f.tie_median) for f in result.entries] == [
        (1, 73.0, pytest.approx(72.0)),
        (2, 70.0, pytest.approx(72.0)),
        (3, 73.0, pytest.approx(72.0)),
    ]


def test_kendall_w_in_an_incomplete_design_counts_the_judges_an_entry_has():
    # Judges 1 and 2 share entries 1–3 and rank them alike (ρ = 1); judges 2 and 3 share
    # entries 4–6 and rank them in reverse (ρ = −1); judges 1 and 3 share none. ρ̄ = 0, and
    # each entry has m = 12 sheets / 6 entries = 2 judges: W = ((2 − 1)·0 + 1)/2 = 1/2 (not
    # 1/3, which the pool of three judges would give).
    totals = {(1, 1): 60, (2, 1): 70, (3, 1): 80, (1, 2): 65, (2, 2): 75, (3, 2): 85}
    totals |= {(4, 2): 50, (5, 2): 60, (6, 2): 70, (4, 3): 70, (5, 3): 60, (6, 3): 50}
    sheets = [Sheet(e, j, t) for (e, j), t in totals.items()]

    _icc, w = agreement(sheets)

    assert w == pytest.approx(0.5)
