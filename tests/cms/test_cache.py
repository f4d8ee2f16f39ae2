"""The public page cache (cms.middleware.PublicPageCacheMiddleware) and what purges it."""

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.urls import include, path
from wagtail.models import Page, PageViewRestriction, Site

from awards.signals import shortlist_finalized
from cms import cache as public_cache
from cms.cache import public_cacheable
from cms.models import HomePage, SiteSettings, StandardPage
from tests import factories

# --- A URLconf of its own for views the project does not have (see `test_urls`) ---------------

calls: list[str] = []


@public_cacheable
def marked(request):
    calls.append(request.get_full_path())
    return HttpResponse("marked")


@public_cacheable
def marked_with_cookie(request):
    calls.append(request.get_full_path())
    response = HttpResponse("cookie")
    response.set_cookie("seen", "1")
    return response


@public_cacheable
def marked_private(request):
    calls.append(request.get_full_path())
    response = HttpResponse("private")
    response["Cache-Control"] = "private"
    return response


@public_cacheable
def marked_not_found(request):
    calls.append(request.get_full_path())
    return HttpResponse("gone", status=404)


@public_cacheable
def marked_form(request):
    calls.append(request.get_full_path())
    return HttpResponse(Template("<form>{% csrf_token %}</form>").render(RequestContext(request)))


def unmarked(request):
    calls.append(request.get_full_path())
    return HttpResponse("unmarked")


urlpatterns = [
    path("marked/", marked),
    path("cookie/", marked_with_cookie),
    path("private/", marked_private),
    path("missing/", marked_not_found),
    path("form/", marked_form),
    path("unmarked/", unmarked),
    # Opted-in views under prefixes that must never be cached.
    path("my/marked/", marked),
    path("admin/marked/", marked),
    path("judging/marked/", marked),
    path("accounts/marked/", marked),
    path("notice/marked/", marked),
    path("documents/marked/", marked),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    calls.clear()
    yield
    cache.clear()


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def home(db):
    return HomePage.objects.get()


def add_page(parent, title="关于大赛", slug="about", **fields) -> StandardPage:
    page = parent.add_child(instance=StandardPage(title=title, slug=slug, **fields))
    page.save_revision().publish()
    return StandardPage.objects.get(pk=page.pk)


@pytest.fixture
def about(home):
    return add_page(home)


def get(client: Client, url: str, **extra):
    response = client.get(url, **extra)
    return response, response.headers.get("X-Cache")


# --- Hits ----------------------------------------------------------------------------------------


def test_second_anonymous_request_is_a_hit_without_queries(client, about, django_assert_num_queries):
    first, state = get(client, "/about/")
    assert first.status_code == 200 and state == "miss"
    with django_assert_num_queries(0):
        second, state = get(client, "/about/")
    assert second.status_code == 200 and state == "hit"
    assert second.content == first.content
    assert "关于大赛" in second.text


def test_home_page_is_cached_too(client, home, django_assert_num_queries):
    assert get(client, "/")[1] == "miss"
    with django_assert_num_queries(0):
        assert get(client, "/")[1] == "hit"


def test_hits_keep_the_headers_of_the_inner_middleware(client, about):
    miss, _ = get(client, "/about/")
    hit, state = get(client, "/about/")
    assert state == "hit"
    for response in (miss, hit):
        assert response["Cache-Control"] == "public, max-age=60"
        assert response["ETag"].startswith('"')
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"cookie", "accept-language"} <= vary
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["Content-Language"] == "zh-hans"
        assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware, outside
        assert not response.cookies
    assert miss["ETag"] == hit["ETag"]
    assert miss["Content-Security-Policy"] == hit["Content-Security-Policy"]


