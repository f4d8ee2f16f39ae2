"""Results of a round from its score sheets: pure, set-based computation (numpy/scipy),
callable without the web layer (DESIGN §5).

Inputs are plain arrays of sheets (entry, judge, total); outputs are per-entry figures for
every method (raw mean, median, trimmed mean, z-score, calibrated), per-judge figures, the
round's agreement, and a ranking with deterministic tie-breaks. Recomputing from the same
sheets gives the same numbers, whatever the order of the sheets.

Calibration (the default method) fits the additive model
    score(entry, judge) = quality(entry) + offset(judge) + noise
by least squares with a ridge penalty ``shrinkage · Σ offset²``: a judge's offset is shrunk
toward 0 as if they had ``shrinkage`` extra sheets at offset 0, so a judge with few sheets is
barely corrected. The normal equations are sparse and solved exactly. Qualities and offsets are
only determined up to a common shift within each connected part of the judge–entry graph
(every quality +c, every offset −c fits equally well); the ridge settles it at Σ offset = 0 in
each part, which keeps the qualities on the scale of the sheets. ``shrinkage = 0`` (or less)
is plain least squares with that same convention.

Rankings compare scores in millionths of a point (``score_units``): fine enough that the
calibration, not a tie-break, decides between entries whose scores really differ, coarse
enough that floating-point noise never does.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_array, csc_array, csr_array, diags_array
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

METHODS = ("calibrated", "mean", "trimmed", "zscore")
# How the calibrated method models a judge (``calibrate_judges``): "additive" (an offset: the
# default, chosen by bench/second_round.py), "scaled" (an offset and a scale) or "robust" (an
# offset, with sheets far from the model down-weighted: Huber).
JUDGE_MODELS = ("additive", "scaled", "robust")
DEFAULT_JUDGE_MODEL = "additive"
DEFAULT_SHRINKAGE = 5.0
SCALE_SHRINKAGE = 20.0  # a judge's scale is shrunk toward 1 as if by this many sheets
HUBER = 1.345  # residuals beyond this many σ weigh less (95 % efficiency under normal noise)
SCORE_UNITS = 1_000_000  # scores compare in millionths of a point


def score_units(value: float) -> int:
    """A score as whole millionths of a point, for ranking and for the shortlist's objective.

    Rounding to two decimals (as displayed) would make a large share of neighbours near a
    shortlist's cut-off "tie" and hand the decision to the raw median, undoing the
    calibration; comparing exact floats would let rounding noise (~1e-9) decide real ties."""
    return round(value * SCORE_UNITS) if value == value else -(10**18)


@dataclass(frozen=True)
class Sheet:
    entry: int
    judge: int
    total: float
    criteria: tuple[float, ...] = ()  # points per criterion, in rubric order


@dataclass
class EntryFigures:
    entry: int
    sheets: int
    mean: float
    median: float
    trimmed: float
    zscore: float
    calibrated: float
    spread: float  # highest minus lowest total
    sd: float
    criteria: tuple[float, ...]  # mean points per criterion
    score: float = 0.0  # by the round's method
    # The first tie-break: the median of the per-sheet values the method averages — raw totals
    # (mean, trimmed), z-scores on the pool scale, or totals less the judge's offset
    # (calibrated), so a tie in a calibrated score is not broken in favour of lenient judges.
    tie_median: float = 0.0
    rank: int = 0
    flagged: bool = False


@dataclass
class JudgeFigures:
    judge: int
    sheets: int
    mean: float
    sd: float
    offset: float  # severity: negative = harsh, positive = lenient


@dataclass
class RoundResults:
    method: str
    entries: list[EntryFigures]
    judges: list[JudgeFigures]
    icc: float | None
    kendall_w: float | None
    pool_mean: float
    pool_sd: float
    shrinkage: float
    notes: list[str] = field(default_factory=list)

    def by_entry(self) -> dict[int, EntryFigures]:
        return {e.entry: e for e in self.entries}


def trimmed_mean(values: np.ndarray) -> float:
    """Drop one highest and one lowest when there are at least four sheets (去掉一个最高分
    和一个最低分); otherwise the plain mean."""
    values = np.sort(values)
    if len(values) >= 4:
        values = values[1:-1]
    return float(values.mean())


@dataclass
class NormalSystem:
    """The normal equations of the additive model with the entries eliminated (see
    ``calibrate``): ``system`` · offset = ``rhs(y)``, then quality from the offsets. The design
    is the same for any totals on the same sheets, so one factorisation serves many solves
    (``judging.results.uncertainty`` simulates hundreds of right-hand sides)."""

    entry_index: np.ndarray
    judge_index: np.ndarray
    n_entries: int
    n_judges: int
    sheets_by: csr_array  # sheets of entry e by judge j
    per_entry: np.ndarray  # sheets per entry (at least 1)
    ridge: np.ndarray  # per judge: the penalty weight on its offset
    system: csc_array  # judges × judges (Schur complement)
    parts: int
    part: np.ndarray  # connected part of every entry, then every judge

    @property
    def judge_part(self) -> np.ndarray:
        return self.part[self.n_entries :]

    def entry_sums(self, y: np.ndarray) -> np.ndarray:
        """Σ y per entry; ``y`` may have one column per simulation."""
        if y.ndim == 1:
            return np.bincount(self.entry_index, weights=y, minlength=self.n_entries)
        return self.sheet_matrix("entry") @ y

    def judge_sums(self, y: np.ndarray) -> np.ndarray:
        if y.ndim == 1:
            return np.bincount(self.judge_index, weights=y, minlength=self.n_judges)
        return self.sheet_matrix("judge") @ y

    def sheet_matrix(self, side: str) -> csr_array:
        """Entries × sheets (or judges × sheets) incidence, to sum many columns at once."""
        index, size = (
            (self.entry_index, self.n_entries) if side == "entry" else (self.judge_index, self.n_judges)
        )
        n = len(index)
        return coo_array((np.ones(n), (index, np.arange(n))), shape=(size, n)).tocsr()


def normal_system(
    entry_index: np.ndarray, judge_index: np.ndarray, n_entries: int, n_judges: int, shrinkage: float
) -> NormalSystem:
    """Normal equations — per entry: n_e·q_e + Σ_j B_ej·b_j = Σ y; per judge: Σ_e B_ej·q_e +
    (n_j + shrinkage)·b_j = Σ y, with B_ej the sheets of entry e by judge j. The entries'
    block is diagonal, so q is eliminated exactly and a judges × judges system (the Schur
    complement) is left: fast however many entries there are."""
    ones = np.ones(len(entry_index))
    graph = coo_array((ones, (entry_index, n_entries + judge_index)), shape=(n_entries + n_judges,) * 2)
    parts, part = connected_components(graph, directed=False)
    judge_part = part[n_entries:]
    sheets_by = coo_array((ones, (entry_index, judge_index)), shape=(n_entries, n_judges)).tocsr()
    per_entry = np.maximum(np.bincount(entry_index, minlength=n_entries), 1).astype(float)
    ridge = np.zeros(n_judges)
    if shrinkage > 0:
        ridge[:] = shrinkage
    else:
        _parts, first_judge = np.unique(judge_part, return_index=True)
        ridge[first_judge] = 1.0
    system = diags_array(np.bincount(judge_index, minlength=n_judges) + ridge) - sheets_by.T @ (
        sheets_by / per_entry[:, None]
    )
    return NormalSystem(
        entry_index=entry_index,
        judge_index=judge_index,
        n_entries=n_entries,
        n_judges=n_judges,
        sheets_by=sheets_by,
        per_entry=per_entry,
        ridge=ridge,
        system=csc_array(system),
        parts=parts,
        part=part,
    )


def calibrate(
    entry_index: np.ndarray,
    judge_index: np.ndarray,
    y: np.ndarray,
    n_entries: int,
    n_judges: int,
    shrinkage: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares for y = q[entry] + b[judge] with penalty shrinkage·Σb² (exact solve).

    Every entry has at least one sheet, so only the offsets need the ridge for a unique
    solution. The optimum has Σb = 0 within each connected part of the judge–entry graph
    (moving every q up and every b down by c leaves the fit unchanged, and Σ(b−c)² is least at
    c = mean b); that is re-imposed after the solve, which also removes the solver's drift
    along the shift when the ridge is tiny. With shrinkage 0 (plain least squares) one judge
    per part is pinned instead: a penalty on b of that judge alone only picks a point on the
    line of equally good fits, it does not move the fit."""
    return solve_calibration(normal_system(entry_index, judge_index, n_entries, n_judges, shrinkage), y)


