"""The messages of the office's decisions (messaging's registry): the public notice (to the
teams on it), objections (to organizers when filed, to the objector when answered) and the
results at finalization (to every team: featured or not, with the real number featured). A
team whose entry took part in no published round (ineligible, not recommended) is never told
that it can read scores: its results page would say there are none."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.roles import ORGANIZERS
from competition.messages import entry_context, team_recipient, user_recipient
from competition.selectors import contest_by_id, submitted_entries
from judging.results.selectors import entries_with_published_results
from messaging.models import Channel
from messaging.registry import Kind, register
from messaging.services import Recipient, notify, on_commit_quietly
from tasking.mail import absolute_url

from .models import FeaturedProject, Objection, Shortlist

NOTICE = register(
    Kind(
        name="awards.notice_published",
        label=_("入围名单公示"),
        variables={
            "team": _("团队名称"),
            "contest": _("大赛名称"),
            "title": _("项目名称"),
            "ends": _("公示截止时间（北京时间）"),
        },
        subject="“{{ title }}”进入公示名单",
        body=(
            "{{ team }}，您好：\n\n您在{{ contest }}申报的项目“{{ title }}”已列入入围名单，"
            "现予公示，公示期至 {{ ends }}（北京时间）。公示名单见：\n{{ link }}"
        ),
        sms_body="{{ team }}：项目“{{ title }}”已列入入围名单公示，公示期至{{ ends }}。",
        sms_template_code="SMS_NOTICE",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
    )
)

OBJECTION_FILED = register(
    Kind(
        name="awards.objection_filed",
        label=_("收到异议（组委会）"),
        variables={
            "contest": _("大赛名称"),
            "title": _("异议针对的项目（可能为空）"),
            "reason": _("异议内容"),
        },
        subject="公示收到新的异议",
        body=(
            "{{ contest }}的公示收到一条新的异议"
            "{% if title %}（针对“{{ title }}”）{% endif %}：\n\n{{ reason }}"
            "\n\n请在后台答复：{{ link }}"
        ),
        channels=(Channel.INBOX, Channel.EMAIL),
    )
)

OBJECTION_ANSWERED = register(
    Kind(
        name="awards.objection_answered",
        label=_("异议已答复（提出人）"),
        variables={"name": _("提出人姓名"), "contest": _("大赛名称"), "answer": _("答复内容")},
        subject="您对{{ contest }}公示提出的异议已答复",
        body="{{ name }}，您好：\n\n您对{{ contest }}公示提出的异议，组委会答复如下：\n{{ answer }}",
        sms_body="{{ name }}：您对公示提出的异议已答复，详见公示页面。",
        sms_template_code="SMS_OBJECTION_ANSWERED",
        channels=(Channel.SMS,),
    )
)

RESULTS = register(
    Kind(
        name="awards.results",
        label=_("评审结果公布"),
        variables={
            "team": _("团队名称"),
            "contest": _("大赛名称"),
            "title": _("项目名称"),
            "featured": _("是否入选优秀项目（真/假）"),
            "featured_count": _("入选优秀项目的总数"),
            "scores_visible": _("团队能否查看成绩（参加过已公布的评审轮次）"),
        },
        subject="评审结果已公布：“{{ title }}”",
        body=(
            "{{ team }}，您好：\n\n{{ contest }}的评审结果已经公布。您申报的项目“{{ title }}”"
            "{% if featured %}入选本届 {{ featured_count }} 个优秀志愿服务项目之列，祝贺您！"
            "{% else %}本次未能入选，感谢您的参与。{% endif %}"
            "{% if scores_visible %}\n\n登录平台即可查看各评分项的平均分、成绩区间和评委给您的反馈："
            "\n{{ link }}{% endif %}"
        ),
        sms_body=(
            "{{ team }}：{{ contest }}结果已公布，“{{ title }}”"
            "{% if featured %}入选优秀项目，祝贺！{% else %}本次未能入选，感谢参与。{% endif %}"
        ),
        sms_template_code="SMS_RESULTS",
        channels=(Channel.INBOX, Channel.EMAIL, Channel.SMS),
        sample=lambda: _results_sample(),
    )
)


def _results_sample() -> dict | None:
    """For the template preview: the latest finalized contest's first featured project."""
    featured = FeaturedProject.objects.select_related("entry__team", "entry__contest").order_by("-pk").first()
    if featured is None:
        return None
    entry = featured.entry
    return {
        **entry_context(entry),
        "featured": True,
        "featured_count": FeaturedProject.objects.filter(contest_id=featured.contest_id).count(),
        "scores_visible": True,
        "link": absolute_url("team_results", entry.public_id),
    }


