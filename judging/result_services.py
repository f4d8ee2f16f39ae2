"""Writes for results: computing a round, advancement, the shortlist with its overrides, the
public notice with objections, and finalization into featured projects.

Every step that changes what the public or the teams will see is recorded with who, when,
before and after (ShortlistEvent / JudgingEvent). Supervisors never reach these functions
(the admin views check ``competition.rules``).
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import Category, Entry

from . import assignment as assigner
from . import results as compute
from . import shortlist as selection
from .models import (
    Assignment,
    Conflict,
    Criterion,
    FeaturedProject,
    Judge,
    JudgeResult,
    JudgingEvent,
    Objection,
    Round,
    RoundComputation,
    RoundEntry,
    RoundResult,
    Score,
    ScoreSheet,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
)
from .services import JudgingError, assignment_add, round_set_status
from .signals import shortlist_finalized

OBJECTIONS_PER_HOUR = 3
OBJECTIONS_PER_DAY = 10


# --- Computing a round -----------------------------------------------------------------------


def round_sheets(*, round: Round) -> list[compute.Sheet]:
    """The round's submitted sheets as plain data (one query)."""
    return [
        compute.Sheet(entry=round_entry_id, judge=judge_id, total=float(total))
        for round_entry_id, judge_id, total in ScoreSheet.objects.filter(
            assignment__round=round, status=ScoreSheet.Status.SUBMITTED
        ).values_list("assignment__round_entry_id", "assignment__judge_id", "total")
    ]


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


def compute_round_results(*, round: Round, by=None) -> RoundComputation:
    """Compute and store every figure of the round from its submitted sheets. The same
    sheets give the same ranking; the digests of inputs and ranking are kept to show it."""
    sheets = round_sheets(round=round)
    if not sheets:
        raise JudgingError(_("本轮还没有已提交的评分表，无法计算成绩。"))
    submitted = dict(RoundEntry.objects.filter(round=round).values_list("pk", "entry__submitted_at"))
    tie = round.tie_criterion_position - 1 if round.tie_criterion_position else None
    criterion_means = round_criterion_means(round=round)
    outcome = compute.compute(
        sheets,
        method=round.method,
        shrinkage=float(round.shrinkage),
        flag_spread=float(round.disagreement_threshold),
        tie_criterion=tie,
        submitted_order={pk: (at.timestamp() if at else float("inf"),) for pk, at in submitted.items()},
        entry_criteria=criterion_means,
    )
    combined = _combined_scores(round, outcome)
    combined_figures = [
        compute.EntryFigures(**{**f.__dict__, "score": combined[f.entry]}) for f in outcome.entries
    ]
    compute.rank(
        combined_figures,
        tie_criterion=tie,
        submitted_order={pk: (at.timestamp() if at else float("inf"),) for pk, at in submitted.items()},
    )
    combined_rank = {f.entry: f.rank for f in combined_figures}
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
            )
            for j in outcome.judges
        )
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


def _combined_scores(round: Round, outcome: compute.RoundResults) -> dict[int, float]:
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


