"""How sure is the ranking? Pure computation (numpy/scipy), callable without the web layer.

The results fit the additive model ``total = quality(entry) + offset(judge) + noise`` with
the offsets shrunk (``compute.calibrate``). Here that fitted model is simulated: each
simulation draws plausible true qualities around the fitted ones, as far as the sheets
leave them open, and ranks them. Technically a draw from the posterior of the fitted
Gaussian model (σ the residual standard deviation of a sheet; judges' offsets ~ N(0,
σ²/shrinkage), the ridge's own prior; entries' qualities ~ N(μ, τ²), a population whose
spread τ is estimated from the sheets — empirical Bayes) by "perturb and solve": new noise on
every sheet and new prior draws, solved with the same normal equations. The design is
the same in every simulation, so the judges × judges system is factorised once and all the
simulations are solved together.

From the simulations, per entry:
- an interval for its calibrated score (5–95 % by default);
- its chance of being in the true top N (``top_chance``), or in the top places of its category
  (``category_chance``);
and for a chosen list (the ranking's top N, a shortlist): how many of it are expected not to
be in the true top N (``misses``: Σ over the list of 1 − chance, with an interval from the
simulations).

Seeded: the same sheets and seed give the same figures, whatever the order of the sheets.
Entries in parts of the judge–entry graph that share no judge with the rest (``parts``) can
only be compared with the rest by assuming each part's judges are on average neither harsh
nor lenient; the simulations carry that assumption's uncertainty, the notes name the parts.
"""

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csc_array
from scipy.sparse.linalg import splu

from judging.results.compute import DEFAULT_SHRINKAGE, Sheet, normal_system, solve_calibration

DRAWS = 200
SEED = 20260101
LEVEL = 0.90  # the interval covers the middle 90 % of the simulations: 5 % to 95 %
MIN_SIGMA = 0.01  # points: identical sheets still leave exact ties to chance, not to position
BATCH = 50  # simulations solved together (memory: sheets × BATCH floats)
PRIOR = "population"  # or "flat": see ``simulate``
FAR_SPREAD = 2.0  # a judge is far from the others beyond this many of their standard deviations


@dataclass(frozen=True)
class Part:
    """A connected part of the judge–entry graph other than the largest."""

    entries: tuple[int, ...]
    judges: tuple[int, ...]


@dataclass(frozen=True)
class Misses:
    """Of a chosen list of ``size``, how many are expected not to be in the true top ``size``."""

    size: int
    expected: float
    low: int
    high: int