def test_if_none_match_gets_304_on_hits_and_misses(client, about):
    first, _ = get(client, "/about/")
    etag = first["ETag"]
    hit, state = get(client, "/about/", HTTP_IF_NONE_MATCH=etag)
    assert hit.status_code == 304 and state == "hit"
    assert hit.content == b""
    assert hit["ETag"] == etag
    assert hit["Cache-Control"] == "public, max-age=60"
    other, _ = get(client, "/about/", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    cache.clear()
    miss, state = get(client, "/about/", HTTP_IF_NONE_MATCH=etag)
    assert miss.status_code == 304 and state == "miss"


def test_head_reads_the_cache(client, about):
    get(client, "/about/")
    response = client.head("/about/")
    assert response.status_code == 200
    assert response["X-Cache"] == "hit"


def test_head_never_fills_the_cache(client, about):
    assert client.head("/about/")["X-Cache"] == "miss"
    assert get(client, "/about/")[1] == "miss"


def test_search_page_is_cached(client, home):
    assert get(client, "/search/?q=助学")[1] == "miss"
    assert get(client, "/search/?q=助学")[1] == "hit"
    assert get(client, "/search/?q=敬老")[1] == "miss"


# --- Who is never served from the cache ------------------------------------------------------


def test_signed_in_reader_never_gets_the_cached_copy(client, about):
    get(client, "/about/")
    assert get(client, "/about/")[1] == "hit"
    user = factories.UserFactory()
    signed_in = Client()
    signed_in.force_login(user)
    response, state = get(signed_in, "/about/")
    assert response.status_code == 200 and state == "bypass"
    assert "我的参赛" in response.text and "退出登录" in response.text
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    # ...and what they saw was not stored: the anonymous copy is still the one without them.
    anonymous, state = get(client, "/about/")
    assert state == "hit"
    assert "退出登录" not in anonymous.text and "登录" in anonymous.text


def test_signed_in_pages_are_never_stored(client, about):
    signed_in = Client()
    signed_in.force_login(factories.UserFactory())
    assert get(signed_in, "/about/")[1] == "bypass"
    assert get(signed_in, "/about/")[1] == "bypass"
    response, state = get(client, "/about/")
    assert state == "miss" and "退出登录" not in response.text


def test_any_session_cookie_bypasses_the_cache(client, about, settings):
    get(client, "/about/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    assert get(client, "/about/")[1] == "bypass"


def test_a_waiting_message_bypasses_the_cache(client, about):
    get(client, "/about/")
    client.cookies["messages"] = "whatever"
    assert get(client, "/about/")[1] != "hit"


def test_post_is_never_cached(client, about):
    get(client, "/about/")
    response = client.post("/about/", {"x": "1"})
    assert response.headers.get("X-Cache") != "hit"
    assert "public" not in response.headers.get("Cache-Control", "")
    cache.clear()
    client.post("/about/", {"x": "1"})
    assert get(client, "/about/")[1] == "miss"


@pytest.mark.parametrize("url", ["/admin/", "/my/", "/accounts/login/", "/judging/"])
def test_private_areas_are_never_cached(client, db, url):
    for _ in range(2):
        response = client.get(url)
        assert response.headers.get("X-Cache") is None
        assert "public" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    "url",
    [
        "/my/marked/",
        "/admin/marked/",
        "/judging/marked/",
        "/accounts/marked/",
        "/notice/marked/",
        "/documents/marked/",
    ],
)
def test_private_prefixes_are_never_cached_even_if_a_view_opts_in(client, db, test_urls, url):
    get(client, url)
    get(client, url)
    assert calls == [url, url]


def test_an_opted_in_view_is_cached(client, db, test_urls):
    assert get(client, "/marked/")[1] == "miss"
    assert get(client, "/marked/")[1] == "hit"
    assert calls == ["/marked/"]


def test_views_that_do_not_opt_in_are_not_cached(client, db, test_urls):
    get(client, "/unmarked/")
    response, state = get(client, "/unmarked/")
    assert state is None and calls == ["/unmarked/", "/unmarked/"]
    assert "Cache-Control" not in response


def test_a_response_setting_a_cookie_is_never_stored(client, db, test_urls):
    for _ in range(2):
        response, state = get(client, "/cookie/")
        assert state == "bypass" and "seen" in response.cookies
    assert calls == ["/cookie/", "/cookie/"]


def test_a_page_with_a_csrf_token_is_never_stored(client, db, test_urls, settings):
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32  # the reader already has the cookie
    for _ in range(2):
        response, state = get(client, "/form/")
        assert state == "bypass" and "csrfmiddlewaretoken" in response.text
    assert calls == ["/form/", "/form/"]


@pytest.mark.parametrize("url", ["/private/", "/missing/"])
def test_private_and_error_responses_are_never_stored(client, db, test_urls, url):
    get(client, url)
    get(client, url)
    assert calls == [url, url]


# --- Keys ------------------------------------------------------------------------------------


def test_query_strings_are_cached_separately(client, db, test_urls):
    assert get(client, "/marked/?page=1")[1] == "miss"
    assert get(client, "/marked/?page=2")[1] == "miss"
    assert get(client, "/marked/?page=1")[1] == "hit"
    assert get(client, "/marked/?page=2")[1] == "hit"
    assert get(client, "/marked/")[1] == "miss"
    assert calls == ["/marked/?page=1", "/marked/?page=2", "/marked/"]


def test_long_query_strings_are_not_cached(client, db, test_urls):
    url = "/marked/?q=" + "x" * 300
    get(client, url)
    assert get(client, url)[1] == "bypass"
    assert len(calls) == 2


def test_languages_are_cached_separately(client, about):
    chinese, state = get(client, "/about/")
    assert state == "miss" and 'lang="zh-Hans"' in chinese.text
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english, state = get(english_client, "/about/")
    assert state == "miss" and '<html lang="en"' in english.text
    assert english["Content-Language"] == "en"
    assert get(english_client, "/about/")[0].content == english.content
    assert get(client, "/about/")[0].content == chinese.content
    # Accept-Language counts as LocaleMiddleware reads it.
    by_header, state = get(Client(), "/about/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert state == "hit" and by_header.content == english.content


def test_hosts_are_cached_separately(client, about):
    assert get(client, "/about/", HTTP_HOST="localhost")[1] == "miss"
    assert get(client, "/about/", HTTP_HOST="127.0.0.1")[1] == "miss"
    assert get(client, "/about/", HTTP_HOST="localhost")[1] == "hit"


# --- Purges --------------------------------------------------------------------------------


def test_publishing_a_page_purges(client, about):
    get(client, "/about/")
    about.title = "大赛简介"
    about.save_revision().publish()
    response, state = get(client, "/about/")
    assert state == "miss" and "大赛简介" in response.text


def test_publishing_another_page_purges_every_page(client, home, about):
    get(client, "/about/")
    add_page(home, title="联系我们", slug="contact", show_in_menus=True)
    response, state = get(client, "/about/")
    assert state == "miss" and "联系我们" in response.text  # in the navigation


def test_saving_a_draft_does_not_purge(client, about):
    get(client, "/about/")
    about.title = "草稿标题"
    about.save_revision()
    response, state = get(client, "/about/")
    assert state == "hit" and "草稿标题" not in response.text


def test_unpublishing_purges(client, about):
    assert get(client, "/about/")[0].status_code == 200
    about.unpublish()
    response, state = get(client, "/about/")
    assert response.status_code == 404 and state is None


def test_deleting_a_page_purges(client, about):
    get(client, "/about/")
    Page.objects.get(pk=about.pk).delete()
    assert get(client, "/about/")[0].status_code == 404


def test_deleting_a_specific_page_purges(client, about):
    get(client, "/about/")
    about.delete()
    assert get(client, "/about/")[0].status_code == 404


def test_moving_a_page_purges(client, home, about):
    parent = add_page(home, title="参赛指南", slug="guide")
    get(client, "/about/")
    about.move(parent, pos="last-child")
    moved, state = get(client, "/about/")
    assert state is None
    assert moved.status_code == 301 and moved["Location"] == "/guide/about/"  # Wagtail's redirect
    assert get(client, "/guide/about/")[0].status_code == 200


def test_site_settings_purge(client, about):
    get(client, "/about/")
    settings = SiteSettings.for_site(Site.objects.get())
    settings.footer_note = "页脚的新说明"
    settings.save()
    response, state = get(client, "/about/")
    assert state == "miss"


def test_restricting_a_page_purges_and_its_password_form_is_never_cached(client, about):
    get(client, "/about/")
    PageViewRestriction.objects.create(
        page=about, restriction_type=PageViewRestriction.PASSWORD, password="secret-word"
    )
    for _ in range(2):
        response, state = get(client, "/about/")
        assert state is None
        assert 'name="password"' in response.text  # Wagtail's password form, not the page


def test_sitemap_is_cached(client, about):
    assert get(client, "/sitemap.xml")[1] == "miss"
    response, state = get(client, "/sitemap.xml")
    assert state == "hit" and "/about/" in response.text


def _generation_moves(action) -> bool:
    before = public_cache.generation()
    action()
    return public_cache.generation() != before


def test_shortlist_finalized_purges(db):
    assert _generation_moves(lambda: shortlist_finalized.send(sender=None, contest_id=1))


def test_contest_changes_purge(db):
    contest = factories.ContestFactory()
    assert _generation_moves(lambda: contest.save())


def test_purge_happens_again_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        public_cache.purge_on_commit()
    assert len(callbacks) == 1


def test_an_old_generation_is_a_miss_and_is_replaced(client, about):
    get(client, "/about/")
    public_cache.purge()
    assert get(client, "/about/")[1] == "miss"
    assert get(client, "/about/")[1] == "hit"


def test_benchmark_views_exist_only_when_switched_on(client, db):
    assert client.get("/bench/trivial/").status_code == 404
