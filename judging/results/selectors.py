"""Reads of results for the back office. Each is one query (or a count and a page), so every
results page runs the same number of queries whatever the number of entries or judges."""

from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Floor

from judging.models import (
    Criterion,
    JudgeResult,
    Round,
    RoundComputation,
    RoundEntry,
    RoundResult,
    RoundUncertainty,
    ScoreSheet,
)
from judging.phases import rounds_where
from judging.results.uncertainty import Misses, Uncertainty

RANKING_SORTS = {
    "rank": ("rank",),
    "mean": ("-mean", "rank"),
    "median": ("-median", "rank"),
    "trimmed": ("-trimmed", "rank"),
    "zscore": ("-zscore", "rank"),
    "calibrated": ("-calibrated", "rank"),
    "combined": ("combined_rank",),
    "spread": ("-spread", "rank"),
    "top_chance": ("-top_chance", "rank"),
}


JUDGE_SORTS = {
    "name": ("judge__name", "judge_id"),
    "offset": ("offset", "judge__name", "judge_id"),
    "-offset": ("-offset", "judge__name", "judge_id"),
    "sheets": ("-sheets", "judge__name", "judge_id"),
}


HISTOGRAM_BIN = 5  # points per bar of the score histograms


def round_computations(*, round: Round, limit: int = 5) -> list[RoundComputation]:
    """The round's latest computations, newest first (their digests show whether a
    recomputation had the same inputs and gave the same ranking)."""
    return list(
        RoundComputation.objects.filter(round=round).select_related("computed_by").order_by("-pk")[:limit]
    )


def short_of_sheets(round: Round) -> ExpressionWrapper:
    """A result computed from fewer submitted sheets than the round requires, to annotate."""
    return ExpressionWrapper(Q(sheets__lt=round.required_sheets), output_field=BooleanField())


def entries_short_of_sheets(*, round: Round) -> QuerySet[RoundEntry]:
    """The round's entries with fewer submitted sheets than it requires (``Round.required_sheets``),
    those with none included, fewest first; each with ``submitted`` (its count now) and
    ``needed``. One query (and a count when paginated)."""
    return (
        RoundEntry.objects.filter(round=round)
        .annotate(
            submitted=Count("assignments", filter=Q(assignments__sheet__status=ScoreSheet.Status.SUBMITTED))
        )
        # An entry's own number of judges where the round gives it one (a round aimed at the
        # boundary: 0 for an entry that goes on without new sheets).
        .annotate(needed=Coalesce("judges_needed", Value(round.required_sheets, output_field=IntegerField())))
        .filter(submitted__lt=F("needed"))
        .select_related("entry__category")
        .order_by("submitted", "blind_code")
    )


def round_ranking(*, round: Round, sort: str = "rank", query: str = "", flagged: bool = False):
    """The round's results with every method's figures side by side, for a listing page; each
    says whether it is ``short`` of the submitted sheets the round requires."""
    results = (
        RoundResult.objects.filter(round=round)
        .annotate(short=short_of_sheets(round))
        .select_related("round_entry__entry__category", "round_entry__entry__team__organization__county")
    )
    query = (query or "").strip()[:50]
    if query:
        results = results.filter(
            Q(round_entry__blind_code__icontains=query)
            | Q(round_entry__title__icontains=query)
            | Q(round_entry__entry__title__icontains=query)
        )
    if flagged:
        results = results.filter(flagged=True)
    return results.order_by(*RANKING_SORTS.get(sort, RANKING_SORTS["rank"]))


def round_ranking_summary(*, round: Round) -> dict:
    """Entries with results, how many are flagged, short of sheets and advance (one query)."""
    return RoundResult.objects.filter(round=round).aggregate(
        entries=Count("pk"),
        flagged=Count("pk", filter=Q(flagged=True)),
        short=Count("pk", filter=Q(sheets__lt=round.required_sheets)),
        advanced=Count("pk", filter=Q(round_entry__advanced=True)),
    )


def calibration_effect(*, round: Round, top: int = 100) -> dict:
    """How many of the top ``top`` by the plain mean are not in the top ``top`` by the
    calibrated score (two queries): how much calibration changes the head of the ranking."""
    results = RoundResult.objects.filter(round=round)
    by_mean = set(results.order_by("-mean", "rank").values_list("pk", flat=True)[:top])
    by_calibrated = set(results.order_by("-calibrated", "rank").values_list("pk", flat=True)[:top])
    return {"top": len(by_mean), "changed": len(by_mean - by_calibrated)}


