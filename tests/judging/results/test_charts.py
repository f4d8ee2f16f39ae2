"""Server-side SVG charts (judging.results.charts): well-formed, sized to scale, and every text escaped."""

import xml.etree.ElementTree as ET

import pytest

from judging.results.charts import Histogram, _x, box, box_plot, histogram_rows

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "卫生\'环保"'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to prove it well-formed)


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter() if node.tag in (f"{SVG}text", f"{SVG}title")]


def test_box_summarises_values():
    row = box("评委甲", [60, 70, 80, 90, 100])

    assert (row.count, row.low, row.q1, row.median, row.q3, row.high, row.mean) == (
        5,
        60,
        70,
        80,
        90,
        100,
        80,
    )
    assert row.points == (60.0, 70.0, 80.0, 90.0, 100.0)


def test_box_of_no_values_is_an_empty_row():
    row = box("评委乙", [])

    assert row.count == 0
    assert row.points == ()


def test_box_plot_is_well_formed_and_scales():
    rows = [box("评委甲", [60, 72.5, 88], tone="harsh"), box("评委乙", [])]

    root = parse(box_plot(rows, title="各评委评分分布", reference=70.0))

    assert root.tag == f"{SVG}svg"
    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert "各评委评分分布" in texts(root)
    assert any("评委甲" in t for t in texts(root))
    assert root.find(f"{SVG}script") is None
    assert not any(node.get("style") for node in root.iter())  # no inline CSS (CSP)


def test_box_plot_positions_scores_on_the_shared_axis():
    svg = box_plot([box("甲", [0, 50, 100])], title="t")

    root = parse(svg)
    rect = root.find(f".//{SVG}rect")
    left, right = _x(25), _x(75)
    assert float(rect.get("x")) == pytest.approx(left, abs=0.1)
    assert float(rect.get("width")) == pytest.approx(right - left, abs=0.1)


def test_histogram_rows_are_well_formed():
    rows = [Histogram("助学支教", (0,) * 14 + (2, 5, 3, 1, 0, 1), 78.2)]

    root = parse(histogram_rows(rows, title="各类别评分分布"))

    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 5  # one per band with sheets
    assert "各类别评分分布" in texts(root)


@pytest.mark.parametrize("kind", ["box", "histogram"])
def test_hostile_labels_are_escaped(kind):
    if kind == "box":
        svg = box_plot([box(HOSTILE, [50, 60], note=HOSTILE)], title=HOSTILE)
    else:
        svg = histogram_rows([Histogram(HOSTILE, (1,) * 20, 50.0)], title=HOSTILE)

    root = parse(svg)  # well-formed XML despite the label

    assert "<script" not in svg
    assert root.find(f".//{SVG}script") is None
    assert HOSTILE in texts(root)  # the title, unharmed, as text
    assert any(t.startswith("<script>") for t in texts(root) if t != HOSTILE)  # shortened label, as text


def test_long_labels_are_shortened_with_the_full_name_in_the_tooltip():
    name = "Theory and policy outreach"

    root = parse(histogram_rows([Histogram(name, (1,) * 20, 50.0)], title="t"))

    labels = [node.text for node in root.iter(f"{SVG}text") if node.text and node.text.startswith("Theory")]
    assert labels and labels[0].endswith("…")
    assert any(name in t for t in texts(root))
