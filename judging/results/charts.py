"""Server-side SVG charts for the results pages: no script, no CDN, no inline CSS.

Each function returns a complete ``<svg>`` element as a string. Every piece of text in it
(judge names, category names, labels) is escaped here, so templates may output the string
with ``|safe``. The charts carry ``width``, ``height`` and ``viewBox`` so they scale down on
phones; their colours are SVG presentation attributes (allowed by the Content-Security-Policy,
unlike inline styles). Hovering a row shows its figures (an SVG ``<title>``).
"""

from dataclasses import dataclass, field
from html import escape

import numpy as np
from django.utils.translation import gettext as _

# Narrow enough that, scaled down to a phone's width, the 13-pixel text stays legible.
WIDTH = 520
LABEL_WIDTH = 92
RIGHT_MARGIN = 44
FONT_SIZE = 13
TOP = 30
AXIS_HEIGHT = 30
FONT = "system-ui, -apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"

INK = "#262626"
MUTED = "#5c5c5c"
GRID = "#e0e0e0"
NEUTRAL = "#6b7fa3"
HARSH = "#2b6cb0"  # below the pool: a harsh judge
LENIENT = "#c05621"  # above the pool: a lenient judge
BAR = "#4a7fb5"
REFERENCE = "#b83280"


def _text(value) -> str:
    """Text or an attribute value, escaped for XML (quotes included)."""
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _width(text: str) -> float:
    """Rough width of ``text`` in ems: a Chinese character is one em, others about half."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.56 for ch in text)


def _short(label: str, room: float = (LABEL_WIDTH - 10) / FONT_SIZE) -> str:
    """``label`` cut (with an ellipsis) to fit ``room`` ems."""
    if _width(label) <= room:
        return label
    while label and _width(label) > room - 1:
        label = label[:-1]
    return label + "…"


@dataclass(frozen=True)
class Box:
    """One row of a box plot: the five-number summary, mean and count of some scores."""

    label: str
    count: int
    low: float
    q1: float
    median: float
    q3: float
    high: float
    mean: float
    tone: str = ""  # "harsh" | "lenient" | "" (colours the box)
    note: str = ""  # added to the row's tooltip
    points: tuple[float, ...] = field(default=())  # drawn when there are only a few


POINTS_SHOWN = 12  # rows with this many scores or fewer also show each score


def box(label: str, values, *, tone: str = "", note: str = "") -> Box:
    """The box-plot summary of ``values`` (an empty row when there are none)."""
    data = np.asarray(list(values), dtype=float)
    if not len(data):
        return Box(label, 0, 0, 0, 0, 0, 0, 0, tone, note)
    low, q1, median, q3, high = np.percentile(data, [0, 25, 50, 75, 100])
    points = tuple(sorted(float(v) for v in data)) if len(data) <= POINTS_SHOWN else ()
    return Box(
        label,
        len(data),
        float(low),
        float(q1),
        float(median),
        float(q3),
        float(high),
        float(data.mean()),
        tone,
        note,
        points,
    )


def _x(value: float) -> float:
    """Position of a score (0–100) on the shared axis."""
    span = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    return LABEL_WIDTH + max(0.0, min(100.0, value)) / 100.0 * span


def _open(height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" role="img" '
        f'font-family="{_text(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">',
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(description)}</desc>",
    ]


def _axis(top: int, bottom: int, unit: str) -> list[str]:
    """Vertical grid lines every 10 points and the axis labels below them."""
    parts = []
    for tick in range(0, 101, 10):
        x = _num(_x(tick))
        parts.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x}" y="{bottom + 16}" text-anchor="middle" fill="{MUTED}">{tick}</text>')
    parts.append(
        f'<text x="{WIDTH - 4}" y="{bottom + 16}" text-anchor="end" fill="{MUTED}">{_text(unit)}</text>'
    )
    return parts


def _label(y: float, label: str) -> str:
    """A row's name, left of the plot (shortened; the row's tooltip has it in full)."""
    return f'<text x="{LABEL_WIDTH - 8}" y="{_num(y)}" text-anchor="end">{_text(_short(label))}</text>'


def _count(y: float, count: int) -> str:
    return f'<text x="{WIDTH - 4}" y="{_num(y)}" text-anchor="end" fill="{MUTED}">n={count}</text>'


def _reference(value: float | None, top: int, bottom: int, label: str) -> list[str]:
    if value is None:
        return []
    x = _num(_x(value))
    return [
        f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{bottom}" stroke="{REFERENCE}" '
        f'stroke-width="1.5" stroke-dasharray="4 3"/>',
        f'<text x="{x}" y="{top - 10}" text-anchor="middle" fill="{REFERENCE}">'
        f"{_text(label)} {_num(value)}</text>",
    ]


def box_plot(rows: list[Box], *, title: str, reference: float | None = None) -> str:
    """One horizontal box per row on a shared 0–100 axis: whiskers from the lowest to the
    highest score, the box from the first to the third quartile, a line at the median and a
    dot at the mean; ``reference`` (e.g. the mean of all sheets) is a dashed line."""
    row_height = 24
    bottom = TOP + row_height * max(len(rows), 1)
    height = bottom + AXIS_HEIGHT
    colours = {"harsh": HARSH, "lenient": LENIENT}
    parts = _open(
        height, title, _("箱线图：须线为最低分到最高分，方框为中间一半的分数，竖线为中位数，圆点为平均分。")
    )
    parts += _axis(TOP - 4, bottom, _("分"))
    parts += _reference(reference, TOP, bottom, _("全体平均"))
    for i, row in enumerate(rows):
        middle = TOP + i * row_height + row_height / 2
        y = _num(middle)
        colour = colours.get(row.tone, NEUTRAL)
        tip = _("%(label)s：%(count)s 份，最低 %(low)s，中位数 %(median)s，平均 %(mean)s，最高 %(high)s") % {
            "label": row.label,
            "count": row.count,
            "low": _num(row.low),
            "median": _num(row.median),
            "mean": _num(row.mean),
            "high": _num(row.high),
        }
        if row.note:
            tip += _("；") + row.note
        parts.append(f"<g><title>{_text(tip)}</title>")
        parts.append(_label(middle + 4, row.label))
        if row.count:
            parts.append(
                f'<line x1="{_num(_x(row.low))}" y1="{y}" x2="{_num(_x(row.high))}" y2="{y}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
            for end in (row.low, row.high):
                parts.append(
                    f'<line x1="{_num(_x(end))}" y1="{_num(middle - 5)}" x2="{_num(_x(end))}" '
                    f'y2="{_num(middle + 5)}" stroke="{colour}" stroke-width="1.5"/>'
                )
            parts.append(
                f'<rect x="{_num(_x(row.q1))}" y="{_num(middle - 7)}" '
                f'width="{_num(max(_x(row.q3) - _x(row.q1), 1.0))}" height="14" fill="{colour}" '
                f'fill-opacity="0.25" stroke="{colour}" stroke-width="1.5"/>'
            )
            parts.append(
                f'<line x1="{_num(_x(row.median))}" y1="{_num(middle - 7)}" x2="{_num(_x(row.median))}" '
                f'y2="{_num(middle + 7)}" stroke="{colour}" stroke-width="2.5"/>'
            )
            for point in row.points:
                parts.append(
                    f'<circle cx="{_num(_x(point))}" cy="{_num(middle - 9)}" r="1.8" fill="{colour}" '
                    f'fill-opacity="0.7"/>'
                )
            parts.append(f'<circle cx="{_num(_x(row.mean))}" cy="{y}" r="3" fill="{INK}"/>')
        parts.append(_count(middle + 4, row.count))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Histogram:
    """One row of a histogram strip: counts of scores in equal bands from 0 to 100."""

    label: str
    counts: tuple[int, ...]
    mean: float

    @property
    def count(self) -> int:
        return sum(self.counts)


def histogram_rows(rows: list[Histogram], *, title: str) -> str:
    """One small histogram per row on a shared 0–100 axis (each row scaled to its own
    tallest band, so the shapes compare), with a tick at the row's mean."""
    row_height = 44
    bottom = TOP + row_height * max(len(rows), 1)
    height = bottom + AXIS_HEIGHT
    parts = _open(
        height,
        title,
        _("每行是一个类别的评分表总分分布：柱越高，落在这一分数段的评分表越多；黑色短线为平均分。"),
    )
    parts += _axis(TOP - 4, bottom, _("分"))
    for i, row in enumerate(rows):
        base = TOP + (i + 1) * row_height - 6
        bands = max(len(row.counts), 1)
        band_width = 100.0 / bands
        tallest = max(row.counts, default=0) or 1
        tip = _("%(label)s：%(count)s 份评分表，平均 %(mean)s 分") % {
            "label": row.label,
            "count": row.count,
            "mean": _num(row.mean),
        }
        parts.append(f"<g><title>{_text(tip)}</title>")
        parts.append(_label(base - 12, row.label))
        parts.append(
            f'<line x1="{_num(_x(0))}" y1="{_num(base)}" x2="{_num(_x(100))}" y2="{_num(base)}" '
            f'stroke="{MUTED}" stroke-width="1"/>'
        )
        for band, count in enumerate(row.counts):
            if not count:
                continue
            bar = (row_height - 12) * count / tallest
            left = _x(band * band_width)
            width = _x((band + 1) * band_width) - left - 1
            lower = band * band_width
            parts.append(
                f'<rect x="{_num(left + 0.5)}" y="{_num(base - bar)}" width="{_num(width)}" '
                f'height="{_num(bar)}" fill="{BAR}"><title>'
                + _text(
                    _("%(label)s %(low)s–%(high)s 分：%(count)s 份")
                    % {
                        "label": row.label,
                        "low": f"{lower:g}",
                        "high": f"{lower + band_width:g}",
                        "count": count,
                    }
                )
                + "</title></rect>"
            )
        if row.count:
            x = _num(_x(row.mean))
            parts.append(
                f'<line x1="{x}" y1="{_num(base - row_height + 10)}" x2="{x}" y2="{_num(base + 3)}" '
                f'stroke="{INK}" stroke-width="2"/>'
            )
        parts.append(_count(base - 12, row.count))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bars:
    """One group of a grouped bar chart: a label and one count per series."""

    label: str
    values: tuple[float, ...]
    reference: bool = False  # drawn in the reference colour (e.g. an average)