@dataclass
class Uncertainty:
    entries: np.ndarray  # entry ids, ascending
    judges: np.ndarray  # judge ids, ascending
    quality: np.ndarray  # fitted calibrated score per entry (as compute gives it)
    offset: np.ndarray  # fitted offset per judge
    sigma: float  # residual standard deviation of a sheet (points)
    sigma_estimated: bool  # False: too few sheets to estimate it, the pool's spread is used
    low: np.ndarray  # per entry: interval for the calibrated score
    high: np.ndarray
    ranks: np.ndarray  # draws × entries: rank (1 = best) of each entry in each simulation
    seed: int
    level: float
    part: np.ndarray  # per entry: 0 in the largest part, else 1, 2, … (see ``parts``)
    parts: list[Part] = field(default_factory=list)

    @property
    def draws(self) -> int:
        return self.ranks.shape[0]

    def positions(self, entry_ids: Iterable[int]) -> np.ndarray:
        ids = np.asarray(list(entry_ids), dtype=np.int64)
        where = np.searchsorted(self.entries, ids)
        where = np.clip(where, 0, max(len(self.entries) - 1, 0))
        known = (len(self.entries) > 0) & (self.entries[where] == ids) if len(ids) else np.zeros(0, bool)
        return where[known]

    def top_chance(self, n: int) -> np.ndarray:
        """Per entry: the share of simulations in which it is among the best ``n``, in [0, 1]."""
        if not len(self.entries):
            return np.zeros(0)
        n = max(0, min(int(n), len(self.entries)))
        return (self.ranks <= n).mean(axis=0)

    def category_ranks(self, categories: Mapping[int, object]) -> np.ndarray:
        """draws × entries: each entry's rank within its category in each simulation (entries
        without a category form one group of their own)."""
        label = np.array([str(categories.get(int(e))) for e in self.entries])
        within = np.zeros_like(self.ranks)
        for value in np.unique(label):
            idx = np.flatnonzero(label == value)
            order = np.argsort(self.ranks[:, idx], axis=1, kind="stable")
            ranks = np.empty_like(order)
            np.put_along_axis(ranks, order, np.arange(1, len(idx) + 1)[None, :], axis=1)
            within[:, idx] = ranks
        return within

    def category_chance(self, categories: Mapping[int, object], places: Mapping[object, int]) -> np.ndarray:
        """Per entry: the share of simulations in which it is among the best ``places[c]`` of
        its category ``c = categories[entry]`` (1 where the category has no more entries than
        places; 0 for a category with no places)."""
        if not len(self.entries):
            return np.zeros(0)
        within = self.category_ranks(categories)
        limit = np.array([max(0, int(places.get(categories.get(int(e)), 0))) for e in self.entries])
        return (within <= limit[None, :]).mean(axis=0)

    def misses(self, chosen: Iterable[int], n: int | None = None) -> Misses:
        """For a chosen list of entry ids: how many are expected not to be among the true best
        ``n`` (default: as many as were chosen), with the interval of the simulations. Entries
        without results count as misses in every simulation."""
        chosen = list(dict.fromkeys(chosen))
        size = len(chosen) if n is None else int(n)
        if not chosen or not len(self.entries):
            return Misses(size=size, expected=float(len(chosen)), low=len(chosen), high=len(chosen))
        where = self.positions(chosen)
        unknown = len(chosen) - len(where)
        inside = (self.ranks[:, where] <= size).sum(axis=1)
        per_draw = len(chosen) - inside
        return self._misses(size, per_draw, unknown)

    def category_misses(
        self, chosen: Iterable[int], categories: Mapping[int, object], places: Mapping[object, int]
    ) -> Misses:
        """Like ``misses`` for a list chosen by category places: a chosen entry misses in a
        simulation when it is not among the best ``places`` of its category there."""
        chosen = list(dict.fromkeys(chosen))
        if not chosen or not len(self.entries):
            return Misses(size=len(chosen), expected=float(len(chosen)), low=len(chosen), high=len(chosen))
        where = self.positions(chosen)
        within = self.category_ranks(categories)[:, where]
        limit = np.array([max(0, int(places.get(categories.get(int(self.entries[i])), 0))) for i in where])
        per_draw = len(chosen) - (within <= limit[None, :]).sum(axis=1)
        return self._misses(len(chosen), per_draw, len(chosen) - len(where))

    def _misses(self, size: int, per_draw: np.ndarray, unknown: int) -> Misses:
        tail = (1 - self.level) / 2
        per_draw = per_draw + unknown
        return Misses(
            size=size,
            expected=float(per_draw.mean()),
            low=int(np.floor(np.quantile(per_draw, tail))),
            high=int(np.ceil(np.quantile(per_draw, 1 - tail))),
        )

    # --- Storage: the simulations as a compact blob (kept with the results) ----------------

    def dumps(self) -> bytes:
        out = io.BytesIO()
        dtype = np.uint16 if len(self.entries) < 2**16 else np.uint32
        np.savez_compressed(
            out,
            entries=self.entries,
            judges=self.judges,
            quality=self.quality,
            offset=self.offset,
            low=self.low,
            high=self.high,
            ranks=self.ranks.astype(dtype),
            part=self.part,
            meta=np.array([self.sigma, float(self.sigma_estimated), self.seed, self.level]),
        )
        return out.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> "Uncertainty":
        with np.load(io.BytesIO(bytes(data))) as blob:
            sigma, estimated, seed, level = blob["meta"].tolist()
            return cls(
                entries=blob["entries"],
                judges=blob["judges"],
                quality=blob["quality"],
                offset=blob["offset"],
                sigma=sigma,
                sigma_estimated=bool(estimated),
                low=blob["low"],
                high=blob["high"],
                ranks=blob["ranks"].astype(np.int64),
                seed=int(seed),
                level=level,
                part=blob["part"],
            )


