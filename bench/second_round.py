"""A second round aimed at the boundary (judging.results.next_round), against one round, at the
same budget of sheets: how many of the true top 100 each workflow recovers, and whether the
predicted misses come true.

    python bench/second_round.py [SEEDS] [BUDGET]

The world of bench/fairness.py: 2,000 entries from 13 counties, 60 judges (most from a county:
automatic conflicts), true quality N(70, 10), judge severity N(0, 6), sheet noise N(0, 8).
Every assignment is the platform's own assigner (judging.assignment.solver), conflicts and
balance included; every figure is the platform's own computation.

Workflows, 10,000 sheets each (BUDGET):
- one_round: k = 5 for everyone, calibrated (the one-round default);
- plain_mean: the same sheets, plain mean;
- two_rounds: k = 3 for everyone (6,000 sheets), the uncertainty of that round, the
  recommendation for the remaining 4,000 sheets (every boundary entry gets the extra judges it is
  given, preferring judges who have not seen it), then one calibrated fit of both rounds'
  sheets; the list is the best 100 of the entries carried into the second round;
- two_rounds_weighted: the same sheets, but each round fitted on its own and combined by stage
  weights 0.2 · first + 0.8 · second (how rounds combine without "combine sheets").
Per workflow: the true top 100 recovered (mean, sd) and predicted vs realised misses of the list.

Judge models (one round, k = 5, the same sheets): the additive model (an offset per judge,
the default), ``scaled`` (an offset and a scale per judge) and ``robust`` (Huber), in this
world and in a rougher one where judges also differ in scale (s ~ logN(0, 0.25): some spread
their marks, some bunch them) and three judges are erratic (noise sd 25 instead of 8).
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from fairness import ENTRIES, JUDGES, score, world  # noqa: E402

from judging.assignment.solver import Problem, allowed, solve  # noqa: E402
from judging.results.compute import Sheet, compute  # noqa: E402
from judging.results.next_round import candidates_from, recommend  # noqa: E402
from judging.results.uncertainty import simulate  # noqa: E402

TOP = 100
FIRST_K = 3
MODELS = ("additive", "scaled", "robust")
ERRATIC = 3


def rough_score(rng, pairs, quality, severity, scale, erratic) -> list:
    """Sheets of the rougher world: each judge's own scale around 70, three erratic judges."""
    return [
        Sheet(e, j, 70 + scale[j] * (quality[e] - 70) + severity[j] + rng.gauss(0, 25 if j in erratic else 8))
        for e, j in pairs
    ]


def top_list(sheets, among=None, method="calibrated", model="additive") -> list[int]:
    ranked = compute(sheets, method=method, judge_model=model).entries
    if among is not None:
        ranked = [f for f in ranked if f.entry in among]
    return [f.entry for f in ranked[:TOP]]


