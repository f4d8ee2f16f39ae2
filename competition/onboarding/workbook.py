"""Reading and writing the onboarding workbooks (xlsx): templates with their column notes, the
rows of a filled-in file, each row's fate, and the file kept between the check and the import.

openpyxl directly, not tablib or django-import-export: a formula must be *refused*, which
needs the cell's type (tablib loads values with ``data_only=True``, where a formula reads as its
cached result or as nothing), every reason is ours in Chinese with its row number, and rows
are resolved in bulk against places named in the same file (import-export resolves a row at
a time, in the Django admin rather than Wagtail's).

Nothing here evaluates a formula: openpyxl reads a formula cell as its text, and such a cell is
reported as an error of its row.
"""

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.files.base import File
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment

from common.errors import DomainError
from common.storage import private_storage

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 2**20  # 20,000 rows of a dozen columns unpack to ~30 MB
MAX_ROWS = 20_000  # per sheet: a city has ~3,000 stations, a province some tens of thousands
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A header may carry a mark that the column is required ("名称*", "名称（必填）").
REQUIRED_MARK = re.compile(r"\s*(\*|＊|[（(]必填[)）])\s*$")


class OnboardingError(DomainError):
    """The import must not happen now (e.g. the database changed under it)."""


class PlanChanged(OnboardingError):
    """What the file would do is no longer what the organizer saw at the check step."""


def refuse_if_changed(plan: "Plan", confirmed: str | None) -> None:
    """Inside the import's transaction: the confirmation applies to exactly the plan seen."""
    if confirmed is not None and plan.ok and plan.digest != confirmed:
        raise PlanChanged(_("检查之后数据有了变化（可能有人同时修改了）：请核对新的检查结果后再确认导入。"))