def notice_published(*, shortlist: Shortlist) -> None:
    shortlist_id = shortlist.pk

    def send():
        from django.utils import timezone

        current = Shortlist.objects.select_related("contest").get(pk=shortlist_id)
        ends = timezone.localtime(current.notice_ends_at).strftime("%Y-%m-%d %H:%M")
        link = absolute_url("notice:notice", current.contest.slug)
        for item in current.items.select_related("entry__team__user", "entry__contest").order_by("rank"):
            notify(
                kind=NOTICE.name,
                recipients=[team_recipient(item.entry.team)],
                context={**entry_context(item.entry), "ends": ends},
                key=f"notice:{current.pk}:{item.entry_id}",
                link=link,
            )

    on_commit_quietly(send)


def objection_filed(*, objection: Objection) -> None:
    objection_id = objection.pk

    def send():
        current = Objection.objects.select_related("shortlist__contest", "entry").get(pk=objection_id)
        organizers = get_user_model().objects.filter(groups__name=ORGANIZERS, is_active=True).order_by("pk")
        notify(
            kind=OBJECTION_FILED.name,
            recipients=[user_recipient(u) for u in organizers],
            context={
                "contest": current.shortlist.contest.title,
                "title": current.entry.title if current.entry else "",
                "reason": current.reason,
            },
            key=f"objection-filed:{current.pk}",
            link=absolute_url("awards_shortlist:objections", current.shortlist.contest_id),
        )

    on_commit_quietly(send)


def objection_answered(*, objection: Objection) -> None:
    objection_id = objection.pk

    def send():
        current = Objection.objects.select_related("shortlist__contest").get(pk=objection_id)
        notify(
            kind=OBJECTION_ANSWERED.name,
            recipients=[Recipient(phone=current.phone, name=current.name)],
            context={
                "name": current.name,
                "contest": current.shortlist.contest.title,
                "answer": current.answer,
            },
            key=f"objection-answered:{current.pk}:{current.answered_at.isoformat()}",
            link=absolute_url("notice:notice", current.shortlist.contest.slug),
        )

    on_commit_quietly(send)


def results_ready(*, contest_id: int) -> int:
    """Every team with a submitted entry: featured or not (with the real count), and the link
    to its scores only where it has published results. Returns how many teams were told."""
    contest = contest_by_id(contest_id)
    if contest is None:
        return 0
    featured = set(FeaturedProject.objects.filter(contest=contest).values_list("entry_id", flat=True))
    entries = list(submitted_entries(contest=contest).select_related("team__user", "contest").order_by("pk"))
    with_scores = entries_with_published_results(entry_ids=[e.pk for e in entries])
    for entry in entries:
        visible = entry.pk in with_scores
        notify(
            kind=RESULTS.name,
            recipients=[team_recipient(entry.team)],
            context={
                **entry_context(entry),
                "featured": entry.pk in featured,
                "featured_count": len(featured),
                "scores_visible": visible,
            },
            key=f"results:{contest.pk}:{entry.pk}",
            link=absolute_url("team_results", entry.public_id) if visible else "",
        )
    return len(entries)
