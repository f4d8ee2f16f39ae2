"""The official list (获奖名单): the PDF prints every title in the list's order with its fonts
embedded, the xlsx has the same rows, and what no font can print is reported."""

import io
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from awards.documents.official_list import build_list_pdf, build_list_xlsx, list_missing_characters, list_rows
from awards.documents.seal import seal_png
from awards.documents.services import document_settings_save
from awards.models import FeaturedProject
from competition.models import Contest, Entry
from tests.awards.documents.conftest import featured
from tests.files import png_bytes

pytestmark = pytest.mark.django_db

# Titles of 100 projects, each unlike the others, Chinese as the teams write them.
PLACES = "潞州上党屯留潞城襄垣平顺黎城壶关长子武乡沁县沁源"
DEEDS = ["助老", "助学", "环保", "义诊", "普法", "科普", "文艺", "帮困", "助残", "宣讲"]
TITLES = [f"{PLACES[n % 14]}{DEEDS[n // 10]}暖心行动第{n + 1}期" for n in range(100)]


def expected_order(contest) -> list[str]:
    """Tier (best first, the tierless after), then category order, then rank: by hand."""
    projects = FeaturedProject.objects.filter(contest=contest).select_related("tier", "entry__category")
    return [
        p.entry.title
        for p in sorted(
            projects,
            key=lambda p: (p.tier.position if p.tier else 99, p.entry.category.sort_order, p.rank),
        )
    ]


def pdf_text(content: bytes, tmp_path, *, layout=False) -> str:
    path = tmp_path / "list.pdf"
    path.write_bytes(content)
    options = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(content: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def in_order(text: str, titles: list[str]) -> bool:
    position = 0
    for title in titles:
        found = text.find(title, position)
        if found < 0:
            return False
        position = found + len(title)
    return True


def test_the_pdf_prints_the_100_titles_in_order_with_fonts_embedded(contest, tmp_path):
    featured(contest, TITLES, tiers=[("十佳志愿服务项目", 10), ("优秀志愿服务项目", 90)])
    seen = []

    built = build_list_pdf(contest, lambda done, total: seen.append((done, total)))

    text = pdf_text(built.content, tmp_path)
    order = expected_order(contest)
    assert order[:10] == [t for t in order[:10] if TITLES.index(t) < 10]  # 十佳 first
    assert in_order(text, order)
    assert "十佳志愿服务项目（10 个）" in text and "理论政策宣讲" in text
    rows = pdf_fonts(built.content, tmp_path)
    assert rows and all("Noto" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows)  # every font embedded
    pages = seen[-1][1]
    assert seen == [(0, 1), (pages, pages)] and pages >= 3


def test_the_xlsx_has_the_same_rows(contest):
    featured(contest, TITLES[:8], tiers=[("一等奖", 2)])

    built = build_list_xlsx(contest, lambda done, total: None)

    sheet = load_workbook(io.BytesIO(built.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == f"{contest.title}优秀志愿服务项目名单"
    assert values[1] == ["序号", "奖项", "项目类别", "项目名称", "参赛团队", "所属单位", "县（市、区）"]
    rows = list_rows(contest=contest)
    assert [row[3] for row in values[2:]] == expected_order(contest)
    assert [row[0] for row in values[2:]] == list(range(1, 9))
    assert values[2][1] == "一等奖" and values[-1][1] == "优秀志愿服务项目"
    assert values[2][4:] == [rows[0].team, rows[0].organization, rows[0].county]


def test_a_title_starting_with_equals_stays_text(contest):
    featured(contest, ['=HYPERLINK("http://x")'])
    sheet = load_workbook(io.BytesIO(build_list_xlsx(contest, lambda d, t: None).content)).active
    cell = sheet.cell(row=3, column=4)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_long_titles_mixed_scripts_emoji_and_rare_characters(contest, tmp_path):
    # The longest titles the records hold: a project's (60 characters) and a contest's (200,
    # which the list's heading carries).
    long_title = ("长治市新时代文明实践志愿服务" * 15)[: Entry._meta.get_field("title").max_length]
    contest.title = ("长治市新时代文明实践志愿服务项目大赛" * 12)[
        : Contest._meta.get_field("title").max_length
    ]
    contest.save()
    featured(contest, [long_title, "Hello 社区 café 助老", "𪚥字公益课堂", "敬老😀行动"])

    missing = list_missing_characters(contest=contest)
    text = pdf_text(build_list_pdf(contest, lambda d, t: None).content, tmp_path, layout=True)

    assert sorted(missing) == sorted([("𪚥字公益课堂", ["𪚥"]), ("敬老😀行动", ["😀"])])
    row = list_rows(contest=contest)[[r.title for r in list_rows(contest=contest)].index(long_title)]
    # Wrapped over a dozen lines of its column, every character printed: the row's other
    # cells (on its first line) taken out, the lines joined give the title back.
    flat = "".join(text.replace(row.team, "").replace(row.county, "").split())
    assert long_title in flat
    assert contest.title in "".join(text.split())  # the heading wraps, every character printed
    assert "Hello社区café助老" in flat and "字公益课堂" in flat


def test_the_pdf_has_bookmarks_by_tier_and_category_and_prints_the_seal(contest, tmp_path):
    featured(contest, TITLES[:6], tiers=[("十佳志愿服务项目", 2)])
    seal = seal_png(png_bytes(120, 120, mode="RGBA"))
    document_settings_save(contest=contest, values={"issuing_body": "长治市文明办"}, seal=seal)

    content = build_list_pdf(contest, lambda d, t: None).content

    reader = PdfReader(io.BytesIO(content))
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[0] == f"{contest.title}优秀志愿服务项目名单"
    assert "十佳志愿服务项目（2 个）" in titles and "优秀志愿服务项目（4 个）" in titles
    nested = [item.title for group in outline if isinstance(group, list) for item in group]
    assert "理论政策宣讲" in nested and "文化文艺服务" in nested
    path = tmp_path / "seal.pdf"
    path.write_bytes(content)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True)
    images = listing.stdout
    assert len(images.splitlines()) > 2  # the seal (with its transparency as a soft mask)
    assert "长治市文明办" in pdf_text(content, tmp_path)
