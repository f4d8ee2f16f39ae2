"""Writers of a table into a file: xlsx through openpyxl's write-only workbook and CSV in
UTF-8 with a BOM (so Excel reads the Chinese).

Text that users typed is written as text, never as a formula: in xlsx every string cell is
forced to the string type (openpyxl would otherwise turn ``=…`` into a formula), and in CSV a
cell starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe (OWASP
"CSV injection"). Numbers stay numbers."""

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from judging.models import (
    ExportJob,
)
from judging.spreadsheets.tables import Table

# Cells that spreadsheet programs read as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


PROGRESS_EVERY = 500  # rows between progress reports


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
