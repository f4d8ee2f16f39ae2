"""A member of the public reads the site on a phone, in a real browser: home → showcase
filtered by a category → a project → search 助学 → a story. Every request the browser makes
goes to this site and nowhere else (no CDN, no fonts, no trackers: the site must work on an
intranet and in China)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cms.models import ProjectPage, StoryPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(transactional_db, settings, tmp_path):
    settings.DEBUG = True  # media files are served by Django's static() in development only
    call_command("seed_demo", "--entries", "60", "--judges", "15", "--stage", "published", verbosity=0)
    return ProjectPage.objects.live().count(), StoryPage.objects.live().count()


def test_reader_on_a_phone(site, live_server, page: Page, page_errors, shoot):
    projects, stories = site
    assert projects > 0 and stories >= 8
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    failed = []
    # A request the browser itself abandons when the reader moves on (a large picture still
    # loading as the next page opens, on a busy machine) is not a failure of the site.
    page.on(
        "requestfailed",
        lambda request: request.failure != "net::ERR_ABORTED" and failed.append(request.url),
    )
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    # Home, at 390 px: the menu opens from the toggler.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the home page scrolls sideways"
    shoot(page, "reader-home")
    page.get_by_role("button", name="展开菜单").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="优秀项目").click()

    # The showcase, filtered by a category.
    expect(page.get_by_role("heading", level=1)).to_have_text("优秀项目")
    page.get_by_label("项目类别").select_option(label="助学支教")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"category=education"))
    cards = page.locator("article.pcard")
    expect(cards.first).to_be_visible()
    for label in cards.locator(".pcard-category").all_inner_texts():
        assert "助学支教" in label
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the showcase scrolls sideways"
    shoot(page, "reader-showcase")

    # A project, with its photos.
    title = cards.first.locator(".pcard-title").inner_text()
    cards.first.locator(".pcard-title a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    photo = page.locator("main img").first
    photo.scroll_into_view_if_needed()
    expect(photo).to_have_attribute("alt", re.compile(r"\S"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    shoot(page, "reader-project")

    # Search 助学, then open the story about it.
    page.goto(live_server.url + "/search/")
    page.get_by_role("searchbox").fill("助学")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator("mark").first).to_have_text("助学")
    page.get_by_role("link", name=re.compile("典型故事")).first.click()
    story_link = page.locator("article.search-hit-story h2 a, article.search-hit-story h3 a").first
    story_title = story_link.inner_text()
    shoot(page, "reader-search")
    story_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(story_title)
    expect(page.locator("article.detail")).to_contain_text("助学")
    shoot(page, "reader-story")

    assert hosts == {urlsplit(live_server.url).netloc}, f"requests to other hosts: {hosts}"
    assert not failed, f"failed requests: {failed}"
    assert not page_errors
