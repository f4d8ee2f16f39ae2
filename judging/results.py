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
barely corrected. The normal equations are sparse and solved exactly.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_array, csr_array
from scipy.sparse.linalg import spsolve

METHODS = ("calibrated", "mean", "trimmed", "zscore")
DEFAULT_SHRINKAGE = 5.0


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


def calibrate(
    entry_index: np.ndarray,
    judge_index: np.ndarray,
    y: np.ndarray,
    n_entries: int,
    n_judges: int,
    shrinkage: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares for y = q[entry] + b[judge] with penalty shrinkage·Σb² (exact solve)."""
    n = n_entries + n_judges
    rows = np.arange(len(y))
    design = coo_array(
        (
            np.ones(2 * len(y)),
            (np.concatenate([rows, rows]), np.concatenate([entry_index, n_entries + judge_index])),
        ),
        shape=(len(y), n),
    ).tocsr()
    normal = (design.T @ design).tocsr()
    penalty = np.zeros(n)
    penalty[n_entries:] = shrinkage
    # Entries with no sheet would make the system singular: a tiny ridge keeps it solvable.
    penalty[:n_entries] = 1e-9
    normal = csr_array(normal + coo_array((penalty, (np.arange(n), np.arange(n))), shape=(n, n)))
    solution = spsolve(normal.tocsc(), design.T @ y)
    return solution[:n_entries], solution[n_entries:]


def compute(
    sheets: list[Sheet],
    *,
    method: str = "calibrated",
    shrinkage: float = DEFAULT_SHRINKAGE,
    flag_spread: float = 20.0,
    tie_criterion: int | None = None,
    submitted_order: dict[int, tuple] | None = None,
) -> RoundResults:
    """All figures for a round and its ranking by ``method``.

    Ties break by median, then the mean of criterion ``tie_criterion`` (index in the rubric),
    then earlier submission (``submitted_order`` maps entry → sortable key), then entry id."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    sheets = sorted(sheets, key=lambda s: (s.entry, s.judge))
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

    quality, offset = calibrate(ei, ji, y, len(entry_ids), len(judge_ids), shrinkage)

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
                criteria=tuple(float(x) for x in np.nanmean(crit[idx], axis=0)) if n_criteria else (),
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
    """Order by score (2 decimals, so rounding noise never decides), then the tie-breaks."""

    def key(f: EntryFigures):
        criterion = f.criteria[tie_criterion] if tie_criterion is not None and f.criteria else 0.0
        return (
            -round(f.score, 2),
            -round(f.median, 2),
            -round(criterion, 2),
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
    pairs of judges over the entries they both scored (at least ``min_common``), as
    W = ((m−1)·ρ̄ + 1)/m for m judges — the identity that holds for complete rankings."""
    from itertools import combinations

    from scipy.stats import spearmanr

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
        xa = [value[(e, a)] for e in entries]
        xb = [value[(e, b)] for e in entries]
        if len(set(xa)) < 2 or len(set(xb)) < 2:
            continue
        correlations.append(spearmanr(xa, xb).statistic)
    if not correlations:
        return None
    m = len(set(judge_index.tolist()))
    rho = float(np.mean(correlations))
    return ((m - 1) * rho + 1) / m
