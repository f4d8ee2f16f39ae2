"""Spreadsheet exports (Chinese government users live in Excel).

One builder per export returns a ``Table``: Chinese headers and a stream of rows read with
``values_list(...).iterator()`` (a fixed number of queries whatever the size; no query per row).
Two writers turn a table into a file: xlsx through openpyxl's write-only workbook and CSV in
UTF-8 with a BOM (so Excel reads the Chinese).

Text that users typed is written as text, never as a formula: in xlsx every string cell is
forced to the string type (openpyxl would otherwise turn ``=…`` into a formula), and in CSV a
cell starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe (OWASP
"CSV injection"). Numbers stay numbers.

Large exports run in the background: ``export_request`` stores an ``ExportJob`` and enqueues
``judging.tasks.run_export``, which calls ``export_run`` (progress 0–100 as rows are written).
"""

import csv
import io
import logging
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from competition.models import Contest, Entry, random_file_name

from .models import (
    Assignment,
    Criterion,
    ExportJob,
    JudgeResult,
    Objection,
    Round,
    RoundEntry,
    RoundResult,
    Score,
    ScoreSheet,
    ShortlistEntry,
)
from .services import JudgingError

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
}
# Cells that spreadsheet programs read as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 500  # rows between progress reports
DECIMALS = 3


class Table(NamedTuple):
    """What a builder returns: headers, a stream of rows and how many rows there will be."""

    headers: list[str]
    rows: Iterable[tuple]
    size: int


# --- Cell values ---------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    """A stored time as Beijing wall-clock time without a zone (spreadsheets have none)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def _number(value) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return round(value, DECIMALS)
    return value


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _category(name: str | None, name_en: str | None) -> str:
    """A category's name in the active language (as ``Category.label``)."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name or ""


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


# --- Builders ------------------------------------------------------------------------------------

ENTRY_PLACE = (
    "entry__title",
    "entry__team__name",
    "entry__team__organization__name",
    "entry__team__organization__county__name",
    "entry__category__name",
    "entry__category__name_en",
)


def _place_headers() -> list[str]:
    return [_("项目名称"), _("参赛团队"), _("文明实践阵地"), _("县（市、区）"), _("项目类别")]


def _place(values: tuple) -> list:
    title, team, organization, county, category, category_en = values
    return [title, team, organization, county, _category(category, category_en)]


def entries_table(*, contest: Contest, round: Round | None = None) -> Table:
    """参赛项目: the contest's submitted entries, or the entries taking part in ``round``
    (then with their blind codes and whether they advanced)."""
    headers = _place_headers() + [
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
    statuses = _labels(Entry.Status.choices)
    eligibility = _labels(Entry.Eligibility.choices)

    def tail(values) -> list:
        status, submitted_at, eligible, recommended, *figures = values
        return [
            statuses.get(status, status),
            _local(submitted_at),
            eligibility.get(eligible, eligible),
            _yes_no(recommended),
            *figures,
        ]

    if round is not None:
        queryset = RoundEntry.objects.filter(round=round)
        headers = [_("匿名编号"), *headers, _("晋级下一轮")]

        def rows():
            for code, *values, advanced in (
                queryset.order_by("blind_code").values_list("blind_code", *fields, "advanced").iterator()
            ):
                yield (code, *_place(values[:6]), *tail(values[6:]), _yes_no(advanced))

        return Table(headers, rows(), queryset.count())

    queryset = Entry.objects.filter(contest=contest, status=Entry.Status.SUBMITTED)
    plain = tuple(name.removeprefix("entry__") for name in fields)

    def contest_rows():
        for values in queryset.order_by("submitted_at", "pk").values_list(*plain).iterator():
            yield (*_place(values[:6]), *tail(values[6:]))

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
    sources = _labels(Assignment.Source.choices)
    statuses = _labels(ScoreSheet.Status.choices)
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
                _local(created_at),
                statuses.get(status, "") if status else _("未评分"),
                _local(submitted_at),
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
    statuses = _labels(ScoreSheet.Status.choices)
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
                    points[position[pending[1]]] = _number(pending[2])
                pending = next(scores, None)
            offset = offsets.get(judge_id)
            calibrated = float(total) - offset if total is not None and offset is not None else None
            yield (
                code,
                title,
                judge_name,
                statuses.get(status, status),
                *points,
                _number(total),
                _number(offset),
                _number(calibrated),
                _local(submitted_at),
                comment,
                feedback,
            )

    return Table(headers, rows(), sheets.count())


def ranking_table(*, round: Round) -> Table:
    """成绩排名: every figure of the latest computation, side by side, by rank."""
    criteria = _criteria(round)
    headers = [
        _("排名"),
        _("匿名编号"),
        *_place_headers(),
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
        _("综合得分"),
        _("综合排名"),
        _("晋级下一轮"),
        *(_("%(name)s平均分") % {"name": name} for _pk, name, _max in criteria),
    ]
    queryset = RoundResult.objects.filter(round=round)

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
            )
            .iterator()
        ):
            rank, code, *rest = values
            place, rest = rest[:6], rest[6:]
            sheets, *figures, flagged, combined, combined_rank, advanced, means = rest
            means = list(means or [])
            yield (
                rank,
                code,
                *_place(place),
                sheets,
                *(_number(f) for f in figures),
                _yes_no(flagged),
                _number(combined),
                combined_rank,
                _yes_no(advanced),
                *(_number(means[i]) if i < len(means) else None for i in range(len(criteria))),
            )

    return Table(headers, rows(), queryset.count())


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
    ]
    queryset = JudgeResult.objects.filter(round=round)

    def rows():
        for name, username, assigned, sheets, mean, sd, offset in (
            queryset.order_by("judge__name", "judge_id")
            .values_list("judge__name", "judge__user__username", "assigned", "sheets", "mean", "sd", "offset")
            .iterator()
        ):
            completion = _number(100 * sheets / assigned) if assigned else None
            yield (name, username, assigned, sheets, completion, _number(mean), _number(sd), _number(offset))

    return Table(headers, rows(), queryset.count())


def shortlist_table(*, contest: Contest) -> Table:
    """入围名单: the contest's shortlist in order, with how each entry got in."""
    headers = [_("序号"), *_place_headers(), _("成绩排名"), _("得分"), _("入围方式")]
    via = _labels(ShortlistEntry.Via.choices)
    queryset = ShortlistEntry.objects.filter(shortlist__contest=contest)

    def rows():
        for n, values in enumerate(
            queryset.order_by("rank", "entry_id")
            .values_list(*ENTRY_PLACE, "rank", "score", "via")
            .iterator(),
            start=1,
        ):
            *place, rank, score, how = values
            yield (n, *_place(place), rank, _number(score), via.get(how, how))

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
    statuses = _labels(Objection.Status.choices)
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
                _local(created_at),
                name,
                phone,
                title or "",
                reason,
                statuses.get(status, status),
                answer,
                answered_by or "",
                _local(answered_at),
            )

    return Table(headers, rows(), queryset.count())