SERIES = ("#4a7fb5", "#6b9e4a", "#c08a2b", "#8a63b5", "#c05621", "#b83280", "#2b8a8a")


def bar_groups(rows: list[Bars], *, series: list[str], title: str, description: str) -> str:
    """One group of horizontal bars per row (one bar per series) on a shared axis from zero
    to the largest value, with a legend of the series above; each bar's tooltip names its
    row, series and value (used by the county report, ``awards.report``)."""
    bar_height = 7
    group_height = bar_height * len(series) + 10
    legend_rows = (len(series) + 2) // 3
    top = TOP + 18 * legend_rows
    bottom = top + group_height * max(len(rows), 1)
    height = bottom + 8
    span = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    largest = max((v for row in rows for v in row.values), default=0) or 1
    parts = _open(height, title, description)
    column = (WIDTH - 8) / 3
    for n, name in enumerate(series):
        x = 8 + (n % 3) * column
        y = TOP - 12 + 18 * (n // 3)
        colour = SERIES[n % len(SERIES)]
        parts.append(f'<rect x="{_num(x)}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{_num(x + 18)}" y="{y}">{_text(_short(name, (column - 24) / FONT_SIZE))}</text>'
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{top}" x2="{LABEL_WIDTH}" y2="{bottom}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    for i, row in enumerate(rows):
        first = top + i * group_height + 5
        parts.append(f"<g><title>{_text(row.label)}</title>")
        parts.append(_label(first + group_height / 2 - 2, row.label))
        for n, value in enumerate(row.values):
            y = first + n * bar_height
            colour = REFERENCE if row.reference else SERIES[n % len(SERIES)]
            width = max(span * value / largest, 0.5)
            opacity = 0.6 if row.reference else 1
            tip = _("%(label)s · %(series)s：%(value)s") % {
                "label": row.label,
                "series": series[n],
                "value": f"{value:g}",
            }
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{_num(y)}" width="{_num(width)}" height="{bar_height - 1}" '
                f'fill="{colour}" fill-opacity="{opacity}"><title>{_text(tip)}</title></rect>'
            )
            parts.append(
                f'<text x="{_num(LABEL_WIDTH + width + 4)}" y="{_num(y + bar_height - 1)}" '
                f'font-size="9" fill="{MUTED}">{_text(f"{value:g}")}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
