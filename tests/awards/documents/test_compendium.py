"""The compendium of the featured projects: every title in order, fonts embedded, bookmarks and
page numbers, photos printed without the originals' metadata, and the bad cases (no photo, a
200-character title, characters no font prints) printed or reported."""

import io
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from awards.documents.compendium import (
    build_compendium,
    clip,
    compendium_projects,
    pixel_width,
)
from awards.models import FeaturedProject
from competition.models import Category
from tests import factories
from tests.files import gps_exif

CODES = ("culture", "education", "health")


def photo_bytes(width=600, height=400, seed=0, exif=None) -> bytes:
    """A JPEG with texture (noise), so that it compresses like a photo."""
    noise = Image.effect_noise((width // 4, height // 4), 40 + seed).resize((width, height))
    image = Image.merge(
        "RGB", (noise, noise.rotate(90, expand=False), noise.transpose(Image.FLIP_LEFT_RIGHT))
    )
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format="JPEG", quality=85, **kwargs)
    return out.getvalue()


def add_photo(entry, content, caption=""):
    photo = factories.add_photo(entry, content, caption=caption)
    with Image.open(io.BytesIO(content)) as image:
        photo.width, photo.height = image.size
    photo.save(update_fields=["width", "height"])
    return photo


def feature(contest, *, title, code, rank, photos=0, **entry_fields):
    entry = factories.EntryFactory(
        contest=contest, title=title, category=Category.objects.get(code=code), submitted=True, **entry_fields
    )
    for n in range(photos):
        add_photo(entry, photo_bytes(seed=n + rank), caption=f"活动照片{n + 1}")
    return FeaturedProject.objects.create(contest=contest, entry=entry, rank=rank, score=90 - rank / 10)


# Twelve projects in three categories, ranked out of category order: the compendium groups them
# by category (the contest's order) then rank.
TITLES = [
    ("暖阳助老", "health"),
    ("书香童年", "education"),
    ("非遗进社区", "culture"),
    ("爱心义诊", "health"),
    ("乡村课堂", "education"),
    ("红色宣讲", "culture"),
    ("健步同行", "health"),
    ("彩虹支教", "education"),
    ("戏曲下乡", "culture"),
    ("康复陪伴", "health"),
    ("周末课堂", "education"),
    ("剪纸传承", "culture"),
]


def expected_order(projects):
    return [
        p.entry.title for p in sorted(projects, key=lambda p: (CODES.index(p.entry.category.code), p.rank))
    ]


def pdftotext(path, *args) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def drawn(page) -> list[bytes]:
    """The images a page draws (WeasyPrint lists every image of the file in each page's
    resources, so a page's resources do not say which it shows)."""
    return re.findall(rb"/([\w.-]+) Do", page.get_contents().get_data())


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def twelve(contest):
    return [
        feature(contest, title=f"{title}志愿服务项目", code=code, rank=rank, photos=rank % 3 + 1)
        for rank, (title, code) in enumerate(TITLES, start=1)
    ]


def write(built, tmp_path):
    path = tmp_path / "compendium.pdf"
    path.write_bytes(built.content)
    return path


def test_every_title_in_order_with_fonts_bookmarks_and_page_numbers(contest, twelve, tmp_path):
    seen = []
    built = build_compendium(contest, lambda done, total: seen.append((done, total)))
    path = write(built, tmp_path)
    order = expected_order(twelve)

    assert built.extension == "pdf" and built.warnings == ()
    assert seen == [(n, 13) for n in range(1, 14)]  # each project prepared, then the layout

    reader = PdfReader(path)
    # The outline: the contents, then each category with its projects in order.
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["目录", "文化文艺服务", "助学支教", "医疗健身"]
    projects = [child.title for item in outline if isinstance(item, list) for child in item]
    assert projects == order
    # Each project starts a page, and that page carries its title; the page numbers are printed.
    pages = [
        reader.get_destination_page_number(child)
        for item in outline
        if isinstance(item, list)
        for child in item
    ]
    assert pages == sorted(pages) and len(set(pages)) == 12
    for title, page in zip(order, pages, strict=True):
        text = pdftotext(path, "-f", str(page + 1), "-l", str(page + 1))
        assert title in flat(text)
        assert f"—{page + 1}—" in flat(text)  # the footer, "— n —"
    # The whole text: the contents lists the titles in order, then the pages do the same.
    text = flat(pdftotext(path))
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)
    body = text[text.index(order[-1]) + len(order[-1]) :]
    assert [body.index(title) for title in order] == sorted(body.index(title) for title in order)

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("NotoSansCJKSC" in row[0].replace("-", "") for row in rows)  # one face
    assert all(row[-5] == "yes" for row in rows)  # embedded


