"""A minimal public site for the page tests, built the way editors build it: each page added
under its parent as a draft, then a revision published. The home page is the one migration
cms/0002 made (path 00010001); every helper hangs its pages under it."""

import datetime
import io
import itertools

from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.rich_text import RichText

from cms.models import (
    ContestPage,
    HomePage,
    ProjectPage,
    ProjectPhoto,
    ShowcaseIndexPage,
    StandardPage,
    StoryIndexPage,
    StoryPage,
)
from competition.models import Category, County

_numbers = itertools.count(1)


def home() -> HomePage:
    return HomePage.objects.get(path="00010001")


def image(title: str = "志愿者在社区服务", width: int = 640, height: int = 480, color=(181, 18, 27)):
    """A real JPEG in the Wagtail image library."""
    out = io.BytesIO()
    PillowImage.new("RGB", (width, height), color).save(out, format="JPEG")
    return get_image_model().objects.create(
        title=title, file=ImageFile(io.BytesIO(out.getvalue()), name=f"photo-{next(_numbers)}.jpg")
    )


def add(parent, page, *, publish: bool = True):
    """Add ``page`` under ``parent`` as a draft, then publish a revision (unless told not to)."""
    page.live = False
    parent.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def paragraph(text: str = "项目以社区为阵地，常年开展志愿服务。"):
    return ("paragraph", RichText(f"<p>{text}</p>"))


def showcase(**fields) -> ShowcaseIndexPage:
    existing = ShowcaseIndexPage.objects.first()
    if existing:
        return existing
    fields = {
        "title": "优秀项目",
        "slug": "projects",
        "intro": "百个优秀志愿服务项目。",
        "show_in_menus": True,
    } | fields
    return add(home(), ShowcaseIndexPage(**fields))


def story_index(**fields) -> StoryIndexPage:
    existing = StoryIndexPage.objects.first()
    if existing:
        return existing
    fields = {
        "title": "先进典型",
        "slug": "stories",
        "intro": "志愿服务的先进典型。",
        "show_in_menus": True,
    } | fields
    return add(home(), StoryIndexPage(**fields))


def contest_page(contest, **fields) -> ContestPage:
    """The contest's page (made with the contest, see cms.services.ensure_contest_page) as an
    editor would have filled it in: ``fields`` written into it and published; made here only
    when the contest has none (its page deleted, or a contest made without one)."""
    fields = {
        "title": contest.title,
        "intro": "面向全市志愿服务队伍征集优秀项目。",
        "rules": "<p>每支队伍最多申报三个项目。</p>",
        "show_in_menus": True,
    } | fields
    page = ContestPage.objects.filter(contest=contest).first()
    if page is None:
        fields.setdefault("slug", f"contest-{next(_numbers)}")
        return add(home(), ContestPage(contest=contest, **fields))
    for name, value in fields.items():
        setattr(page, name, value)
    if "title" in fields:
        page.draft_title = page.title
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def county(name: str = "潞州区") -> County:
    return County.objects.get_or_create(name=name, defaults={"short_name": name[:-1]})[0]


def project(
    parent=None,
    *,
    category: str | None = "education",
    county_name: str | None = "潞州区",
    cover: bool = True,
    publish: bool = True,
    photos: int = 0,
    **fields,
) -> ProjectPage:
    """A featured project page with a cover (and ``photos`` photos), published by default."""
    number = next(_numbers)
    fields = {
        "title": f"七彩课堂留守儿童助学{number}",
        "slug": f"project-{number}",
        "summary": "为留守儿童提供课后辅导和心理陪伴。",
        "year": 2026,
        "team_name": f"红马甲志愿服务队{number}",
        "organization_name": "潞州区新时代文明实践中心",
        "volunteers": 25,
        "beneficiaries": 300,
        "service_hours": 1200,
        "activities": 80,
        "body": [paragraph()],
    } | fields
    if cover:
        fields.setdefault("cover_image", image(f"封面{number}"))
        fields.setdefault("cover_alt", "志愿者给孩子们辅导功课")
    page = ProjectPage(
        category=Category.objects.get(code=category) if category else None,
        county=county(county_name) if county_name else None,
        **fields,
    )
    page = add(parent or showcase(), page, publish=publish)
    for n in range(photos):
        ProjectPhoto.objects.create(
            page=page, image=image(f"照片{number}-{n}"), alt=f"活动现场照片{n + 1}", sort_order=n
        )
    return page


def story(
    parent=None,
    *,
    categories=(),
    projects=(),
    cover: bool = True,
    publish: bool = True,
    **fields,
) -> StoryPage:
    number = next(_numbers)
    fields = {
        "title": f"守护留守儿童的“候鸟妈妈”{number}",
        "slug": f"story-{number}",
        "intro": "十年如一日，她把课堂搬进了村里。",
        "author": "市文明办",
        "date": datetime.date(2026, 5, 1) + datetime.timedelta(days=number % 200),
        "body": [paragraph("她带着志愿者走遍了全县的村小。")],
    } | fields
    if cover:
        fields.setdefault("cover_image", image(f"故事封面{number}", color=(201, 150, 43)))
        fields.setdefault("cover_alt", "志愿者和孩子们在操场上")
    page = StoryPage(**fields)
    page.live = False
    (parent or story_index()).add_child(instance=page)
    page.categories.set(Category.objects.filter(code__in=categories))
    page.related_projects.set(projects)
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def standard(parent=None, **fields) -> StandardPage:
    number = next(_numbers)
    fields = {
        "title": "关于大赛",
        "slug": f"about-{number}",
        "intro": "大赛由市文明办主办。",
        "body": [paragraph("大赛每年举办一次。")],
        "show_in_menus": True,
    } | fields
    return add(parent or home(), StandardPage(**fields))
