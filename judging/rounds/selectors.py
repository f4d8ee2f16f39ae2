"""Reads about rounds for the back office (one query each)."""

from django.db.models import Count, Q, QuerySet

from competition.models import Contest
from judging.models import Assignment, Round, RoundEntry, ScoreSheet


def round_for_admin(*, pk) -> Round | None:
    return Round.objects.select_related("contest").filter(pk=pk).first()


def round_summary(*, round: Round) -> dict:
    """Entries (and how many are short of k judges), assignments and sheets (two queries)."""
    entries = (
        RoundEntry.objects.filter(round=round)
        .annotate(judges=Count("assignments"))
        .aggregate(
            entries=Count("pk"),
            short=Count("pk", filter=Q(judges__lt=round.judges_per_entry)),
        )
    )
    sheets = Assignment.objects.filter(round=round).aggregate(
        assignments=Count("pk"),
        judges=Count("judge_id", distinct=True),
        submitted=Count("pk", filter=Q(sheet__status=ScoreSheet.Status.SUBMITTED)),
        drafts=Count("pk", filter=Q(sheet__status=ScoreSheet.Status.DRAFT)),
    )
    summary = {**entries, **sheets}
    summary["not_started"] = summary["assignments"] - summary["submitted"] - summary["drafts"]
    return summary


def round_events(*, round: Round, kind: str = "") -> QuerySet:
    from judging.models import JudgingEvent

    events = JudgingEvent.objects.filter(round=round).select_related("actor__judge", "judge", "round_entry")
    if kind in JudgingEvent.Kind.values:
        events = events.filter(kind=kind)
    return events.order_by("-at", "-pk")


def later_rounds(*, round: Round) -> list[Round]:
    return list(Round.objects.filter(contest_id=round.contest_id, order__gt=round.order).order_by("order"))


def rounds_with_results(*, contest: Contest) -> list[Round]:
    """The contest's rounds that have results (sources for a shortlist), latest first."""
    return list(Round.objects.filter(contest=contest, results__isnull=False).distinct().order_by("-order"))


def contest_rounds(*, contest) -> list[Round]:
    """The contest's rounds in their order (one query)."""
    return list(Round.objects.filter(contest=contest).order_by("order"))


def round_entry_for_admin(*, round: Round, blind_code: str) -> RoundEntry | None:
    """A round entry by its blind code (any case), with the entry's identity for organizers."""
    code = (blind_code or "").strip().upper()[:12]
    if not code:
        return None
    return (
        RoundEntry.objects.filter(round=round, blind_code=code)
        .select_related(
            "entry__team__organization__county", "entry__team__user", "entry__category", "masked_edited_by"
        )
        .first()
    )
