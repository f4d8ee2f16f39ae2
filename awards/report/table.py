"""The county report as rows: a pure function of ``awards.report.selectors.county_figures``
(no queries), so that who sees what is decided in one place: a coordinator gets their own
county's row and the city average, never another county's figures."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .selectors import ENTRY_FIGURES

FIGURES = ("teams",) + ENTRY_FIGURES
FIGURE_LABELS = {
    "teams": gettext_lazy("参赛团队数"),
    "entries": gettext_lazy("申报项目"),
    "eligible": gettext_lazy("资格审查通过"),
    "recommended": gettext_lazy("县区推荐"),
    "scored": gettext_lazy("已评分"),
    "shortlisted": gettext_lazy("入围"),
    "featured": gettext_lazy("优秀项目数"),
}


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple  # in the order of FIGURES
    by_category: tuple  # entries per category, in the order of the report's categories
    kind: str = "county"  # "county" | "total" | "average"


@dataclass(frozen=True)
class Report:
    categories: list
    rows: list[Row]  # the counties shown
    total: Row | None  # the city's total (None for a coordinator)
    average: Row  # the city's average per county


def _mean(values, count: int) -> float:
    return round(sum(values) / count, 1) if count else 0.0


def build_report(figures: dict, *, county_id: int | None = None) -> Report:
    """Every county's row, the city total and the average per county; with ``county_id``
    (a coordinator's county) only that county's row and the average."""
    categories = figures["categories"]
    cells = figures["cells"]
    all_rows = []
    for county in figures["counties"]:
        own = [cells.get((county.pk, category.pk), {}) for category in categories]
        uncategorised = cells.get((county.pk, None), {})
        values = [figures["teams"].get(county.pk, 0)]
        values += [
            sum(cell.get(name, 0) for cell in own) + uncategorised.get(name, 0) for name in ENTRY_FIGURES
        ]
        all_rows.append(
            (county, Row(county.name, tuple(values), tuple(cell.get("entries", 0) for cell in own)))
        )
    count = len(all_rows)
    columns = list(zip(*(row.figures for _c, row in all_rows), strict=True)) or [()] * len(FIGURES)
    category_columns = list(zip(*(row.by_category for _c, row in all_rows), strict=True)) or [()] * len(
        categories
    )
    average = Row(
        _("全市平均"),
        tuple(_mean(column, count) for column in columns),
        tuple(_mean(column, count) for column in category_columns),
        "average",
    )
    if county_id is not None:
        return Report(categories, [row for county, row in all_rows if county.pk == county_id], None, average)
    total = Row(
        _("全市合计"),
        tuple(sum(column) for column in columns),
        tuple(sum(column) for column in category_columns),
        "total",
    )
    return Report(categories, [row for _c, row in all_rows], total, average)
