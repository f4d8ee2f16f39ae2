"""Writes of assignment: the assigner run (in the background, with progress) and manual
changes, each checked against conflicts and logged."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from judging.assignment.solver import EntryInfo, JudgeInfo, Problem, Result, allowed, components_of, solve
from judging.conflicts.rules import DECLARED, SAME_COUNTY, SAME_ORGANIZATION, conflict_reason
from judging.errors import JudgingError
from judging.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    Judge,
    JudgingEvent,
    Round,
    RoundEntry,
    ScoreSheet,
)
from judging.phases import round_phase
from judging.rounds.services import round_sync_entries


def assignment_problem(*, round: Round) -> Problem:
    """The round's assignment problem as plain data, read set-based (a few queries)."""
    entries = [
        EntryInfo(id=re_id, category=category or 0, county=county, organization=organization)
        for re_id, category, county, organization in RoundEntry.objects.filter(round=round).values_list(
            "pk", "entry__category_id", "entry__team__organization__county_id", "entry__team__organization_id"
        )
    ]
    expertise: dict[int, set[int]] = {}
    for judge_id, category_id in Judge.expertise.through.objects.values_list("judge_id", "category_id"):
        expertise.setdefault(judge_id, set()).add(category_id)
    judges = [
        JudgeInfo(
            id=j_id,
            county=county,
            organization=organization,
            expertise=frozenset(expertise.get(j_id, ())),
            capacity=capacity,
        )
        for j_id, county, organization, capacity in Judge.objects.filter(active=True).values_list(
            "pk", "county_id", "organization_id", "capacity"
        )
    ]
    entry_of = dict(RoundEntry.objects.filter(round=round).values_list("entry_id", "pk"))
    conflicts = {
        (entry_of[e], j)
        for e, j in Conflict.objects.filter(entry_id__in=entry_of).values_list("entry_id", "judge_id")
    }
    existing = list(Assignment.objects.filter(round=round).values_list("round_entry_id", "judge_id"))
    locked = set(
        ScoreSheet.objects.filter(assignment__round=round).values_list(
            "assignment__round_entry_id", "assignment__judge_id"
        )
    )
    need = dict(
        RoundEntry.objects.filter(round=round, judges_needed__isnull=False).values_list("pk", "judges_needed")
    )
    return Problem(
        k=round.judges_per_entry,
        entries=entries,
        judges=judges,
        conflicts=conflicts,
        existing=existing,
        locked=locked,
        proportional_to_capacity=round.proportional_to_capacity,
        need=need,
        seen={(entry_of[e], j) for e, j in earlier_pairs(round=round) if e in entry_of},
    )


def earlier_pairs(*, round: Round) -> list[tuple[int, int]]:
    """(entry id, judge id) of every assignment of the contest's earlier rounds (one query): the
    judges who have seen each entry before."""
    return list(
        Assignment.objects.filter(round__contest_id=round.contest_id, round__order__lt=round.order)
        .values_list("round_entry__entry_id", "judge_id")
        .distinct()
    )


def across_rounds(*, round: Round, result: Result) -> dict:
    """How the round's assignment joins the earlier rounds' (by entry): the connected parts of
    the judge–entry graph of all the contest's rounds so far (1: every judge's leniency is
    measured against every other's, so one fit of all sheets compares every entry), how many
    pairs give an entry a judge who has seen it, and how many of the round's judges score for
    the first time."""
    earlier = earlier_pairs(round=round)
    if not earlier:
        return {}
    entry_of = dict(RoundEntry.objects.filter(round=round).values_list("pk", "entry_id"))
    pairs = [(entry_of[re], j) for re, j in result.assignments if re in entry_of]
    union = components_of(earlier + pairs)
    earlier_set = set(earlier)
    earlier_judges = {j for _e, j in earlier}
    return {
        "components_across_rounds": len({union.find(("e", e)) for e, _j in earlier + pairs}),
        "seen_again": sum(1 for pair in pairs if pair in earlier_set),
        "new_judges": len({j for _e, j in pairs} - earlier_judges),
    }