def simulate(
    sheets: list[Sheet],
    *,
    shrinkage: float = DEFAULT_SHRINKAGE,
    draws: int = DRAWS,
    seed: int = SEED,
    level: float = LEVEL,
    prior: str = PRIOR,
) -> Uncertainty:
    """Fit the additive model to the sheets and simulate it ``draws`` times (see the module)."""
    draws = max(int(draws), 1)
    sheets = sorted(sheets, key=lambda s: (s.entry, s.judge, s.total))
    entry_ids = np.array(sorted({s.entry for s in sheets}), dtype=np.int64)
    judge_ids = np.array(sorted({s.judge for s in sheets}), dtype=np.int64)
    if not sheets:
        empty = np.zeros(0)
        return Uncertainty(
            entry_ids, judge_ids, empty, empty, 0.0, False, empty, empty,
            np.zeros((draws, 0), dtype=np.int64), seed, level, np.zeros(0, dtype=np.int64),
        )  # fmt: skip
    ei = np.searchsorted(entry_ids, np.array([s.entry for s in sheets]))
    ji = np.searchsorted(judge_ids, np.array([s.judge for s in sheets]))
    y = np.array([s.total for s in sheets], dtype=float)
    n_e, n_j = len(entry_ids), len(judge_ids)
    ns = normal_system(ei, ji, n_e, n_j, shrinkage)
    lu = splu(ns.system)
    quality, offset = solve_calibration(ns, y, solve=lu.solve)

    # Residual standard deviation: the model has a quality per entry and an offset per judge,
    # less one shift per connected part.
    residual = y - quality[ei] - offset[ji]
    freedom = len(y) - n_e - n_j + ns.parts
    estimated = freedom >= 1
    sigma = float(np.sqrt((residual**2).sum() / freedom)) if estimated else float(y.std())
    sigma = max(sigma, MIN_SIGMA)

    # The prior on qualities: "population" (the default) treats the entries' true qualities as
    # drawn from a normal population whose spread is estimated from the sheets (empirical
    # Bayes): the spread of the fitted scores, less what the noise of a few sheets adds to it.
    # Without it (``prior="flat"``) the fitted scores' extra spread reads as certainty and the
    # misses come out too few (bench/uncertainty.py).
    per_entry, solver, centre = ns.per_entry, lu.solve, quality
    kappa = tau = 0.0
    if prior == "population" and n_e >= 3:
        tau = float(np.sqrt(max(quality.var() - float(np.mean(sigma**2 / ns.per_entry)), MIN_SIGMA**2)))
        kappa = sigma**2 / tau**2
        per_entry = ns.per_entry + kappa
        weight = 1 / ns.per_entry - 1 / per_entry
        solver = splu(csc_array(ns.system + ns.sheets_by.T @ (ns.sheets_by * weight[:, None]))).solve
        r_q = ns.entry_sums(y) + kappa * float(quality.mean())
        b_eb = solver(np.asarray(ns.judge_sums(y) - ns.sheets_by.T @ (r_q / per_entry)))
        centre = (r_q - ns.sheets_by @ b_eb) / per_entry

    rng = np.random.default_rng(seed)
    by_entry = ns.sheet_matrix("entry")
    by_judge = ns.sheet_matrix("judge")
    prior_sd = np.where(ns.ridge > 0, sigma / np.sqrt(np.where(ns.ridge > 0, ns.ridge, 1.0)), 0.0)
    simulated = np.empty((n_e, draws))
    for start in range(0, draws, BATCH):
        b = min(BATCH, draws - start)
        noise = rng.standard_normal((len(y), b)) * sigma
        prior_b = rng.standard_normal((n_j, b)) * prior_sd[:, None]
        prior_q = rng.standard_normal((n_e, b)) * tau
        r_q = by_entry @ noise + kappa * prior_q
        r_b = by_judge @ noise + ns.ridge[:, None] * prior_b
        d_b = solver(np.asarray(r_b - ns.sheets_by.T @ (r_q / per_entry[:, None])))
        d_q = (r_q - ns.sheets_by @ d_b) / per_entry[:, None]
        simulated[:, start : start + b] = centre[:, None] + d_q
    tail = (1 - level) / 2
    low, high = np.quantile(simulated, [tail, 1 - tail], axis=1)
    order = np.argsort(-simulated, axis=0, kind="stable")  # entries × draws
    ranks = np.empty((draws, n_e), dtype=np.int64)
    positions = np.arange(1, n_e + 1)
    for d in range(draws):
        ranks[d, order[:, d]] = positions
    del simulated, order

    # Parts: 0 for the largest (by entries), then by size.
    entry_part = ns.part[:n_e]
    sizes = np.bincount(entry_part, minlength=ns.parts)
    rename = np.empty(ns.parts, dtype=np.int64)
    rename[sorted(range(ns.parts), key=lambda p: (-sizes[p], p))] = np.arange(ns.parts)
    part = rename[entry_part]
    judge_part = rename[ns.judge_part]
    parts = [
        Part(
            entries=tuple(int(e) for e in entry_ids[part == p]),
            judges=tuple(int(j) for j in judge_ids[judge_part == p]),
        )
        for p in range(1, ns.parts)
    ]
    return Uncertainty(
        entries=entry_ids,
        judges=judge_ids,
        quality=quality,
        offset=offset,
        sigma=sigma,
        sigma_estimated=estimated,
        low=low,
        high=high,
        ranks=ranks,
        seed=seed,
        level=level,
        part=part,
        parts=parts,
    )


def far_judges(offsets: Mapping[int, float], spread: float = FAR_SPREAD) -> dict[int, float]:
    """Judges whose offset is far from the others': more than ``spread`` standard deviations
    of the other judges' offsets from their mean (at least three others, not all equal).
    Judge → how many of the others' standard deviations away (signed). The others only, so one
    extreme judge does not hide itself by widening the spread it is measured against."""
    if len(offsets) < 4:
        return {}
    judges = list(offsets)
    values = np.array([offsets[j] for j in judges], dtype=float)
    n = len(values)
    total, squares = values.sum(), (values**2).sum()
    others_mean = (total - values) / (n - 1)
    others_var = np.maximum((squares - values**2) / (n - 1) - others_mean**2, 0.0)
    others_sd = np.sqrt(others_var)
    far = {}
    for judge, value, mean, sd in zip(judges, values, others_mean, others_sd, strict=True):
        if sd > 1e-9 and abs(value - mean) > spread * sd:
            far[judge] = float((value - mean) / sd)
    return far
