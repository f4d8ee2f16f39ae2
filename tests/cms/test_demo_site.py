"""The demo's ``published`` stage builds the whole public site: settings, home, contest page, the
featured projects published with their photos, a story per category, the standard pages, all
live, in the menus where they belong and indexed for search."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from wagtail.images import get_image_model
from wagtail.models import Collection, ReferenceIndex, Site

from awards.models import FeaturedProject
from cms import search
from cms.models import (
    ContestPage,
    HomePage,
    ProjectPage,
    ShowcaseIndexPage,
    SiteSettings,
    StandardPage,
    StoryIndexPage,
    StoryPage,
)
from competition.demo import DEMO_CONTEST_SLUG
from competition.models import Category, Contest
from voting.models import VoteEntry

# One pytest-xdist worker runs them all: the demo is seeded once.
pytestmark = pytest.mark.xdist_group("demo-site")


@pytest.fixture(scope="module")
def demo_site(pinned_clock_for_module, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, seeded once for this module inside a transaction rolled back at its end (each
    test runs in a savepoint of it). DEBUG is on: seed_demo is for development."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private"),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", entries=60, judges=15, stage="published", stdout=io.StringIO())
            yield Contest.objects.get(slug=DEMO_CONTEST_SLUG)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_site, db):
    return demo_site


def find(model, words: str):
    return model.objects.live().search(" ".join(search.query_terms(words)))


def test_demo_builds_the_home_page_settings_and_contest_page(demo):
    contest = demo
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    site_settings = SiteSettings.for_site(site)
    page = ContestPage.objects.get(contest=contest)

    assert home.live and home.hero_title and home.hero_text and home.hero_image is not None
    assert site_settings.address and site_settings.phone and site_settings.email
    assert site_settings.wechat_qr is not None and site_settings.wechat_name
    assert page.live and page.get_parent().specific == home
    assert "<h2>" in page.rules and "匿名评审" in page.rules
    images = get_image_model().objects.filter(collection__name=contest.title)
    assert images.filter(pk__in=[home.hero_image_id, site_settings.wechat_qr_id]).count() == 2


def test_demo_publishes_every_featured_project_with_its_photos(demo):
    featured = FeaturedProject.objects.filter(contest=demo)
    collection = Collection.objects.get(name=demo.title)
    pages = list(ProjectPage.objects.select_related("featured").prefetch_related("photos__image"))

    assert featured.count() > 0
    assert sorted(page.featured_id for page in pages) == sorted(featured.values_list("pk", flat=True))
    assert ShowcaseIndexPage.objects.get().live
    for page in pages:
        assert page.live and not page.has_unpublished_changes
        photos = list(page.photos.all())
        assert photos and all(photo.image.collection_id == collection.pk for photo in photos)
        assert page.cover_image_id == photos[0].image_id and page.cover_alt
    # the admin shows where each image is used
    assert ReferenceIndex.objects.filter(to_object_id=str(pages[0].cover_image_id)).exists()


def test_demo_has_a_live_story_for_every_category(demo):
    stories = list(StoryPage.objects.live().prefetch_related("categories", "related_projects"))

    assert len(stories) >= 8
    assert {c.pk for story in stories for c in story.categories.all()} == set(
        Category.objects.values_list("pk", flat=True)
    )
    assert StoryIndexPage.objects.get().live
    for story in stories:
        kinds = [block.block_type for block in story.body]
        assert kinds.count("paragraph") >= 3 and {"quote", "figures", "image"} <= set(kinds)
        assert story.author and story.date and story.intro and story.cover_image and story.cover_alt
    assert sum("gallery" in [block.block_type for block in story.body] for story in stories) >= 2
    assert any(story.related_projects.exists() for story in stories)


def test_demo_menus_and_standard_pages(demo):
    home = HomePage.objects.get()

    menu = [page.title for page in home.get_children().live().in_menu().order_by("path")]
    standard = {page.slug: page for page in StandardPage.objects.live()}

    assert menu == [ContestPage.objects.get().title, "优秀项目", "先进典型", "关于大赛"]
    assert {"about", "contact", "faq"} <= set(standard)
    assert not standard["contact"].show_in_menus and not standard["faq"].show_in_menus
    assert all(len(page.body) > 0 for page in standard.values())


def test_demo_pages_are_indexed_for_search(demo):
    projects = list(find(ProjectPage, "助学"))
    stories = list(find(StoryPage, "助学"))

    assert projects and all(page.category.code == "education" for page in projects)
    assert [story.slug for story in stories] == ["story-education"]
    assert list(find(StoryPage, "巡河")) == [StoryPage.objects.get(slug="story-environment")]


def test_demo_vote_gallery_is_live_with_the_entries_and_their_counts(demo, client):
    in_vote = VoteEntry.objects.filter(window__contest=demo, included=True)

    response = client.get(f"/vote/{demo.slug}/")

    assert response.status_code == 200
    shown = [item.code for item in response.context["page"].object_list]
    assert len(shown) == min(24, in_vote.count()) > 0
    assert set(shown) <= set(in_vote.values_list("code", flat=True))
    assert response.context["show_counts"] and sum(card["votes"] for card in response.context["cards"]) > 0
    assert client.get(f"/vote/{demo.slug}/e/{shown[0]}/").status_code == 200
