"""The tables of the spreadsheet exports (Chinese government users live in Excel).

One builder per export returns a ``Table``: Chinese headers and a stream of rows read with
``values_list(...).iterator()`` (a fixed number of queries whatever the size; no query per row).
Other apps add their tables with ``register_export`` (awards: the shortlist and objections)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import Contest, Entry, category_label
from competition.selectors import submitted_entries
from judging.models import (
    Assignment,
    Criterion,
    JudgeResult,
    Round,
    RoundEntry,
    RoundResult,
    RoundUncertainty,
    Score,
    ScoreSheet,
)

DECIMALS = 3


class Table(NamedTuple):
    """What a builder returns: headers, a stream of rows and how many rows there will be."""

    headers: list[str]
    rows: Iterable[tuple]
    size: int


def local_time(value: datetime | None) -> datetime | None:
    """A stored time as Beijing wall-clock time without a zone (spreadsheets have none)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def number(value) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return round(value, DECIMALS)
    return value


def yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def choice_labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


ENTRY_PLACE = (
    "entry__title",
    "entry__team__name",
    "entry__team__organization__name",
    "entry__team__organization__county__name",
    "entry__category__name",
    "entry__category__name_en",
)


def place_headers() -> list[str]:
    return [_("项目名称"), _("参赛团队"), _("文明实践阵地"), _("县（市、区）"), _("项目类别")]


def place_cells(values: tuple) -> list:
    title, team, organization, county, category, category_en = values
    return [title, team, organization, county, category_label(category, category_en)]


def entries_table(*, contest: Contest, round: Round | None = None) -> Table:
    """参赛项目: the contest's submitted entries, or the entries taking part in ``round``
    (then with their blind codes and whether they advanced)."""
    headers = place_headers() + [
        _("状态"),
        _("提交时间"),
        _("资格审查"),
        _("已推荐"),
        _("志愿者人数"),
        _("服务对象人数"),
        _("服务时长（小时）"),
        _("开展活动次数"),
    ]
    fields = (
        *ENTRY_PLACE,
        "entry__status",
        "entry__submitted_at",
        "entry__eligibility",
        "entry__recommended",
        "entry__volunteers",
        "entry__beneficiaries",
        "entry__service_hours",
        "entry__activities",
    )
    statuses = choice_labels(Entry.Status.choices)
    eligibility = choice_labels(Entry.Eligibility.choices)

    def tail(values) -> list:
        status, submitted_at, eligible, recommended, *figures = values
        return [
            statuses.get(status, status),
            local_time(submitted_at),
            eligibility.get(eligible, eligible),
            yes_no(recommended),
            *figures,
        ]

    if round is not None:
        queryset = RoundEntry.objects.filter(round=round)
        headers = [_("匿名编号"), *headers, _("晋级下一轮")]

        def rows():
            for code, *values, advanced in (
                queryset.order_by("blind_code").values_list("blind_code", *fields, "advanced").iterator()
            ):
                yield (code, *place_cells(values[:6]), *tail(values[6:]), yes_no(advanced))

        return Table(headers, rows(), queryset.count())

    queryset = submitted_entries(contest=contest)
    plain = tuple(name.removeprefix("entry__") for name in fields)

    def contest_rows():
        for values in queryset.order_by("submitted_at", "pk").values_list(*plain).iterator():
            yield (*place_cells(values[:6]), *tail(values[6:]))

    return Table(headers, contest_rows(), queryset.count())


def assignments_table(*, round: Round) -> Table:
    """评审分配: who judges what, by name (organizers only: it undoes blindness)."""
    headers = [
        _("匿名编号"),
        _("项目名称"),
        _("评委"),
        _("评委用户名"),
        _("分配方式"),
        _("分配时间"),
        _("评分表状态"),
        _("提交时间"),
    ]
    sources = choice_labels(Assignment.Source.choices)
    statuses = choice_labels(ScoreSheet.Status.choices)
    queryset = Assignment.objects.filter(round=round)

    def rows():
        for code, title, judge, username, source, created_at, status, submitted_at in (
            queryset.order_by("round_entry__blind_code", "judge__name", "pk")
            .values_list(
                "round_entry__blind_code",
                "round_entry__entry__title",
                "judge__name",
                "judge__user__username",
                "source",
                "created_at",
                "sheet__status",
                "sheet__submitted_at",
            )
            .iterator()
        ):
            yield (
                code,
                title,
                judge,
                username,
                sources.get(source, source),
                local_time(created_at),
                statuses.get(status, "") if status else _("未评分"),
                local_time(submitted_at),
            )

    return Table(headers, rows(), queryset.count())


