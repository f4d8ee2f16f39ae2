"""The messages of judging's events (messaging's registry): a round opens (to its judges),
reminders of unscored sheets (asked for by organizers, and on a schedule 3 days and 1 day
before a round closes), and the entries that advance to the next round (to their teams).
Judges get no team, county or organization name in any of them (blindness)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition.messages import entry_context, team_recipient
from messaging.models import Channel
from messaging.registry import Kind, register, register_reminders
from messaging.reminders import window
from messaging.services import Recipient, notify, on_commit_quietly
from tasking.mail import absolute_url

from .models import Judge, Round, RoundEntry, ScoreSheet
from .phases import rounds_where

ROUND = {"name": _("评委姓名"), "contest": _("大赛名称"), "round": _("轮次名称")}


def judge_recipient(judge: Judge) -> Recipient:
    return Recipient(user=judge.user, email=judge.user.email, phone=judge.phone, name=judge.name)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _round_sample() -> dict | None:
    """For the template preview: the latest round with assignments, and its first judge."""
    round = Round.objects.filter(assignments__isnull=False).select_related("contest").order_by("-pk").first()
    if round is None:
        return None
    judge = _judges_with_counts(round).first()
    return {
        "name": judge.name,
        "contest": round.contest.title,
        "round": round.name,
        "assigned": judge.assigned,
        "remaining": judge.assigned - judge.submitted,
        "closes": _when(round.scoring_closes),
        "link": absolute_url("judging:dashboard"),
    }


ROUND_OPENED = register(
    Kind(
        name="judging.round_opened",
        label=_("评审轮次开始评分（评委）"),
        variables={**ROUND, "assigned": _("分配给该评委的项目数"), "closes": _("评分截止时间（北京时间）")},
        subject="{{ contest }}{{ round }}开始评分",
        body=(
            "{{ name }}，您好：\n\n{{ contest }}{{ round }}已开始评分，分配给您的项目共 {{ assigned }} 个，"
            "请于 {{ closes }}（北京时间）前完成评分。\n\n{{ link }}"
        ),
        sms_body="{{ name }}：{{ round }}已开始评分，共{{ assigned }}个项目，请于{{ closes }}前完成。",
        sms_template_code="SMS_ROUND_OPENED",
        channels=(Channel.INBOX, Channel.EMAIL),
        sample=lambda: _round_sample(),
    )
)

REMINDER = register(
    Kind(
        name="judging.reminder",
        label=_("评分提醒（评委）"),
        variables={**ROUND, "remaining": _("尚未提交评分的项目数"), "closes": _("评分截止时间（北京时间）")},
        subject="{{ round }}评分提醒",
        body=(
            "{{ name }}，您好：\n\n{{ contest }}{{ round }}中，您还有 {{ remaining }} 个项目尚未提交评分。"
            "评分截止时间为 {{ closes }}。\n\n{{ link }}\n\n感谢您对大赛的支持！"
        ),
        sms_body="{{ name }}：{{ round }}还有{{ remaining }}个项目未提交评分，截止{{ closes }}。",
        sms_template_code="SMS_JUDGE_REMINDER",
        channels=(Channel.INBOX, Channel.EMAIL),
        sample=lambda: _round_sample(),
    )
)

ADVANCED = register(
    Kind(
        name="judging.advanced",
        label=_("晋级下一轮"),
        variables={
            "team": _("团队名称"),
            "contest": _("大赛名称"),
            "title": _("项目名称"),
            "round": _("本轮名称"),
        },
        subject="“{{ title }}”晋级下一轮评审",
        body=(
            "{{ team }}，您好：\n\n您在{{ contest }}申报的项目“{{ title }}”"
            "在{{ round }}中晋级下一轮评审。\n\n{{ link }}"
        ),
        sms_body="{{ team }}：项目“{{ title }}”在{{ round }}中晋级下一轮评审。",
        sms_template_code="SMS_ADVANCED",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
    )
)


def _judges_with_counts(round: Round):
    return (
        Judge.objects.filter(assignments__round=round)
        .select_related("user")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__round=round), distinct=True),
            submitted=Count(
                "assignments",
                filter=Q(assignments__round=round, assignments__sheet__status=ScoreSheet.Status.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("pk")
    )


def round_opened(*, round: Round) -> None:
    """Called on the round's opening for scoring; each judge is told once per round."""
    round_id = round.pk

    def send():
        current = Round.objects.select_related("contest").get(pk=round_id)
        for judge in _judges_with_counts(current):
            notify(
                kind=ROUND_OPENED.name,
                recipients=[judge_recipient(judge)],
                context={
                    "name": judge.name,
                    "contest": current.contest.title,
                    "round": current.name,
                    "assigned": judge.assigned,
                    "closes": _when(current.scoring_closes),
                },
                key=f"round-opened:{current.pk}:{judge.pk}",
                link=absolute_url("judging:dashboard"),
            )

    on_commit_quietly(send)


def remind_judges(*, round: Round, judge_ids: list[int] | None, key: str) -> list[Judge]:
    """Remind the (listed) judges with unfinished sheets in the round; returns those reminded
    now or by an earlier call with the same key."""
    reminded = []
    judges = _judges_with_counts(round)
    if judge_ids is not None:
        judges = judges.filter(pk__in=judge_ids)
    for judge in judges:
        remaining = judge.assigned - judge.submitted
        if remaining <= 0:
            continue
        judge.reminded_now = (
            notify(
                kind=REMINDER.name,
                recipients=[judge_recipient(judge)],
                context={
                    "name": judge.name,
                    "contest": round.contest.title,
                    "round": round.name,
                    "remaining": remaining,
                    "closes": _when(round.scoring_closes),
                },
                key=f"{key}:{judge.pk}",
                link=absolute_url("judging:dashboard"),
            )
            > 0
        )
        judge.remaining = remaining
        reminded.append(judge)
    return reminded


@register_reminders
def judge_reminders(*, now) -> int:
    """Judges with unscored sheets, 3 days and 1 day before their scoring round closes."""
    count = 0
    rounds = Round.objects.filter(
        rounds_where(can_score=True), scoring_closes__gt=now, scoring_closes__lte=now + timedelta(days=3)
    ).select_related("contest")
    for round in rounds:
        slot = window(deadline=round.scoring_closes, now=now)
        if slot:
            count += len(remind_judges(round=round, judge_ids=None, key=f"judge-reminder:{round.pk}:{slot}"))
    return count


def entries_advanced(*, round: Round, round_entry_ids) -> None:
    """Teams whose entry goes on to the next round; told once per round and entry."""
    ids = list(round_entry_ids)
    round_id = round.pk

    def send():
        current = Round.objects.select_related("contest").get(pk=round_id)
        for round_entry in RoundEntry.objects.filter(pk__in=ids, advanced=True).select_related(
            "entry__team__user", "entry__contest"
        ):
            entry = round_entry.entry
            notify(
                kind=ADVANCED.name,
                recipients=[team_recipient(entry.team)],
                context={**entry_context(entry), "round": current.name},
                key=f"advanced:{current.pk}:{entry.pk}",
                link=absolute_url("competition:entry_detail", entry.public_id),
            )

    on_commit_quietly(send)
