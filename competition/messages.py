"""The messages of the data core's events (messaging's registry): sign-up confirmed, the
eligibility decision, the recommendation, and reminders to teams (drafts before the deadline)
and to coordinators (undecided entries before the recommendation deadline)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.signals import signup_confirmed
from messaging.models import Channel
from messaging.registry import Kind, register, register_reminders
from messaging.reminders import window
from messaging.services import Recipient, notify, notify_on_commit
from tasking.mail import absolute_url

from .models import Contest, Coordinator, Entry, Team

TEAM = {"team": _("团队名称"), "contest": _("大赛名称")}
ENTRY = {**TEAM, "title": _("项目名称")}
WHEN = "Y年n月j日 H:i"


def team_recipient(team: Team) -> Recipient:
    return Recipient(user=team.user, email=team.user.email, phone=team.contact_phone, name=team.name)


def user_recipient(user, *, phone: str = "") -> Recipient:
    """A back-office person (coordinator, organizer) as a recipient, named as people see them."""
    return Recipient(user=user, email=user.email, phone=phone, name=person_name(user))


def coordinator_recipient(coordinator: Coordinator) -> Recipient:
    return user_recipient(coordinator.user, phone=coordinator.phone)


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


QUOTE_PAIRS = {"“": "”", '"': '"', "「": "」", "『": "』", "《": "》", "'": "'"}


def plain_title(title: str) -> str:
    """The title without a pair of quotation marks around all of it: templates put it in “”
    once. Quotes inside the title (西村“银龄课堂”) are part of it and stay."""
    title = title.strip()
    if len(title) > 2 and QUOTE_PAIRS.get(title[0]) == title[-1] and title[0] not in title[1:-1]:
        return title[1:-1].strip()
    return title


def entry_context(entry: Entry) -> dict:
    return {"team": entry.team.name, "contest": entry.contest.title, "title": plain_title(entry.title)}


def _latest_entry(**filters):
    entry = Entry.objects.filter(**filters).select_related("team", "contest").order_by("-pk").first()
    return entry


def _sample_entry(**filters):
    def sample():
        entry = _latest_entry(**filters)
        if entry is None:
            return None
        return {
            **entry_context(entry),
            "reason": entry.eligibility_reason,
            "eligible": entry.eligibility == Entry.Eligibility.ELIGIBLE,
            "recommended": entry.recommended,
            "link": absolute_url("competition:entry_detail", entry.public_id),
        }

    return sample


SIGNUP = register(
    Kind(
        name="competition.signup_confirmed",
        label=_("注册成功"),
        variables={"team": _("团队名称"), "platform": _("平台名称")},
        subject="欢迎加入{{ platform }}",
        body=(
            "{{ team }}，您好：\n\n您的参赛团队账号已经启用。"
            "请先完善团队信息，然后在申报期内申报项目。\n\n{{ link }}"
        ),
        sms_body="【{{ platform }}】{{ team }}，您的参赛账号已启用，请登录平台申报项目。",
        sms_template_code="SMS_SIGNUP",
        channels=(Channel.INBOX, Channel.SMS),
    )
)

ELIGIBILITY = register(
    Kind(
        name="competition.eligibility",
        label=_("资格审查结果"),
        variables={
            **ENTRY,
            "eligible": _("是否通过（真/假）"),
            "reason": _("审查意见（不通过时必填）"),
        },
        subject="资格审查结果：“{{ title }}”",
        body=(
            "{{ team }}，您好：\n\n您在{{ contest }}申报的项目“{{ title }}”"
            "{% if eligible %}已通过资格审查，等待县（市、区）推荐。"
            "{% else %}未通过资格审查。\n理由：{{ reason }}{% endif %}"
            "\n\n{{ link }}"
        ),
        sms_body=(
            "{{ team }}：项目“{{ title }}”"
            "{% if eligible %}已通过资格审查{% else %}未通过资格审查，理由见平台{% endif %}。"
        ),
        sms_template_code="SMS_ELIGIBILITY",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
        sample=_sample_entry(eligibility__in=[Entry.Eligibility.ELIGIBLE, Entry.Eligibility.INELIGIBLE]),
    )
)

RECOMMENDATION = register(
    Kind(
        name="competition.recommendation",
        label=_("推荐结果"),
        variables={**ENTRY, "recommended": _("是否推荐（真/假）")},
        subject="推荐结果：“{{ title }}”",
        body=(
            "{{ team }}，您好：\n\n您在{{ contest }}申报的项目“{{ title }}”"
            "{% if recommended %}已由县（市、区）推荐参加市级评审。"
            "{% else %}未获县（市、区）推荐参加市级评审。{% endif %}"
            "\n\n{{ link }}"
        ),
        sms_body=(
            "{{ team }}：项目“{{ title }}”"
            "{% if recommended %}已获推荐参加市级评审{% else %}未获推荐参加市级评审{% endif %}。"
        ),
        sms_template_code="SMS_RECOMMENDATION",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
        sample=_sample_entry(eligibility=Entry.Eligibility.ELIGIBLE),
    )
)

DRAFT_REMINDER = register(
    Kind(
        name="competition.draft_reminder",
        label=_("申报截止提醒（未提交的草稿）"),
        variables={**ENTRY, "closes": _("申报截止时间（北京时间）")},
        subject="申报即将截止：“{{ title }}”尚未提交",
        body=(
            "{{ team }}，您好：\n\n您在{{ contest }}的项目“{{ title }}”还是草稿，尚未提交。"
            "申报将于 {{ closes }}（北京时间）截止，截止后不能再提交。\n\n{{ link }}"
        ),
        sms_body="{{ team }}：项目“{{ title }}”尚未提交，申报将于{{ closes }}截止。",
        sms_template_code="SMS_DRAFT_REMINDER",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
        sample=_sample_entry(status=Entry.Status.DRAFT),
    )
)

COORDINATOR_REMINDER = register(
    Kind(
        name="competition.coordinator_reminder",
        label=_("资格审查与推荐截止提醒（县区管理员）"),
        variables={
            "name": _("县区管理员姓名"),
            "county": _("县（市、区）"),
            "contest": _("大赛名称"),
            "undecided": _("待审查的项目数"),
            "closes": _("推荐截止时间（北京时间）"),
        },
        subject="{{ county }}还有 {{ undecided }} 个项目待审查",
        body=(
            "{{ name }}，您好：\n\n{{ contest }}中，{{ county }}还有 {{ undecided }} 个"
            "已提交的项目尚未进行资格审查。"
            "资格审查与推荐将于 {{ closes }}（北京时间）截止。\n\n{{ link }}"
        ),
        channels=(Channel.INBOX, Channel.EMAIL),
    )
)


STATION_PROPOSED = register(
    Kind(
        name="competition.station_proposed",
        label=_("团队提出新阵地（县区管理员）"),
        variables={
            "name": _("县区管理员姓名"),
            "county": _("县（市、区）"),
            "station": _("团队填写的阵地名称"),
            "town": _("团队填写的乡镇（街道）"),
        },
        subject="有团队提出了新阵地“{{ station }}”，请确认",
        body=(
            "{{ name }}，您好：\n\n有参赛团队在{{ county }}找不到所属阵地，填写了"
            "“{{ town }}{{ station }}”。请核对后确认、更正或合并到已有阵地。\n\n{{ link }}"
        ),
        channels=(Channel.INBOX, Channel.EMAIL),
    )
)


# --- Events (called on commit from competition.services) -------------------------------------


@receiver(signup_confirmed, dispatch_uid="competition.messages.signup_confirmed")
def on_signup_confirmed(sender, user, **kwargs):
    team = Team.objects.filter(user=user).select_related("user").first()
    if team is None:
        return
    notify_on_commit(
        kind=SIGNUP.name,
        recipients=[team_recipient(team)],
        context={"team": team.name, "platform": settings.PLATFORM_NAME},
        key=f"signup:{user.pk}",
        link=absolute_url("competition:dashboard"),
    )


def eligibility_decided(*, entry: Entry, event_id: int) -> None:
    notify_on_commit(
        kind=ELIGIBILITY.name,
        recipients=[team_recipient(entry.team)],
        context={
            **entry_context(entry),
            "eligible": entry.eligibility == Entry.Eligibility.ELIGIBLE,
            "reason": entry.eligibility_reason,
        },
        key=f"eligibility:{entry.pk}:{event_id}",
        link=absolute_url("competition:entry_detail", entry.public_id),
    )


def recommendation_decided(*, entry: Entry, event_id: int) -> None:
    notify_on_commit(
        kind=RECOMMENDATION.name,
        recipients=[team_recipient(entry.team)],
        context={**entry_context(entry), "recommended": entry.recommended},
        key=f"recommendation:{entry.pk}:{event_id}",
        link=absolute_url("competition:entry_detail", entry.public_id),
    )


# --- Reminders (manage.py send_due_reminders) ------------------------------------------------


@register_reminders
def draft_reminders(*, now) -> int:
    """Teams with a draft not submitted, 3 days and 1 day before the submission deadline."""
    sent = 0
    contests = Contest.objects.filter(
        submission_closes__gt=now, submission_closes__lte=now + timedelta(days=3)
    )
    for contest in contests:
        slot = window(deadline=contest.submission_closes, now=now)
        if slot is None:
            continue
        closes = timezone.localtime(contest.submission_closes).strftime("%Y-%m-%d %H:%M")
        drafts = Entry.objects.filter(contest=contest, status=Entry.Status.DRAFT).select_related("team__user")
        for entry in drafts:
            sent += notify(
                kind=DRAFT_REMINDER.name,
                recipients=[team_recipient(entry.team)],
                context={**entry_context(entry), "contest": contest.title, "closes": closes},
                key=f"draft-reminder:{entry.pk}:{slot}",
                link=absolute_url("competition:entry_edit", entry.public_id),
            )
    return sent


@register_reminders
def coordinator_reminders(*, now) -> int:
    """Coordinators whose county has submitted entries not yet reviewed, 3 days and 1 day
    before the contest's recommendation deadline (when it has one)."""
    sent = 0
    contests = Contest.objects.filter(
        recommendation_closes__gt=now, recommendation_closes__lte=now + timedelta(days=3)
    )
    for contest in contests:
        slot = window(deadline=contest.recommendation_closes, now=now)
        if slot is None:
            continue
        closes = timezone.localtime(contest.recommendation_closes).strftime("%Y-%m-%d %H:%M")
        undecided = dict(
            Entry.objects.filter(
                contest=contest, status=Entry.Status.SUBMITTED, eligibility=Entry.Eligibility.PENDING
            )
            .values_list("team__organization__county_id")
            .annotate(n=Count("pk"))
            .filter(~Q(n=0))
        )
        coordinators = Coordinator.objects.filter(county_id__in=undecided).select_related("user", "county")
        for coordinator in coordinators:
            user = coordinator.user
            sent += notify(
                kind=COORDINATOR_REMINDER.name,
                recipients=[coordinator_recipient(coordinator)],
                context={
                    "name": person_name(user),
                    "county": coordinator.county.name,
                    "contest": contest.title,
                    "undecided": undecided[coordinator.county_id],
                    "closes": closes,
                },
                key=f"coordinator-reminder:{contest.pk}:{coordinator.pk}:{slot}",
                link=absolute_url("wagtailadmin_home"),
            )
    return sent


