"""Writes about conflicts of interest (回避): declared by a judge, set by organizers."""

from django.db import transaction
from django.utils.translation import gettext as _

from competition.models import Entry
from judging.assignment.services import assign_round_in_background, assignment_remove
from judging.errors import JudgingError
from judging.models import Assignment, AssignmentRun, Conflict, Judge, JudgingEvent, ScoreSheet
from judging.phases import round_phase


def conflict_declare(*, judge: Judge, assignment: Assignment, reason: str, by) -> AssignmentRun:
    """ "I know this project": the assignment goes, a replacement judge is assigned at once."""
    if assignment.judge_id != judge.pk:
        raise JudgingError(_("只能申报自己的评审任务。"))
    round = assignment.round
    if not round_phase(round).can_declare_conflict:
        raise JudgingError(_("本轮评分已截止，如需回避请联系组委会。"))
    with transaction.atomic():
        sheet = ScoreSheet.objects.filter(assignment=assignment).first()
        if sheet is not None and sheet.status == ScoreSheet.Status.SUBMITTED:
            raise JudgingError(_("评分表已提交，如需回避请联系组委会。"))
        entry_id = assignment.round_entry.entry_id
        Conflict.objects.get_or_create(
            judge=judge,
            entry_id=entry_id,
            defaults={"source": Conflict.Source.DECLARED, "reason": reason[:300], "created_by": by},
        )
        JudgingEvent.objects.create(
            round=round,
            kind=JudgingEvent.Kind.CONFLICT,
            actor=by,
            judge=judge,
            round_entry_id=assignment.round_entry_id,
            after={"source": "declared"},
            note=reason[:300],
        )
        assignment_remove(assignment=assignment, by=by, note=_("评委申报回避"))
        run = assign_round_in_background(round=round, by=by, source=Assignment.Source.REPLACEMENT)
    return run


def conflict_set(*, judge: Judge, entry: Entry, reason: str, by) -> Conflict:
    """An organizer records a conflict; open rounds drop the pair and get a replacement."""
    with transaction.atomic():
        conflict, _created = Conflict.objects.get_or_create(
            judge=judge,
            entry=entry,
            defaults={"source": Conflict.Source.ORGANIZER, "reason": reason[:300], "created_by": by},
        )
        for assignment in Assignment.objects.filter(judge=judge, round_entry__entry=entry).select_related(
            "round"
        ):
            if round_phase(assignment.round).can_assign:
                JudgingEvent.objects.create(
                    round=assignment.round,
                    kind=JudgingEvent.Kind.CONFLICT,
                    actor=by,
                    judge=judge,
                    round_entry_id=assignment.round_entry_id,
                    after={"source": "organizer"},
                    note=reason[:300],
                )
                assignment_remove(assignment=assignment, by=by, note=_("组委会设定回避"))
                assign_round_in_background(
                    round=assignment.round, by=by, source=Assignment.Source.REPLACEMENT
                )
    return conflict