def round_uncertainty(*, round: Round) -> RoundUncertainty | None:
    """The figures of how sure the round's ranking is, without the simulations (one query)."""
    return RoundUncertainty.objects.filter(round=round).defer("data").first()


def default_top(*, round: Round, fallback: int) -> int:
    """The N of "入选把握" to offer when computing the round: the one its last computation
    used, else the latest earlier round's of the contest, else ``fallback`` (one query)."""
    top = (
        RoundUncertainty.objects.filter(round__contest_id=round.contest_id, round__order__lte=round.order)
        .order_by("-round__order")
        .values_list("top", flat=True)
        .first()
    )
    return top or fallback


def round_simulations(*, round_id: int) -> Uncertainty | None:
    """The kept simulations of the round's latest computation (one query), or None."""
    data = RoundUncertainty.objects.filter(round_id=round_id).values_list("data", flat=True).first()
    return Uncertainty.loads(data) if data is not None else None


@dataclass(frozen=True)
class ListUncertainty:
    """How sure a chosen list is (see ``list_uncertainty``)."""

    misses: Misses
    chance: dict[int, float]  # Entry id → chance of the true top ``misses.size``


def list_uncertainty(*, round_id: int, entry_ids, size: int | None = None) -> ListUncertainty | None:
    """Of a list of entries (``Entry`` ids, e.g. a shortlist), how many are expected not to be
    in the true top ``size`` (default: the list's length) by the round's kept simulations, and
    each one's chance of it (two queries); None when the round has no simulations."""
    simulations = round_simulations(round_id=round_id)
    if simulations is None:
        return None
    entry_ids = list(entry_ids)
    round_entry_of = dict(
        RoundEntry.objects.filter(round_id=round_id, entry_id__in=entry_ids).values_list("entry_id", "pk")
    )
    chosen = [round_entry_of.get(e, -1 - i) for i, e in enumerate(entry_ids)]  # unknown: always a miss
    misses = simulations.misses(chosen, size)
    chance = simulations.top_chance(misses.size)
    where = dict(zip(simulations.entries.tolist(), chance.tolist(), strict=True))
    return ListUncertainty(
        misses=misses,
        chance={e: where[round_entry_of[e]] for e in entry_ids if round_entry_of.get(e) in where},
    )


def advance_misses(
    *, round: Round, top: int | None = None, per_category: dict[str, int] | None = None
) -> Misses | None:
    """How sure the advancement rule's list is (the rule of ``services.advance``): of the top
    ``top``, how many are expected not to be in the true top ``top``; with category places,
    how many are expected not to be among the true best of their category (two queries).
    None without kept simulations or a rule."""
    if not top and not per_category:
        return None
    simulations = round_simulations(round_id=round.pk)
    if simulations is None:
        return None
    rows = list(
        RoundResult.objects.filter(round=round)
        .order_by("combined_rank")
        .values_list("round_entry_id", "round_entry__entry__category__code")
    )
    if per_category:
        taken: dict[str, int] = {}
        chosen = []
        for round_entry_id, code in rows:
            if taken.get(code, 0) < per_category.get(code, 0):
                taken[code] = taken.get(code, 0) + 1
                chosen.append(round_entry_id)
        return simulations.category_misses(chosen, dict(rows), per_category)
    return simulations.misses([round_entry_id for round_entry_id, _code in rows[:top]])


def separate_parts(*, round: Round, parts: list[dict], limit: int = 20) -> list[dict]:
    """The parts of the judge–entry graph apart from the largest (as kept in
    ``RoundUncertainty.parts``), each with how many entries and judges and the blind codes of
    up to ``limit`` entries (one query, none without parts)."""
    if not parts:
        return []
    wanted = [pk for part in parts for pk in part["entries"][:limit]]
    codes = dict(RoundEntry.objects.filter(round=round, pk__in=wanted).values_list("pk", "blind_code"))
    return [
        {
            "entries": len(part["entries"]),
            "judges": len(part["judges"]),
            "codes": [codes[pk] for pk in part["entries"][:limit] if pk in codes],
        }
        for part in parts
    ]


def round_criteria(*, round: Round) -> list[Criterion]:
    return list(Criterion.objects.filter(round=round).order_by("sort_order", "pk"))


def round_judge_results(*, round: Round, sort: str = "name") -> QuerySet[JudgeResult]:
    return (
        JudgeResult.objects.filter(round=round)
        .select_related("judge")
        .order_by(*JUDGE_SORTS.get(sort, JUDGE_SORTS["name"]))
    )


def far_judge_count(*, round: Round) -> int:
    """Judges whose offset is far from the others' (``JudgeResult.far``), one query."""
    return JudgeResult.objects.filter(round=round, far__isnull=False).count()


