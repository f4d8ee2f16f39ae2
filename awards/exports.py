"""The shortlist and objection exports, added to judging's spreadsheet exports."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.models import DEFAULT_TIER_NAME, Objection, ShortlistEntry
from competition.models import Contest
from judging.spreadsheets.tables import (
    ENTRY_PLACE,
    Export,
    Table,
    choice_labels,
    local_time,
    number,
    place_cells,
    place_headers,
    register_export,
)


def shortlist_table(*, contest: Contest) -> Table:
    """入围名单: the contest's shortlist in order, with how each entry got in and its award tier."""
    headers = [_("序号"), *place_headers(), _("成绩排名"), _("得分"), _("入围方式"), _("奖项等次")]
    via = choice_labels(ShortlistEntry.Via.choices)
    queryset = ShortlistEntry.objects.filter(shortlist__contest=contest)
    default_tier = str(DEFAULT_TIER_NAME)

    def rows():
        for n, values in enumerate(
            queryset.order_by("rank", "entry_id")
            .values_list(*ENTRY_PLACE, "rank", "score", "via", "tier__name")
            .iterator(),
            start=1,
        ):
            *place, rank, score, how, tier = values
            yield (n, *place_cells(place), rank, number(score), via.get(how, how), tier or default_tier)

    return Table(headers, rows(), queryset.count())


def objections_table(*, contest: Contest) -> Table:
    """异议记录: every objection filed during the notice, with the organizers' answer."""
    headers = [
        _("提交时间"),
        _("姓名"),
        _("联系电话"),
        _("异议项目"),
        _("异议内容"),
        _("状态"),
        _("答复"),
        _("答复人"),
        _("答复时间"),
    ]
    statuses = choice_labels(Objection.Status.choices)
    queryset = Objection.objects.filter(shortlist__contest=contest)

    def rows():
        for created_at, name, phone, title, reason, status, answer, answered_by, answered_at in (
            queryset.order_by("created_at", "pk")
            .values_list(
                "created_at",
                "name",
                "phone",
                "entry__title",
                "reason",
                "status",
                "answer",
                "answered_by__username",
                "answered_at",
            )
            .iterator()
        ):
            yield (
                local_time(created_at),
                name,
                phone,
                title or "",
                reason,
                statuses.get(status, status),
                answer,
                answered_by or "",
                local_time(answered_at),
            )

    return Table(headers, rows(), queryset.count())


def register() -> None:
    """Called from ``AwardsConfig.ready()``."""
    register_export("shortlist", Export(gettext_lazy("入围名单"), shortlist_table, per_round=False))
    register_export("objections", Export(gettext_lazy("异议记录"), objections_table, per_round=False))
