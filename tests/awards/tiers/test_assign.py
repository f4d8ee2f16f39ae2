"""The tier assignment (awards.tiers.assign) as a pure function: against brute force on small
inputs, per-tier constraints, the last tier taking the rest, and the failing tier named."""

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from awards.shortlist.select import Candidate, Constraints
from awards.tiers.assign import TierRule, assign_tiers
from judging.results.compute import score_units


def candidates_from(rows) -> list[Candidate]:
    """(score, category, county) rows → candidates ranked by score (ties by entry id)."""
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][0], i))
    return [
        Candidate(
            entry=i + 1, score=rows[i][0], rank=order.index(i) + 1, category=rows[i][1], county=rows[i][2]
        )
        for i in range(len(rows))
    ]


def fits(group, rules: Constraints) -> bool:
    by_category: dict[int, int] = {}
    by_county: dict[int, int] = {}
    for c in group:
        by_category[c.category] = by_category.get(c.category, 0) + 1
        by_county[c.county] = by_county.get(c.county, 0) + 1
    if rules.county_cap is not None and any(n > rules.county_cap for n in by_county.values()):
        return False
    if any(by_category.get(g, 0) < n for g, n in rules.category_min.items()):
        return False
    return all(by_category.get(g, 0) <= n for g, n in rules.category_max.items())


def brute_force(candidates, rules: list[TierRule]):
    """The same rule, by enumeration: each tier the feasible group of its size with the highest
    total score, then the better-ranked entries; the last tier everything left. Returns
    (tiers, failed key)."""
    remaining = sorted(candidates, key=lambda c: (c.rank, c.entry))
    tiers = {}
    for position, rule in enumerate(rules):
        if position == len(rules) - 1:
            if not fits(remaining, rule.constraints):
                return tiers, rule.key
            tiers[rule.key] = [c.entry for c in remaining]
            return tiers, None
        best = None
        n = len(remaining)
        for group in combinations(range(n), rule.constraints.size):
            chosen = [remaining[i] for i in group]
            if not fits(chosen, rule.constraints):
                continue
            worth = (sum(score_units(c.score) for c in chosen), sum(1 << (n - i) for i in group))
            if best is None or worth > best[0]:
                best = (worth, chosen)
        if best is None:
            return tiers, rule.key
        tiers[rule.key] = [c.entry for c in best[1]]
        taken = set(tiers[rule.key])
        remaining = [c for c in remaining if c.entry not in taken]
    return tiers, None


rows = st.lists(
    st.tuples(st.sampled_from([60.0, 70.0, 75.5, 80.0, 90.0]), st.integers(1, 2), st.integers(1, 3)),
    min_size=0,
    max_size=8,
)
tier_rules = st.lists(
    st.tuples(
        st.integers(1, 4),  # places
        st.one_of(st.none(), st.integers(1, 2)),  # county cap
        st.dictionaries(st.integers(1, 2), st.integers(0, 2), max_size=2),  # minimums
        st.dictionaries(st.integers(1, 2), st.integers(0, 3), max_size=2),  # maximums
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(rows, tier_rules)
def test_assignment_matches_brute_force(table, specs):
    candidates = candidates_from(table)
    rules = [
        TierRule(
            key=10 + k,
            constraints=Constraints(size=places, county_cap=cap, category_min=lo, category_max=hi),
        )
        for k, (places, cap, lo, hi) in enumerate(specs)
    ]

    result = assign_tiers(candidates, rules)
    expected, failed = brute_force(candidates, rules)

    assert result.failed == failed
    assert result.feasible == (failed is None)
    assert {k: sorted(v) for k, v in result.tiers.items()} == {k: sorted(v) for k, v in expected.items()}
    if result.feasible:
        # every shortlisted entry gets exactly one tier
        assert sorted(result.tier_of()) == sorted(c.entry for c in candidates)


def test_without_constraints_tiers_follow_the_ranking():
    candidates = candidates_from([(90, 1, 1), (85, 1, 1), (80, 1, 1), (75, 1, 1), (70, 1, 1)])
    rules = [
        TierRule(1, Constraints(size=1)),
        TierRule(2, Constraints(size=2)),
        TierRule(3, Constraints(size=1)),
    ]

    result = assign_tiers(candidates, rules)

    # the last tier takes all that is left, whatever its places say
    assert result.tiers == {1: [1], 2: [2, 3], 3: [4, 5]}


def test_each_tier_has_its_own_constraints():
    # county 1 holds the three best; the top tier allows one per county, the second does not care
    candidates = candidates_from([(90, 1, 1), (85, 1, 1), (80, 2, 1), (75, 2, 2), (70, 1, 3)])
    rules = [
        TierRule(1, Constraints(size=2, county_cap=1)),
        TierRule(2, Constraints(size=3, category_min={2: 1})),
    ]

    result = assign_tiers(candidates, rules)

    assert result.tiers == {1: [1, 4], 2: [2, 3, 5]}


def test_the_first_tier_that_cannot_be_filled_is_named():
    candidates = candidates_from([(90, 1, 1), (85, 1, 1), (80, 1, 2)])
    rules = [
        TierRule(7, Constraints(size=1)),
        TierRule(8, Constraints(size=1, category_min={2: 1})),  # no category 2 at all
        TierRule(9, Constraints(size=1)),
    ]

    result = assign_tiers(candidates, rules)

    assert (result.feasible, result.failed, result.tiers) == (False, 8, {7: [1]})
    assert result.problems[0]["kind"] == "category_min"


def test_the_last_tier_must_meet_its_constraints_too():
    candidates = candidates_from([(90, 1, 1), (85, 1, 1), (80, 1, 1)])
    rules = [TierRule(1, Constraints(size=1)), TierRule(2, Constraints(size=2, county_cap=1))]

    result = assign_tiers(candidates, rules)

    assert (result.feasible, result.failed) == (False, 2)


def test_no_tiers_assign_nothing():
    assert assign_tiers(candidates_from([(90, 1, 1)]), []).tiers == {}
