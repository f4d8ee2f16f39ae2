"""The back-office entry list as an xlsx file (a coordinator's county, or what an organizer
filtered). Text that teams typed is written as text, never as a formula (the same care as
``judging.spreadsheets.writers``, which this app may not import)."""

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import phases
from .templatetags.competition_tags import mask_phone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def entry_headers() -> list[str]:
    return [
        _("项目名称"),
        _("项目类别"),
        _("县（市、区）"),
        _("所属文明实践阵地"),
        _("参赛团队"),
        _("联系人"),
        _("联系电话"),
        _("状态"),
        _("推荐"),
        _("审查意见"),
        _("志愿者人数"),
        _("服务对象人数"),
        _("服务时长（小时）"),
        _("开展活动次数"),
        _("项目启动日期"),
        _("提交时间"),
    ]


def entry_row(entry, *, whole_phone: bool) -> list:
    team = entry.team
    state = phases.entry_state(entry)
    submitted = timezone.localtime(entry.submitted_at).replace(tzinfo=None) if entry.submitted_at else None
    return [
        entry.title,
        entry.category.label if entry.category else "",
        team.organization.county.name,
        team.organization.name,
        team.name,
        team.contact_name,
        team.contact_phone if whole_phone else mask_phone(team.contact_phone),
        str(state.label),
        _("是") if state is phases.RECOMMENDED else _("否"),
        entry.eligibility_reason,
        entry.volunteers,
        entry.beneficiaries,
        entry.service_hours,
        entry.activities,
        entry.started_on.isoformat() if entry.started_on else "",
        submitted,
    ]


def _cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:32767])
        cell.data_type = "s"  # never a formula
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    return value


def entries_xlsx(entries, *, whole_phone: bool) -> bytes:
    """One sheet, a header row, one row per entry (in the order given)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("参赛项目"))
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, header) for header in entry_headers()])
    for entry in entries:
        sheet.append([_cell(sheet, value) for value in entry_row(entry, whole_phone=whole_phone)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