def solve_calibration(ns: NormalSystem, y: np.ndarray, solve=None) -> tuple[np.ndarray, np.ndarray]:
    """Qualities and offsets from the totals ``y`` (see ``calibrate``); ``solve`` is a
    factorisation of ``ns.system`` to reuse, else the system is solved directly."""
    entry_sums = ns.entry_sums(y)
    rhs = ns.judge_sums(y) - ns.sheets_by.T @ (entry_sums / ns.per_entry)
    offset = np.atleast_1d(solve(rhs) if solve is not None else spsolve(ns.system, rhs))
    quality = (entry_sums - ns.sheets_by @ offset) / ns.per_entry
    judge_part = ns.judge_part
    shift = np.bincount(judge_part, weights=offset, minlength=ns.parts) / np.maximum(
        np.bincount(judge_part, minlength=ns.parts), 1
    )
    return quality + shift[ns.part[: ns.n_entries]], offset - shift[judge_part]


def weighted_calibrate(
    entry_index: np.ndarray,
    judge_index: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    n_entries: int,
    n_judges: int,
    shrinkage: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``calibrate`` with a weight per sheet: least squares Σ w·(y − q − b)² + shrinkage·Σb²,
    the entries eliminated exactly as in ``normal_system`` (Σb = 0 per part re-imposed)."""
    ones = np.ones(len(entry_index))
    graph = coo_array((ones, (entry_index, n_entries + judge_index)), shape=(n_entries + n_judges,) * 2)
    parts, part = connected_components(graph, directed=False)
    by = coo_array((w, (entry_index, judge_index)), shape=(n_entries, n_judges)).tocsr()
    per_entry = np.maximum(np.bincount(entry_index, weights=w, minlength=n_entries), 1e-9)
    ridge = np.full(n_judges, max(shrinkage, 1e-6))
    system = diags_array(np.bincount(judge_index, weights=w, minlength=n_judges) + ridge) - by.T @ (
        by / per_entry[:, None]
    )
    entry_sums = np.bincount(entry_index, weights=w * y, minlength=n_entries)
    rhs = np.bincount(judge_index, weights=w * y, minlength=n_judges) - by.T @ (entry_sums / per_entry)
    offset = np.atleast_1d(spsolve(csc_array(system), rhs))
    quality = (entry_sums - by @ offset) / per_entry
    judge_part = part[n_entries:]
    shift = np.bincount(judge_part, weights=offset, minlength=parts) / np.maximum(
        np.bincount(judge_part, minlength=parts), 1
    )
    return quality + shift[part[:n_entries]], offset - shift[judge_part]


def calibrate_judges(
    entry_index: np.ndarray,
    judge_index: np.ndarray,
    y: np.ndarray,
    n_entries: int,
    n_judges: int,
    shrinkage: float,
    model: str = DEFAULT_JUDGE_MODEL,
    iterations: int = 15,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Qualities, offsets and per-sheet judge corrections (what to subtract from a sheet to put
    it on the common scale) under a judge model (``JUDGE_MODELS``).

    - additive: ``calibrate``;
    - robust: iteratively reweighted least squares with Huber weights min(1, c·σ/|r|) on the
      residuals r of the additive model (σ from their median absolute deviation): an erratic
      judge's wild sheets count less, without deciding by hand which are wild;
    - scaled: y = m + b_j + s_j·(q_e − m) + noise of the judge's own spread σ_j, the scale s_j
      shrunk toward 1 and σ_j² toward the pooled noise (``SCALE_SHRINKAGE``), b_j toward 0,
      fitted by alternating between entries and judges from the additive fit;
      the correction of a sheet is then y − (q_e) read back through the judge's line."""
    quality, offset = calibrate(entry_index, judge_index, y, n_entries, n_judges, shrinkage)
    if model == "additive" or len(y) == 0:
        return quality, offset, offset[judge_index]
    if model == "robust":
        for _ in range(iterations):
            residual = y - quality[entry_index] - offset[judge_index]
            scale = 1.4826 * float(np.median(np.abs(residual - np.median(residual))))
            if scale <= 1e-9:
                break
            w = np.minimum(1.0, HUBER * scale / np.maximum(np.abs(residual), 1e-12))
            quality, offset = weighted_calibrate(
                entry_index, judge_index, y, w, n_entries, n_judges, shrinkage
            )
        return quality, offset, offset[judge_index]
    if model != "scaled":
        raise ValueError(f"unknown judge model {model!r}")
    centre = float(y.mean())
    b = offset.copy()
    s = np.ones(n_judges)
    d = quality - centre
    n = np.bincount(judge_index, minlength=n_judges).astype(float)
    residual = y - quality[entry_index] - offset[judge_index]
    pooled = max(float((residual**2).mean()), 1e-6)
    precision = np.ones(n_judges) / pooled
    for _ in range(iterations):
        # Entries: weighted least squares of (y − m − b_j) on s_j, each sheet weighted by its
        # judge's precision (an erratic judge's sheets count less).
        z = y - centre - b[judge_index]
        weight = precision[judge_index]
        num = np.bincount(entry_index, weights=weight * s[judge_index] * z, minlength=n_entries)
        den = np.bincount(entry_index, weights=weight * s[judge_index] ** 2, minlength=n_entries)
        d = num / np.maximum(den, 1e-9)
        d -= d.mean()
        # Judges: ridge regression of (y − m) on [1, d_e], b toward 0, s toward 1.
        x = d[entry_index]
        t = y - centre
        sx = np.bincount(judge_index, weights=x, minlength=n_judges)
        sxx = np.bincount(judge_index, weights=x * x, minlength=n_judges)
        st = np.bincount(judge_index, weights=t, minlength=n_judges)
        sxt = np.bincount(judge_index, weights=x * t, minlength=n_judges)
        a11, a12, a22 = n + shrinkage, sx, sxx + SCALE_SHRINKAGE
        r1, r2 = st, sxt + SCALE_SHRINKAGE
        det = np.maximum(a11 * a22 - a12 * a12, 1e-12)
        b = (r1 * a22 - a12 * r2) / det
        s = np.maximum((a11 * r2 - a12 * r1) / det, 0.05)
        # Each judge's noise, shrunk toward the pooled noise as if by SCALE_SHRINKAGE sheets.
        residual = t - b[judge_index] - s[judge_index] * x
        pooled = max(float((residual**2).mean()), 1e-6)
        variance = (
            np.bincount(judge_index, weights=residual**2, minlength=n_judges) + SCALE_SHRINKAGE * pooled
        ) / (n + SCALE_SHRINKAGE)
        precision = 1 / np.maximum(variance, 1e-6)
    quality = centre + d
    # A sheet on the common scale: (y − m − b_j)/s_j + m; its correction is y less that.
    corrected = (y - centre - b[judge_index]) / s[judge_index] + centre
    return quality, b, y - corrected


def compute(
    sheets: list[Sheet],
    *,
    method: str = "calibrated",
    shrinkage: float = DEFAULT_SHRINKAGE,
    judge_model: str = DEFAULT_JUDGE_MODEL,
    flag_spread: float = 20.0,
    tie_criterion: int | None = None,
    submitted_order: dict[int, tuple] | None = None,
    entry_criteria: dict[int, tuple[float, ...]] | None = None,
) -> RoundResults:
    """All figures for a round and its ranking by ``method``.

    Per-criterion means come from the sheets' ``criteria``, or — when the caller has them
    already averaged (the database does it for 600,000 scores faster than Python) — from
    ``entry_criteria`` (entry → mean points per criterion, in rubric order).

    Ties break by the median of the per-sheet values the method averages (for the calibrated
    method: each total less its judge's offset), then the mean of criterion ``tie_criterion``
    (index in the rubric), then earlier submission (``submitted_order`` maps entry → sortable
    key), then entry id."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    sheets = sorted(sheets, key=lambda s: (s.entry, s.judge, s.total, s.criteria))
    if not sheets:
        return RoundResults(method, [], [], None, None, 0.0, 0.0, shrinkage)
    entry_ids = sorted({s.entry for s in sheets})
    judge_ids = sorted({s.judge for s in sheets})
    e_pos = {e: i for i, e in enumerate(entry_ids)}
    j_pos = {j: i for i, j in enumerate(judge_ids)}
    ei = np.array([e_pos[s.entry] for s in sheets])
    ji = np.array([j_pos[s.judge] for s in sheets])
    y = np.array([s.total for s in sheets], dtype=float)
    n_criteria = max((len(s.criteria) for s in sheets), default=0)
    crit = np.array([s.criteria if len(s.criteria) == n_criteria else (np.nan,) * n_criteria for s in sheets])

    pool_mean = float(y.mean())
    pool_sd = float(y.std()) if len(y) > 1 else 0.0

    # Per-judge z-scores mapped back onto the pool's scale.
    judge_count = np.bincount(ji, minlength=len(judge_ids))
    judge_sum = np.bincount(ji, weights=y, minlength=len(judge_ids))
    judge_mean = judge_sum / np.maximum(judge_count, 1)
    judge_sq = np.bincount(ji, weights=(y - judge_mean[ji]) ** 2, minlength=len(judge_ids))
    judge_sd = np.sqrt(judge_sq / np.maximum(judge_count, 1))
    safe_sd = np.where(judge_sd > 1e-9, judge_sd, 1.0)
    z = np.where(judge_sd[ji] > 1e-9, (y - judge_mean[ji]) / safe_sd[ji], 0.0)
    mapped = pool_mean + z * pool_sd

    quality, offset, correction = calibrate_judges(
        ei, ji, y, len(entry_ids), len(judge_ids), shrinkage, judge_model
    )
    per_sheet = {"calibrated": y - correction, "mean": y, "trimmed": y, "zscore": mapped}[method]

    order = np.argsort(ei, kind="stable")
    bounds = np.searchsorted(ei[order], np.arange(len(entry_ids) + 1))
    figures = []
    for i, entry in enumerate(entry_ids):
        idx = order[bounds[i] : bounds[i + 1]]
        values = y[idx]
        figures.append(
            EntryFigures(
                entry=entry,
                sheets=len(values),
                mean=float(values.mean()),
                median=float(np.median(values)),
                trimmed=trimmed_mean(values),
                zscore=float(mapped[idx].mean()),
                calibrated=float(quality[i]),
                spread=float(values.max() - values.min()),
                sd=float(values.std()),
                criteria=(
                    tuple(entry_criteria.get(entry, ()))
                    if entry_criteria is not None
                    else tuple(float(x) for x in np.nanmean(crit[idx], axis=0))
                    if n_criteria
                    else ()
                ),
                tie_median=float(np.median(per_sheet[idx])),
            )
        )
    for f in figures:
        f.score = {"calibrated": f.calibrated, "mean": f.mean, "trimmed": f.trimmed, "zscore": f.zscore}[
            method
        ]
        f.flagged = f.sheets >= 2 and f.spread > flag_spread
    rank(figures, tie_criterion=tie_criterion, submitted_order=submitted_order or {})
    judges = [
        JudgeFigures(
            judge=judge,
            sheets=int(judge_count[j]),
            mean=float(judge_mean[j]),
            sd=float(judge_sd[j]),
            offset=float(offset[j]),
        )
        for j, judge in enumerate(judge_ids)
    ]
    return RoundResults(
        method=method,
        entries=figures,
        judges=judges,
        icc=icc_oneway(ei, y),
        kendall_w=kendall_w(ei, ji, y),
        pool_mean=pool_mean,
        pool_sd=pool_sd,
        shrinkage=shrinkage,
    )


def rank(figures: list[EntryFigures], *, tie_criterion: int | None, submitted_order: dict) -> None:
    """Order by score (in millionths, see ``score_units``), then the tie-breaks: the median of
    the method's per-sheet values (``EntryFigures.tie_median``), the designated criterion's
    mean (ignored when the rubric has no such position), earlier submission, entry id."""

    def key(f: EntryFigures):
        has_criterion = tie_criterion is not None and 0 <= tie_criterion < len(f.criteria)
        criterion = f.criteria[tie_criterion] if has_criterion else 0.0
        return (
            -score_units(f.score),
            -score_units(f.tie_median),
            -score_units(criterion),
            submitted_order.get(f.entry, ()),
            f.entry,
        )

    figures.sort(key=key)
    for position, f in enumerate(figures, start=1):
        f.rank = position


def icc_oneway(entry_index: np.ndarray, y: np.ndarray) -> float | None:
    """ICC(1): share of the variance of sheet totals that lies between entries, from a
    one-way ANOVA with unequal group sizes (n0 adjusted)."""
    counts = np.bincount(entry_index)
    counts = counts[counts > 0]
    groups = len(counts)
    total = len(y)
    if groups < 2 or total <= groups:
        return None
    sums = np.bincount(entry_index, weights=y)
    present = np.bincount(entry_index) > 0
    means = sums[present] / counts
    grand = y.mean()
    ss_between = float((counts * (means - grand) ** 2).sum())
    full_means = np.zeros(len(sums))
    full_means[present] = means
    ss_within = float(((y - full_means[entry_index]) ** 2).sum())
    ms_between = ss_between / (groups - 1)
    ms_within = ss_within / (total - groups)
    n0 = (total - (counts**2).sum() / total) / (groups - 1)
    denominator = ms_between + (n0 - 1) * ms_within
    return float((ms_between - ms_within) / denominator) if denominator > 0 else None


def kendall_w(
    entry_index: np.ndarray, judge_index: np.ndarray, y: np.ndarray, min_common: int = 3
) -> float | None:
    """Kendall's W for an incomplete design: from the mean Spearman correlation ρ̄ between
    pairs of judges over the entries they both scored (at least ``min_common``, and not all
    equal), as W = ((m−1)·ρ̄ + 1)/m — the identity that holds for m judges ranking the same
    entries. In an incomplete design m is the mean number of judges per entry (the raters an
    entry actually has): with the size of the whole pool instead, the same agreement would
    read lower in a larger pool. In a complete design both are the number of judges."""
    from itertools import combinations

    value = {}
    judges_of: dict[int, list[int]] = {}
    for e, j, v in zip(entry_index.tolist(), judge_index.tolist(), y.tolist(), strict=True):
        value[(e, j)] = v
        judges_of.setdefault(e, []).append(j)
    common: dict[tuple[int, int], list[int]] = {}
    for e, js in judges_of.items():
        for a, b in combinations(sorted(js), 2):
            common.setdefault((a, b), []).append(e)
    correlations = []
    for (a, b), entries in sorted(common.items()):
        if len(entries) < min_common:
            continue
        rho = spearman([value[(e, a)] for e in entries], [value[(e, b)] for e in entries])
        if rho is not None:
            correlations.append(rho)
    if not correlations:
        return None
    m = len(y) / len(judges_of)
    rho = float(np.mean(correlations))
    return ((m - 1) * rho + 1) / m


def average_ranks(values: list[float]) -> list[float]:
    """Ranks 1…n, tied values sharing the mean of their places."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in order[start : end + 1]:
            ranks[position] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(xa: list[float], xb: list[float]) -> float | None:
    """Spearman's ρ (Pearson's correlation of the average ranks), None when either side is
    constant. Plain Python: the lists are short and there are many of them."""
    ra, rb = average_ranks(xa), average_ranks(xb)
    mean = (len(ra) + 1) / 2  # average ranks always average to (n + 1)/2
    da, db = [r - mean for r in ra], [r - mean for r in rb]
    saa, sbb = sum(d * d for d in da), sum(d * d for d in db)
    if saa == 0 or sbb == 0:
        return None
    return sum(p * q for p, q in zip(da, db, strict=True)) / math.sqrt(saa * sbb)
