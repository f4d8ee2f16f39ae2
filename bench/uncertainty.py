"""How sure the ranking is (judging.results.uncertainty): speed at national scale, and whether
its predictions come true on synthetic data with a known truth.

    python bench/uncertainty.py scale [ENTRIES JUDGES K]   # seconds and peak memory, fit included
    python bench/uncertainty.py calibration [SEEDS]        # predicted vs realised misses

scale: 20,000 entries, 500 judges, 5 sheets each (100,000 sheets), the default 200
simulations; the sheets are made first, then ``simulate`` is timed (fit, simulations, ranks,
intervals). Peak memory is the process's.

calibration: the world of bench/fairness.py (2,000 entries from 13 counties, 60 judges, the
platform's own assigner, k = 5: 10,000 sheets; quality N(70, 10), severity N(0, 6), noise
N(0, 8)). The chosen list is the calibrated ranking's top 100 (compute); predicted misses are
Σ(1 − chance of the true top 100) over it, realised misses how many of it are not in the true
top 100. Also whether the chances are right by bins: of the entries given a chance between 0.2
and 0.3, about a quarter should be in the true top 100.
"""

import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.assignment.solver import Problem, solve  # noqa: E402
from judging.results.compute import Sheet, compute  # noqa: E402
from judging.results.uncertainty import simulate  # noqa: E402

TOP = 100
BINS = [0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001]


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def scale(entries: int = 20_000, judges: int = 500, k: int = 5) -> None:
    rng = np.random.default_rng(0)
    quality = rng.normal(70, 10, entries)
    severity = rng.normal(0, 6, judges)
    panel = np.argsort(rng.random((entries, judges)), axis=1)[:, :k]  # k different judges each
    noise = rng.normal(0, 8, (entries, k))
    sheets = [
        Sheet(e, int(j), float(quality[e] + severity[j] + noise[e, n]))
        for e in range(entries)
        for n, j in enumerate(panel[e])
    ]
    del panel, noise
    before = peak_mb()
    started = time.perf_counter()
    sure = simulate(sheets)
    seconds = time.perf_counter() - started
    blob = sure.dumps()
    print(
        json.dumps(
            {
                "name": f"uncertainty national scale ({entries:,} entries, {len(sheets):,} sheets, "
                f"{sure.draws} simulations, fit included)",
                "seconds": round(seconds, 2),
                "peak_mb": peak_mb(),
                "peak_mb_before": before,
                "kept_mb": round(len(blob) / 1024 / 1024, 2),
                "target_seconds": 15,
                "target_peak_mb": 1024,
                "ok": seconds <= 15 and peak_mb() <= 1024,
            }
        ),
        flush=True,
    )


def calibration(seeds: int = 10) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fairness import K, score, world

    rows, binned = [], np.zeros((len(BINS) - 1, 3))  # per bin: entries, Σ chance, in the true top
    for seed in range(seeds):
        rng, entries, judges, quality, severity = world(seed)
        true_top = set(sorted(quality, key=quality.get, reverse=True)[:TOP])
        sheets = score(
            rng, solve(Problem(k=K, entries=entries, judges=judges)).assignments, quality, severity
        )
        chosen = [f.entry for f in compute(sheets).entries[:TOP]]
        sure = simulate(sheets, seed=seed)
        misses = sure.misses(chosen)
        realised = TOP - len(true_top & set(chosen))
        chance = sure.top_chance(TOP)
        truth = np.array([int(e) in true_top for e in sure.entries])
        where = np.digitize(chance, BINS) - 1
        for b in range(len(BINS) - 1):
            binned[b] += (np.sum(where == b), chance[where == b].sum(), truth[where == b].sum())
        rows.append(
            {
                "seed": seed,
                "sheets": len(sheets),
                "predicted_misses": round(misses.expected, 1),
                "interval": [misses.low, misses.high],
                "realised_misses": realised,
                "inside_interval": misses.low <= realised <= misses.high,
            }
        )
        print(json.dumps({"name": "uncertainty calibration seed", **rows[-1]}), flush=True)
    predicted = statistics.mean(r["predicted_misses"] for r in rows)
    realised = statistics.mean(r["realised_misses"] for r in rows)
    print(
        json.dumps(
            {
                "name": f"uncertainty calibration: predicted vs realised misses of the top {TOP} "
                f"(2,000 entries, 10,000 sheets, {seeds} seeds)",
                "predicted_mean": round(predicted, 1),
                "realised_mean": round(realised, 1),
                "realised_sd": round(statistics.stdev(r["realised_misses"] for r in rows), 1)
                if seeds > 1
                else 0,
                "inside_interval": sum(r["inside_interval"] for r in rows),
                "seeds": seeds,
                "target_difference": 3,
                "ok": abs(predicted - realised) <= 3,
                "by_chance": [
                    {
                        "chance": f"{BINS[b]:.2f}–{min(BINS[b + 1], 1):.2f}",
                        "entries": int(n),
                        "mean_chance": round(s / n, 3) if n else None,
                        "share_in_true_top": round(t / n, 3) if n else None,
                    }
                    for b, (n, s, t) in enumerate(binned)
                ],
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


if __name__ == "__main__":
    mode, *args = sys.argv[1:] or ["scale"]
    if mode == "scale":
        scale(*(int(a) for a in args))
    else:
        calibration(*(int(a) for a in args))
