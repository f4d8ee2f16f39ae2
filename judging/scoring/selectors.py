"""Reads of scoring. What a judge may see is decided here, once: their own assignments in
rounds that are open to them, minus anything they conflict with. Searching, filtering and
counting only ever use the blind code, the masked title and sheet status."""

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from judging.conflicts.selectors import conflicted_q
from judging.models import Assignment, BlindFile, Judge, Round, RoundEntry, ScoreSheet
from judging.phases import rounds_where

STATUS_FILTERS = ("todo", "draft", "submitted")


def judge_assignments(*, judge: Judge) -> QuerySet[Assignment]:
    """The judge's assignments they may see, with what the pages show (one query).

    Conflicts win over assignment rows: a declared or organizer-set conflict, and the automatic
    ones (the judge's county or organization, which may have changed since the assignment)."""
    return (
        Assignment.objects.filter(rounds_where("round__", visible_to_judges=True), judge=judge)
        .exclude(conflicted_q(judge, prefix="round_entry__entry__"))
        .select_related("round", "round_entry", "sheet")
    )


def dashboard_assignments(*, judge: Judge, status: str = "", query: str = "") -> QuerySet[Assignment]:
    assignments = judge_assignments(judge=judge)
    if status == "todo":
        assignments = assignments.filter(sheet__isnull=True)
    elif status == "draft":
        assignments = assignments.filter(sheet__status=ScoreSheet.Status.DRAFT)
    elif status == "submitted":
        assignments = assignments.filter(sheet__status=ScoreSheet.Status.SUBMITTED)
    query = (query or "").strip()[:50]
    if query:
        assignments = assignments.filter(
            Q(round_entry__blind_code__icontains=query) | Q(round_entry__title__icontains=query)
        )
    return assignments.order_by("-round__contest__year", "round__order", "round_entry__blind_code")


def dashboard_counts(*, judge: Judge) -> dict:
    """Progress per round for the judge's own assignments (never split by hidden fields)."""
    rows = (
        judge_assignments(judge=judge)
        .values("round_id")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(sheet__status=ScoreSheet.Status.SUBMITTED)),
            draft=Count("pk", filter=Q(sheet__status=ScoreSheet.Status.DRAFT)),
        )
    )
    return {row["round_id"]: row for row in rows}


def judge_rounds(*, judge: Judge) -> list[Round]:
    ids = judge_assignments(judge=judge).values("round_id")
    return list(
        Round.objects.filter(pk__in=ids).select_related("contest").order_by("-contest__year", "order")
    )


def judge_assignment(*, judge: Judge, round_code: str, blind_code: str) -> Assignment | None:
    return (
        judge_assignments(judge=judge)
        .filter(round__code=round_code, round_entry__blind_code=blind_code)
        .first()
    )


def next_unscored(*, judge: Judge, round: Round, after: Assignment | None = None) -> Assignment | None:
    """The next assignment without a submitted sheet, in blind-code order (wrapping round);
    one query wherever ``after`` stands."""
    pending = (
        judge_assignments(judge=judge).filter(round=round).exclude(sheet__status=ScoreSheet.Status.SUBMITTED)
    )
    if after is None:
        return pending.order_by("round_entry__blind_code").first()
    wrapped = Case(
        When(round_entry__blind_code__gt=after.round_entry.blind_code, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        pending.exclude(pk=after.pk)
        .annotate(wrapped=wrapped)
        .order_by("wrapped", "round_entry__blind_code")
        .first()
    )


def blind_files(*, round_entry: RoundEntry) -> tuple[list[BlindFile], list[BlindFile]]:
    """What was frozen for judges when the round opened: photos and PDFs, each in order (one
    query)."""
    files = list(BlindFile.objects.filter(round_entry=round_entry).order_by("kind", "position"))
    return (
        [f for f in files if f.kind == BlindFile.Kind.PHOTO],
        [f for f in files if f.kind == BlindFile.Kind.ATTACHMENT],
    )


def blind_file(*, round_entry: RoundEntry, kind: str, position: int) -> BlindFile | None:
    return BlindFile.objects.filter(round_entry=round_entry, kind=kind, position=position).first()


def sheet_scores(*, sheet: ScoreSheet | None) -> dict[int, str]:
    if sheet is None:
        return {}
    return {score.criterion_id: score.points for score in sheet.scores.all()}


def round_progress_by_judge(*, round: Round):
    return (
        Judge.objects.filter(assignments__round=round)
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__round=round)),
            submitted=Count(
                "assignments",
                filter=Q(assignments__round=round, assignments__sheet__status=ScoreSheet.Status.SUBMITTED),
            ),
            drafts=Count(
                "assignments",
                filter=Q(assignments__round=round, assignments__sheet__status=ScoreSheet.Status.DRAFT),
            ),
        )
        .select_related("user", "county")
        .order_by("name", "pk")
    )


