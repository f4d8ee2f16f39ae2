"""The story feeds (RSS 2.0 and Atom 1.0), sitemap.xml and robots.txt."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from wagtail.models import PageViewRestriction

from tests.cms import factories

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def stories(db):
    older = factories.story(
        title="退休教师的第二讲台", date=datetime.date(2026, 3, 1), categories=["education"], author="王记者"
    )
    newer = factories.story(title="把法律送到田间地头", date=datetime.date(2026, 4, 1), categories=["legal"])
    factories.story(title="还没发布的故事", publish=False)
    withdrawn = factories.story(title="撤下的故事")
    withdrawn.unpublish()
    return newer, older


def xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, parsed in a test


def test_rss_feed_lists_live_stories_newest_first(client, stories):
    newer, older = stories

    response = client.get("/stories/feed/rss/")

    assert response["Content-Type"].startswith("application/rss+xml")
    channel = xml(response).find("channel")
    assert channel.findtext("title") == "志愿服务项目大赛 · 先进典型"
    assert channel.findtext("link") == "http://testserver/stories/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [newer.title, older.title]
    assert [item.findtext("link") for item in items] == [
        f"http://testserver{newer.url}",
        f"http://testserver{older.url}",
    ]
    assert items[1].findtext("description") == older.intro
    assert [category.text for category in items[1].findall("category")] == ["助学支教"]
    assert "2026" in items[1].findtext("pubDate")


def test_atom_feed_lists_the_same_stories(client, stories):
    newer, older = stories

    response = client.get("/stories/feed/atom/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = xml(response)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [newer.title, older.title]
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://testserver{newer.url}"
    assert entries[1].find(f"{ATOM}author").findtext(f"{ATOM}name") == "王记者"
    assert entries[1].findtext(f"{ATOM}published").startswith("2026-03-01")


def test_feeds_are_empty_but_valid_without_stories(client, db):
    factories.story_index()

    channel = xml(client.get("/stories/feed/rss/")).find("channel")

    assert channel.findall("item") == []


def test_feeds_are_not_found_without_a_story_index(client, db):
    assert client.get("/stories/feed/rss/").status_code == 404
    assert client.get("/stories/feed/atom/").status_code == 404


def test_feeds_leave_out_stories_under_a_view_restriction(client, stories):
    private = factories.story(title="内部故事")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    items = xml(client.get("/stories/feed/rss/")).find("channel").findall("item")

    assert private.title not in [item.findtext("title") for item in items]


def sitemap_paths(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    return [loc.text.removeprefix(settings.SITE_URL) for loc in xml(response).iter(f"{SITEMAP}loc")]


def test_sitemap_lists_live_public_pages_only(client, db):
    project = factories.project()
    draft = factories.project(publish=False)
    unpublished = factories.project()
    unpublished.unpublish()
    private = factories.standard(title="内部资料")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    story = factories.story()

    paths = sitemap_paths(client)

    assert paths == ["/", "/projects/", project.url, "/stories/", story.url]
    assert draft.url not in paths
    assert private.url not in paths


@pytest.mark.parametrize(
    ("published_at", "beijing_date"),
    [
        # 23:59 in Beijing on 31 December, the same date in UTC.
        (datetime.datetime(2026, 12, 31, 15, 59, tzinfo=datetime.UTC), "2026-12-31"),
        # 00:01 in Beijing on 1 January, while UTC is still on 31 December.
        (datetime.datetime(2026, 12, 31, 16, 1, tzinfo=datetime.UTC), "2027-01-01"),
    ],
    ids=["before-beijing-midnight", "after-beijing-midnight"],
)
def test_sitemap_gives_each_page_its_last_publication_date(
    client, db, time_machine, published_at, beijing_date
):
    """lastmod is the date in Beijing (TIME_ZONE) of the last publication, not its UTC date."""
    time_machine.move_to(published_at, tick=False)
    project = factories.project()
    assert project.last_published_at == published_at

    root = xml(client.get("/sitemap.xml"))

    lastmod = {
        url.findtext(f"{SITEMAP}loc").removeprefix(settings.SITE_URL): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }
    assert lastmod[project.url] == beijing_date


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()