def _criteria(round: Round) -> list[tuple[int, str, int]]:
    return list(
        Criterion.objects.filter(round=round)
        .order_by("sort_order", "pk")
        .values_list("pk", "name", "max_points")
    )


def _criterion_header(name: str, max_points: int) -> str:
    return _("%(name)s（满分 %(max)s）") % {"name": name, "max": max_points}


def sheets_table(*, round: Round) -> Table:
    """评分表: every sheet with its points per criterion, its total, the judge's offset from the
    latest computation and the calibrated total (total − offset)."""
    criteria = _criteria(round)
    position = {pk: i for i, (pk, _name, _max) in enumerate(criteria)}
    offsets = dict(JudgeResult.objects.filter(round=round).values_list("judge_id", "offset"))
    headers = [
        _("匿名编号"),
        _("项目名称"),
        _("评委"),
        _("状态"),
        *(_criterion_header(name, maximum) for _pk, name, maximum in criteria),
        _("总分"),
        _("评委偏差"),
        _("校准总分"),
        _("提交时间"),
        _("给组委会的意见"),
        _("给参赛团队的反馈"),
    ]
    statuses = choice_labels(ScoreSheet.Status.choices)
    sheets = ScoreSheet.objects.filter(assignment__round=round)
    order = ("assignment__round_entry__blind_code", "assignment__judge__name", "pk")

    def rows():
        # Two streams in the same order, merged: sheets, and their scores.
        scores = (
            Score.objects.filter(sheet__assignment__round=round)
            .order_by(*(f"sheet__{name}" for name in order))
            .values_list("sheet_id", "criterion_id", "points")
            .iterator()
        )
        pending = next(scores, None)
        for sheet_id, code, title, judge_name, judge_id, status, total, submitted_at, comment, feedback in (
            sheets.order_by(*order)
            .values_list(
                "pk",
                "assignment__round_entry__blind_code",
                "assignment__round_entry__entry__title",
                "assignment__judge__name",
                "assignment__judge_id",
                "status",
                "total",
                "submitted_at",
                "comment_to_organizers",
                "feedback_to_team",
            )
            .iterator()
        ):
            points: list = [None] * len(criteria)
            while pending is not None and pending[0] == sheet_id:
                if pending[1] in position:
                    points[position[pending[1]]] = number(pending[2])
                pending = next(scores, None)
            offset = offsets.get(judge_id)
            calibrated = float(total) - offset if total is not None and offset is not None else None
            yield (
                code,
                title,
                judge_name,
                statuses.get(status, status),
                *points,
                number(total),
                number(offset),
                number(calibrated),
                local_time(submitted_at),
                comment,
                feedback,
            )

    return Table(headers, rows(), sheets.count())