def round_progress_by_category(*, round: Round):
    return (
        Assignment.objects.filter(round=round)
        .values("round_entry__entry__category__name", "round_entry__entry__category__name_en")
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(sheet__status=ScoreSheet.Status.SUBMITTED)),
            drafts=Count("pk", filter=Q(sheet__status=ScoreSheet.Status.DRAFT)),
        )
        .order_by("round_entry__entry__category__sort_order")
    )


def round_progress_by_entry(*, round: Round):
    return (
        RoundEntry.objects.filter(round=round)
        .annotate(
            assigned=Count("assignments"),
            submitted=Count("assignments", filter=Q(assignments__sheet__status=ScoreSheet.Status.SUBMITTED)),
            drafts=Count("assignments", filter=Q(assignments__sheet__status=ScoreSheet.Status.DRAFT)),
        )
        .select_related("entry__category")
        .order_by("blind_code")
    )


def unfinished_judge_ids(*, round: Round) -> list[int]:
    """Judges with at least one assignment in the round without a submitted sheet."""
    return list(
        Assignment.objects.filter(round=round)
        .exclude(sheet__status=ScoreSheet.Status.SUBMITTED)
        .values_list("judge_id", flat=True)
        .distinct()
        .order_by("judge_id")
    )


SHEET_FILTERS = ("draft", "submitted", "reopened")


def round_sheets(*, round: Round, status: str = "", query: str = "") -> QuerySet[ScoreSheet]:
    sheets = ScoreSheet.objects.filter(assignment__round=round).select_related(
        "assignment__judge", "assignment__round_entry"
    )
    if status == "reopened":
        sheets = sheets.filter(reopened=True)
    elif status in ("draft", "submitted"):
        sheets = sheets.filter(status=status)
    query = (query or "").strip()[:50]
    if query:
        sheets = sheets.filter(
            Q(assignment__round_entry__blind_code__icontains=query)
            | Q(assignment__judge__name__icontains=query)
        )
    return sheets.order_by("assignment__round_entry__blind_code", "assignment__judge__name", "pk")


def round_sheet(*, round: Round, pk) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(assignment__round=round, pk=pk)
        .select_related("assignment__judge", "assignment__round_entry")
        .first()
    )


def scored_entry_ids(*, contest, round: Round | None = None) -> QuerySet:
    """Ids of the entries with at least one submitted sheet in ``round`` (or in any of the
    contest's rounds), as a subquery for other apps' counts (``awards.report``)."""
    sheets = ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED, assignment__round__contest=contest)
    if round is not None:
        sheets = sheets.filter(assignment__round=round)
    return sheets.values("assignment__round_entry__entry_id")


def judges_with_submitted_sheets(*, contest) -> QuerySet[Judge]:
    """The judges who submitted at least one score sheet in the contest's rounds (whom the
    office thanks: ``awards.certificates``)."""
    sheets = ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED, assignment__round__contest=contest)
    return Judge.objects.filter(pk__in=sheets.values("assignment__judge_id"))


def judge_scored_contest_ids(*, judge: Judge) -> QuerySet:
    """Ids of the contests in whose rounds the judge submitted at least one score sheet (a
    subquery: one query wherever it is used)."""
    return (
        ScoreSheet.objects.filter(status=ScoreSheet.Status.SUBMITTED, assignment__judge=judge)
        .values("assignment__round__contest_id")
        .distinct()
    )
