"""The tallies of a vote as an xlsx file: one sheet of the counts per entry (frozen tallies
once frozen, else the counts at the time of the export, said in the title) and one sheet of the
voided votes, listed separately with who voided them, when and why. Text is written as text,
never as a formula."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..models import VotingWindow
from ..phases import window_phase
from .selectors import tally_rows, voided_votes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))[:32767])
    cell.data_type = "s"
    return cell


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}" if value else ""


def tallies_xlsx(*, window: VotingWindow) -> bytes:
    phase = window_phase(window)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("票数"))
    sheet.freeze_panes = "A3"
    if phase.frozen:
        note = _("最终票数，锁定于 %(time)s") % {"time": _when(window.frozen_at)}
    else:
        note = _("截至 %(time)s 的票数（尚未锁定）") % {"time": _when(timezone.now())}
    sheet.append([_text(sheet, f"{window.contest.title} · {window.title} · {note}")])
    headers = [_("名次"), _("投票编号"), _("项目名称"), _("参赛团队"), _("县（市、区）"), _("项目类别")]
    headers += [_("有效票数"), _("作废票数"), _("参加投票")]
    sheet.append([_text(sheet, header) for header in headers])
    for rank, row in enumerate(tally_rows(window=window), start=1):
        entry = row.entry
        valid = row.final_votes if phase.frozen and row.final_votes is not None else row.valid
        sheet.append(
            [
                rank if row.included else "",
                _text(sheet, row.code),
                _text(sheet, entry.title),
                _text(sheet, entry.team.name),
                _text(sheet, entry.team.organization.county.name),
                _text(sheet, entry.category.label if entry.category else ""),
                valid,
                row.voided,
                _text(sheet, _("是") if row.included else _("否")),
            ]
        )
    voided = workbook.create_sheet(_("作废的投票"))
    voided.append(
        [
            _text(voided, header)
            for header in (
                _("投票编号"),
                _("项目名称"),
                _("投票日期"),
                _("投票时间"),
                _("网段"),
                _("作废时间"),
                _("作废人"),
                _("作废原因"),
            )
        ]
    )
    for vote in voided_votes(window=window):
        voided.append(
            [
                _text(voided, vote.vote_entry.code),
                _text(voided, vote.vote_entry.entry.title),
                _text(voided, vote.day.isoformat()),
                _text(voided, _when(vote.created_at)),
                _text(voided, vote.subnet),
                _text(voided, _when(vote.voided_at)),
                _text(voided, vote.voided_by.get_username() if vote.voided_by else ""),
                _text(voided, vote.void_reason),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