def add_judge_for_disagreement(*, round_entry: RoundEntry, by) -> Assignment:
    """One more judge for an entry whose judges disagree: the least-loaded judge without a
    conflict (expertise in its category preferred), chosen by the same rules as the assigner."""
    round_entry = RoundEntry.objects.select_related("round", "entry__team__organization").get(
        pk=round_entry.pk
    )
    entry = round_entry.entry
    info = assigner.EntryInfo(
        id=round_entry.pk,
        category=entry.category_id or 0,
        county=entry.team.organization.county_id,
        organization=entry.team.organization_id,
    )
    taken = set(Assignment.objects.filter(round_entry=round_entry).values_list("judge_id", flat=True))
    conflicts = {
        (round_entry.pk, j) for j in Conflict.objects.filter(entry=entry).values_list("judge_id", flat=True)
    }
    loads = dict(
        Assignment.objects.filter(round=round_entry.round)
        .values("judge_id")
        .annotate(n=Count("pk"))
        .values_list("judge_id", "n")
    )
    expertise: dict[int, set[int]] = {}
    for judge_id, category_id in Judge.expertise.through.objects.values_list("judge_id", "category_id"):
        expertise.setdefault(judge_id, set()).add(category_id)
    candidates = []
    for judge in Judge.objects.filter(active=True).exclude(pk__in=taken).order_by("pk"):
        judge_info = assigner.JudgeInfo(
            id=judge.pk,
            county=judge.county_id,
            organization=judge.organization_id,
            expertise=frozenset(expertise.get(judge.pk, ())),
            capacity=judge.capacity,
        )
        if not assigner.allowed(info, judge_info, conflicts):
            continue
        if judge.capacity is not None and loads.get(judge.pk, 0) >= judge.capacity:
            continue
        candidates.append(
            (loads.get(judge.pk, 0), 0 if info.category in judge_info.expertise else 1, judge.pk, judge)
        )
    if not candidates:
        raise JudgingError(_("没有可以再加派的评委：其余评委都需回避或已满额。"))
    judge = min(candidates)[3]
    return assignment_add(round_entry=round_entry, judge=judge, by=by)


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
        codes = dict(Category.objects.values_list("pk", "code"))
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
    with transaction.atomic():
        before = list(
            RoundEntry.objects.filter(round=round, advanced=True).values_list("blind_code", flat=True)
        )
        RoundEntry.objects.filter(round=round).update(advanced=False)
        RoundEntry.objects.filter(pk__in=chosen).update(advanced=True)
        after = list(
            RoundEntry.objects.filter(round=round, advanced=True).values_list("blind_code", flat=True)
        )
        JudgingEvent.objects.create(
            round=round,
            kind=JudgingEvent.Kind.ADVANCED,
            actor=by,
            before={"advanced": sorted(before)},
            after={"advanced": sorted(after), "top": top, "per_category": per_category or {}},
        )
    return len(chosen)


# --- Shortlist -------------------------------------------------------------------------------


def shortlist_candidates(*, round: Round) -> list[selection.Candidate]:
    return [
        selection.Candidate(entry=entry_id, score=combined, rank=rank, category=category or 0, county=county)
        for entry_id, combined, rank, category, county in RoundResult.objects.filter(round=round)
        .order_by("combined_rank")
        .values_list(
            "round_entry__entry_id",
            "combined",
            "combined_rank",
            "round_entry__entry__category_id",
            "round_entry__entry__team__organization__county_id",
        )
    ]


def constraints_from(*, size: int, county_cap: int | None, category_min: dict, category_max: dict):
    """Constraints by category code (as organizers enter them) → by category id."""
    ids = dict(Category.objects.values_list("code", "pk"))
    return selection.Constraints(
        size=size,
        county_cap=county_cap,
        category_min={ids[c]: int(n) for c, n in category_min.items() if c in ids and n not in (None, "")},
        category_max={ids[c]: int(n) for c, n in category_max.items() if c in ids and n not in (None, "")},
    )


def shortlist_preview(
    *, round: Round, size: int = 100, county_cap=None, category_min=None, category_max=None
):
    """The what-if: the shortlist these constraints would give (nothing is stored)."""
    if not RoundResult.objects.filter(round=round).exists():
        raise JudgingError(_("请先计算本轮成绩。"))
    rules = constraints_from(
        size=size, county_cap=county_cap, category_min=category_min or {}, category_max=category_max or {}
    )
    return selection.select(shortlist_candidates(round=round), rules), rules


def _report(result: selection.Shortlist) -> dict:
    return {
        "feasible": result.feasible,
        "problems": result.problems,
        "displaced": [d.__dict__ for d in result.displaced],
        "promoted": result.promoted,
    }


def shortlist_commit(
    *, round: Round, by, size: int = 100, county_cap=None, category_min=None, category_max=None, now=None
) -> Shortlist:
    """Store the previewed shortlist. Allowed again (replacing it) until the notice starts."""
    now = now or timezone.now()
    result, _rules = shortlist_preview(
        round=round, size=size, county_cap=county_cap, category_min=category_min, category_max=category_max
    )
    if not result.feasible:
        raise JudgingError(_("这些条件无法同时满足，请调整后再确定。"))
    scores = {c.entry: c for c in shortlist_candidates(round=round)}
    with transaction.atomic():
        existing = Shortlist.objects.select_for_update().filter(contest_id=round.contest_id).first()
        if existing is not None and existing.status != Shortlist.Status.COMMITTED:
            raise JudgingError(_("入围名单已经公示，不能再重新生成；如需调整，请逐项调入调出并写明理由。"))
        before = sorted(existing.items.values_list("entry_id", flat=True)) if existing else []
        # A new commit replaces the entries but keeps the shortlist, so its log (earlier
        # commits, overrides with their reasons) survives.
        shortlist = existing or Shortlist(contest_id=round.contest_id)
        shortlist.round = round
        shortlist.size = size
        shortlist.county_cap = county_cap
        shortlist.category_min = category_min or {}
        shortlist.category_max = category_max or {}
        shortlist.committed_by = by
        shortlist.committed_at = now
        shortlist.report = _report(result)
        shortlist.save()
        shortlist.items.all().delete()
        ShortlistEntry.objects.bulk_create(
            ShortlistEntry(shortlist=shortlist, entry_id=e, rank=scores[e].rank, score=scores[e].score)
            for e in result.selected
        )
        ShortlistEvent.objects.create(
            shortlist=shortlist,
            kind=ShortlistEvent.Kind.COMMITTED,
            actor=by,
            at=now,
            before={"entries": before},
            after={
                "entries": sorted(result.selected),
                "size": size,
                "county_cap": county_cap,
                "category_min": category_min or {},
                "category_max": category_max or {},
            },
        )
    return shortlist


