"""A round's audit log (``JudgingEvent``) as the supervisor reads it: a sentence per event with
the people's and things' names, and the changes as "字段：旧值 → 新值" (common.audit). The names
behind the stored ids (judges, criteria, categories) are looked up once per page."""

from django.utils.translation import gettext as _

from common.audit import change_lines, person_name
from competition.selectors import categories_in_order
from judging.masking.services import MASKED_FIELDS
from judging.models import Assignment, Conflict, Criterion, Judge, Round, RoundEntry, ScoreSheet


def _labels() -> dict[str, str]:
    labels = {
        "status": _("状态"),
        "judge": _("评委"),
        "source": _("来源"),
        "scores": _("各项得分"),
        "total": _("总分"),
        "method": _("成绩计算方法"),
        "sheets": _("评分表数"),
        "entries": _("项目数"),
        "ranking_digest": _("排名校验码"),
        "advanced": _("晋级项目（匿名编号）"),
        "top": _("晋级数量"),
        "per_category": _("各类别晋级数量"),
        "remaining": _("未提交的评分表"),
        "attachment": _("附件序号"),
        "page": _("页码"),
        "box": _("涂黑区域"),
    }
    labels.update({name: str(RoundEntry._meta.get_field(name).verbose_name) for name in MASKED_FIELDS})
    return labels


def actor_name(user) -> str:
    """A judge by the name on their judge record; anyone else as common.audit names them."""
    try:
        return user.judge.name
    except (AttributeError, Judge.DoesNotExist):
        return person_name(user)


def describe_events(*, round: Round, events) -> None:
    """Give each event of a page ``sentence`` and ``changes`` (a few queries for the whole page)."""
    events = list(events)
    judge_ids = {
        side.get("judge") for event in events for side in (event.before, event.after) if side.get("judge")
    }
    judges = dict(Judge.objects.filter(pk__in=judge_ids).values_list("pk", "name")) if judge_ids else {}
    criteria = dict(Criterion.objects.filter(round=round).values_list("pk", "name"))
    categories = {category.code: category.label for category in categories_in_order()}
    statuses = {**dict(Round.Status.choices), **dict(ScoreSheet.Status.choices)}
    values = {
        "status": statuses,
        "judge": lambda pk: judges.get(pk, _("已删除的评委")),
        "source": {**dict(Assignment.Source.choices), **dict(Conflict.Source.choices)},
        "method": dict(Round.Method.choices),
        "scores": lambda scores: "；".join(
            f"{criteria.get(int(pk), _('已删除的评分项'))} {points}" for pk, points in scores.items()
        ),
        "per_category": lambda counts: "；".join(f"{categories.get(c, c)} {n}" for c, n in counts.items()),
    }
    labels = _labels()
    for event in events:
        actor = actor_name(event.actor)
        subject = []
        if event.judge_id:
            subject.append(_("评委 %(name)s") % {"name": event.judge.name})
        if event.round_entry_id:
            subject.append(_("匿名编号 %(code)s") % {"code": event.round_entry.blind_code})
        event.sentence = _("%(actor)s %(action)s") % {"actor": actor, "action": event.get_kind_display()}
        if subject:
            event.sentence += _("：%(subject)s") % {"subject": "，".join(subject)}
        event.changes = change_lines(event.before, event.after, labels=labels, values=values)
