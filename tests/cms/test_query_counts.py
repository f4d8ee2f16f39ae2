"""N+1 guards for the public pages: a page's query count does not grow with the number of
projects and stories, and an uncached render stays small.

Each measurement renders the page once as an anonymous reader (renditions and the site
settings row get made), then renders it again without the public page cache, two ways:

* right after a purge (``cms.cache.purge``: a new generation, as after every publish), when the
  menu, the footer settings and the cached reference data are rebuilt too;
* in the steady state: the page itself not cached yet (a query string the cache has not seen)
  while everything else is.

Wagtail's own serving costs 7 of these queries for a project or story page: the site, three
routing lookups and the two of its view-restriction check."""

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import cache as public_cache
from cms.models import ProjectPhoto
from tests import factories as core_factories
from tests.cms import factories

# An uncached public page (Wagtail's serving, the page's context, the menu, the breadcrumbs,
# the footer and the images included) in the steady state, and right after a purge (the home
# page's, the largest, asks besides whether a notice and a vote are open: one query each).
MAX_QUERIES = 12
MAX_QUERIES_AFTER_PURGE = 16


# Enough more than a page's worth (a showcase page lists 12 projects, a story index 10, the
# home page 6 and 3) that every list is cut, paginated and linked as with hundreds.
MORE = 12

_fresh = itertools.count(1)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get("X-Cache") != "hit"
    return len(queries)


def render_queries(client, url: str) -> tuple[int, int]:
    """(queries right after a purge, queries in the steady state) for an uncached render."""
    assert client.get(url).status_code == 200  # warm: renditions, settings row
    public_cache.purge()
    after_purge = _count(client, url)
    separator = "&" if "?" in url else "?"
    steady = _count(client, f"{url}{separator}fresh={next(_fresh)}")
    return after_purge, steady


def assert_small(counts: tuple[int, int]) -> None:
    after_purge, steady = counts
    assert steady <= MAX_QUERIES
    assert after_purge <= MAX_QUERIES_AFTER_PURGE


def add_projects(count: int, **kwargs) -> list:
    return [factories.project(photos=1, **kwargs) for _ in range(count)]


def add_stories(count: int, **kwargs) -> list:
    return [factories.story(categories=["education"], **kwargs) for _ in range(count)]


def test_home_page_queries_do_not_grow_with_projects_and_stories(client, db):
    core_factories.ContestFactory()
    add_projects(3)
    add_stories(3)
    few = render_queries(client, "/")

    add_projects(MORE)
    add_stories(MORE)
    many = render_queries(client, "/")

    assert many == few
    assert_small(few)


def test_showcase_queries_do_not_grow_with_projects(client, db):
    add_projects(3)
    url = factories.showcase().url
    few = render_queries(client, url)
    filtered_few = render_queries(client, url + "?category=education&year=2026")

    add_projects(MORE)
    many = render_queries(client, url)
    filtered_many = render_queries(client, url + "?category=education&year=2026")

    assert (many, filtered_many) == (few, filtered_few)
    assert_small(few)
    assert_small(filtered_few)


def test_story_index_queries_do_not_grow_with_stories(client, db):
    add_stories(3)
    url = factories.story_index().url
    few = render_queries(client, url)

    add_stories(MORE)
    many = render_queries(client, url)

    assert many == few
    assert_small(few)


def test_project_page_queries_do_not_grow_with_photos_stories_or_other_projects(client, db):
    page = factories.project(photos=3)
    add_stories(3, projects=[page])
    few = render_queries(client, page.url)

    add_projects(MORE)
    add_stories(MORE, projects=[page])
    for n in range(4):
        ProjectPhoto.objects.create(page=page, image=factories.image(), alt=f"活动照片{n}", sort_order=10 + n)
    many = render_queries(client, page.url)

    assert many == few
    assert_small(few)


def test_story_page_queries_do_not_grow_with_related_projects_or_other_stories(client, db):
    projects = add_projects(3)
    page = factories.story(categories=["education", "health"], projects=projects)
    few = render_queries(client, page.url)

    more = add_projects(MORE)
    page.related_projects.set(projects + more)
    page.save_revision().publish()
    add_stories(MORE)
    many = render_queries(client, page.url)

    assert many == few
    assert_small(few)