def _editable(shortlist: Shortlist) -> Shortlist:
    current = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
    if current.status == Shortlist.Status.FINALIZED:
        raise JudgingError(_("入围名单已正式公布，不能再调整。"))
    return current


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(_("调整入围名单必须写明理由。"))
    return reason


def shortlist_add(*, shortlist: Shortlist, entry: Entry, reason: str, by) -> ShortlistEntry:
    reason = _reason(reason)
    with transaction.atomic():
        current = _editable(shortlist)
        result = RoundResult.objects.filter(round=current.round, round_entry__entry=entry).first()
        if result is None:
            raise JudgingError(_("该项目没有本轮成绩，不能调入。"))
        if current.items.filter(entry=entry).exists():
            raise JudgingError(_("该项目已在入围名单中。"))
        item = ShortlistEntry.objects.create(
            shortlist=current,
            entry=entry,
            rank=result.combined_rank,
            score=result.combined,
            via=ShortlistEntry.Via.OVERRIDE,
        )
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.ADDED,
            actor=by,
            before={},
            after={"entry": entry.pk, "title": entry.title, "rank": result.combined_rank},
            reason=reason,
        )
    return item


def shortlist_remove(*, shortlist: Shortlist, entry: Entry, reason: str, by) -> None:
    reason = _reason(reason)
    with transaction.atomic():
        current = _editable(shortlist)
        item = current.items.filter(entry=entry).first()
        if item is None:
            raise JudgingError(_("该项目不在入围名单中。"))
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.REMOVED,
            actor=by,
            before={"entry": entry.pk, "title": entry.title, "rank": item.rank, "via": item.via},
            after={},
            reason=reason,
        )
        item.delete()


def shortlist_swap(*, shortlist: Shortlist, out_entry: Entry, in_entry: Entry, reason: str, by) -> None:
    with transaction.atomic():
        shortlist_remove(shortlist=shortlist, entry=out_entry, reason=reason, by=by)
        shortlist_add(shortlist=shortlist, entry=in_entry, reason=reason, by=by)
        ShortlistEvent.objects.create(
            shortlist=shortlist,
            kind=ShortlistEvent.Kind.SWAPPED,
            actor=by,
            before={"entry": out_entry.pk},
            after={"entry": in_entry.pk},
            reason=_reason(reason),
        )


# --- Public notice and objections ------------------------------------------------------------


def notice_publish(*, shortlist: Shortlist, by, days: int = 5, now=None) -> Shortlist:
    now = now or timezone.now()
    if days < 1:
        raise JudgingError(_("公示期至少 1 天。"))
    with transaction.atomic():
        current = Shortlist.objects.select_for_update().get(pk=shortlist.pk)
        if current.status != Shortlist.Status.COMMITTED:
            raise JudgingError(_("入围名单已经公示过了。"))
        current.status = Shortlist.Status.NOTICE
        current.notice_starts_at = now
        current.notice_ends_at = now + timedelta(days=days)
        current.save(update_fields=["status", "notice_starts_at", "notice_ends_at"])
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.NOTICE,
            actor=by,
            at=now,
            before={"status": "committed"},
            after={
                "status": "notice",
                "starts": now.isoformat(),
                "ends": current.notice_ends_at.isoformat(),
                "entries": current.items.count(),
            },
        )
    return current