def judge_sheet_totals(*, round: Round, judge_ids) -> dict[int, list[float]]:
    """Submitted sheet totals of the given judges in the round (one query)."""
    totals: dict[int, list[float]] = {}
    for judge_id, total in ScoreSheet.objects.filter(
        assignment__round=round,
        assignment__judge_id__in=list(judge_ids),
        status=ScoreSheet.Status.SUBMITTED,
    ).values_list("assignment__judge_id", "total"):
        totals.setdefault(judge_id, []).append(float(total))
    return totals


def category_score_histograms(*, round: Round) -> list[dict]:
    """Per category: how many submitted sheets fall in each band of ``HISTOGRAM_BIN`` points,
    with their count and mean, counted by the database (one query, whatever the number of
    sheets). A total of 100 joins the top band."""
    bands = 100 // HISTOGRAM_BIN
    total = Cast("total", output_field=FloatField())
    category = "assignment__round_entry__entry__category"
    rows = (
        ScoreSheet.objects.filter(assignment__round=round, status=ScoreSheet.Status.SUBMITTED)
        .annotate(band=Cast(Floor(total / HISTOGRAM_BIN), IntegerField()))
        .values(
            f"{category}_id", f"{category}__name", f"{category}__name_en", f"{category}__sort_order", "band"
        )
        .annotate(count=Count("pk"), mean=Avg(total))
        .order_by(f"{category}__sort_order", f"{category}_id", "band")
    )
    categories: dict = {}
    for row in rows:
        item = categories.setdefault(
            row[f"{category}_id"],
            {
                "name": row[f"{category}__name"],
                "name_en": row[f"{category}__name_en"],
                "counts": [0] * bands,
                "count": 0,
                "sum": 0.0,
            },
        )
        band = min(max(int(row["band"] or 0), 0), bands - 1)
        item["counts"][band] += row["count"]
        item["count"] += row["count"]
        item["sum"] += (row["mean"] or 0.0) * row["count"]
    return [
        {
            "name": item["name"],
            "name_en": item["name_en"],
            "counts": item["counts"],
            "count": item["count"],
            "mean": item["sum"] / item["count"] if item["count"] else 0.0,
        }
        for item in categories.values()
    ]


def round_category_counts(*, round: Round, top: int = 0) -> dict[str, dict]:
    """Per category code: entries with results, entries advanced, and entries within the top
    ``top`` of the combined ranking (one query)."""
    return {
        row["code"]: row
        for row in RoundResult.objects.filter(round=round)
        .values(code=F("round_entry__entry__category__code"))
        .annotate(
            entries=Count("pk"),
            advanced=Count("pk", filter=Q(round_entry__advanced=True)),
            in_top=Count("pk", filter=Q(combined_rank__lte=top)),
        )
        .order_by()
    }


def advance_preview(*, round: Round, top: int | None = None, per_category: dict[str, int] | None = None):
    """How many entries would advance, in total and per category code, by the rule of
    ``judging.results.services.advance``, with the per-category counts (one query)."""
    counts = round_category_counts(round=round, top=top or 0)
    if per_category:
        chosen = {code: min(n, counts.get(code, {}).get("entries", 0)) for code, n in per_category.items()}
    else:
        chosen = {code: row["in_top"] for code, row in counts.items()}
    return {
        "total": sum(chosen.values()),
        "by_category": {c: n for c, n in chosen.items() if n},
        "counts": counts,
    }


def round_entries_for_report(*, round: Round, entry_ids) -> dict[int, RoundEntry]:
    """Round entries by entry id, with identity and result, for a shortlist or its report."""
    return {
        round_entry.entry_id: round_entry
        for round_entry in RoundEntry.objects.filter(
            round=round, entry_id__in=list(entry_ids)
        ).select_related("entry__team__organization__county", "entry__category", "result")
    }


# --- Reads other apps make of a round's results (awards: the shortlist, teams' outcomes) --------


def has_results(*, round: Round) -> bool:
    return RoundResult.objects.filter(round=round).exists()


def ranked_entries(*, round: Round) -> list[tuple[int, float, int, int | None, int]]:
    """(entry id, combined score, combined rank, category id, county id) of every entry with a
    result from at least the submitted sheets the round requires, best first (one query): the
    candidates of automatic selection. The others are ``entries_short_of_sheets``."""
    return list(
        RoundResult.objects.filter(round=round, sheets__gte=round.required_sheets)
        .order_by("combined_rank")
        .values_list(
            "round_entry__entry_id",
            "combined",
            "combined_rank",
            "round_entry__entry__category_id",
            "round_entry__entry__team__organization__county_id",
        )
    )