@dataclass(frozen=True)
class Export:
    builder: Callable[..., Table]
    per_round: bool  # needs a round (else it is the contest's)
    organizers_only: bool = False  # names judges against entries


EXPORTS: dict[str, Export] = {
    ExportJob.Kind.ENTRIES: Export(entries_table, per_round=False),
    ExportJob.Kind.ASSIGNMENTS: Export(assignments_table, per_round=True, organizers_only=True),
    ExportJob.Kind.SHEETS: Export(sheets_table, per_round=True),
    ExportJob.Kind.RANKING: Export(ranking_table, per_round=True),
    ExportJob.Kind.JUDGES: Export(judges_table, per_round=True),
    ExportJob.Kind.SHORTLIST: Export(shortlist_table, per_round=False),
    ExportJob.Kind.OBJECTIONS: Export(objections_table, per_round=False),
}


def scope_round(kind: str, round: Round | None) -> Round | None:
    """The round an export of this kind goes by: round exports and the entries of a round;
    the contest's shortlist and objections go by no round."""
    if EXPORTS[kind].per_round or kind == ExportJob.Kind.ENTRIES:
        return round
    return None


def build(kind: str, *, contest: Contest, round: Round | None) -> Table:
    """The table of one export."""
    export = EXPORTS[kind]
    if export.per_round:
        if round is None:
            raise JudgingError(_("请选择评审轮次。"))
        return export.builder(round=round)
    if kind == ExportJob.Kind.ENTRIES:
        return entries_table(contest=contest, round=round)
    return export.builder(contest=contest)