def address_hash(address: str) -> str:
    """Objections keep a keyed hash of the sender's address (for rate limits), not the address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:objection:{address}".encode()).hexdigest()


def objection_file(
    *, shortlist: Shortlist, entry: Entry | None, name: str, phone: str, reason: str, address: str, now=None
) -> Objection:
    now = now or timezone.now()
    if not shortlist.in_notice(now):
        raise JudgingError(_("公示期已结束，不再受理异议。"))
    if entry is not None and not shortlist.items.filter(entry=entry).exists():
        raise JudgingError(_("所选项目不在公示名单中。"))
    key = address_hash(address)
    recent = Objection.objects.filter(address_hash=key)
    if recent.filter(created_at__gte=now - timedelta(hours=1)).count() >= OBJECTIONS_PER_HOUR or (
        recent.filter(created_at__gte=now - timedelta(days=1)).count() >= OBJECTIONS_PER_DAY
    ):
        raise JudgingError(_("提交过于频繁，请稍后再试。"))
    with transaction.atomic():
        objection = Objection.objects.create(
            shortlist=shortlist,
            entry=entry,
            name=name.strip(),
            phone=phone.strip(),
            reason=reason.strip(),
            address_hash=key,
            created_at=now,
        )
        ShortlistEvent.objects.create(
            shortlist=shortlist,
            kind=ShortlistEvent.Kind.OBJECTION,
            at=now,
            after={"objection": objection.pk, "entry": entry.pk if entry else None},
        )
    return objection


def objection_answer(*, objection: Objection, answer: str, by, now=None) -> Objection:
    now = now or timezone.now()
    answer = (answer or "").strip()
    if not answer:
        raise JudgingError(_("请填写答复内容。"))
    with transaction.atomic():
        current = Objection.objects.select_for_update().get(pk=objection.pk)
        before = {"status": current.status, "answer": current.answer}
        current.status = Objection.Status.ANSWERED
        current.answer = answer
        current.answered_by = by
        current.answered_at = now
        current.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        ShortlistEvent.objects.create(
            shortlist_id=current.shortlist_id,
            kind=ShortlistEvent.Kind.ANSWERED,
            actor=by,
            at=now,
            before=before,
            after={"status": current.status, "answer": answer, "objection": current.pk},
        )
    return current


def shortlist_finalize(*, shortlist: Shortlist, by, now=None) -> list[FeaturedProject]:
    """After the notice period, with every objection answered: the shortlisted entries become
    featured projects, the contest's rounds are published, and teams are told."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Shortlist.objects.select_for_update().select_related("round").get(pk=shortlist.pk)
        if current.status != Shortlist.Status.NOTICE:
            raise JudgingError(_("只有公示中的入围名单才能正式公布。"))
        if current.notice_ends_at and now < current.notice_ends_at:
            raise JudgingError(_("公示期尚未结束。"))
        if current.objections.filter(status=Objection.Status.OPEN).exists():
            raise JudgingError(_("还有未答复的异议，请先答复。"))
        if current.round.status not in (Round.Status.CLOSED, Round.Status.PUBLISHED):
            # Teams are told their results are out: the round they come from must be closed.
            raise JudgingError(_("入围名单所依据的评审轮次尚未截止评分，请先截止评分。"))
        items = list(current.items.order_by("rank", "entry_id"))
        featured = FeaturedProject.objects.bulk_create(
            FeaturedProject(
                contest_id=current.contest_id,
                entry_id=item.entry_id,
                rank=position,
                score=item.score,
                finalized_at=now,
            )
            for position, item in enumerate(items, start=1)
        )
        current.status = Shortlist.Status.FINALIZED
        current.finalized_at = now
        current.save(update_fields=["status", "finalized_at"])
        ShortlistEvent.objects.create(
            shortlist=current,
            kind=ShortlistEvent.Kind.FINALIZED,
            actor=by,
            at=now,
            before={"status": "notice"},
            after={"status": "finalized", "featured": [f.entry_id for f in featured]},
        )
        for round in Round.objects.filter(contest_id=current.contest_id, status=Round.Status.CLOSED):
            round_set_status(round=round, status=Round.Status.PUBLISHED, by=by, note=_("入围名单正式公布"))
        from .tasks import notify_teams_of_results

        contest_id = current.contest_id
        transaction.on_commit(lambda: notify_teams_of_results.enqueue(contest_id))
        transaction.on_commit(lambda: shortlist_finalized.send(sender=Shortlist, contest_id=contest_id))
    return featured
