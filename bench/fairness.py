"""Fairness simulation: how many of the true top 100 each pipeline puts on the shortlist.

2,000 entries from 13 counties, 60 judges (most from a county: automatic conflicts),
k = 5, true quality N(70, 10), judge severity N(0, 6), noise N(0, 8), five seeds. Everything
runs through the platform's own code: the assigner, the results computation, the shortlist.

Pipelines
- plain mean, one round, k = 5 (what review tools do);
- calibrated, one round, k = 5 (the default method);
- two rounds with the same 10,000 sheets: k = 3 for everyone, calibrated; the best 500
  advance and get 8 more judges each; combined 0.2 · round 1 + 0.8 · round 2 (calibrated).
Prints one JSON line per seed and a summary line.
"""

import json
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from awards.shortlist.select import Candidate, Constraints, select  # noqa: E402
from judging.assignment.solver import EntryInfo, JudgeInfo, Problem, solve  # noqa: E402
from judging.results.compute import Sheet, compute  # noqa: E402

ENTRIES, JUDGES, K, COUNTIES, TOP = 2000, 60, 5, 13, 100


def world(seed: int):
    rng = random.Random(seed)
    entries = [EntryInfo(i, rng.randrange(8), rng.randrange(1, COUNTIES + 1), None) for i in range(ENTRIES)]
    judges = [
        JudgeInfo(
            10_000 + j,
            rng.choice([None, *range(1, COUNTIES + 1)]) if rng.random() < 0.8 else None,
            None,
            frozenset(rng.sample(range(8), rng.randint(1, 2))),
        )
        for j in range(JUDGES)
    ]
    quality = {e.id: rng.gauss(70, 10) for e in entries}
    severity = {j.id: rng.gauss(0, 6) for j in judges}
    return rng, entries, judges, quality, severity


def score(rng, pairs, quality, severity) -> list[Sheet]:
    return [Sheet(e, j, quality[e] + severity[j] + rng.gauss(0, 8)) for e, j in pairs]


def shortlist(results, entries) -> set[int]:
    category = {e.id: e.category for e in entries}
    county = {e.id: e.county for e in entries}
    candidates = [Candidate(f.entry, f.score, f.rank, category[f.entry], county[f.entry]) for f in results]
    return set(select(candidates, Constraints(size=TOP)).selected)


def run(seed: int) -> dict:
    rng, entries, judges, quality, severity = world(seed)
    true_top = set(sorted(quality, key=quality.get, reverse=True)[:TOP])

    one_round = solve(Problem(k=K, entries=entries, judges=judges))
    sheets = score(rng, one_round.assignments, quality, severity)
    plain = compute(sheets, method="mean").entries
    calibrated = compute(sheets, method="calibrated").entries

    first = solve(Problem(k=3, entries=entries, judges=judges))
    first_sheets = score(rng, first.assignments, quality, severity)
    first_results = compute(first_sheets, method="calibrated").entries
    advanced_ids = {f.entry for f in first_results[:500]}
    advanced = [e for e in entries if e.id in advanced_ids]
    second = solve(Problem(k=8, entries=advanced, judges=judges))
    second_results = {
        f.entry: f.score for f in compute(score(rng, second.assignments, quality, severity)).entries
    }
    first_scores = {f.entry: f.score for f in first_results}
    combined = [
        type(first_results[0])(
            **{**f.__dict__, "score": 0.2 * first_scores[f.entry] + 0.8 * second_results[f.entry]}
        )
        for f in first_results
        if f.entry in second_results
    ]
    combined.sort(key=lambda f: -f.score)
    for position, f in enumerate(combined, start=1):
        f.rank = position
    return {
        "seed": seed,
        "sheets_one_round": len(one_round.assignments),
        "sheets_two_rounds": len(first.assignments) + len(second.assignments),
        "plain_mean": len(true_top & shortlist(plain, entries)),
        "calibrated": len(true_top & shortlist(calibrated, entries)),
        "two_rounds_calibrated": len(true_top & shortlist(combined, entries)),
    }


def main() -> None:
    seeds = [int(s) for s in sys.argv[1:]] or [1, 2, 3, 4, 5]
    rows = [run(seed) for seed in seeds]
    for row in rows:
        print(json.dumps({"name": "fairness seed", **row}), flush=True)
    summary = {
        key: round(statistics.mean(r[key] for r in rows), 1)
        for key in ("plain_mean", "calibrated", "two_rounds_calibrated")
    }
    print(
        json.dumps(
            {
                "name": "fairness: true top 100 recovered (mean of seeds)",
                **summary,
                "gain_calibrated": round(summary["calibrated"] - summary["plain_mean"], 1),
                "gain_two_rounds": round(summary["two_rounds_calibrated"] - summary["plain_mean"], 1),
                "target_gain": 10,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