def run(seed: int, budget: int) -> dict:
    rng, entries, judges, quality, severity = world(seed)
    true_top = set(sorted(quality, key=quality.get, reverse=True)[:TOP])
    k = budget // ENTRIES

    one = solve(Problem(k=k, entries=entries, judges=judges))
    sheets = score(rng, one.assignments, quality, severity)
    chosen = top_list(sheets)
    predicted_one = simulate(sheets, seed=seed).misses(chosen).expected
    plain = top_list(sheets, method="mean")

    first = solve(Problem(k=FIRST_K, entries=entries, judges=judges))
    first_sheets = score(rng, first.assignments, quality, severity)
    sure = simulate(first_sheets, seed=seed)
    chance = sure.top_chance(TOP)
    seen = set(first.assignments)
    seen_count = {}
    for e, _j in first.assignments:
        seen_count[e] = seen_count.get(e, 0) + 1
    entry_by_id = {e.id: e for e in entries}
    room = [
        sum(1 for j in judges if allowed(entry_by_id[int(e)], j, set())) - seen_count.get(int(e), 0)
        for e in sure.entries
    ]
    candidates = candidates_from(
        sure.entries, chance, sure.low, sure.high, [seen_count.get(int(e), 0) for e in sure.entries], room
    )
    first_list = top_list(first_sheets)
    advice = recommend(
        candidates,
        sigma=sure.sigma,
        budget=budget - len(first_sheets),
        misses_before=sure.misses(first_list).expected,
        target=0.0,
    )
    carried = set(advice.carried)
    second = solve(
        Problem(
            k=0,
            entries=[entry_by_id[e] for e in sorted(carried)],
            judges=judges,
            need={e: advice.extra.get(e, 0) for e in carried},
            seen=seen,
        )
    )
    second_sheets = score(rng, second.assignments, quality, severity)
    both = first_sheets + second_sheets
    combined = top_list(both, among=carried)
    predicted_two = simulate(both, seed=seed).misses(combined).expected

    first_scores = {f.entry: f.score for f in compute(first_sheets).entries}
    second_scores = {f.entry: f.score for f in compute(second_sheets).entries}
    weighted = sorted(
        (e for e in carried),
        key=lambda e: (
            -(0.2 * first_scores[e] + 0.8 * second_scores[e] if e in second_scores else first_scores[e])
        ),
    )[:TOP]
    models = {f"model_{m}": len(true_top & set(top_list(sheets, model=m))) for m in MODELS}
    scale = {j.id: float(np.exp(rng.gauss(0, 0.25))) for j in judges}
    erratic = {j.id for j in judges[:ERRATIC]}
    rough = rough_score(rng, one.assignments, quality, severity, scale, erratic)
    models.update(
        {f"rough_model_{m}": len(true_top & set(top_list(rough, model=m))) for m in MODELS},
        rough_plain_mean=len(true_top & set(top_list(rough, method="mean"))),
    )
    return {
        **models,
        "seed": seed,
        "sheets_one_round": len(sheets),
        "sheets_two_rounds": len(both),
        "boundary": len(advice.extra),
        "settled_in": len(advice.settled_in),
        "seen_again": sum(1 for pair in second.assignments if pair in seen),
        "uncovered": sum(u.missing for u in second.uncovered),
        "one_round": len(true_top & set(chosen)),
        "plain_mean": len(true_top & set(plain)),
        "two_rounds": len(true_top & set(combined)),
        "two_rounds_weighted": len(true_top & set(weighted)),
        "one_round_predicted_misses": round(predicted_one, 2),
        "one_round_realised_misses": TOP - len(true_top & set(chosen)),
        "first_round_predicted_misses": round(advice.misses_before, 2),
        "recommended_predicted_misses": round(advice.misses_after, 2),
        "two_rounds_predicted_misses": round(predicted_two, 2),
        "two_rounds_realised_misses": TOP - len(true_top & set(combined)),
    }


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    budget = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    started = time.perf_counter()
    rows = []
    for seed in range(seeds):
        rows.append(run(seed, budget))
        print(json.dumps({"name": "second round seed", **rows[-1]}), flush=True)

    def mean(key):
        return round(statistics.mean(r[key] for r in rows), 1)

    def sd(key):
        return round(statistics.stdev(r[key] for r in rows), 1) if len(rows) > 1 else 0.0

    summary = {
        "name": f"second round: true top {TOP} recovered at {budget:,} sheets "
        f"({ENTRIES:,} entries, {JUDGES} judges, {seeds} seeds)",
        **{
            f"{key}_mean": mean(key)
            for key in ("one_round", "plain_mean", "two_rounds", "two_rounds_weighted")
        },
        **{f"{key}_sd": sd(key) for key in ("one_round", "plain_mean", "two_rounds", "two_rounds_weighted")},
        "one_round_predicted_misses": mean("one_round_predicted_misses"),
        "one_round_realised_misses": mean("one_round_realised_misses"),
        "two_rounds_predicted_misses": mean("two_rounds_predicted_misses"),
        "two_rounds_realised_misses": mean("two_rounds_realised_misses"),
        "recommended_predicted_misses": mean("recommended_predicted_misses"),
        "boundary_entries": mean("boundary"),
        "judge_models": {
            key: {"mean": mean(key), "sd": sd(key)}
            for key in [f"model_{m}" for m in MODELS]
            + [f"rough_model_{m}" for m in MODELS]
            + ["rough_plain_mean"]
        },
        "seconds": round(time.perf_counter() - started, 1),
        "target_two_rounds": 80,
        "target_difference": 3,
    }
    summary["ok"] = (
        summary["two_rounds_mean"] >= 80
        and abs(summary["two_rounds_predicted_misses"] - summary["two_rounds_realised_misses"]) <= 3
    )
    print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