def entry_result(*, round_id: int, entry_id: int) -> RoundResult | None:
    return RoundResult.objects.filter(round_id=round_id, round_entry__entry_id=entry_id).first()


def best_results_except(*, round_id: int, entry_ids, limit: int = 20) -> list[RoundResult]:
    """The best-ranked results of the round whose entries are not among ``entry_ids`` (a
    queryset or a list), with what a listing shows (one query)."""
    return list(
        RoundResult.objects.filter(round_id=round_id)
        .exclude(round_entry__entry_id__in=entry_ids)
        .select_related("round_entry__entry__team__organization__county", "round_entry__entry__category")
        .order_by("combined_rank")[:limit]
    )


def round_entry_by_code(*, round_id: int, blind_code: str) -> RoundEntry | None:
    """A round entry by its blind code, typed in any case, with its entry (one query)."""
    code = (blind_code or "").strip().upper()[:12]
    if not code:
        return None
    return RoundEntry.objects.filter(round_id=round_id, blind_code=code).select_related("entry").first()


def blind_code_of(*, round_id) -> Subquery:
    """The blind code of the outer row's ``entry_id`` in the round, to annotate a queryset."""
    return Subquery(
        RoundEntry.objects.filter(round_id=round_id, entry_id=OuterRef("entry_id")).values("blind_code")[:1]
    )


def rounds_with_results_by_contest() -> dict[int, int]:
    """How many rounds of each contest have results (one query)."""
    return dict(
        Round.objects.filter(results__isnull=False)
        .values("contest_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("contest_id", "n")
    )


# --- A team's own published results (awards.outcomes shows them) ---------------------------

BANDS = ((0.10, "top10"), (0.30, "top30"), (0.50, "top50"))


@dataclass
class RoundOutcome:
    round: Round
    result: RoundResult | None
    criteria: list[tuple[str, int, float]]  # (name, max points, mean points)
    band: str  # top10 / top30 / top50 / rest / none
    entries_in_round: int
    feedback: list[str] = field(default_factory=list)


def rank_band(rank: int, total: int) -> str:
    if not total or not rank:
        return "none"
    share = rank / total
    for limit, name in BANDS:
        if share <= limit:
            return name
    return "rest"


def published_outcomes(*, entry) -> list[RoundOutcome]:
    """The entry's results in every published round it took part in, for its team: bands, not
    ranks; criterion means; feedback by text, never by judge. A constant number of queries,
    whatever the number of sheets."""
    round_entries = list(
        RoundEntry.objects.filter(rounds_where("round__", results_public=True), entry=entry)
        .select_related("round", "result")
        .order_by("round__order")
    )
    rounds = [re.round for re in round_entries]
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(round__in=rounds).order_by("sort_order", "pk"):
        criteria.setdefault(criterion.round_id, []).append(criterion)
    # How many entries each round ranked (counted in the database, not row by row).
    totals = dict(
        RoundResult.objects.filter(round__in=rounds)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    feedback: dict[int, list[str]] = {}
    for round_entry_id, text in (
        ScoreSheet.objects.filter(
            assignment__round_entry__in=round_entries, status=ScoreSheet.Status.SUBMITTED
        )
        .exclude(feedback_to_team="")
        .order_by("feedback_to_team")  # by text, never by judge
        .values_list("assignment__round_entry_id", "feedback_to_team")
    ):
        feedback.setdefault(round_entry_id, []).append(text)
    outcomes = []
    for re in round_entries:
        result = getattr(re, "result", None)
        rubric = criteria.get(re.round_id, [])
        means = result.criteria if result else []
        outcomes.append(
            RoundOutcome(
                round=re.round,
                result=result,
                criteria=[
                    (c.name, c.max_points, means[i] if i < len(means) else None) for i, c in enumerate(rubric)
                ],
                band=rank_band(result.combined_rank, totals.get(re.round_id, 0)) if result else "none",
                entries_in_round=totals.get(re.round_id, 0),
                feedback=feedback.get(re.pk, []),
            )
        )
    return outcomes


def has_published_results(*, entry) -> bool:
    return RoundEntry.objects.filter(rounds_where("round__", results_public=True), entry=entry).exists()


def entries_with_published_results(*, entry_ids) -> set[int]:
    """Of these entries, those whose team can read results (``has_published_results``, set-based)."""
    return set(
        RoundEntry.objects.filter(rounds_where("round__", results_public=True), entry_id__in=list(entry_ids))
        .values_list("entry_id", flat=True)
        .distinct()
    )