def test_contents_give_each_project_its_page(contest, twelve, tmp_path):
    path = write(build_compendium(contest, lambda done, total: None), tmp_path)
    reader = PdfReader(path)
    first = next(item for item in reader.outline if isinstance(item, list))[0]
    page = reader.get_destination_page_number(first) + 1
    contents = pdftotext(path, "-f", "2", "-l", "2")
    line = next(line for line in contents.splitlines() if expected_order(twelve)[0] in line)
    assert line.rstrip().endswith(str(page))


def test_photos_carry_no_metadata_of_the_original(contest, tmp_path):
    featured = feature(contest, title="带定位的照片", code="health", rank=1)
    original = photo_bytes(3000, 2000, exif=gps_exif())
    assert b"DemoCam" in original
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825)  # GPS position in the source
    add_photo(featured.entry, original)

    reader = PdfReader(write(build_compendium(contest, lambda done, total: None), tmp_path))
    assert sum(len(drawn(page)) for page in reader.pages) == 1
    data = reader.pages[2].images[0].data
    assert data[:2] == b"\xff\xd8"  # a JPEG, as printed
    with Image.open(io.BytesIO(data)) as printed:
        assert not printed.getexif()
        assert "exif" not in printed.info
        assert max(printed.size) <= 1600 and printed.size[0] < 3000  # a print rendition, not the original
    assert b"DemoCam" not in data and "张建国".encode() not in data


def test_a_project_without_photo_prints_without_a_gap(contest, tmp_path):
    feature(contest, title="没有照片的项目", code="health", rank=1)
    feature(contest, title="有照片的项目", code="health", rank=2, photos=1)
    path = write(build_compendium(contest, lambda done, total: None), tmp_path)
    reader = PdfReader(path)
    no_photo, with_photo = next(item for item in reader.outline if isinstance(item, list))
    first = reader.get_destination_page_number(no_photo)
    assert not drawn(reader.pages[first])
    # Its story follows its figures directly: all on its one page, the next project on the next.
    text = flat(pdftotext(path, "-f", str(first + 1), "-l", str(first + 1)))
    assert "志愿者人数" in text and "服务成效" in text
    assert reader.get_destination_page_number(with_photo) == first + 1
    assert drawn(reader.pages[first + 1])


def test_photos_without_consent_are_not_printed(contest, tmp_path):
    feature(contest, title="未同意公开照片", code="health", rank=1, photos=2, consent_guardians=False)
    feature(contest, title="未同意公开", code="health", rank=2, photos=1, consent_publish=False)
    path = write(build_compendium(contest, lambda done, total: None), tmp_path)
    reader = PdfReader(path)
    assert not any(drawn(page) for page in reader.pages)
    text = flat(pdftotext(path))
    assert "未同意公开" in text and text.count("为留守儿童提供课后辅导") == 1  # texts only with consent


def test_a_200_character_title_wraps_and_prints_whole(contest, tmp_path):
    featured = feature(contest, title="长标题", code="health", rank=1, photos=3)
    projects = compendium_projects(contest=contest)
    long_title = ("关爱留守儿童与空巢老人的乡村志愿服务" * 11)[:200]
    projects[0].entry.title = long_title  # longer than the form allows: printed, not cut
    path = write(build_compendium(contest, lambda done, total: None, projects=projects), tmp_path)
    assert featured.pk == projects[0].pk
    reader = PdfReader(path)
    page_number = reader.get_destination_page_number(
        next(i for i in reader.outline if isinstance(i, list))[0]
    )
    page = pdftotext(path, "-f", str(page_number + 1), "-l", str(page_number + 1))
    assert long_title in flat(page)
    assert sum(1 for line in page.splitlines() if line.strip() and line.strip() in long_title) >= 3  # wrapped
    # The page is A4 and the title did not run off it.
    box = reader.pages[page_number].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_characters_no_font_prints_are_reported(contest, tmp_path):
    feature(contest, title="敬老😀服务", code="health", rank=1)
    feature(contest, title="𪚥字传承", code="culture", rank=2)
    feature(contest, title="普通项目", code="culture", rank=3)
    built = build_compendium(contest, lambda done, total: None)
    assert len(built.warnings) == 2
    assert "𪚥" in built.warnings[0] and "𪚥字传承" in built.warnings[0]
    assert "😀" in built.warnings[1]
    assert "普通项目" in flat(pdftotext(write(built, tmp_path)))


