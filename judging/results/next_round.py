"""Where a second round (复评) changes the list: pure computation (numpy/scipy), no Django.

From the first round's uncertainty (``judging.results.uncertainty``): each entry's chance of
being in the true top N, the spread of its score and the noise of one sheet. An entry whose
chance is near 0 or near 1 is settled; the boundary is the rest. Each extra sheet on a
boundary entry narrows its score, and so — on average over what the new sheets may say —
moves its chance toward 0 or 1. The recommendation spends a sheet budget where that helps the
most, one sheet at a time (greedy by the expected fall in misses per sheet), until the
predicted misses reach the target or the budget runs out.

The model of one entry (the fitted additive model, linearised): its score is known to within a
normal spread ``s`` (from the interval of the simulations); ``m`` more sheets, each with noise
``σ``, leave ``s'² = 1 / (1/s² + m/σ²)`` (the variance of the quality estimate falls as σ²
over the sheets). Its chance is ``Φ(z)``, z the distance of its score from the cut in units of
``s``. After the sheets, the new estimate has moved by a normal amount with variance
``s² − s'²``, and the entry's contribution to misses, ``min(p, 1 − p)``, is averaged over that
(Gauss–Hermite quadrature). The expected misses of a list are the simulations' figure; the
recommendation scales it by how much Σ min(p, 1 − p) falls.

The allocation for a budget B + 1 is the one for B plus one sheet (ties broken by entry id),
so more budget never recommends fewer sheets for an entry, nor predicts more misses.
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

LOW = 0.02  # a chance at or below this is settled out
HIGH = 0.98  # at or above this, settled in
TARGET = 5.0  # expected misses the recommendation aims at
MAX_EXTRA = 12  # extra judges for one entry at most
Z_LEVEL = 1.6448536269514722  # the interval of the simulations covers 5 %–95 %: ±1.645 sd
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(48)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@dataclass(frozen=True)
class Candidate:
    """One entry of the first round as the recommendation sees it."""

    entry: int
    chance: float  # of the true top N (or its category's places), in [0, 1]
    spread: float  # standard deviation of its score (points)
    sheets: int = 0  # sheets it has
    max_extra: int = MAX_EXTRA  # judges who may still score it (not yet seen, no conflict)


@dataclass
class Recommendation:
    extra: dict[int, int]  # boundary entry → extra judges (0 when the budget did not reach it)
    settled_in: list[int]  # chance ≥ high: go on without new sheets
    settled_out: list[int]  # chance ≤ low: stop here
    budget: int
    target: float
    sheets: int  # sheets used: Σ extra
    misses_before: float  # expected misses of the list now
    misses_after: float  # predicted after the recommended sheets
    sigma: float
    low: float
    high: float
    notes: list[str] = field(default_factory=list)

    @property
    def boundary(self) -> list[int]:
        return sorted(self.extra)

    @property
    def carried(self) -> list[int]:
        """The entries of the next round: the settled-in ones and the boundary."""
        return sorted([*self.settled_in, *self.extra])

    @property
    def reached_target(self) -> bool:
        return self.misses_after <= self.target + 1e-9


def spread_from_interval(low: float, high: float, z: float = Z_LEVEL) -> float:
    """Standard deviation of a score from its 5–95 % interval (normal approximation)."""
    return max(float(high) - float(low), 0.0) / (2 * z)


def contribution(chance: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Expected min(p, 1 − p) after the spread falls from s to ``ratio``·s (0 < ratio ≤ 1):
    z = Φ⁻¹(p); the new estimate's distance from the cut, in units of the new spread, is
    normal with mean z/ratio and variance (1 − ratio²)/ratio²."""
    chance = np.clip(np.asarray(chance, dtype=float), 1e-9, 1 - 1e-9)
    ratio = np.clip(np.asarray(ratio, dtype=float), 1e-9, 1.0)
    z = ndtri(chance)
    mean = z / ratio
    sd = np.sqrt(np.maximum(1 - ratio**2, 0.0)) / ratio
    points = mean[..., None] + sd[..., None] * _NODES
    return (ndtr(-np.abs(points)) * _WEIGHTS).sum(axis=-1)


