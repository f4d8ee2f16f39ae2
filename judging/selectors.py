"""Reads for judging pages. What a judge may see is decided here, once: their own
assignments in rounds that are open to them, minus anything they conflict with. Searching,
filtering and counting only ever use the blind code, the masked title and sheet status."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from competition.models import EntryAttachment, EntryPhoto

from .models import Assignment, Conflict, Judge, Round, RoundEntry, ScoreSheet

VISIBLE_TO_JUDGES = (Round.Status.SCORING, Round.Status.CLOSED, Round.Status.PUBLISHED)
STATUS_FILTERS = ("todo", "draft", "submitted")


def judge_for_user(user) -> Judge | None:
    if not (user.is_authenticated and user.is_active):
        return None
    return Judge.objects.filter(user=user, active=True).first()


def judge_assignments(*, judge: Judge) -> QuerySet[Assignment]:
    """The judge's assignments they may see, with what the pages show (one query).

    Conflicts win over assignment rows: a declared or organizer-set conflict, and the automatic
    ones (the judge's county or organization, which may have changed since the assignment)."""
    conflicted = Conflict.objects.filter(judge=judge, entry_id=OuterRef("round_entry__entry_id"))
    assignments = Assignment.objects.filter(judge=judge, round__status__in=VISIBLE_TO_JUDGES).exclude(
        Exists(conflicted)
    )
    if judge.county_id is not None:
        assignments = assignments.exclude(round_entry__entry__team__organization__county_id=judge.county_id)
    if judge.organization_id is not None:
        assignments = assignments.exclude(round_entry__entry__team__organization_id=judge.organization_id)
    return assignments.select_related("round", "round_entry", "sheet")


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


# --- Organizer back office (judging.admin_views) --------------------------------------------
# Each read is one query (or a count and a page): the back-office pages stay constant in size.


def round_for_admin(*, pk) -> Round | None:
    return Round.objects.select_related("contest").filter(pk=pk).first()


def latest_assignment_run(*, round: Round):
    from .models import AssignmentRun

    return AssignmentRun.objects.filter(round=round).select_related("requested_by").order_by("-pk").first()


def judges_named(*, ids) -> dict[int, Judge]:
    """Judges by id, with the fields the report shows (one query)."""
    return Judge.objects.select_related("county", "organization").in_bulk(list(ids))


def round_entries_named(*, round: Round, ids) -> dict[int, RoundEntry]:
    return (
        RoundEntry.objects.filter(round=round)
        .select_related("entry__category")
        .only("pk", "blind_code", "title", "entry__title", "entry__category__name")
        .in_bulk(list(ids))
    )


def round_coverage_by_category(*, round: Round) -> list[dict]:
    """Per category: entries taking part, the slots they need (entries × k) and those filled."""
    rows = (
        RoundEntry.objects.filter(round=round)
        .values("entry__category__name", "entry__category__name_en", "entry__category__sort_order")
        .annotate(entries=Count("pk", distinct=True), filled=Count("assignments"))
        .order_by("entry__category__sort_order", "entry__category__name")
    )
    k = round.judges_per_entry
    return [
        {
            "category": row["entry__category__name"] or "—",
            "category_en": row["entry__category__name_en"] or "",
            "entries": row["entries"],
            "slots": row["entries"] * k,
            "filled": row["filled"],
        }
        for row in rows
    ]


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


def round_entries_short(*, round: Round, limit: int = 50) -> list[RoundEntry]:
    """Entries with fewer than k judges, fewest first (for the manual adjustment page)."""
    return list(
        RoundEntry.objects.filter(round=round)
        .annotate(judges=Count("assignments"))
        .filter(judges__lt=round.judges_per_entry)
        .order_by("judges", "blind_code")[:limit]
    )


def round_entry_for_admin(*, round: Round, blind_code: str) -> RoundEntry | None:
    """A round entry by its blind code (any case), with the entry's identity for organizers."""
    code = (blind_code or "").strip().upper()[:12]
    if not code:
        return None
    return (
        RoundEntry.objects.filter(round=round, blind_code=code)
        .select_related("entry__team__organization__county", "entry__category", "masked_edited_by")
        .first()
    )


def round_entry_assignments(*, round_entry: RoundEntry) -> list[Assignment]:
    return list(
        Assignment.objects.filter(round_entry=round_entry)
        .select_related("judge__county", "judge__organization", "sheet")
        .order_by("judge__name", "pk")
    )


def judges_with_round_load(*, round: Round):
    """Active judges with how many entries they have in the round (for choosing one by hand)."""
    return (
        Judge.objects.filter(active=True)
        .annotate(load=Count("assignments", filter=Q(assignments__round=round)))
        .select_related("county", "organization")
        .order_by("name", "pk")
    )


def conflicted_judge_ids(*, entry_id: int) -> set[int]:
    return set(Conflict.objects.filter(entry_id=entry_id).values_list("judge_id", flat=True))


def unfinished_judge_ids(*, round: Round) -> list[int]:
    """Judges with at least one assignment in the round without a submitted sheet."""
    return list(
        Assignment.objects.filter(round=round)
        .exclude(sheet__status=ScoreSheet.Status.SUBMITTED)
        .values_list("judge_id", flat=True)
        .distinct()
        .order_by("judge_id")
    )


def round_masked_entries(*, round: Round, query: str = "") -> QuerySet[RoundEntry]:
    entries = RoundEntry.objects.filter(round=round).select_related("masked_edited_by")
    query = (query or "").strip()[:50]
    if query:
        entries = entries.filter(Q(blind_code__icontains=query) | Q(title__icontains=query))
    return entries.order_by("blind_code")


def entry_identifying_terms(*, entry) -> list[str]:
    """The names masking hides for an entry (as ``services.masked_snapshot`` builds them), so
    organizers can check the masked texts against them. ``entry`` comes with its team,
    organization and county; one query for the team's members."""
    from .masking import identifying_terms

    team = entry.team
    organization = team.organization
    county = organization.county
    return identifying_terms(
        team_names=[team.name],
        organization_names=[organization.name, organization.short_name],
        county_names=[county.name, county.short_name],
        people=[team.contact_name, *team.members.values_list("name", flat=True)],
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


def round_events(*, round: Round, kind: str = "") -> QuerySet:
    from .models import JudgingEvent

    events = JudgingEvent.objects.filter(round=round).select_related("actor", "judge", "round_entry")
    if kind in JudgingEvent.Kind.values:
        events = events.filter(kind=kind)
    return events.order_by("-at", "-pk")