def _report(result: Result, problem: Problem) -> dict:
    return {
        "assignments": len(result.assignments),
        "added": len(result.added),
        "removed": len(result.removed),
        "loads": {str(j): n for j, n in result.loads.items()},
        "band": {str(j): list(b) for j, b in result.band.items()},
        "fair_share": {str(j): round(s, 2) for j, s in result.fair_share.items()},
        "uncovered": [
            {
                "round_entry": u.entry,
                "missing": u.missing,
                "compatible": u.compatible_judges,
                "reason": u.reason,
            }
            for u in result.uncovered
        ],
        "connected": result.connected,
        "components": result.components,
        "conflicts_avoided": result.conflicts_avoided,
        "expert_share": round(result.expert_share, 3),
        "entries": len(problem.entries),
        "judges": len(problem.judges),
        "k": problem.k,
        "per_entry": bool(problem.need),
    }


def assign_round(
    *,
    round: Round,
    by=None,
    source: str = Assignment.Source.AUTO,
    progress: Callable[[int, str], None] | None = None,
) -> dict:
    """Assign every entry of the round to k judges (or repair after a change), apply the
    difference in one transaction, and return the report shown to organizers."""
    progress = progress or (lambda percent, message: None)
    check_can_assign(round)
    progress(5, _("正在同步参评项目"))
    round_sync_entries(round=round, by=by)
    progress(20, _("正在读取评委和回避关系"))
    problem = assignment_problem(round=round)
    progress(35, _("正在求解分配方案"))
    result = solve(problem)
    progress(80, _("正在保存分配结果"))
    now = timezone.now()
    with transaction.atomic():
        if result.removed:
            removed_q = Q()
            for re_id, j_id in result.removed:
                removed_q |= Q(round_entry_id=re_id, judge_id=j_id)
            doomed = Assignment.objects.filter(round=round).filter(removed_q).exclude(sheet__isnull=False)
            doomed.delete()
        Assignment.objects.bulk_create(
            [
                Assignment(round=round, round_entry_id=re_id, judge_id=j_id, source=source, created_at=now)
                for re_id, j_id in result.added
            ],
            batch_size=2000,
        )
        JudgingEvent.objects.bulk_create(
            [
                JudgingEvent(
                    round=round,
                    kind=JudgingEvent.Kind.UNASSIGNED,
                    actor=by,
                    judge_id=j_id,
                    round_entry_id=re_id,
                    at=now,
                    before={"judge": j_id},
                    after={},
                )
                for re_id, j_id in result.removed
            ]
            + [
                JudgingEvent(
                    round=round,
                    kind=JudgingEvent.Kind.ASSIGNED,
                    actor=by,
                    judge_id=j_id,
                    round_entry_id=re_id,
                    at=now,
                    before={},
                    after={"judge": j_id, "source": source},
                )
                for re_id, j_id in result.added
            ],
            batch_size=2000,
        )
    progress(100, _("分配完成"))
    return {**_report(result, problem), **across_rounds(round=round, result=result)}


def assign_round_in_background(*, round: Round, by, source: str = Assignment.Source.AUTO) -> AssignmentRun:
    from judging.assignment.tasks import run_assignment

    run = AssignmentRun.objects.create(round=round, requested_by=by, source=source)
    transaction.on_commit(lambda: run_assignment.enqueue(run.pk))
    return run


