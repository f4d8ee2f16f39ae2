"""The judge models of the calibration (judging.results.compute ``judge_model``): an offset per
judge (the default), an offset, a scale and a noise of their own ("scaled"), or an offset with
far sheets down-weighted ("robust")."""

import random

import numpy as np
import pytest

from judging.results.compute import Sheet, compute


def world(scale=None, erratic=(), seed=3, entries=60, judges=6, k=4):
    rng = random.Random(seed)
    quality = {e: rng.gauss(70, 10) for e in range(entries)}
    offset = {j: rng.gauss(0, 5) for j in range(judges)}
    scale = scale or {j: 1.0 for j in range(judges)}
    sheets = []
    for e in range(entries):
        for s in range(k):
            j = (e + s) % judges
            noise = rng.gauss(0, 30 if j in erratic else 2)
            sheets.append(Sheet(e, j, 70 + scale[j] * (quality[e] - 70) + offset[j] + noise))
    return quality, sheets


def error(quality, results):
    """Mean squared error of the scores once put on the truth's scale (a straight-line fit):
    what decides a ranking, whatever the common scale the model settles on."""
    got = np.array([f.calibrated for f in results.entries])
    truth = np.array([quality[f.entry] for f in results.entries])
    residual = got - np.polyval(np.polyfit(truth, got, 1), truth)
    return float((residual**2).mean())


def test_additive_is_the_default_and_unknown_models_are_refused():
    _quality, sheets = world()
    assert [f.calibrated for f in compute(sheets).entries] == [
        f.calibrated for f in compute(sheets, judge_model="additive").entries
    ]
    with pytest.raises(ValueError):
        compute(sheets, judge_model="astrology")


def test_the_scaled_model_reads_a_judge_who_spreads_the_marks():
    quality, sheets = world(scale={0: 2.5, 1: 0.4, 2: 1.0, 3: 1.0, 4: 1.2, 5: 0.8}, entries=120)
    assert error(quality, compute(sheets, judge_model="scaled")) < 0.5 * error(quality, compute(sheets))


def test_an_erratic_judge_counts_less_in_the_robust_and_scaled_models():
    quality, sheets = world(erratic={0})
    additive = error(quality, compute(sheets))
    assert error(quality, compute(sheets, judge_model="robust")) < additive
    assert error(quality, compute(sheets, judge_model="scaled")) < additive


def test_models_survive_a_judge_who_scores_everything_the_same_and_one_sheet_entries():
    sheets = [Sheet(e, 0, 100.0) for e in range(5)] + [Sheet(e, 1, 60.0 + e) for e in range(1, 5)]
    for model in ("additive", "scaled", "robust"):
        results = compute(sheets, judge_model=model)
        assert len(results.entries) == 5
        assert all(f.calibrated == f.calibrated for f in results.entries)  # no NaN
