"""Chinese search (/search/): segmentation, filters, highlighting, hostile input, index freshness.

Runs on whichever database the suite runs on (SQLite FTS5 or PostgreSQL full text)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms import search, search_service
from cms.models import ProjectPage
from tests.conftest import for_one_test, kept_for_the_module

from . import search_fixtures as build

URL = reverse("cms:search")


@pytest.fixture(autouse=True)
def _empty_cache():
    # The search page is served from the public page cache; each test starts without it.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def _site_for_the_module(pinned_clock_for_module, django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build.sample()


@pytest.fixture
def site(_site_for_the_module, db):
    return for_one_test(_site_for_the_module)


def titles(params) -> list[str]:
    outcome = search_service.run(params)
    return [hit.page.title for hit in outcome.hits]


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, response.content.decode()


# --- Segmentation -----------------------------------------------------------------------------


def test_query_terms_are_words_without_query_syntax():
    assert search.query_terms("社区志愿者项目") == ["社区", "志愿者", "项目"]
    assert search.query_terms('志愿" OR "1') == ["志愿", "or", "1"]
    assert search.query_terms("NEAR(志愿, 2) -助学 *:") == ["near", "志愿", "2", "助学"]
    assert search.query_terms("C++ a_b 50%") == ["c", "a", "b", "50"]
    assert search.query_terms("😀 * \" ' ( ) : -") == []
    for term in search.query_terms("x" * 50 + " 志愿 'quoted' \"double\" back\\slash"):
        assert re.fullmatch(r"[^\W_]+", term)


def test_segment_indexes_the_words_inside_words():
    assert set(search.segment("社区志愿者项目").split()) >= {"社区", "志愿", "志愿者", "项目"}


def test_clean_query_limits_length_and_drops_control_characters():
    assert search.clean_query("志" * 5000) == "志" * search.MAX_QUERY_LENGTH
    assert search.clean_query("志\x00愿\n 者") == "志 愿 者"
    assert search.clean_query(["list"]) == ""


# --- Finding pages ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Two characters inside a longer word.
        ("志愿", {"社区志愿者项目", "守护留守儿童的志愿者"}),
        ("助学", {"乡村AI课堂"}),
        # Three characters.
        ("志愿者", {"社区志愿者项目", "守护留守儿童的志愿者"}),
        # Four characters: two words, both required.
        ("关爱老人", {"社区志愿者项目"}),
        ("留守儿童", {"乡村AI课堂", "守护留守儿童的志愿者"}),
        # Mixed Chinese and English, any case.
        ("AI课堂", {"乡村AI课堂"}),
        ("ai 课堂", {"乡村AI课堂"}),
        ("Volunteer 助学", {"乡村AI课堂"}),
        # Team names and story bodies are searched too.
        ("红马甲", {"社区志愿者项目"}),
        ("读书", {"守护留守儿童的志愿者"}),
    ],
)
def test_chinese_queries_find_pages(site, query, expected):
    assert set(titles({"q": query})) == expected


@pytest.mark.django_db
def test_projects_come_before_stories(site):
    outcome = search_service.run({"q": "志愿"})
    assert [hit.kind for hit in outcome.hits] == ["project", "story"]
    assert outcome.counts == {"project": 1, "story": 1}


@pytest.mark.django_db
def test_unrelated_query_finds_nothing_and_offers_suggestions(site, client):
    assert titles({"q": "航天"}) == []
    assert titles({"q": "航天 火箭"}) == []  # nor any of several words
    response, html = get(client, q="航天")
    assert "没有找到与“航天”相关的内容" in html
    assert "大家都在搜" in html
    assert 'href="?q=%E5%8A%A9%E5%AD%A6"' in html  # 助学
    assert "/projects/?category=education" in html  # browse by category
    assert "search-hit" not in html


@pytest.mark.django_db
def test_when_no_page_has_every_word_any_word_will_do(site, client):
    outcome = search_service.run({"q": "志愿者 航天"})
    assert outcome.loosened
    assert {hit.page.title for hit in outcome.hits} == {"社区志愿者项目", "守护留守儿童的志愿者"}
    response, html = get(client, q="志愿者 航天")
    assert "包含其中部分词语的结果" in html


@pytest.mark.django_db
def test_drafts_are_not_found(site):
    assert titles({"q": "草稿"}) == []
    assert "草稿助学项目" not in titles({"q": "助学"})


@pytest.mark.django_db
def test_private_pages_are_not_found(site):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=site["ai"], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert titles({"q": "助学"}) == []


@pytest.mark.django_db
def test_publishing_makes_a_page_findable_and_unpublishing_hides_it(client):
    build.indexes()
    response, html = get(client, q="航天科普")
    assert "search-hit" not in html

    page = build.project("青少年航天科普", summary="带孩子们认识火箭。", category="science")
    assert titles({"q": "航天"}) == ["青少年航天科普"]
    response, html = get(client, q="航天科普")  # the same address as before publishing
    assert "青少年<mark>航天</mark><mark>科普</mark>" in html

    # A draft of a live page is not searched; the new revision is, once published.
    page.summary = "带孩子们认识火箭和卫星。"
    revision = page.save_revision()
    assert titles({"q": "卫星"}) == []
    revision.publish()
    assert titles({"q": "卫星"}) == ["青少年航天科普"]

    page.unpublish()
    assert titles({"q": "航天"}) == []
    response, html = get(client, q="航天科普")
    assert "search-hit" not in html


# --- Filters and pages of results ---------------------------------------------------------------


@pytest.mark.django_db
def test_type_filter(site):
    assert titles({"q": "志愿", "type": "project"}) == ["社区志愿者项目"]
    assert titles({"q": "志愿", "type": "story"}) == ["守护留守儿童的志愿者"]
    outcome = search_service.run({"q": "志愿", "type": "story"})
    # The tabs still count both kinds.
    assert outcome.counts == {"project": 1, "story": 1}
    assert outcome.total == 1


@pytest.mark.django_db
def test_category_filter(site):
    assert set(titles({"q": "留守儿童", "category": "education"})) == {"乡村AI课堂", "守护留守儿童的志愿者"}
    assert titles({"q": "留守儿童", "category": "culture"}) == []
    assert titles({"q": "课堂", "category": "culture"}) == ["银发课堂"]


@pytest.mark.django_db
def test_year_filter(site):
    assert set(titles({"q": "课堂"})) == {"乡村AI课堂", "银发课堂"}
    assert titles({"q": "课堂", "year": "2025"}) == ["乡村AI课堂"]
    assert titles({"q": "课堂", "year": "2024"}) == ["银发课堂"]
    outcome = search_service.run({"q": "课堂"})
    assert outcome.years == [2025, 2024]


@pytest.mark.django_db
def test_bad_filters_are_ignored(site, client):
    outcome = search_service.run(
        {"q": "课堂", "type": "evil", "category": "nope", "year": "1e9", "page": "-1"}
    )
    assert (outcome.kind, outcome.category, outcome.year) == ("", None, None)
    assert outcome.total == 2
    get(client, q="课堂", type="<script>", category="'", year="9" * 40, page="x")


@pytest.mark.django_db
def test_pages_of_results(client):
    build.indexes()
    for number in range(12):
        build.project(f"助学项目{number}", summary="助学", year=2024)
    outcome = search_service.run({"q": "助学"})
    assert outcome.total == 12
    assert len(outcome.hits) == search_service.PAGE_SIZE
    assert outcome.next_url == "?q=%E5%8A%A9%E5%AD%A6&page=2"
    second = search_service.run({"q": "助学", "page": "2"})
    assert len(second.hits) == 2
    assert second.previous_url == "?q=%E5%8A%A9%E5%AD%A6"
    assert {hit.page.pk for hit in outcome.hits}.isdisjoint({hit.page.pk for hit in second.hits})
    response, html = get(client, q="助学", page="2")
    assert "第 2 / 2 页" in html
    assert 'rel="prev"' in html
    assert 'start="11"' in html


@pytest.mark.django_db
def test_pages_mixing_projects_and_stories(client):
    build.indexes()
    for number in range(7):
        build.project(f"环保项目{number}", summary="环保")
    for number in range(6):
        build.story(f"环保故事{number}", intro="环保")
    first = search_service.run({"q": "环保"})
    second = search_service.run({"q": "环保", "page": "2"})
    assert [hit.kind for hit in first.hits] == ["project"] * 7 + ["story"] * 3
    assert [hit.kind for hit in second.hits] == ["story"] * 3
    shown = [hit.page.pk for hit in first.hits + second.hits]
    assert len(set(shown)) == 13


@pytest.mark.django_db
def test_query_count_does_not_grow_with_results(client):
    build.indexes()
    for number in range(9):
        build.project(
            f"养老项目{number}", summary="养老 敬老", category="relief", county="潞州区", team="服务队"
        )
        build.story(f"养老故事{number}", intro="养老 敬老", categories=["relief", "health"])
    build.project("孤单的敬老项目", summary="敬老院", category="relief")
    build.story("孤单的老人", intro="敬老院", categories=["relief"])
    get(client, q="热身")  # site root paths and the menu are cached once

    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            response, html = get(client, q=query)
        return len(captured), html.count("search-hit-meta")

    many, many_hits = queries("养老")
    few, few_hits = queries("孤单")
    assert (many_hits, few_hits) == (10, 2)
    assert many == few
    assert many <= 14


# --- What the page shows ------------------------------------------------------------------------


@pytest.mark.django_db
def test_results_page_keeps_the_query_and_highlights(site, client):
    response, html = get(client, q="关爱老人")
    assert 'value="关爱老人"' in html
    assert "<mark>关爱</mark><mark>老人</mark>" in html
    assert "社区志愿者项目" in html
    assert "潞州区" in html and "2024 年" in html
    assert 'href="/projects/p-1/"' in html
    assert "找到 1 条与“关爱老人”相关的结果" in html
    assert '<meta name="robots" content="noindex, follow">' in html


@pytest.mark.django_db
def test_highlighting_escapes_html(site, client):
    response, html = get(client, q="文化")
    assert "<script>alert(1)</script>" not in html
    assert "<b>欢乐</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>文化</mark>惠民演出 &lt;script&gt;" in html
    assert "&amp; 共享 &lt;b&gt;欢乐&lt;/b&gt;" in html


def test_highlight_never_breaks_entities_or_lets_markup_through():
    terms = search.query_terms("amp lt script 志愿")
    html = str(search.highlight('<script>x</script> & "志愿者" <', terms))
    assert html == (
        "&lt;<mark>script</mark>&gt;x&lt;/<mark>script</mark>&gt; &amp; &quot;<mark>志愿</mark>者&quot; &lt;"
    )
    assert str(search.highlight("said AI", ["ai"])) == "said <mark>AI</mark>"
    assert str(search.highlight("<i>", [])) == "&lt;i&gt;"


def test_excerpt_shows_the_words_found():
    text = "开头" * 100 + "关爱老人" + "结尾" * 100
    snippet = search.excerpt(text, ["老人"], length=40)
    assert "老人" in snippet and snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 42
    assert search.excerpt("短文", ["老人"]) == "短文"


@pytest.mark.django_db
def test_empty_query_shows_the_form_and_suggestions(site, client):
    response, html = get(client)
    assert 'name="q"' in html and 'role="search"' in html
    assert "大家都在搜" in html
    for word in ("助学", "养老", "环保", "文化"):
        assert f">{word}</a>" in html
    assert "search-summary" not in html


@pytest.mark.django_db
def test_nothing_inline_for_the_content_security_policy(site, client):
    response, html = get(client, q="志愿")
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


@pytest.mark.django_db
def test_english_interface(site, client):
    client.cookies["django_language"] = "en"
    response, html = get(client, q="志愿")
    assert "<mark>志愿</mark>" in html


# --- Hostile input --------------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "*",
    "OR",
    "AND",
    "NOT",
    "NEAR(",
    "NEAR(志愿 助学, 2)",
    '志愿" OR "1',
    "志愿' OR '1'='1",
    "'; DROP TABLE wagtailcore_page; --",
    "-志愿",
    "志愿*",
    "title:志愿",
    "{title body}: 志愿",
    "(志愿",
    "志愿)",
    "^志愿",
    "志愿 & 助学 | !老人",
    "志愿 <-> 助学",
    "\\",
    "%",
    "%s %(x)s",
    "\x00",
    "志愿\x00助学",
    "x" * 5000,
    "志愿" * 3000,
    "😀",
    "😀志愿👍🏽",
    "　",  # ideographic space
    "<script>alert(1)</script>",
    "a" * 200 + " " + "b" * 200,
    "the",
    "the of and",
    "的",
    "9" * 100,
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_normal_page(site, client, query):
    response, html = get(client, q=query, type="project", category="education", year="2025")
    assert "<script>alert(1)</script>" not in html
    response, html = get(client, q=query)
    assert 'role="search"' in html


@pytest.mark.django_db
def test_repeated_and_odd_parameters(site, client):
    response = client.get(URL + "?q=志愿&q=助学&type=project&type=story&page=1&page=99999")
    assert response.status_code == 200
    response = client.get(URL + "?q[]=x&q=%FF%FE")
    assert response.status_code == 200


@pytest.mark.django_db
def test_long_query_is_cut(site, client):
    response, html = get(client, q="志愿" * 3000)
    assert "只搜索了前 100 个字" in html
    value = re.search(r'name="q" value="([^"]*)"', html).group(1)
    assert len(value) == 100


@pytest.mark.django_db
def test_search_text_of_every_live_page_is_indexed(site):
    """The pages were indexed when saved (Wagtail's task, immediate in tests)."""
    from wagtail.search.models import IndexEntry

    indexed = set(IndexEntry.objects.values_list("object_id", flat=True))
    assert {str(pk) for pk in ProjectPage.objects.values_list("pk", flat=True)} <= indexed
