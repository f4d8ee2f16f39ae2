"""The assigner for a round aimed at the boundary (judging.assignment.solver): a number of judges
per entry (0 for an entry that goes on without new sheets), and judges who saw the entry in an
earlier round avoided whenever the entry can be covered otherwise. Pure: no database."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment.solver import EntryInfo, JudgeInfo, Problem, components_of, solve


def entries(n):
    return [EntryInfo(id=100 + i, category=i % 3, county=None, organization=None) for i in range(n)]


def judges(n):
    return [JudgeInfo(id=5000 + j, county=None, organization=None) for j in range(n)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=25), st.integers(6, 12), st.integers(0, 1000))
def test_each_entry_gets_its_own_number_of_judges_and_no_judge_who_saw_it(needs, n_judges, salt):
    es, js = entries(len(needs)), judges(n_judges)
    # Round 1: three judges per entry, the round to come avoids them.
    seen = {(e.id, js[(i * 3 + salt + s) % n_judges].id) for i, e in enumerate(es) for s in range(3)}
    need = {e.id: n for e, n in zip(es, needs, strict=True)}
    result = solve(Problem(k=0, entries=es, judges=js, need=need, seen=seen))
    per_entry = Counter(e for e, _j in result.assignments)
    assert result.complete
    assert all(per_entry[e.id] == need[e.id] for e in es)
    assert len(set(result.assignments)) == len(result.assignments)
    # n_judges − 3 ≥ 3 unseen judges for every entry, so no entry sees a judge again.
    assert not set(result.assignments) & seen
    assert sum(result.loads.values()) == sum(needs)
    # With round 1 (connected: every entry and judge in one part), all the rounds are one part.
    first = sorted(seen)
    if len(components_of_pairs(first)) == 1:
        assert len(components_of_pairs(first + result.assignments)) == 1


def components_of_pairs(pairs):
    union = components_of(pairs)
    return {union.find(("e", e)) for e, _j in pairs}


def test_a_judge_who_saw_the_entry_only_when_nobody_else_can():
    es, js = entries(1), judges(3)
    seen = {(100, 5000), (100, 5001)}
    result = solve(Problem(k=0, entries=es, judges=js, need={100: 2}, seen=seen))
    assert result.complete
    pairs = set(result.assignments)
    assert (100, 5002) in pairs and len(pairs & seen) == 1  # the one unseen judge, then one seen


def test_entries_needing_no_judges_get_none_and_the_rest_are_covered():
    es, js = entries(4), judges(5)
    need = {100: 0, 101: 3, 102: 0, 103: 1}
    result = solve(Problem(k=5, entries=es, judges=js, need=need))
    per_entry = Counter(e for e, _j in result.assignments)
    assert per_entry == Counter({101: 3, 103: 1})
    assert sum(result.band[j.id][1] for j in js) >= 4  # bands from the real demand, not k · entries
    assert max(result.loads.values()) == 1