def ranking_table(*, round: Round) -> Table:
    """成绩排名: every figure of the latest computation, side by side, by rank; entries with
    fewer submitted sheets than the round requires say so (评分表不足), and those with no result
    at all (no submitted sheet when it was computed) follow, unranked, rather than going missing."""
    criteria = _criteria(round)
    headers = [
        _("排名"),
        _("匿名编号"),
        *place_headers(),
        _("评分表数"),
        _("平均分"),
        _("中位数"),
        _("去掉最高分和最低分后的平均分"),
        _("评委标准分"),
        _("校准分"),
        _("本轮得分"),
        _("极差"),
        _("标准差"),
        _("分歧提示"),
        _("评分表不足"),
        _("综合得分"),
        _("综合排名"),
        _("晋级下一轮"),
        *(_("%(name)s平均分") % {"name": name} for _pk, name, _max in criteria),
        _("校准分区间下限"),
        _("校准分区间上限"),
        _("入选把握（进入真实前 %(top)s 名的可能性，%%）") % {"top": _top_of(round)},
    ]
    queryset = RoundResult.objects.filter(round=round)
    required = round.required_sheets
    unranked = RoundEntry.objects.filter(round=round, result__isnull=True)

    def rows():
        for values in (
            queryset.order_by("rank", "round_entry__blind_code")
            .values_list(
                "rank",
                "round_entry__blind_code",
                *(f"round_entry__{name}" for name in ENTRY_PLACE),
                "sheets",
                "mean",
                "median",
                "trimmed",
                "zscore",
                "calibrated",
                "score",
                "spread",
                "sd",
                "flagged",
                "combined",
                "combined_rank",
                "round_entry__advanced",
                "criteria",
                "score_low",
                "score_high",
                "top_chance",
            )
            .iterator()
        ):
            rank, code, *rest = values
            place, rest = rest[:6], rest[6:]
            *rest, low, high, chance = rest
            sheets, *figures, flagged, combined, combined_rank, advanced, means = rest
            means = list(means or [])
            yield (
                rank,
                code,
                *place_cells(place),
                sheets,
                *(number(f) for f in figures),
                yes_no(flagged),
                yes_no(sheets < required),
                number(combined),
                combined_rank,
                yes_no(advanced),
                *(number(means[i]) if i < len(means) else None for i in range(len(criteria))),
                number(low),
                number(high),
                number(100 * chance) if chance is not None else None,
            )
        for code, *place, advanced in (
            unranked.order_by("blind_code").values_list("blind_code", *ENTRY_PLACE, "advanced").iterator()
        ):
            yield (
                None,
                code,
                *place_cells(place),
                0,
                *([None] * 8),
                yes_no(False),
                yes_no(True),
                None,
                None,
                yes_no(advanced),
                *([None] * len(criteria)),
                None,
                None,
                None,
            )

    return Table(headers, rows(), queryset.count() + unranked.count())


def _top_of(round: Round) -> int | str:
    """The N of the round's kept chances (one query), or "N" before they are computed."""
    return RoundUncertainty.objects.filter(round=round).values_list("top", flat=True).first() or "N"


def judges_table(*, round: Round) -> Table:
    """评委统计: each judge's load, completion, mean, spread and severity (offset)."""
    headers = [
        _("评委"),
        _("评委用户名"),
        _("分配数"),
        _("已提交"),
        _("完成率（%）"),
        _("平均总分"),
        _("标准差"),
        _("评委偏差"),
        _("与其他评委差得远（标准差倍数）"),
    ]
    queryset = JudgeResult.objects.filter(round=round)

    def rows():
        for name, username, assigned, sheets, mean, sd, offset, far in (
            queryset.order_by("judge__name", "judge_id")
            .values_list(
                "judge__name", "judge__user__username", "assigned", "sheets", "mean", "sd", "offset", "far"
            )
            .iterator()
        ):
            completion = number(100 * sheets / assigned) if assigned else None
            yield (
                name,
                username,
                assigned,
                sheets,
                completion,
                number(mean),
                number(sd),
                number(offset),
                number(far),
            )

    return Table(headers, rows(), queryset.count())


@dataclass(frozen=True)
class Export:
    label: str
    builder: Callable[..., Table]
    per_round: bool  # needs a round (else it is the contest's)
    organizers_only: bool = False  # names judges against entries


ENTRIES = "entries"  # the contest's entries, or with a round, the round's
EXPORTS: dict[str, Export] = {
    ENTRIES: Export(gettext_lazy("参赛项目"), entries_table, per_round=False),
    "assignments": Export(gettext_lazy("评审分配"), assignments_table, per_round=True, organizers_only=True),
    "sheets": Export(gettext_lazy("评分表"), sheets_table, per_round=True),
    "ranking": Export(gettext_lazy("成绩排名"), ranking_table, per_round=True),
    "judges": Export(gettext_lazy("评委统计"), judges_table, per_round=True),
}


def register_export(kind: str, export: Export) -> None:
    """Another app adds an export of its own (awards: the shortlist and the objections) from
    its ``AppConfig.ready()``; judging never imports it."""
    EXPORTS[kind] = export
