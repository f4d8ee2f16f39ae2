"""The county report as an xlsx file: the same rows as the page (a coordinator's county and
the city average only), figures then entries per category. County names are written as
text, never as a formula."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .table import FIGURE_LABELS, FIGURES, Report

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32767])
    cell.data_type = "s"
    return cell


def report_xlsx(report: Report, *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("县区统计"))
    sheet.freeze_panes = "B3"
    sheet.append([_text(sheet, title)])
    headers = [_("县（市、区）")] + [FIGURE_LABELS[name] for name in FIGURES]
    headers += [category.label for category in report.categories]
    sheet.append([_text(sheet, header) for header in headers])
    rows = list(report.rows) + [row for row in (report.total, report.average) if row is not None]
    for row in rows:
        sheet.append([_text(sheet, row.label), *row.figures, *row.by_category])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