def gain_table(candidates: Sequence[Candidate], sigma: float, most: int) -> np.ndarray:
    """entries × (most + 1): expected min(p, 1 − p) with 0…most extra sheets."""
    if not candidates:
        return np.zeros((0, most + 1))
    chance = np.array([c.chance for c in candidates], dtype=float)
    spread = np.array([max(c.spread, 1e-9) for c in candidates], dtype=float)
    sigma = max(float(sigma), 1e-9)
    m = np.arange(most + 1, dtype=float)
    ratio = 1 / np.sqrt(1 + m[None, :] * (spread[:, None] / sigma) ** 2)
    table = contribution(np.repeat(chance[:, None], most + 1, axis=1), ratio)
    table[:, 0] = np.minimum(chance, 1 - chance)
    # More sheets never hurt on average; the quadrature may wobble in the last digits.
    return np.minimum.accumulate(table, axis=1)


def recommend(
    candidates: Sequence[Candidate],
    *,
    sigma: float,
    budget: int,
    misses_before: float | None = None,
    target: float = TARGET,
    low: float = LOW,
    high: float = HIGH,
) -> Recommendation:
    """The boundary entries and how many extra judges each should get (see the module).

    ``misses_before``: the expected misses of the current list (the simulations' figure);
    without it, Σ min(p, 1 − p) / 2 over all entries stands in (the list's misses and the
    outsiders' chances of being in it are about equal halves of it)."""
    budget = max(int(budget), 0)
    candidates = sorted(candidates, key=lambda c: c.entry)
    settled_in = [c.entry for c in candidates if c.chance >= high]
    settled_out = [c.entry for c in candidates if c.chance <= low]
    boundary = [c for c in candidates if low < c.chance < high]
    all_chance = np.array([c.chance for c in candidates], dtype=float)
    total = float(np.minimum(all_chance, 1 - all_chance).sum()) if len(all_chance) else 0.0
    before = float(misses_before) if misses_before is not None else total / 2
    scale = before / total if total > 1e-12 else 0.0
    notes = []
    most = max((min(c.max_extra, budget) for c in boundary), default=0)
    table = gain_table(boundary, sigma, max(most, 0))
    extra = {c.entry: 0 for c in boundary}
    now = total
    # Greedy: a heap of the next sheet's expected fall in Σ min(p, 1 − p), per entry.
    heap = [
        (-(table[i, 0] - table[i, 1]), c.entry, i)
        for i, c in enumerate(boundary)
        if min(c.max_extra, most) >= 1
    ]
    heapq.heapify(heap)
    used = 0
    while heap and used < budget and now * scale > target + 1e-9:
        fall, entry, i = heapq.heappop(heap)
        if -fall <= 1e-12:
            break
        extra[entry] += 1
        used += 1
        now += fall
        m = extra[entry]
        if m < min(boundary[i].max_extra, most):
            heapq.heappush(heap, (-(table[i, m] - table[i, m + 1]), entry, i))
    if not boundary:
        notes.append("no-boundary")
    elif used >= budget and now * scale > target + 1e-9:
        notes.append("budget-short")
    return Recommendation(
        extra=extra,
        settled_in=settled_in,
        settled_out=settled_out,
        budget=budget,
        target=float(target),
        sheets=used,
        misses_before=before,
        misses_after=max(now * scale, 0.0),
        sigma=float(sigma),
        low=low,
        high=high,
        notes=notes,
    )


def candidates_from(
    entries: Sequence[int],
    chance: Sequence[float],
    low_bound: Sequence[float],
    high_bound: Sequence[float],
    sheets: Sequence[int] | None = None,
    max_extra: Sequence[int] | int = MAX_EXTRA,
) -> list[Candidate]:
    """Candidates from the arrays an ``Uncertainty`` keeps (entry ids, chances, intervals)."""
    n = len(entries)
    sheets = sheets if sheets is not None else [0] * n
    caps = [max_extra] * n if isinstance(max_extra, int) else list(max_extra)
    return [
        Candidate(
            entry=int(entries[i]),
            chance=float(min(max(chance[i], 0.0), 1.0)),
            spread=spread_from_interval(low_bound[i], high_bound[i]),
            sheets=int(sheets[i]),
            max_extra=max(int(caps[i]), 0),
        )
        for i in range(n)
    ]