def file_name(kind: str, *, contest: Contest, round: Round | None, format: str) -> str:
    """The name the file is offered under, e.g. 成绩排名-初评.xlsx."""
    label = ExportJob.Kind(kind).label
    scope = round.name if round is not None else contest.title
    name = f"{label}-{scope}"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name)[:120] + f".{format}"


# --- Writers -------------------------------------------------------------------------------------

Progress = Callable[[int], None]  # called with the number of rows written so far


def clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _xlsx_cell(sheet, value):
    """Strings as string cells (never formulas); numbers and times as they are."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=clean_text(value)[:32767])
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    return value


def _sheet_title(title) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", str(title))[:31] or "Sheet"


def write_xlsx(sheets: list[tuple[str, Table]], out, *, progress: Progress | None = None) -> int:
    """Write one worksheet per (title, table) into ``out`` (a path or a binary file) with a
    write-only workbook (rows go to disk as they come). Returns the number of rows written."""
    workbook = Workbook(write_only=True)
    written = 0
    for title, table in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.freeze_panes = "A2"
        sheet.append([_xlsx_cell(sheet, header) for header in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    if not sheets:
        workbook.create_sheet("Sheet")
    workbook.save(out)
    return written


def csv_safe(value) -> str:
    """A cell for CSV: text that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return str(value)


def write_csv(table: Table, out, *, progress: Progress | None = None) -> int:
    """Write a table as CSV in UTF-8 with a BOM into ``out`` (a binary file)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([csv_safe(header) for header in table.headers])
    written = 0
    for row in table.rows:
        writer.writerow([csv_safe(value) for value in row])
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    text.flush()
    text.detach()
    return written


def write(table: Table, out, *, format: str, title: str, progress: Progress | None = None) -> int:
    if format == ExportJob.Format.CSV:
        return write_csv(table, out, progress=progress)
    return write_xlsx([(title, table)], out, progress=progress)


def write_round_exports(*, round: Round, folder: Path, format: str = ExportJob.Format.XLSX) -> list[Path]:
    """Every export of a round (and of its contest) written into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    contest = round.contest
    paths = []
    for kind in EXPORTS:
        table = build(kind, contest=contest, round=round)
        path = folder / file_name(kind, contest=contest, round=scope_round(kind, round), format=format)
        with path.open("wb") as out:
            write(table, out, format=format, title=ExportJob.Kind(kind).label)
        paths.append(path)
    return paths


# --- Background exports ----------------------------------------------------------------------------


def export_request(*, kind: str, format: str, by, contest: Contest | None = None, round: Round | None = None):
    """Store an export job and queue it (``judging.tasks.run_export``)."""
    if kind not in EXPORTS:
        raise JudgingError(_("未知的导出内容。"))
    if format not in ExportJob.Format.values:
        raise JudgingError(_("未知的文件格式。"))
    if round is not None:
        contest = round.contest
    if EXPORTS[kind].per_round and round is None:
        raise JudgingError(_("请选择评审轮次。"))
    if contest is None:
        raise JudgingError(_("请选择大赛或评审轮次。"))
    round = scope_round(kind, round)
    job = ExportJob.objects.create(kind=kind, format=format, contest=contest, round=round, requested_by=by)
    from .tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


def export_run(*, job: ExportJob) -> ExportJob:
    """Build the job's table and write its file, reporting progress; a failure is recorded
    on the job (with a message in words), never raised into the worker."""
    if job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=0)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            table = build(job.kind, contest=job.contest, round=job.round)
            reported = [0]

            def progress(rows: int) -> None:
                percent = min(99, int(100 * rows / table.size)) if table.size else 99
                if percent > reported[0]:
                    reported[0] = percent
                    ExportJob.objects.filter(pk=job.pk).update(progress=percent)

            with tempfile.TemporaryFile() as out:
                written = write(
                    table, out, format=job.format, title=ExportJob.Kind(job.kind).label, progress=progress
                )
                out.seek(0)
                name = random_file_name("exports", job.format)
                job.file.save(name, File(out, name=name), save=False)
            message = _("共 %(count)s 行。") % {"count": written}
    except Exception:
        logger.exception("export %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.message = _("导出失败，请稍后重试；如仍失败，请联系技术支持。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    job.status = ExportJob.Status.DONE
    job.progress = 100
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "progress", "message", "file", "finished_at"])
    return job


def exports_for_listing():
    """The export jobs, newest first, with what the listing shows (one query per page)."""
    return ExportJob.objects.select_related("contest", "round", "requested_by")
