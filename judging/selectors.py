"""Reads for judging pages. What a judge may see is decided here, once: their own
assignments in rounds that are open to them, minus anything they conflict with. Searching,
filtering and counting only ever use the blind code, the masked title and sheet status."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from competition.models import EntryAttachment, EntryPhoto

from .models import Assignment, Conflict, Judge, Round, RoundEntry, ScoreSheet

VISIBLE_TO_JUDGES = (Round.Status.SCORING, Round.Status.CLOSED, Round.Status.PUBLISHED)
STATUS_FILTERS = ("todo", "draft", "submitted")


def judge_for_user(user) -> Judge | None:
    if not (user.is_authenticated and user.is_active):
        return None
    return Judge.objects.filter(user=user, active=True).first()


def judge_assignments(*, judge: Judge) -> QuerySet[Assignment]:
    """The judge's assignments they may see, with what the pages show (one query)."""
    conflicted = Conflict.objects.filter(judge=judge, entry_id=OuterRef("round_entry__entry_id"))
    return (
        Assignment.objects.filter(judge=judge, round__status__in=VISIBLE_TO_JUDGES)
        .exclude(Exists(conflicted))
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
    """The next assignment without a submitted sheet, in blind-code order (wrapping round)."""
    pending = (
        judge_assignments(judge=judge)
        .filter(round=round)
        .exclude(sheet__status=ScoreSheet.Status.SUBMITTED)
        .order_by("round_entry__blind_code")
    )
    if after is not None:
        pending = pending.exclude(pk=after.pk)
        later = pending.filter(round_entry__blind_code__gt=after.round_entry.blind_code).first()
        if later is not None:
            return later
    return pending.first()


def entry_photos(*, round_entry: RoundEntry) -> list[EntryPhoto]:
    return list(EntryPhoto.objects.filter(entry_id=round_entry.entry_id).order_by("sort_order", "pk"))


def entry_attachments(*, round_entry: RoundEntry) -> list[EntryAttachment]:
    return list(EntryAttachment.objects.filter(entry_id=round_entry.entry_id).order_by("sort_order", "pk"))


def sheet_scores(*, sheet: ScoreSheet | None) -> dict[int, str]:
    if sheet is None:
        return {}
    return {score.criterion_id: score.points for score in sheet.scores.all()}


# --- Organizer views -------------------------------------------------------------------------


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
        .values("round_entry__entry__category__name")
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