def assignment_run_execute(*, run: AssignmentRun) -> AssignmentRun:
    def progress(percent: int, message: str) -> None:
        AssignmentRun.objects.filter(pk=run.pk).update(progress=percent, message=str(message)[:300])

    AssignmentRun.objects.filter(pk=run.pk).update(status=AssignmentRun.Status.RUNNING, progress=1)
    try:
        report = assign_round(round=run.round, by=run.requested_by, source=run.source, progress=progress)
    except JudgingError as error:
        AssignmentRun.objects.filter(pk=run.pk).update(
            status=AssignmentRun.Status.FAILED, message=error.message[:300], finished_at=timezone.now()
        )
    except Exception:
        AssignmentRun.objects.filter(pk=run.pk).update(
            status=AssignmentRun.Status.FAILED,
            message=str(_("分配失败，请查看服务器日志。")),
            finished_at=timezone.now(),
        )
        raise
    else:
        AssignmentRun.objects.filter(pk=run.pk).update(
            status=AssignmentRun.Status.DONE, progress=100, report=report, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


REFUSALS = {
    SAME_COUNTY: gettext_lazy("该评委与项目属于同一县（市、区），需要回避。"),
    SAME_ORGANIZATION: gettext_lazy("该评委与项目属于同一单位，需要回避。"),
    DECLARED: gettext_lazy("该评委已申报或被设定回避这个项目。"),
}


def check_can_assign(round: Round) -> None:
    if not round_phase(round).can_assign:
        raise JudgingError(_("评分已截止的轮次不能再分配。"))


def judge_conflict(round_entry: RoundEntry, judge: Judge) -> str | None:
    """Why the judge may not score the round entry (``judging.conflicts.rules``), or None.
    ``round_entry`` comes with its entry's team and organization."""
    organization = round_entry.entry.team.organization
    return conflict_reason(
        judge_county=judge.county_id,
        judge_organization=judge.organization_id,
        entry_county=organization.county_id,
        entry_organization=organization.pk,
        declared=Conflict.objects.filter(judge=judge, entry_id=round_entry.entry_id).exists(),
    )


def _check_allowed(round_entry: RoundEntry, judge: Judge) -> None:
    if not judge.active:
        raise JudgingError(_("该评委已停用。"))
    reason = judge_conflict(round_entry, judge)
    if reason is not None:
        raise JudgingError(str(REFUSALS[reason]))


def assignment_add(
    *, round_entry: RoundEntry, judge: Judge, by, source=Assignment.Source.MANUAL
) -> Assignment:
    round_entry = RoundEntry.objects.select_related("round", "entry__team__organization").get(
        pk=round_entry.pk
    )
    check_can_assign(round_entry.round)
    _check_allowed(round_entry, judge)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                round=round_entry.round, round_entry=round_entry, judge=judge, source=source
            )
            JudgingEvent.objects.create(
                round=round_entry.round,
                kind=JudgingEvent.Kind.ASSIGNED,
                actor=by,
                judge=judge,
                round_entry=round_entry,
                after={"judge": judge.pk, "source": source},
            )
    except IntegrityError:
        raise JudgingError(_("该评委已分配到这个项目。")) from None
    return assignment


def assignment_remove(*, assignment: Assignment, by, note: str = "") -> None:
    with transaction.atomic():
        current = (
            Assignment.objects.select_for_update().select_related("round").filter(pk=assignment.pk).first()
        )
        if current is None:
            return
        check_can_assign(current.round)
        sheet = ScoreSheet.objects.filter(assignment=current).first()
        if sheet is not None and sheet.status == ScoreSheet.Status.SUBMITTED:
            raise JudgingError(_("该评委已提交评分表，不能撤销分配。"))
        if sheet is not None:
            sheet.scores.all().delete()
            sheet.delete()
        JudgingEvent.objects.create(
            round=current.round,
            kind=JudgingEvent.Kind.UNASSIGNED,
            actor=by,
            judge_id=current.judge_id,
            round_entry_id=current.round_entry_id,
            before={"judge": current.judge_id},
            note=note,
        )
        current.delete()


def assignment_swap(*, assignment: Assignment, judge: Judge, by) -> Assignment:
    """Give an assignment to another judge (same conflict checks as any assignment)."""
    with transaction.atomic():
        round_entry = assignment.round_entry
        assignment_remove(assignment=assignment, by=by, note=_("调换评委"))
        return assignment_add(round_entry=round_entry, judge=judge, by=by)


def add_judge_for_disagreement(*, round_entry: RoundEntry, by) -> Assignment:
    """One more judge for an entry whose judges disagree: the least-loaded judge without a
    conflict (expertise in its category preferred), chosen by the same rules as the assigner."""
    round_entry = RoundEntry.objects.select_related("round", "entry__team__organization").get(
        pk=round_entry.pk
    )
    entry = round_entry.entry
    info = EntryInfo(
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
        judge_info = JudgeInfo(
            id=judge.pk,
            county=judge.county_id,
            organization=judge.organization_id,
            expertise=frozenset(expertise.get(judge.pk, ())),
            capacity=judge.capacity,
        )
        if not allowed(info, judge_info, conflicts):
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