def test_an_unreadable_photo_is_reported_and_skipped(contest, tmp_path):
    featured = feature(contest, title="照片丢失", code="health", rank=1, photos=2)
    lost = featured.entry.photos.first()
    lost.file.storage.delete(lost.file.name)
    built = build_compendium(contest, lambda done, total: None)
    assert len(built.warnings) == 1 and "照片丢失" in built.warnings[0]
    reader = PdfReader(write(built, tmp_path))
    assert sum(len(drawn(page)) for page in reader.pages) == 1


def test_projects_are_read_in_a_constant_number_of_queries(contest, django_assert_num_queries):
    for rank in range(1, 3):
        feature(contest, title=f"项目{rank}", code="health", rank=rank, photos=2)
    with django_assert_num_queries(2):
        projects = compendium_projects(contest=contest)
        [
            list(p.entry.photos.all()) + [p.entry.team.organization.county, p.entry.category, p.tier_name]
            for p in projects
        ]
    for rank in range(3, 9):
        feature(contest, title=f"项目{rank}", code="culture", rank=rank, photos=1)
    with django_assert_num_queries(2):
        projects = compendium_projects(contest=contest)
        [
            list(p.entry.photos.all()) + [p.entry.team.organization.county, p.entry.category, p.tier_name]
            for p in projects
        ]
    assert [p.entry.category.code for p in projects] == ["culture"] * 6 + ["health"] * 2


def test_only_the_first_three_photos_in_the_teams_order(contest, tmp_path):
    featured = feature(contest, title="五张照片", code="health", rank=1)
    for n in range(5):
        photo = add_photo(featured.entry, photo_bytes(seed=n), caption=f"第{n}张")
        photo.sort_order = 5 - n
        photo.save(update_fields=["sort_order"])
    text = flat(pdftotext(write(build_compendium(contest, lambda done, total: None), tmp_path)))
    assert "第4张" in text and "第3张" in text and "第2张" in text
    assert "第1张" not in text and "第0张" not in text


@pytest.mark.parametrize(
    ("size", "lead", "expected"),
    [
        ((3000, 2000), True, 1418),
        ((3000, 2000), False, 784),
        ((2000, 3000), True, 630),
        ((400, 300), True, 400),
    ],
)
def test_print_size(size, lead, expected):
    assert pixel_width(*size, lead=lead) == expected


def test_clip_cuts_at_a_sentence_end():
    assert clip("短文。", 10) == "短文。"
    assert clip("第一句很长很长。第二句也很长很长。第三句", 18) == "第一句很长很长。第二句也很长很长。……"
    assert clip("没有句号的长长长长长长长长文字", 6) == "没有句号的长……"


def test_the_whole_build_reads_a_constant_number_of_queries(contest, django_assert_num_queries):
    # settings, the organizer's template, the projects, their photos: 4 whatever their number
    feature(contest, title="项目一", code="health", rank=1, photos=1)
    with django_assert_num_queries(4):
        build_compendium(contest, lambda done, total: None)
    for rank in range(2, 6):
        feature(contest, title=f"项目{rank}号", code="culture", rank=rank, photos=2)
    with django_assert_num_queries(4):
        build_compendium(contest, lambda done, total: None)


def test_built_as_a_generated_document_with_progress(contest):
    from awards.documents.progress import document_build
    from awards.models import GeneratedDocument

    feature(contest, title="进度项目", code="health", rank=1, photos=1)
    feature(contest, title="进度项目二", code="health", rank=2)
    document = document_build(
        contest=contest, kind="compendium", make=lambda progress: build_compendium(contest, progress)
    )
    assert document.status == GeneratedDocument.Status.READY
    assert (document.done, document.total) == (3, 3)
    assert document.file.read().startswith(b"%PDF")


def test_the_organizers_template_is_used(contest, tmp_path):
    from awards.models import DocumentTemplate

    feature(contest, title="自定义模板项目", code="health", rank=1)
    DocumentTemplate.objects.create(
        contest=contest,
        kind=DocumentTemplate.Kind.COMPENDIUM,
        html="<h1>{{ compendium_title }}（组委会版）</h1>{% for c in chapters %}{% for s in c.sheets %}"
        "<p>{{ s.title }}</p>{% endfor %}{% endfor %}",
    )
    text = flat(pdftotext(write(build_compendium(contest, lambda done, total: None), tmp_path)))
    assert "（组委会版）" in text and "自定义模板项目" in text
