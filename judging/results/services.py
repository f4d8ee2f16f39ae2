"""Writes of results: computing a round and choosing the entries that advance. Every
computation keeps the digests of its inputs and ranking, so recomputation is checkable."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Avg, Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.selectors import category_codes
from judging import messages
from judging.errors import JudgingError
from judging.models import (
    Assignment,
    Criterion,
    Judge,
    JudgeResult,
    JudgingEvent,
    Round,
    RoundComputation,
    RoundEntry,
    RoundResult,
    RoundUncertainty,
    Score,
    ScoreSheet,
)
from judging.phases import round_phase
from judging.results.compute import EntryFigures, RoundResults, Sheet, compute, rank
from judging.results.next_round import MAX_EXTRA, Recommendation, candidates_from, recommend
from judging.results.next_round import TARGET as NEXT_TARGET
from judging.results.uncertainty import DRAWS, SEED, Uncertainty, far_judges, simulate
from judging.rounds.services import round_sync_entries

# The default N of "the chance of being in the true top N" kept with the results (the
# shortlist preview judges a list of any size from the kept simulations).
UNCERTAINTY_TOP = 100


def round_sheets(*, round: Round) -> list[Sheet]:
    """The round's submitted sheets as plain data (one query)."""
    return [
        Sheet(entry=round_entry_id, judge=judge_id, total=float(total))
        for round_entry_id, judge_id, total in ScoreSheet.objects.filter(
            assignment__round=round, status=ScoreSheet.Status.SUBMITTED
        ).values_list("assignment__round_entry_id", "assignment__judge_id", "total")
    ]


def combined_sheets(*, round: Round) -> list[Sheet]:
    """The round's submitted sheets and every earlier round's of the contest, for one fit of
    them all (``Round.combine_earlier``): an earlier sheet of an entry in this round counts for
    this round's entry; an entry that did not come this far keeps its earliest round entry id
    (its sheets still measure the judges, and it still stands in the true top N of the
    simulations). Two queries."""
    mine = dict(RoundEntry.objects.filter(round=round).values_list("entry_id", "pk"))
    others: dict[int, int] = {}
    sheets = round_sheets(round=round)
    for round_entry_id, entry_id, judge_id, total in (
        ScoreSheet.objects.filter(
            assignment__round__contest_id=round.contest_id,
            assignment__round__order__lt=round.order,
            status=ScoreSheet.Status.SUBMITTED,
        )
        .order_by("assignment__round_entry_id", "pk")
        .values_list(
            "assignment__round_entry_id", "assignment__round_entry__entry_id", "assignment__judge_id", "total"
        )
    ):
        entry = mine.get(entry_id) or others.setdefault(entry_id, round_entry_id)
        sheets.append(Sheet(entry=entry, judge=judge_id, total=float(total)))
    return sheets


def round_criterion_means(*, round: Round) -> dict[int, tuple[float, ...]]:
    """Mean points per criterion of each entry over its submitted sheets, averaged by the
    database (rubric order; None where no sheet scored that criterion)."""
    criteria = list(
        Criterion.objects.filter(round=round).order_by("sort_order", "pk").values_list("pk", flat=True)
    )
    position = {pk: i for i, pk in enumerate(criteria)}
    means: dict[int, list] = {}
    for round_entry_id, criterion_id, average in (
        Score.objects.filter(sheet__assignment__round=round, sheet__status=ScoreSheet.Status.SUBMITTED)
        .values("sheet__assignment__round_entry_id", "criterion_id")
        .annotate(average=Avg("points"))
        .values_list("sheet__assignment__round_entry_id", "criterion_id", "average")
    ):
        means.setdefault(round_entry_id, [None] * len(criteria))[position[criterion_id]] = float(average)
    return {entry: tuple(values) for entry, values in means.items()}


