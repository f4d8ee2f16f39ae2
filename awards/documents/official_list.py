"""The official list of the featured projects (获奖名单 / 优秀项目名单): grouped by award tier,
then by category, each group in rank order, numbered 序号 1 … n through the whole list. The same
rows make the PDF to sign and publish, the xlsx file and the public page under the contest."""

import io
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from awards.documents.context import base_context, document_template
from awards.documents.engine import missing_characters, render_pages
from awards.documents.progress import Built, Progress
from awards.models import DEFAULT_TIER_NAME, FeaturedProject

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class ListRow:
    number: int
    title: str
    team: str
    organization: str
    county: str
    category: str
    tier: str


@dataclass
class CategoryGroup:
    name: str
    rows: list[ListRow] = field(default_factory=list)


@dataclass
class TierGroup:
    name: str
    categories: list[CategoryGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.categories)


def list_rows(*, contest) -> list[ListRow]:
    """The featured projects in the list's order (one query): tier (best first; projects
    without a tier are in the default one, after any named tier), category, rank."""
    projects = (
        FeaturedProject.objects.filter(contest=contest)
        .select_related("tier", "entry__category", "entry__team__organization__county")
        .order_by(
            F("tier__position").asc(nulls_last=True),
            "tier_id",
            F("entry__category__sort_order").asc(nulls_last=True),
            "entry__category_id",
            "rank",
            "pk",
        )
    )
    rows = []
    for number, project in enumerate(projects, start=1):
        entry = project.entry
        organization = entry.team.organization
        rows.append(
            ListRow(
                number=number,
                title=entry.title,
                team=entry.team.name,
                organization=organization.name,
                county=organization.county.name if organization.county_id else "",
                category=entry.category.label if entry.category_id else _("未分类"),
                tier=project.tier_name,
            )
        )
    return rows


def list_groups(rows: list[ListRow]) -> list[TierGroup]:
    """The rows (already in order) as tiers, each with its categories."""
    tiers: list[TierGroup] = []
    for row in rows:
        if not tiers or tiers[-1].name != row.tier:
            tiers.append(TierGroup(row.tier))
        categories = tiers[-1].categories
        if not categories or categories[-1].name != row.category:
            categories.append(CategoryGroup(row.category))
        categories[-1].rows.append(row)
    return tiers


def list_context(contest, rows: list[ListRow] | None = None) -> dict:
    """What the list's template is given: the shared context, the groups and the count."""
    rows = list_rows(contest=contest) if rows is None else rows
    context = base_context(contest)
    return {
        **context,
        "issue_date": context["issue_date"] or timezone.localdate(),
        "groups": list_groups(rows),
        "rows": rows,
        "count": len(rows),
    }


def sample_list_context(contest) -> dict:
    """For checking an adjusted template: the real list, or two made-up rows while it is empty."""
    rows = list_rows(contest=contest)
    if not rows:
        tier = str(DEFAULT_TIER_NAME)
        rows = [  # a sample, never shown: not translated
            ListRow(
                1, "七彩课堂留守儿童助学", "红马甲志愿服务队", "新时代文明实践站", "潞州区", "助学支教", tier
            ),
            ListRow(2, "银龄助老暖心行动", "暖阳助老服务队", "新时代文明实践站", "上党区", "扶贫帮困", tier),
        ]
    return list_context(contest, rows)


def list_missing_characters(*, contest, rows: list[ListRow] | None = None) -> list[tuple[str, list[str]]]:
    """(text, characters no document font can print) for each title, team or organization of
    the list that has some: they would print as empty boxes, so the office is told."""
    rows = list_rows(contest=contest) if rows is None else rows
    found = []
    seen = set()
    for row in rows:
        for text in (row.title, row.team, row.organization):
            if text in seen:
                continue
            seen.add(text)
            missing = missing_characters(text)
            if missing:
                found.append((text, missing))
    return found


def build_list_pdf(contest, progress: Progress) -> Built:
    rows = list_rows(contest=contest)
    progress(0, 1)
    html = document_template(contest, "list").render(list_context(contest, rows))
    document = render_pages(html)
    pages = len(document.pages)
    progress(pages, pages)
    return Built(document.write_pdf(), "pdf")


def _text(sheet, value, *, bold=False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32767])
    cell.data_type = "s"  # a title starting with "=" stays text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def build_list_xlsx(contest, progress: Progress) -> Built:
    rows = list_rows(contest=contest)
    progress(0, len(rows))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("获奖名单"))
    sheet.freeze_panes = "A3"
    for letter, width in zip("ABCDEFG", (6, 16, 16, 40, 30, 30, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_text(sheet, base_context(contest)["list_title"], bold=True)])
    headers = [
        _("序号"),
        _("奖项"),
        _("项目类别"),
        _("项目名称"),
        _("参赛团队"),
        _("所属单位"),
        _("县（市、区）"),
    ]
    sheet.append([_text(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append(
            [
                row.number,
                *(_text(sheet, value) for value in (row.tier, row.category, row.title, row.team)),
                _text(sheet, row.organization),
                _text(sheet, row.county),
            ]
        )
    progress(len(rows), len(rows))
    out = io.BytesIO()
    workbook.save(out)
    return Built(out.getvalue(), "xlsx")
