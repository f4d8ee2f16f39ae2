"""Pages for the search tests, built the way editors make them: a draft added under its index
page, then a revision published. Kept apart from tests/cms/factories.py on purpose."""

import datetime

from wagtail.rich_text import RichText

from cms.models import HomePage, ProjectPage, ShowcaseIndexPage, StoryIndexPage, StoryPage
from competition.models import Category, County


def indexes():
    """The showcase and the story index under the home page the migrations made."""
    home = HomePage.objects.get()
    showcase = ShowcaseIndexPage.objects.first() or home.add_child(
        instance=ShowcaseIndexPage(title="优秀项目", slug="projects")
    )
    stories = StoryIndexPage.objects.first() or home.add_child(
        instance=StoryIndexPage(title="先进典型", slug="stories")
    )
    return showcase, stories


def _body(text):
    return [("paragraph", RichText(f"<p>{text}</p>"))] if text else []


def project(
    title, *, summary="", body="", category=None, county=None, year=2024, team="", publish=True, slug=None
):
    showcase, _stories = indexes()
    page = showcase.add_child(
        instance=ProjectPage(
            title=title,
            slug=slug or f"p-{ProjectPage.objects.count() + 1}",
            summary=summary,
            body=_body(body),
            category=Category.objects.get(code=category) if category else None,
            county=County.objects.get_or_create(name=county)[0] if county else None,
            year=year,
            team_name=team,
            live=False,
        )
    )
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def story(
    title, *, intro, body="正文", categories=(), date=datetime.date(2024, 5, 1), publish=True, slug=None
):
    _showcase, index = indexes()
    page = index.add_child(
        instance=StoryPage(
            title=title,
            slug=slug or f"s-{StoryPage.objects.count() + 1}",
            intro=intro,
            body=_body(body),
            date=date,
            live=False,
        )
    )
    if categories:
        page.categories.set(Category.objects.filter(code__in=categories))
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def sample():
    """A small site: three projects, two stories and a draft."""
    return {
        "community": project(
            "社区志愿者项目",
            summary="组织社区居民关爱老人，上门陪伴独居长者。",
            category="relief",
            county="潞州区",
            year=2024,
            team="红马甲服务队",
        ),
        "ai": project(
            "乡村AI课堂",
            summary="为留守儿童开设编程和科学课。Volunteer 助学行动。",
            category="education",
            year=2025,
        ),
        "culture": project(
            "文化惠民演出 <script>alert(1)</script>",
            summary="送戏下乡，文化惠民 & 共享 <b>欢乐</b>。",
            category="culture",
            year=2024,
        ),
        "guardian": story(
            "守护留守儿童的志愿者",
            intro="她十年如一日关爱留守儿童。",
            body="每个周末，她都带着孩子们读书。",
            categories=["education"],
            date=datetime.date(2025, 3, 1),
        ),
        "phones": story(
            "银发课堂",
            intro="退休教师教老人使用智能手机。",
            categories=["culture"],
            date=datetime.date(2024, 6, 1),
        ),
        "draft": project("草稿助学项目", summary="尚未发布的草稿。", category="education", publish=False),
    }
