"""Writes of scoring: a judge's sheet (versioned, so two tabs never overwrite each other),
reopening one, and reminders."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from judging import messages
from judging.errors import JudgingError, SheetConflict
from judging.models import (
    Assignment,
    Criterion,
    Judge,
    JudgingEvent,
    Round,
    Score,
    ScoreSheet,
)
from judging.phases import round_phase
from judging.scoring.selectors import unfinished_judge_ids
from judging.scoring.tasks import send_reminders


@dataclass(frozen=True)
class SheetInput:
    points: dict[int, str | None]  # criterion id -> what the judge typed
    comment_to_organizers: str = ""
    feedback_to_team: str = ""


def sheet_total(criteria: list[Criterion], points: dict[int, Decimal]) -> Decimal:
    """Σ weight·points/max, scaled to 100."""
    weight_sum = sum(c.weight for c in criteria)
    value = sum(c.weight * points[c.pk] / c.max_points for c in criteria) * 100 / weight_sum
    return Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _parse_points(
    criteria: list[Criterion], raw: dict[int, str | None], *, complete: bool
) -> dict[int, Decimal]:
    points, problems = {}, []
    for criterion in criteria:
        value = raw.get(criterion.pk)
        if value in (None, ""):
            if complete:
                problems.append(_("“%(name)s”还没有打分。") % {"name": criterion.name})
            continue
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            problems.append(_("“%(name)s”的分数不是数字。") % {"name": criterion.name})
            continue
        if not number.is_finite() or number < 0 or number > criterion.max_points:
            problems.append(
                _("“%(name)s”的分数应在 0 到 %(max)s 之间。")
                % {"name": criterion.name, "max": criterion.max_points}
            )
            continue
        if number * 2 != (number * 2).to_integral_value():
            problems.append(_("“%(name)s”的分数最多精确到 0.5 分。") % {"name": criterion.name})
            continue
        points[criterion.pk] = number
    if problems:
        raise JudgingError(" ".join(problems))
    return points


def sheet_save(
    *, assignment: Assignment, data: SheetInput, expected_version: int | None, submit: bool, by, now=None
) -> ScoreSheet:
    """Save (and optionally submit) a judge's sheet. Refused when the round does not accept
    scores, and when the sheet changed since the judge opened it (another tab)."""
    now = now or timezone.now()
    round = Round.objects.get(pk=assignment.round_id)
    criteria = list(round.criteria.all())
    with transaction.atomic():
        if not Assignment.objects.filter(pk=assignment.pk).exists():
            raise JudgingError(_("这项评审任务已被撤销。"))
        existing = ScoreSheet.objects.select_for_update().filter(assignment=assignment).first()
        if not round_phase(round).may_save_sheet(reopened=bool(existing and existing.reopened)):
            raise JudgingError(_("本轮评分已截止，不能再修改评分。"))
        sheet, created = ScoreSheet.objects.select_for_update().get_or_create(
            assignment=assignment, defaults={"created_at": now, "updated_at": now}
        )
        if not created and expected_version is not None and sheet.version != expected_version:
            raise SheetConflict(
                _(
                    "这份评分表已在其他窗口保存过（%(time)s），为避免覆盖，本次没有保存。请刷新页面核对后再保存。"
                )
                % {"time": timezone.localtime(sheet.updated_at).strftime("%H:%M:%S")}
            )
        complete = submit or sheet.status == ScoreSheet.Status.SUBMITTED
        points = _parse_points(criteria, data.points, complete=complete)
        before = {
            "status": sheet.status,
            "scores": {str(s.criterion_id): str(s.points) for s in sheet.scores.all()},
            "total": str(sheet.total) if sheet.total is not None else None,
        }
        sheet.scores.all().delete()
        Score.objects.bulk_create(Score(sheet=sheet, criterion_id=c, points=p) for c, p in points.items())
        sheet.total = sheet_total(criteria, points) if len(points) == len(criteria) else None
        sheet.comment_to_organizers = data.comment_to_organizers[:3000]
        sheet.feedback_to_team = data.feedback_to_team[:3000]
        if submit and sheet.status != ScoreSheet.Status.SUBMITTED:
            sheet.status = ScoreSheet.Status.SUBMITTED
            sheet.submitted_at = now
            sheet.reopened = False
        sheet.version = 1 if created else sheet.version + 1
        sheet.updated_at = now
        sheet.save()
        after = {
            "status": sheet.status,
            # As the database keeps them (two places), so unchanged scores read the same before.
            "scores": {str(c): str(p.quantize(Decimal("0.01"))) for c, p in points.items()},
            "total": str(sheet.total) if sheet.total is not None else None,
        }
        JudgingEvent.objects.create(
            round=round,
            kind=JudgingEvent.Kind.SHEET_SUBMITTED if submit else JudgingEvent.Kind.SHEET_SAVED,
            actor=by,
            judge_id=assignment.judge_id,
            round_entry_id=assignment.round_entry_id,
            at=now,
            before=before,
            after=after,
        )
    return sheet


def sheet_reopen(*, sheet: ScoreSheet, reason: str, by) -> ScoreSheet:
    """An organizer lets a judge change a submitted sheet again, for a recorded reason."""
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError(_("请填写重开评分表的原因。"))
    with transaction.atomic():
        current = ScoreSheet.objects.select_for_update().select_related("assignment__round").get(pk=sheet.pk)
        if not round_phase(current.assignment.round).can_reopen_sheet:
            raise JudgingError(_("只有评分中或评分已截止的轮次才能重开评分表。"))
        if current.status != ScoreSheet.Status.SUBMITTED:
            raise JudgingError(_("这份评分表尚未提交，无需重开。"))
        current.status = ScoreSheet.Status.DRAFT
        current.reopened = True
        current.version += 1
        current.save(update_fields=["status", "reopened", "version"])
        JudgingEvent.objects.create(
            round=current.assignment.round,
            kind=JudgingEvent.Kind.SHEET_REOPENED,
            actor=by,
            judge_id=current.assignment.judge_id,
            round_entry_id=current.assignment.round_entry_id,
            before={"status": "submitted"},
            after={"status": "draft"},
            note=reason,
        )
    return current


def reminders_send(*, round_id: int, judge_ids: list[int], by=None, mail_key: str | None = None) -> int:
    """Remind each listed judge who still has unfinished sheets in the round (messaging: inbox
    and e-mail, as organizers chose); returns how many were reminded. Runs as a background task
    (``judging.scoring.tasks.send_reminders``), whose ``mail_key`` makes a retry remind no one
    twice (the outbox's keys)."""
    round = Round.objects.select_related("contest").filter(pk=round_id).first()
    if round is None:
        return 0
    key = mail_key or f"judge-reminder:{round.pk}:{timezone.now().isoformat()}"
    reminded = messages.remind_judges(round=round, judge_ids=judge_ids, key=key)
    JudgingEvent.objects.bulk_create(
        JudgingEvent(
            round=round,
            kind=JudgingEvent.Kind.REMINDER,
            actor=by,
            judge=judge,
            after={"remaining": judge.remaining},
        )
        for judge in reminded
        if judge.reminded_now  # not again when a retry of the task finds them reminded
    )
    return len(reminded)


def reminders_request(*, round: Round, by, judge: Judge | None = None) -> int:
    """Queue reminder e-mails for one judge or for every judge with unfinished sheets in the
    round; returns how many judges were queued (``judging.scoring.tasks.send_reminders`` sends them)."""

    if not round_phase(round).can_remind:
        raise JudgingError(_("只有评分中的轮次才能发送催评提醒。"))
    judge_ids = unfinished_judge_ids(round=round)
    if judge is not None:
        judge_ids = [pk for pk in judge_ids if pk == judge.pk]
    if judge_ids:
        send_reminders.enqueue(round.pk, judge_ids, getattr(by, "pk", None))
    return len(judge_ids)