@register_reminders
def not_recommended_after_deadline(*, now) -> int:
    """Once the recommendation deadline has passed, teams whose eligible entry was not
    recommended hear it (those recommended heard it when it happened). Looked at for a week
    after the deadline, so a late run of the timer still tells them, once."""
    sent = 0
    contests = Contest.objects.filter(
        recommendation_closes__lte=now, recommendation_closes__gt=now - timedelta(days=7)
    )
    for contest in contests:
        entries = Entry.objects.filter(
            contest=contest,
            status=Entry.Status.SUBMITTED,
            eligibility=Entry.Eligibility.ELIGIBLE,
            recommended=False,
        ).select_related("team__user", "contest")
        for entry in entries:
            sent += notify(
                kind=RECOMMENDATION.name,
                recipients=[team_recipient(entry.team)],
                context={**entry_context(entry), "recommended": False},
                key=f"not-recommended:{contest.pk}:{entry.pk}",
                link=absolute_url("competition:entry_detail", entry.public_id),
            )
    return sent


def station_proposed(*, organization) -> None:
    """The county's coordinators are asked to confirm a station a team named."""
    coordinators = Coordinator.objects.filter(county_id=organization.county_id).select_related(
        "user", "county"
    )
    town = organization.town.name if organization.town_id else organization.proposed_town
    for coordinator in coordinators:
        user = coordinator.user
        notify_on_commit(
            kind=STATION_PROPOSED.name,
            recipients=[coordinator_recipient(coordinator)],
            context={
                "name": person_name(user),
                "county": coordinator.county.name,
                "station": organization.name,
                "town": town,
            },
            key=f"station-proposed:{organization.pk}:{user.pk}",
            link=absolute_url("proposed_stations:station", organization.pk),
        )
