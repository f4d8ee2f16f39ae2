"""Run the assigner once on a synthetic instance and print seconds and peak memory (JSON).

Usage: python bench/assign_memory.py ENTRIES JUDGES K COUNTIES
"""

import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.assignment.solver import EntryInfo, JudgeInfo, Problem, solve  # noqa: E402


def instance(n_entries, n_judges, k, n_counties, seed=2021):
    rng = random.Random(seed)
    entries = [
        EntryInfo(
            i, rng.randrange(8), rng.randrange(1, n_counties + 1), 10_000 + rng.randrange(n_counties * 20)
        )
        for i in range(n_entries)
    ]
    judges = [
        JudgeInfo(
            100_000 + j,
            rng.choice([None, *range(1, n_counties + 1)]),
            None,
            frozenset(rng.sample(range(8), rng.randint(1, 2))),
        )
        for j in range(n_judges)
    ]
    return Problem(k=k, entries=entries, judges=judges)


def main():
    n_entries, n_judges, k, n_counties = (int(x) for x in sys.argv[1:5])
    problem = instance(n_entries, n_judges, k, n_counties)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = solve(problem)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loads = list(result.loads.values())
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb, 1),
                "baseline_mb": round(before / 1024, 1),
                "assignments": len(result.assignments),
                "uncovered": len(result.uncovered),
                "connected": result.connected,
                "load_min": min(loads),
                "load_max": max(loads),
                "expert_share": round(result.expert_share, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
