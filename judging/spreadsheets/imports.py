"""Import of score sheets from an xlsx file, for rounds scored on paper (e.g. an on-site
roadshow, 路演).

The organizer downloads a template (one row per assignment: 匿名编号, 评委用户名, one column per
criterion, 给参赛团队的反馈), fills in the points and uploads it. Every row is checked first and
each problem is reported with its row number (unknown blind code, judge unknown or not assigned
to that entry, score missing / not a number / out of range, the same blind code and judge twice).
Only a file without problems is imported, all or nothing in one transaction, each row through
``sheet_save(submit=True)`` so that every sheet leaves its audit event.

Nothing a judge submitted online is replaced silently: ``import_check`` lists every submitted
sheet the file would change (judge, blind code, old total → new total), and ``import_scores``
takes the organizer's choice for them as a required keyword (``Submitted.OVERWRITE`` or
``Submitted.KEEP``: import only the sheets not yet submitted). Rows equal to the submitted sheet
are no change and are left alone. When the round may not import (``RoundPhase.may_import``: a
closed round takes only sheets an organizer reopened) the service raises ``JudgingError`` once.
"""

import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from common.storage import private_storage
from judging.errors import JudgingError
from judging.models import Assignment, Criterion, Judge, Round, RoundEntry, Score, ScoreSheet
from judging.phases import round_phase
from judging.scoring.services import SheetInput, sheet_save, sheet_total
from judging.spreadsheets.writers import clean_text

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
FEEDBACK_MAX = 3000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A criterion's column may carry its full marks after the name, as the template writes it.
FULL_MARKS_SUFFIX = re.compile(r"\s*[（(]\s*满分.*[)）]\s*$")


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` is shown as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as the spreadsheet shows it (the header is row 1); 0: the whole file
    message: str


class Submitted(StrEnum):
    """What an import does with sheets judges have already submitted and the file changes."""

    OVERWRITE = "overwrite"  # replace them with the file's scores (each change audited)
    KEEP = "keep"  # leave them as the judges submitted them; import only the other sheets


class ImportChanged(JudgingError):
    """The submitted sheets the file would change are not those the organizer confirmed."""


@dataclass
class ImportResult:
    imported: int = 0
    kept: int = 0  # submitted sheets the file would have changed, left as they were (KEEP)
    unchanged: int = 0  # rows equal to the sheet as submitted: nothing to do
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ParsedRow:
    row: int
    assignment: Assignment
    points: dict[int, str]
    feedback: str | None  # None when the file has no feedback column: the sheet keeps its own
    blind_code: str = ""
    judge_name: str = ""


@dataclass(frozen=True)
class SheetChange:
    """A submitted sheet the file would change."""

    row: int
    assignment_id: int
    judge_name: str
    blind_code: str
    old_total: Decimal | None
    new_total: Decimal
    version: int


@dataclass
class ImportPlan:
    """What a file would do to the round (``import_check``); nothing is written."""

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    changes: list[SheetChange] = field(default_factory=list)  # submitted sheets it changes
    unchanged: set[int] = field(default_factory=set)  # assignment ids: rows equal to the sheet

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def fills(self) -> int:
        """Rows written into sheets not yet submitted (none, drafts, reopened)."""
        return len(self.rows) - len(self.changes) - len(self.unchanged)

    @property
    def digest(self) -> str:
        """Names the changes the organizer saw, so a confirmation applies to exactly them."""
        text = ";".join(
            f"{c.assignment_id}:{c.version}:{c.new_total}" for c in sorted(self.changes, key=lambda c: c.row)
        )
        return hashlib.sha256(text.encode()).hexdigest()


def code_header() -> str:
    return _("匿名编号")


def judge_header() -> str:
    return _("评委用户名")


def feedback_header() -> str:
    return _("给参赛团队的反馈")


def _criterion_header(criterion: Criterion) -> str:
    return _("%(name)s（满分 %(max)s）") % {"name": criterion.name, "max": criterion.max_points}


def _string_cell(sheet, value: str):
    cell = WriteOnlyCell(sheet, value=clean_text(value))
    cell.data_type = "s"
    return cell


# --- The template ----------------------------------------------------------------------------------


def template_workbook(*, round: Round) -> bytes:
    """The xlsx template of a round: one row per assignment with its blind code and the
    judge's log-in name filled in, the points and feedback left to fill."""
    criteria = list(round.criteria.all())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("评分"))
    sheet.freeze_panes = "C2"
    headers = [code_header(), judge_header(), *(_criterion_header(c) for c in criteria), feedback_header()]
    sheet.append([_string_cell(sheet, h) for h in headers])
    for code, username in (
        Assignment.objects.filter(round=round)
        .order_by("round_entry__blind_code", "judge__user__username")
        .values_list("round_entry__blind_code", "judge__user__username")
        .iterator()
    ):
        sheet.append([_string_cell(sheet, code), _string_cell(sheet, username)])
    notes = workbook.create_sheet(_("填写说明"))
    for line in [
        _("每行是一位评委对一个项目的评分，导入后即为已提交的评分表。"),
        _("请不要修改第一行的列名；匿名编号和评委用户名已按评审分配填好。"),
        _("分数填 0 到满分之间的数字，最多精确到 0.5 分；每个评分项都要填写。"),
        _("同一匿名编号和评委只能出现一次。有任何一行不符合要求时，整个文件都不会导入。"),
        "",
        *(_criterion_header(c) for c in criteria),
    ]:
        notes.append([_string_cell(notes, line)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_file_name(*, round: Round) -> str:
    return _("评分导入模板-%(round)s.xlsx") % {"round": round.name}


# --- Reading and checking -------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text: numbers typed into a code or name column come back as numbers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(upload) -> tuple[list[str], list[tuple[int, tuple]]]:
    """The header and the non-empty rows (with their row numbers) of the file's first sheet.
    Anything that is not a readable xlsx file becomes an ImportFileError."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("文件太大：最大 5 MB。"))
    try:
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError(
            _("无法读取这个文件：请上传用评分导入模板填写的 Excel 文件（.xlsx 格式）。")
        ) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("文件中没有工作表。"))
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        try:
            header = [_text(value) for value in next(rows)]
        except StopIteration:
            raise ImportFileError(_("文件是空的。")) from None
        body = []
        for number, values in enumerate(rows, start=2):
            if all(_text(v) == "" for v in values):
                continue
            if len(body) >= MAX_ROWS:
                raise ImportFileError(_("行数太多：一次最多导入 %(max)s 行。") % {"max": MAX_ROWS})
            body.append((number, tuple(values)))
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(
            _("无法读取这个文件：请上传用评分导入模板填写的 Excel 文件（.xlsx 格式）。")
        ) from error
    finally:
        workbook.close()
    return header, body


def _columns(header: list[str], criteria: list[Criterion]) -> dict:
    """Where each expected column is; a missing or repeated one is an ImportFileError."""
    names = [FULL_MARKS_SUFFIX.sub("", h) for h in header]
    wanted = {
        "code": code_header(),
        "judge": judge_header(),
        "feedback": feedback_header(),
        **{c.pk: c.name for c in criteria},
    }
    found, problems = {}, []
    for key, name in wanted.items():
        positions = [i for i, h in enumerate(names) if h == name]
        if len(positions) > 1:
            problems.append(_("列“%(name)s”出现了不止一次。") % {"name": name})
        elif positions:
            found[key] = positions[0]
        elif key != "feedback":
            problems.append(_("缺少列“%(name)s”。") % {"name": name})
    if problems:
        raise ImportFileError(" ".join([*problems, _("请使用本轮的评分导入模板。")]))
    return found


def _points(value, criterion: Criterion) -> tuple[str | None, str | None]:
    """(points as text, None) or (None, the problem in words)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("“%(name)s”没有填写分数。") % {"name": criterion.name}
    if isinstance(value, bool):
        return None, _("“%(name)s”的分数不是数字。") % {"name": criterion.name}
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None, _("“%(name)s”的分数不是数字。") % {"name": criterion.name}
    if not number.is_finite() or number < 0 or number > criterion.max_points:
        return None, _("“%(name)s”的分数应在 0 到 %(max)s 之间。") % {
            "name": criterion.name,
            "max": criterion.max_points,
        }
    if number * 2 != (number * 2).to_integral_value():
        return None, _("“%(name)s”的分数最多精确到 0.5 分。") % {"name": criterion.name}
    return str(number), None


def check_rows(*, round: Round, header: list[str], rows: list[tuple[int, tuple]]):
    """Every row checked against the round (a fixed number of queries). Returns the parsed
    rows and the problems, row by row."""
    criteria = list(round.criteria.all())
    columns = _columns(header, criteria)
    codes = {_text(values[columns["code"]]).upper() for _n, values in rows if columns["code"] < len(values)}
    usernames = {_text(values[columns["judge"]]) for _n, values in rows if columns["judge"] < len(values)}
    entries = dict(
        RoundEntry.objects.filter(round=round, blind_code__in=codes).values_list("blind_code", "pk")
    )
    judges, judge_names = {}, {}
    for username, pk, name in Judge.objects.filter(user__username__in=usernames).values_list(
        "user__username", "pk", "name"
    ):
        judges[username], judge_names[pk] = pk, name
    assignments = {
        (round_entry_id, judge_id): pk
        for pk, round_entry_id, judge_id in Assignment.objects.filter(
            round=round, round_entry_id__in=entries.values()
        ).values_list("pk", "round_entry_id", "judge_id")
    }

    def cell(values, key):
        position = columns.get(key)
        return values[position] if position is not None and position < len(values) else None

    parsed, errors, seen = [], [], {}
    for number, values in rows:
        problems = []
        code = _text(cell(values, "code")).upper()
        username = _text(cell(values, "judge"))
        round_entry_id = entries.get(code)
        judge_id = judges.get(username)
        if not code:
            problems.append(_("没有填写匿名编号。"))
        elif round_entry_id is None:
            problems.append(_("本轮没有匿名编号为“%(code)s”的项目。") % {"code": code})
        if not username:
            problems.append(_("没有填写评委用户名。"))
        elif judge_id is None:
            problems.append(_("没有用户名为“%(username)s”的评委。") % {"username": username})
        assignment_id = assignments.get((round_entry_id, judge_id))
        if round_entry_id is not None and judge_id is not None:
            if assignment_id is None:
                problems.append(
                    _("评委“%(username)s”没有被分配评审项目“%(code)s”。")
                    % {"username": username, "code": code}
                )
            elif (code, username) in seen:
                problems.append(
                    _("与第 %(row)s 行重复：同一项目和评委只能有一行。") % {"row": seen[(code, username)]}
                )
            else:
                seen[(code, username)] = number
        points = {}
        for criterion in criteria:
            value, problem = _points(cell(values, criterion.pk), criterion)
            if problem:
                problems.append(problem)
            else:
                points[criterion.pk] = value
        feedback = _text(cell(values, "feedback")) if "feedback" in columns else None
        if feedback and len(feedback) > FEEDBACK_MAX:
            problems.append(_("反馈最多 %(max)s 字。") % {"max": FEEDBACK_MAX})
        if problems:
            errors.extend(RowError(number, message) for message in problems)
            continue
        parsed.append(
            ParsedRow(
                row=number,
                assignment=Assignment(
                    pk=assignment_id, round_id=round.pk, round_entry_id=round_entry_id, judge_id=judge_id
                ),
                points=points,
                feedback=feedback,
                blind_code=code,
                judge_name=judge_names.get(judge_id, ""),
            )
        )
    return parsed, errors


# --- A file kept between the check step and the organizer's choice ------------------------------

STAGED_FOLDER = "score-imports"


def stage_upload(upload) -> str:
    """Keep an uploaded file in private storage until the organizer chooses; returns its token."""
    token = secrets.token_hex(16)
    upload.seek(0)
    private_storage().save(f"{STAGED_FOLDER}/{token}.xlsx", File(upload))
    return token


def _staged_name(token: str) -> str | None:
    return f"{STAGED_FOLDER}/{token}.xlsx" if re.fullmatch(r"[0-9a-f]{32}", token or "") else None


def staged_upload(token: str):
    """The kept file (open it with ``with``), or None when it is gone."""
    name = _staged_name(token)
    if name is None or not private_storage().exists(name):
        return None
    return private_storage().open(name, "rb")


def discard_staged(token: str) -> None:
    name = _staged_name(token)
    if name is not None:
        private_storage().delete(name)


# --- The check step and the import ---------------------------------------------------------------


def _refuse_unless_importable(round: Round) -> None:
    """Raised before the file is read when nothing of it could be imported now."""
    phase = round_phase(round)
    if phase.can_import:
        return
    if phase.can_import_reopened:
        if not ScoreSheet.objects.filter(assignment__round=round, reopened=True).exists():
            raise JudgingError(_("本轮已截止：请先重开需要修改的评分表"))
        return
    raise JudgingError(_("只有评分中的轮次（或有重开评分表的已截止轮次）才能导入评分。"))


def _plan(*, round: Round, upload) -> ImportPlan:
    try:
        header, rows = read_sheet(upload)
        parsed, errors = check_rows(round=round, header=header, rows=rows)
    except ImportFileError as error:
        return ImportPlan(errors=[RowError(0, error.message)])
    sheets = {
        assignment_id: (status, reopened, total, version, feedback)
        for assignment_id, status, reopened, total, version, feedback in ScoreSheet.objects.filter(
            assignment__round=round
        ).values_list("assignment_id", "status", "reopened", "total", "version", "feedback_to_team")
    }
    submitted_points: dict[int, dict[int, Decimal]] = {}
    for assignment_id, criterion_id, points in Score.objects.filter(
        sheet__assignment__round=round, sheet__status=ScoreSheet.Status.SUBMITTED
    ).values_list("sheet__assignment_id", "criterion_id", "points"):
        submitted_points.setdefault(assignment_id, {})[criterion_id] = points
    criteria = list(round.criteria.all())
    plan = ImportPlan(rows=parsed, errors=errors)
    writes_closed_sheet = False
    for row in parsed:
        status, reopened, total, version, feedback = sheets.get(row.assignment.pk, (None, False, None, 0, ""))
        new = {pk: Decimal(value) for pk, value in row.points.items()}
        if status == ScoreSheet.Status.SUBMITTED:
            same_feedback = row.feedback is None or row.feedback == feedback
            if new == submitted_points.get(row.assignment.pk, {}) and same_feedback:
                plan.unchanged.add(row.assignment.pk)
                continue
            plan.changes.append(
                SheetChange(
                    row=row.row,
                    assignment_id=row.assignment.pk,
                    judge_name=row.judge_name,
                    blind_code=row.blind_code,
                    old_total=total,
                    new_total=sheet_total(criteria, new),
                    version=version,
                )
            )
        if not reopened:
            writes_closed_sheet = True
    if writes_closed_sheet and not round_phase(round).can_import:
        # Once, not row by row: the organizer reopens the sheets to change, then imports.
        raise JudgingError(_("本轮已截止：请先重开需要修改的评分表"))
    if not plan.errors and not parsed:
        plan.errors = [RowError(0, _("文件中没有需要导入的评分。"))]
    return plan


def import_check(*, round: Round, upload) -> ImportPlan:
    """The check step: every problem row by row, or what the file would do, with each submitted
    sheet it would change. Raises JudgingError when the round may not import (once, for the
    whole file). A fixed number of queries whatever the number of rows."""
    _refuse_unless_importable(round)
    return _plan(round=round, upload=upload)


class _Rollback(Exception):
    pass


def import_scores(
    *, round: Round, upload, by, submitted: Submitted, confirmed: str | None = None
) -> ImportResult:
    """Check the whole file, then import every row or none. Submitted sheets the file changes
    are replaced only with ``submitted=Submitted.OVERWRITE`` (and, when ``confirmed`` is the
    digest of the changes the organizer saw, only if they are still exactly those; otherwise
    ImportChanged); with ``Submitted.KEEP`` they stay as the judges submitted them. Problems of
    the file as a whole (unreadable, columns missing) come with row 0; a round that may not
    import raises JudgingError. A sheet that exists keeps the judge's comment to the organizers
    (and its feedback when the file has no such column)."""
    submitted = Submitted(submitted)
    plan = import_check(round=round, upload=upload)
    if not plan.ok:
        return ImportResult(errors=plan.errors)
    if submitted == Submitted.OVERWRITE and confirmed is not None and confirmed != plan.digest:
        raise ImportChanged(_("检查之后评分表有了变化（评委又提交或修改了评分表）：请核对新的清单后再确认。"))
    skipped = set(plan.unchanged)
    if submitted == Submitted.KEEP:
        skipped |= {change.assignment_id for change in plan.changes}
    rows = [row for row in plan.rows if row.assignment.pk not in skipped]
    kept = {
        assignment_id: (comment, feedback)
        for assignment_id, comment, feedback in ScoreSheet.objects.filter(
            assignment__round=round, assignment_id__in=[row.assignment.pk for row in rows]
        ).values_list("assignment_id", "comment_to_organizers", "feedback_to_team")
    }
    errors = []
    try:
        with transaction.atomic():
            for row in rows:
                comment, feedback = kept.get(row.assignment.pk, ("", ""))
                data = SheetInput(
                    points=row.points,
                    comment_to_organizers=comment,
                    feedback_to_team=feedback if row.feedback is None else row.feedback,
                )
                try:
                    sheet_save(
                        assignment=row.assignment,
                        data=data,
                        expected_version=None,
                        submit=True,
                        by=by,
                    )
                except JudgingError as error:
                    errors.append(RowError(row.row, error.message))
            if errors:
                raise _Rollback
    except _Rollback:
        return ImportResult(errors=errors)
    return ImportResult(
        imported=len(rows),
        kept=len(plan.changes) if submitted == Submitted.KEEP else 0,
        unchanged=len(plan.unchanged),
    )