class Fate(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


FATE_LABELS = {
    Fate.NEW: gettext_lazy("新增"),
    Fate.CHANGED: gettext_lazy("修改"),
    Fate.UNCHANGED: gettext_lazy("不变"),
    Fate.ERROR: gettext_lazy("错误"),
}


def fate_label(fate: Fate) -> str:
    return str(FATE_LABELS[fate])


@dataclass(frozen=True)
class Column:
    key: str
    header: str | Promise
    note: str | Promise
    example: str = ""
    required: bool = False


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str | Promise
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass
class Row:
    """One row of a sheet: the values of the columns the sheet has (text, stripped); a column
    the sheet lacks is absent, so that the import leaves that field as it is."""

    sheet: str
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def has(self, key: str) -> bool:
        return key in self.values


@dataclass
class RowReport:
    sheet: str
    row: int  # 0: the file as a whole
    label: str  # what the row is about (a name), for the reader
    fate: Fate
    messages: list[str] = field(default_factory=list)  # the changes, or the reasons of an error

    @property
    def fate_label(self) -> str:
        return fate_label(self.fate)


@dataclass
class Plan:
    """What a file would do (the check step); ``actions`` is what the import writes."""

    reports: list[RowReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actions: object = None
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not any(report.fate == Fate.ERROR for report in self.reports) and bool(self.reports)

    @property
    def errors(self) -> list[RowReport]:
        return [report for report in self.reports if report.fate == Fate.ERROR]

    def count(self, fate: Fate) -> int:
        return sum(1 for report in self.reports if report.fate == fate)

    @property
    def counts(self) -> dict[str, int]:
        return {fate.value: self.count(fate) for fate in Fate}

    @property
    def changes(self) -> list[RowReport]:
        return [r for r in self.reports if r.fate in (Fate.NEW, Fate.CHANGED)]

    @property
    def digest(self) -> str:
        """Names what the organizer saw at the check step, so that the import applies exactly it."""
        text = "\n".join(
            f"{r.sheet}:{r.row}:{r.fate}:{'|'.join(r.messages)}"
            for r in self.reports
            if r.fate != Fate.UNCHANGED
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def file_error(self, message: str, *, sheet: str = "", row: int = 0) -> None:
        self.reports.append(RowReport(sheet=sheet, row=row, label="", fate=Fate.ERROR, messages=[message]))

    def lines(self, *, unchanged: bool = False) -> list[str]:
        """The reports as plain lines (for the commands)."""
        out = []
        for r in self.reports:
            if r.fate == Fate.UNCHANGED and not unchanged:
                continue
            where = (
                _("%(sheet)s 第 %(row)s 行") % {"sheet": r.sheet, "row": r.row}
                if r.row
                else (r.sheet or _("整个文件"))
            )
            text = " ".join(r.messages)
            out.append(f"{where}\t{r.fate_label}\t{r.label}\t{text}".rstrip())
        return out


# --- Cells ---------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: numbers typed into a name or phone column come back as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑–—()（）.·/]")


def normalize_phone(text: str, *, landline: bool = False) -> str | None:
    """A phone number as digits: mobile numbers as 13812341234 (from "+86 138-1234-1234",
    spaces, full-width digits…); with ``landline`` also fixed lines as 0355-1234567.
    None when it is not a phone number."""
    text = unicodedata.normalize("NFKC", text or "")
    digits = _PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits
    if landline and re.fullmatch(r"0\d{9,11}", digits):
        # Beijing (010) and the 02x cities have three-digit area codes; all others four.
        split = 3 if digits[1] in "12" else 4
        number = digits[split:]
        if 7 <= len(number) <= 8:
            return f"{digits[:split]}-{number}"
    return None


def _header_name(value) -> str:
    return REQUIRED_MARK.sub("", cell_text(value))


def _is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f"


# --- Reading -------------------------------------------------------------------------------------


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    return size


def _unreadable() -> str:
    return _(
        "无法读取这个文件：请上传用导入模板填写的 Excel 文件（.xlsx 格式）。"
        "如果是 .xls 或 .et 文件，请先另存为 .xlsx。"
    )


def read_workbook(upload, specs: list[SheetSpec], plan: Plan) -> dict[str, list[Row]]:
    """The rows of each sheet the specs name (by sheet title; a workbook of one sheet for a
    single spec may have any title). Problems of the file, a sheet or a header go into
    ``plan`` as errors; a cell holding a formula is a problem of its row."""
    if _size(upload) == 0:
        plan.file_error(_("文件是空的。"))
        return {}
    if _size(upload) > MAX_UPLOAD_BYTES:
        plan.file_error(_("文件太大：最大 10 MB。"))
        return {}
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        plan.file_error(_unreadable())
        return {}
    if unpacked > MAX_UNPACKED_BYTES:
        # An xlsx is a zip: a small file may unpack to gigabytes (a "zip bomb").
        plan.file_error(
            _("文件解压后太大（超过 %(max)s MB），无法读取。") % {"max": MAX_UNPACKED_BYTES // 2**20}
        )
        return {}
    try:
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except Exception:
        plan.file_error(_unreadable())
        return {}
    try:
        return _read_sheets(workbook, specs, plan)
    except Exception:
        plan.reports = [r for r in plan.reports if r.fate == Fate.ERROR and r.row == 0]
        plan.file_error(_unreadable())
        return {}
    finally:
        workbook.close()


def _names(text) -> set[str]:
    """A sheet's or column's names: in Chinese (the template's language by default) and in the
    language of the page, so that a template downloaded in either language reads back."""
    with translation.override(settings.LANGUAGE_CODE):
        default = str(text)
    return {default, str(text)}


def _read_sheets(workbook, specs, plan) -> dict[str, list[Row]]:
    by_title = {ws.title.strip(): ws for ws in workbook.worksheets}
    found = {
        spec.key: next((by_title[name] for name in _names(spec.title) if name in by_title), None)
        for spec in specs
    }
    if len(specs) == 1 and found[specs[0].key] is None and workbook.worksheets:
        found[specs[0].key] = workbook.worksheets[0]
    if not any(found.values()):
        plan.file_error(
            _("找不到工作表：%(names)s。请使用导入模板，不要修改工作表的名称。")
            % {"names": "、".join(f"“{spec.title}”" for spec in specs)}
        )
        return {}
    result: dict[str, list[Row]] = {}
    for spec in specs:
        sheet = found[spec.key]
        if sheet is None:
            continue
        rows = _read_sheet(sheet, spec, plan)
        if rows is not None:
            result[spec.key] = rows
    if not plan.errors and not any(result.values()):
        plan.file_error(_("文件中没有要导入的行：请在列名下面逐行填写。"))
    return result


def _read_sheet(sheet, spec: SheetSpec, plan: Plan) -> list[Row] | None:
    title = str(spec.title)
    lines = sheet.iter_rows()
    header = None
    for header_cells in lines:
        header = [_header_name(c.value) for c in header_cells]
        break
    if not header or not any(header):
        plan.file_error(_("工作表是空的：第 1 行应是列名。"), sheet=title, row=1)
        return None
    known = {name: c for c in spec.columns for name in _names(c.header)}
    positions: dict[str, int] = {}
    problems = []
    for index, name in enumerate(header):
        column = known.get(name)
        if column is None:
            if name:
                plan.warnings.append(
                    _("工作表“%(sheet)s”中的列“%(name)s”不是模板中的列，已忽略。")
                    % {"sheet": title, "name": name}
                )
            continue
        if column.key in positions:
            problems.append(_("列“%(name)s”出现了不止一次。") % {"name": name})
        positions[column.key] = index
    for column in spec.columns:
        if column.required and column.key not in positions:
            problems.append(_("缺少列“%(name)s”。") % {"name": column.header})
    if problems:
        plan.file_error(
            " ".join([*problems, _("请使用导入模板，不要修改第 1 行的列名。")]), sheet=title, row=1
        )
        return None
    rows: list[Row] = []
    for number, cells in enumerate(lines, start=2):
        values, cell_problems = {}, []
        for key, index in positions.items():
            cell = cells[index] if index < len(cells) else None
            if cell is None or cell.value is None:
                values[key] = ""
                continue
            if _is_formula(cell):
                cell_problems.append(
                    _("“%(name)s”一格是公式（%(formula)s）：公式不会被计算，请填写文字本身。")
                    % {"name": spec.column(key).header, "formula": str(cell.value)[:40]}
                )
                values[key] = ""
                continue
            values[key] = cell_text(cell.value)
        if not any(values.values()) and not cell_problems:
            continue
        if len(rows) >= MAX_ROWS:
            plan.file_error(
                _("行数太多：每个工作表一次最多导入 %(max)s 行。") % {"max": MAX_ROWS},
                sheet=title,
                row=number,
            )
            return None
        rows.append(Row(sheet=title, number=number, values=values, problems=cell_problems))
    return rows


# --- The template ----------------------------------------------------------------------------


def _text_cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # never a formula, whatever the text
    return cell


def template_workbook(specs: list[SheetSpec], *, intro: list[str]) -> bytes:
    """The empty template: one sheet per spec with its column names (each with its note as a
    cell comment), and a sheet 填写说明 listing every column with its note and an example."""
    workbook = Workbook(write_only=True)
    for spec in specs:
        sheet = workbook.create_sheet(str(spec.title))
        sheet.freeze_panes = "A2"
        header = []
        for column in spec.columns:
            cell = _text_cell(sheet, column.header)
            cell.comment = Comment(str(column.note), "")
            header.append(cell)
        sheet.append(header)
    notes = workbook.create_sheet(_("填写说明"))
    for line in intro:
        notes.append([_text_cell(notes, line)])
    notes.append([])
    notes.append(
        [_text_cell(notes, h) for h in (_("工作表"), _("列名"), _("是否必填"), _("说明"), _("示例"))]
    )
    for spec in specs:
        for column in spec.columns:
            notes.append(
                [
                    _text_cell(notes, spec.title),
                    _text_cell(notes, column.header),
                    _text_cell(notes, _("必填") if column.required else _("选填")),
                    _text_cell(notes, column.note),
                    _text_cell(notes, column.example),
                ]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- A file kept between the check step and the import ---------------------------------------

STAGED_FOLDER = "onboarding-imports"
STAGED_FOR = timedelta(days=1)
TOKEN = re.compile(r"[0-9]{14}[0-9a-f]{32}")


def stage_upload(upload) -> str:
    """Keep an uploaded file in private storage (under a random name) until the organizer
    confirms; returns its token (the time it was kept, then 32 random hex digits). The import
    reads and checks it again: it is never trusted."""
    discard_stale()
    token = f"{timezone.now():%Y%m%d%H%M%S}{secrets.token_hex(16)}"
    upload.seek(0)
    private_storage().save(f"{STAGED_FOLDER}/{token}.xlsx", File(upload))
    return token


def discard_stale(*, older_than: timedelta = STAGED_FOR) -> int:
    """Delete kept files nobody confirmed (the organizer went away); returns how many. Their
    age is read from their names, so it needs no file times from the storage."""
    storage = private_storage()
    try:
        _folders, names = storage.listdir(STAGED_FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = f"{timezone.now() - older_than:%Y%m%d%H%M%S}"
    stale = [name for name in names if TOKEN.fullmatch(name.removesuffix(".xlsx")) and name[:14] < cutoff]
    for name in stale:
        storage.delete(f"{STAGED_FOLDER}/{name}")
    return len(stale)


def _staged_name(token: str) -> str | None:
    return f"{STAGED_FOLDER}/{token}.xlsx" if TOKEN.fullmatch(token or "") else None


def staged_upload(token: str):
    """The kept file (open it with ``with``), or None when it is gone."""
    name = _staged_name(token)
    if name is None or not private_storage().exists(name):
        return None
    return private_storage().open(name, "rb")


def discard_staged(token: str) -> None:
    name = _staged_name(token)
    if name is not None and private_storage().exists(name):
        private_storage().delete(name)