RESULT_FIELDS = (
    "round",
    "round_entry",
    "sheets",
    "mean",
    "median",
    "trimmed",
    "zscore",
    "calibrated",
    "spread",
    "sd",
    "criteria",
    "score",
    "rank",
    "flagged",
    "combined",
    "combined_rank",
    "score_low",
    "score_high",
    "top_chance",
)


def _insert_rows(model, fields, rows, batch: int = 1000) -> None:
    """INSERT many rows with executemany: at national scale (20,000 results × 16 columns)
    bulk_create spent most of the computation preparing values one by one."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from model metadata, quoted)
        quote(meta.db_table), ", ".join(quote(c.column) for c in columns), ", ".join(["%s"] * len(columns))
    )
    json_positions = [i for i, c in enumerate(columns) if c.get_internal_type() == "JSONField"]
    prepared = []
    with connection.cursor() as cursor:
        for row in rows:
            row = list(row)
            for i in json_positions:
                row[i] = columns[i].get_db_prep_save(row[i], connection)
            prepared.append(row)
            if len(prepared) >= batch:
                cursor.executemany(sql, prepared)
                prepared = []
        if prepared:
            cursor.executemany(sql, prepared)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def compute_round_results(*, round: Round, by=None, top: int = UNCERTAINTY_TOP) -> RoundComputation:
    """Compute and store every figure of the round from its submitted sheets. The same
    sheets give the same ranking; the digests of inputs and ranking are kept to show it.
    With them, how sure the ranking is (``judging.results.uncertainty``, seeded): each entry's
    interval and chance of the true top ``top``, and how many of the ranking's top ``top`` are
    expected not to be in the true top ``top``."""
    sheets = combined_sheets(round=round) if round.combine_earlier else round_sheets(round=round)
    if not sheets:
        raise JudgingError(_("本轮还没有已提交的评分表，无法计算成绩。"))
    submitted = dict(RoundEntry.objects.filter(round=round).values_list("pk", "entry__submitted_at"))
    tie = round.tie_criterion_position - 1 if round.tie_criterion_position else None
    criterion_means = round_criterion_means(round=round)
    outcome = compute(
        sheets,
        method=round.method,
        shrinkage=float(round.shrinkage),
        flag_spread=float(round.disagreement_threshold),
        tie_criterion=tie,
        submitted_order={pk: (at.timestamp() if at else float("inf"),) for pk, at in submitted.items()},
        entry_criteria=criterion_means,
    )
    if round.combine_earlier:
        # One fit of every round's sheets: the figures of this round's entries, ranked among
        # themselves; the score is already the contest's, stage weights do not apply.
        outcome.entries = [f for f in outcome.entries if f.entry in submitted]
        rank(
            outcome.entries,
            tie_criterion=tie,
            submitted_order={pk: (at.timestamp() if at else float("inf"),) for pk, at in submitted.items()},
        )
        combined = {f.entry: f.score for f in outcome.entries}
    else:
        combined = _combined_scores(round, outcome)
    combined_figures = [EntryFigures(**{**f.__dict__, "score": combined[f.entry]}) for f in outcome.entries]
    rank(
        combined_figures,
        tie_criterion=tie,
        submitted_order={pk: (at.timestamp() if at else float("inf"),) for pk, at in submitted.items()},
    )
    combined_rank = {f.entry: f.rank for f in combined_figures}
    uncertainty = simulate(sheets, shrinkage=float(round.shrinkage), draws=DRAWS, seed=SEED)
    top = max(1, min(int(top), len(outcome.entries)))
    chance = dict(zip(uncertainty.entries.tolist(), uncertainty.top_chance(top).tolist(), strict=True))
    low = dict(zip(uncertainty.entries.tolist(), uncertainty.low.tolist(), strict=True))
    high = dict(zip(uncertainty.entries.tolist(), uncertainty.high.tolist(), strict=True))
    misses = uncertainty.misses([f.entry for f in sorted(combined_figures, key=lambda f: f.rank)[:top]])
    far = far_judges({j.judge: j.offset for j in outcome.judges})
    assigned = dict(
        Assignment.objects.filter(round=round)
        .values("judge_id")
        .annotate(n=Count("pk"))
        .values_list("judge_id", "n")
    )
    with transaction.atomic():
        RoundResult.objects.filter(round=round).delete()
        _insert_rows(
            RoundResult,
            RESULT_FIELDS,
            (
                (
                    round.pk,
                    f.entry,
                    f.sheets,
                    f.mean,
                    f.median,
                    f.trimmed,
                    f.zscore,
                    f.calibrated,
                    f.spread,
                    f.sd,
                    list(f.criteria),
                    f.score,
                    f.rank,
                    f.flagged,
                    combined[f.entry],
                    combined_rank[f.entry],
                    low[f.entry],
                    high[f.entry],
                    chance[f.entry],
                )
                for f in outcome.entries
            ),
        )
        JudgeResult.objects.filter(round=round).delete()
        JudgeResult.objects.bulk_create(
            JudgeResult(
                round=round,
                judge_id=j.judge,
                assigned=assigned.get(j.judge, 0),
                sheets=j.sheets,
                mean=j.mean,
                sd=j.sd,
                offset=j.offset,
                far=far.get(j.judge),
            )
            for j in outcome.judges
        )
        _store_uncertainty(round=round, uncertainty=uncertainty, top=top, misses=misses)
        computation = RoundComputation.objects.create(
            round=round,
            computed_by=by,
            method=round.method,
            shrinkage=float(round.shrinkage),
            sheets=len(sheets),
            entries=len(outcome.entries),
            icc=outcome.icc,
            kendall_w=outcome.kendall_w,
            pool_mean=outcome.pool_mean,
            pool_sd=outcome.pool_sd,
            inputs_digest=_digest(
                [
                    sorted((s.entry, s.judge, f"{s.total:.3f}") for s in sheets),
                    sorted(
                        (e, [None if m is None else f"{m:.4f}" for m in means])
                        for e, means in criterion_means.items()
                    ),
                ]
            ),
            ranking_digest=_digest([(f.entry, f.rank) for f in outcome.entries]),
        )
        JudgingEvent.objects.create(
            round=round,
            kind=JudgingEvent.Kind.RESULTS,
            actor=by,
            after={
                "method": round.method,
                "sheets": len(sheets),
                "entries": len(outcome.entries),
                "ranking_digest": computation.ranking_digest,
            },
        )
    return computation


def _store_uncertainty(*, round: Round, uncertainty: Uncertainty, top: int, misses) -> RoundUncertainty:
    RoundUncertainty.objects.filter(round=round).delete()
    return RoundUncertainty.objects.create(
        round=round,
        top=top,
        draws=uncertainty.draws,
        seed=uncertainty.seed,
        sigma=uncertainty.sigma,
        sigma_estimated=uncertainty.sigma_estimated,
        expected_misses=misses.expected,
        misses_low=misses.low,
        misses_high=misses.high,
        parts=[{"entries": list(p.entries), "judges": list(p.judges)} for p in uncertainty.parts],
        data=uncertainty.dumps(),
    )


def _combined_scores(round: Round, outcome: RoundResults) -> dict[int, float]:
    """Scores combined with earlier rounds of the contest by their stage weights, for the
    entries of this round (an earlier round's score counts where the entry has one)."""
    entry_of = dict(RoundEntry.objects.filter(round=round).values_list("pk", "entry_id"))
    earlier: dict[int, list[tuple[float, float]]] = {}
    for entry_id, score, weight in RoundResult.objects.filter(
        round__contest_id=round.contest_id, round__order__lt=round.order
    ).values_list("round_entry__entry_id", "score", "round__stage_weight"):
        earlier.setdefault(entry_id, []).append((score, float(weight)))
    weight = float(round.stage_weight)
    combined = {}
    for f in outcome.entries:
        parts = [(f.score, weight), *earlier.get(entry_of[f.entry], [])]
        total_weight = sum(w for _s, w in parts) or 1.0
        combined[f.entry] = sum(s * w for s, w in parts) / total_weight
    return combined


def advance(*, round: Round, by, top: int | None = None, per_category: dict[str, int] | None = None) -> int:
    """Mark the entries that go on to the next round: the top ``top`` by combined rank, or
    the top n of each category. Returns how many advance."""
    results = list(
        RoundResult.objects.filter(round=round).select_related("round_entry__entry").order_by("combined_rank")
    )
    if not results:
        raise JudgingError(_("请先计算本轮成绩。"))
    chosen = set()
    if per_category:
        codes = category_codes()
        taken: dict[str, int] = {}
        for result in results:
            code = codes.get(result.round_entry.entry.category_id)
            if taken.get(code, 0) < per_category.get(code, 0):
                taken[code] = taken.get(code, 0) + 1
                chosen.add(result.round_entry_id)
    elif top:
        chosen = {r.round_entry_id for r in results[:top]}
    else:
        raise JudgingError(_("请填写晋级数量。"))
    _mark_advanced(round=round, chosen=chosen, by=by, after={"top": top, "per_category": per_category or {}})
    return len(chosen)


def _mark_advanced(*, round: Round, chosen: set[int], by, after: dict) -> None:
    """The chosen round entries advance, the others no longer do; logged, teams told."""
    with transaction.atomic():
        before = list(
            RoundEntry.objects.filter(round=round, advanced=True).values_list("blind_code", flat=True)
        )
        RoundEntry.objects.filter(round=round).update(advanced=False)
        RoundEntry.objects.filter(pk__in=chosen).update(advanced=True)
        now = list(RoundEntry.objects.filter(round=round, advanced=True).values_list("blind_code", flat=True))
        JudgingEvent.objects.create(
            round=round,
            kind=JudgingEvent.Kind.ADVANCED,
            actor=by,
            before={"advanced": sorted(before)},
            after={"advanced": sorted(now), **after},
        )
        messages.entries_advanced(round=round, round_entry_ids=chosen)


# --- A second round aimed at the boundary (复评建议) -------------------------------------------

NEXT_ROUND_DAYS = 14  # the new round's scoring window until the organizer sets its dates


@dataclass
class NextRoundPlan:
    """The recommendation for the next round from this round's results, by round entry id."""

    round: Round
    top: int
    recommendation: Recommendation
    codes: dict[int, str]  # round entry id → blind code
    chance: dict[int, float]  # round entry id → chance of the true top ``top``
    sheets: dict[int, int]  # round entry id → submitted sheets it has
    per_category: dict[str, int] = field(default_factory=dict)  # category places, when chosen so


def next_round_refusal(round: Round, *, computed: bool | None = None) -> str | None:
    """Why no next round may be planned from this round now (in words), or None (two queries;
    one when the caller knows whether the results are ``computed``)."""
    if not round_phase(round).can_plan_next:
        return _("评分截止、成绩计算之后，才能按本轮成绩安排复评。")
    if computed is None:
        computed = RoundUncertainty.objects.filter(round=round).exists()
    if not computed:
        return _("请先计算本轮成绩。")
    later = Round.objects.filter(contest_id=round.contest_id, order__gt=round.order).order_by("order").first()
    if later is not None:
        return _("这届大赛在本轮之后已有“%(name)s”，不能再按本轮成绩新建复评。") % {"name": later.name}
    return None


def recommend_next_round(
    *, round: Round, budget: int, target: float = NEXT_TARGET, per_category: dict[str, int] | None = None
) -> NextRoundPlan:
    """Which entries the next round should see and how many extra judges each should get
    (``judging.results.next_round``), from the round's kept simulations (five queries; six
    with ``per_category``).

    ``per_category`` (category code → places): the list is chosen by category places (as
    ``advance`` does), so an entry's chance is of being among the true best of its category's
    places, and the misses are counted within categories; without it, the top N kept with the
    results (``RoundUncertainty.top``)."""
    kept = RoundUncertainty.objects.filter(round=round).first()
    refusal = next_round_refusal(round, computed=kept is not None)
    if refusal:
        raise JudgingError(refusal)
    if budget is None or budget < 0:
        raise JudgingError(_("评分表预算不能为负数。"))
    if target is None or target < 0:
        raise JudgingError(_("目标不能为负数。"))
    sure = Uncertainty.loads(kept.data)
    rows = list(
        RoundResult.objects.filter(round=round)
        .order_by("combined_rank")
        .values_list("round_entry_id", "round_entry__entry_id", "round_entry__blind_code", "sheets")
    )
    mine = np.array(sorted(r[0] for r in rows), dtype=np.int64)
    where = sure.positions(mine)
    places = {code: int(n) for code, n in (per_category or {}).items() if n and int(n) > 0}
    if any(int(n) < 0 for n in (per_category or {}).values()):
        raise JudgingError(_("类别名额不能为负数。"))
    if places:
        # Every simulated entry's category (entries of earlier rounds fitted together too).
        category_of = dict(
            RoundEntry.objects.filter(pk__in=sure.entries.tolist()).values_list("pk", "entry__category__code")
        )
        chance_all = sure.category_chance(category_of, places)
        taken: dict[str, int] = {}
        listed = []
        for row in rows:
            code = category_of.get(row[0])
            if taken.get(code, 0) < places.get(code, 0):
                taken[code] = taken.get(code, 0) + 1
                listed.append(row[0])
        misses_before = sure.category_misses(listed, category_of, places).expected
        top = sum(places.values())
    else:
        chance_all = sure.top_chance(kept.top)
        misses_before = sure.misses([r[0] for r in rows[: kept.top]]).expected
        top = kept.top
    entries = sure.entries[where]
    judges = Judge.objects.filter(active=True).count()
    seen = dict(
        Assignment.objects.filter(
            round__contest_id=round.contest_id,
            round__order__lte=round.order,
            round_entry__entry_id__in=[r[1] for r in rows],
        )
        .values("round_entry__entry_id")
        .annotate(n=Count("judge_id", distinct=True))
        .values_list("round_entry__entry_id", "n")
    )
    entry_of = {r[0]: r[1] for r in rows}
    room = [min(MAX_EXTRA, max(judges - seen.get(entry_of[int(e)], 0), 0)) for e in entries]
    sheets = {r[0]: r[3] for r in rows}
    candidates = candidates_from(
        entries, chance_all[where], sure.low[where], sure.high[where], [sheets[int(e)] for e in entries], room
    )
    advice = recommend(
        candidates,
        sigma=sure.sigma,
        budget=int(budget),
        target=float(target),
        misses_before=misses_before,
    )
    return NextRoundPlan(
        round=round,
        top=top,
        per_category=places,
        recommendation=advice,
        codes={r[0]: r[2] for r in rows},
        chance={int(e): float(c) for e, c in zip(entries, chance_all[where], strict=True)},
        sheets=sheets,
    )


def chosen_entries(plan: NextRoundPlan, entry_ids) -> list[int]:
    """The round entries of the recommendation that the organizer kept (``entry_ids``, round
    entry ids; None: all of them). An id the recommendation does not carry is refused."""
    carried = plan.recommendation.carried
    if entry_ids is None:
        return carried
    chosen = set()
    for value in entry_ids:
        try:
            chosen.add(int(value))
        except (TypeError, ValueError):
            raise JudgingError(_("所选项目有误，请刷新页面后重新选择。")) from None
    foreign = chosen - set(carried)
    if foreign:
        codes = sorted(
            RoundEntry.objects.filter(pk__in=foreign, round=plan.round).values_list("blind_code", flat=True)
        )
        if codes:
            raise JudgingError(
                _("%(codes)s 不在本次复评建议中，不能加入复评；请刷新页面后重新选择。")
                % {"codes": "、".join(codes)}
            )
        raise JudgingError(_("所选项目不属于本轮，请刷新页面后重新选择。"))
    if not chosen:
        raise JudgingError(_("请至少选择一个进入复评的项目。"))
    return sorted(chosen)


def create_next_round(
    *,
    round: Round,
    by,
    budget: int,
    target: float = NEXT_TARGET,
    name: str | None = None,
    entry_ids=None,
    per_category: dict[str, int] | None = None,
) -> Round:
    """Create the next round from the recommendation, in one step: the entries it carries
    advance from this round; the new round takes them (``entry_source`` advanced), with this
    round's rubric and method, one fit of both rounds' sheets (``combine_earlier``), and each
    entry's extra judges (``RoundEntry.judges_needed``: 0 for an entry that goes on without new
    sheets). Its assignment is then run like any round's (``assign_round``).

    ``entry_ids`` (round entry ids of this round): the organizer's choice among the entries the
    recommendation carries (the others are dropped with their extra judges); None keeps all.
    An id outside the recommendation is refused, and so is an empty choice."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        plan = recommend_next_round(round=round, budget=budget, target=target, per_category=per_category)
        advice = plan.recommendation
        if not advice.carried:
            raise JudgingError(_("没有需要复评的项目：本轮所有项目的入选把握都已接近 0 或 100%。"))
        carried = chosen_entries(plan, entry_ids)
        dropped = sorted(set(advice.carried) - set(carried))
        extra = {pk: advice.extra.get(pk, 0) for pk in carried}
        now = timezone.now()
        most = max(extra.values(), default=0)
        nxt = Round.objects.create(
            contest_id=round.contest_id,
            name=(name or "").strip()[:50] or _("复评"),
            order=(Round.objects.filter(contest_id=round.contest_id).aggregate(m=Max("order"))["m"] or 0) + 1,
            scoring_opens=now,
            scoring_closes=now + timedelta(days=NEXT_ROUND_DAYS),
            judges_per_entry=max(most, 1),
            min_sheets=round.required_sheets,
            entry_source=Round.Source.ADVANCED,
            proportional_to_capacity=round.proportional_to_capacity,
            method=round.method,
            shrinkage=round.shrinkage,
            disagreement_threshold=round.disagreement_threshold,
            tie_criterion_position=round.tie_criterion_position,
            stage_weight=round.stage_weight,
            combine_earlier=True,
        )
        Criterion.objects.bulk_create(
            Criterion(
                round=nxt,
                name=c.name,
                guidance=c.guidance,
                max_points=c.max_points,
                weight=c.weight,
                sort_order=c.sort_order,
            )
            for c in Criterion.objects.filter(round=round).order_by("sort_order", "pk")
        )
        _mark_advanced(
            round=round,
            chosen=set(carried),
            by=by,
            after={
                "next_round": nxt.pk,
                "budget": advice.budget,
                "sheets": sum(extra.values()),
                "dropped": sorted(plan.codes[pk] for pk in dropped),
                "misses_before": round_figure(advice.misses_before),
                "misses_after": round_figure(advice.misses_after),
                "per_category": plan.per_category,
            },
        )
        round_sync_entries(round=nxt, by=by)
        entry_of = dict(RoundEntry.objects.filter(pk__in=carried).values_list("pk", "entry_id"))
        wanted: dict[int, list[int]] = {}
        for round_entry_id in carried:
            wanted.setdefault(extra[round_entry_id], []).append(entry_of[round_entry_id])
        for count, entry_ids in wanted.items():  # at most MAX_EXTRA + 1 updates
            RoundEntry.objects.filter(round=nxt, entry_id__in=entry_ids).update(judges_needed=count)
    return nxt


def round_figure(value: float) -> float:
    return round(float(value), 2)
