"""Reads of results for teams: their own published results, never a judge's identity."""

from dataclasses import dataclass, field

from .models import Criterion, FeaturedProject, Round, RoundEntry, RoundResult, ScoreSheet

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


def team_results(*, entry) -> tuple[list[RoundOutcome], bool]:
    """The entry's results in every published round it took part in, and whether it was
    featured. A constant number of queries, whatever the number of sheets."""
    round_entries = list(
        RoundEntry.objects.filter(entry=entry, round__status=Round.Status.PUBLISHED)
        .select_related("round", "result")
        .order_by("round__order")
    )
    rounds = [re.round for re in round_entries]
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(round__in=rounds).order_by("sort_order", "pk"):
        criteria.setdefault(criterion.round_id, []).append(criterion)
    totals = {}
    for round_id in RoundResult.objects.filter(round__in=rounds).values_list("round_id", flat=True):
        totals[round_id] = totals.get(round_id, 0) + 1
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
    return outcomes, is_featured(entry=entry)


def has_published_results(*, entry) -> bool:
    return RoundEntry.objects.filter(entry=entry, round__status=Round.Status.PUBLISHED).exists()


def is_featured(*, entry) -> bool:
    return FeaturedProject.objects.filter(entry=entry).exists()
