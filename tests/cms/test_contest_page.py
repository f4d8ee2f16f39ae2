"""Every contest has its public page from the moment it is made (back office, duplication, demo,
any code that saves a contest), and the page keeps in step with the contest record: the facts
(dates, categories, entries per team) are read from the contest when the page is shown; the
title, intro and slug follow the contest's while no editor has rewritten them."""

import logging

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from awards.models import FeaturedProject
from awards.outcomes.services import shortlist_finalize
from cms import services
from cms.models import ContestPage, HomePage
from competition import services as competition_services
from competition.models import Category, Contest
from tests import factories as core_factories
from tests.cms import factories
from tests.cms.test_query_counts import render_queries
from tests.judging.scored import end_notice, shortlist_in_notice

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def facts(parsed) -> dict[str, str]:
    return {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in parsed.select(".contest-facts .facts > div")
    }


def beijing(*args):
    return timezone.make_aware(timezone.datetime(*args))


# --- Made with the contest -------------------------------------------------------------------------


def test_a_new_contest_gets_exactly_one_live_page_under_the_home_page(client):
    contest = core_factories.ContestFactory(
        title="2027年新时代文明实践志愿服务项目大赛", slug="dasai-2027", description="面向全市征集项目。"
    )

    pages = ContestPage.objects.filter(contest=contest)
    assert pages.count() == 1
    page = pages.get()
    assert page.live and not page.has_unpublished_changes and page.show_in_menus
    assert page.get_parent().specific == services.home_page()
    assert (page.title, page.slug, page.intro, page.rules) == (
        "2027年新时代文明实践志愿服务项目大赛",
        "dasai-2027",
        "面向全市征集项目。",
        "",
    )
    assert page.revisions.count() == 1
    # Idempotent: asking again returns the same page.
    assert services.ensure_contest_page(contest) == page
    assert ContestPage.objects.count() == 1
    # The public finds it from the home page.
    home = soup(client.get("/"))
    assert home.select_one(f'a[href="{page.url}"]') is not None
    assert soup(client.get("/dasai-2027/")).select_one("h1").get_text(strip=True) == contest.title


def test_the_back_office_form_makes_the_page(organizer_client):
    response = organizer_client.post(
        "/admin/contest/new/",
        {
            "title": "2027年大赛",
            "year": "2027",
            "slug": "contest-2027",
            "description": "第二届。",
            "submission_opens": "2027-03-01 09:00",
            "submission_closes": "2027-05-31 18:00",
            "max_entries_per_team": "2",
            "categories": [core_factories.category("education").pk],
            "county_quotas-TOTAL_FORMS": "0",
            "county_quotas-INITIAL_FORMS": "0",
            "county_quotas-MIN_NUM_FORMS": "0",
            "county_quotas-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    page = ContestPage.objects.get(contest__slug="contest-2027")
    assert (page.live, page.title, page.slug, page.intro) == (True, "2027年大赛", "contest-2027", "第二届。")


def test_a_slug_taken_by_another_page_and_a_long_description_still_make_a_valid_page():
    factories.showcase()  # slug "projects"
    contest = core_factories.ContestFactory(slug="projects", description="长" * 800 + "\n\n第二段")

    page = ContestPage.objects.get(contest=contest)

    assert page.slug == "projects-2"
    assert len(page.intro) == 500 and page.intro.endswith("…")
    page.full_clean()


def test_without_a_home_page_the_contest_is_saved_and_the_missing_page_logged(caplog):
    for home in HomePage.objects.all():
        Site.objects.filter(root_page=home).delete()
        home.delete()

    with caplog.at_level(logging.WARNING, logger="cms.services"):
        contest = core_factories.ContestFactory()

    assert Contest.objects.filter(pk=contest.pk).exists()
    assert not ContestPage.objects.exists()
    assert f"contest {contest.pk}: no home page yet" in caplog.text
    contest.title = "改了名字"
    contest.save()  # nothing to follow, nothing fails


def test_the_back_office_form_without_a_home_page_is_no_500(organizer_client):
    for home in HomePage.objects.all():
        Site.objects.filter(root_page=home).delete()
        home.delete()

    response = organizer_client.post(
        "/admin/contest/new/",
        {
            "title": "没有首页时的大赛",
            "year": "2027",
            "slug": "no-home",
            "submission_opens": "2027-03-01 09:00",
            "submission_closes": "2027-05-31 18:00",
            "max_entries_per_team": "2",
            "categories": [core_factories.category().pk],
            "county_quotas-TOTAL_FORMS": "0",
            "county_quotas-INITIAL_FORMS": "0",
            "county_quotas-MIN_NUM_FORMS": "0",
            "county_quotas-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    assert Contest.objects.filter(slug="no-home").exists()
    assert not ContestPage.objects.exists()


def test_a_page_wagtail_refuses_leaves_the_contest_saved_and_is_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="cms.services"):
        contest = core_factories.ContestFactory(title="", slug="odd slug!")

    assert Contest.objects.filter(pk=contest.pk).exists()
    assert not ContestPage.objects.exists()
    assert f"contest {contest.pk}: its page was refused" in caplog.text


def test_fixtures_loaded_raw_make_no_page():
    contest = core_factories.ContestFactory()
    ContestPage.objects.filter(contest=contest).delete()

    Contest.save_base(contest, raw=True)

    assert not ContestPage.objects.filter(contest=contest).exists()


# --- Kept in step --------------------------------------------------------------------------------


def test_the_page_shows_the_contests_facts_as_they_are_now(client):
    contest = core_factories.ContestFactory(
        submission_opens=beijing(2027, 3, 1, 9, 0),
        submission_closes=beijing(2027, 5, 31, 18, 0),
        max_entries_per_team=2,
        categories=Category.objects.filter(code__in=["legal", "health"]),
    )
    page = ContestPage.objects.get(contest=contest)
    before = facts(soup(client.get(page.url)))

    contest.submission_closes = beijing(2027, 6, 10, 17, 30)
    contest.recommendation_closes = beijing(2027, 6, 20, 18, 0)
    contest.max_entries_per_team = 4
    contest.save()
    contest.categories.add(Category.objects.get(code="education"))
    after = facts(soup(client.get(page.url)))

    assert before == {
        "申报时间": "2027年3月1日 09:00 – 2027年5月31日 18:00",
        "每队申报数量": "最多 2 个项目",
        "项目类别": "2 类",
    }
    assert after == {
        "申报时间": "2027年3月1日 09:00 – 2027年6月10日 17:30",
        "县区推荐截止": "2027年6月20日 18:00",
        "每队申报数量": "最多 4 个项目",
        "项目类别": "3 类",
    }


def test_title_intro_and_slug_follow_the_contest_with_a_published_revision(client):
    contest = core_factories.ContestFactory(title="2027年大赛", slug="dasai-2027", description="旧简介")
    page = ContestPage.objects.get(contest=contest)

    contest.title, contest.description, contest.slug = "2027年志愿服务项目大赛", "新简介", "volunteer-2027"
    contest.save()

    page.refresh_from_db()
    assert (page.title, page.draft_title, page.intro, page.slug) == (
        "2027年志愿服务项目大赛",
        "2027年志愿服务项目大赛",
        "新简介",
        "volunteer-2027",
    )
    assert page.live and not page.has_unpublished_changes
    assert page.revisions.count() == 2 and page.live_revision == page.latest_revision
    parsed = soup(client.get("/volunteer-2027/"))
    assert parsed.select_one("h1").get_text(strip=True) == "2027年志愿服务项目大赛"
    assert parsed.select_one(".page-band-lead").get_text(strip=True) == "新简介"


def test_what_an_editor_wrote_is_never_overwritten():
    contest = core_factories.ContestFactory(title="2027年大赛", slug="dasai-2027", description="旧简介")
    page = factories.contest_page(contest, intro="编辑写的导语。", rules="<p>编辑写的规则。</p>")
    assert page.title == "2027年大赛"  # the factory kept the contest's title

    contest.title, contest.description = "2027年志愿服务项目大赛", "新简介"
    contest.save()

    page.refresh_from_db()
    assert (page.title, page.intro, page.rules) == (
        "2027年志愿服务项目大赛",
        "编辑写的导语。",
        "<p>编辑写的规则。</p>",
    )
    assert page.slug == "dasai-2027"  # the contest's slug did not change


def test_an_editors_unpublished_draft_gets_the_change_and_keeps_its_own():
    contest = core_factories.ContestFactory(title="2027年大赛", description="简介")
    page = ContestPage.objects.get(contest=contest)
    draft = page.get_latest_revision_as_object()
    draft.rules = "<p>草稿中的规则。</p>"
    draft.save_revision()

    contest.title = "2027年志愿服务项目大赛"
    contest.save()

    page.refresh_from_db()
    assert page.title == "2027年大赛"  # the live page waits for the editor to publish
    latest = page.get_latest_revision_as_object()
    assert (latest.title, latest.rules) == ("2027年志愿服务项目大赛", "<p>草稿中的规则。</p>")


def test_a_stage_change_does_not_read_or_write_the_page():
    contest = core_factories.ContestFactory()
    revisions = ContestPage.objects.get(contest=contest).revisions.count()

    contest.stage = Contest.Stage.JUDGING
    with CaptureQueriesContext(connection) as queries:
        contest.save(update_fields=["stage"])

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cms_contestpage" not in sql and "wagtailcore_revision" not in sql
    assert ContestPage.objects.get(contest=contest).revisions.count() == revisions


# --- A new year -----------------------------------------------------------------------------------


def test_duplicating_a_contest_with_a_page_leaves_one_page_the_copy_of_the_old():
    source = core_factories.ContestFactory(
        title="2024年大赛",
        year=2024,
        slug="contest-2024",
        submission_opens=beijing(2024, 3, 1, 9, 0),
        submission_closes=beijing(2024, 5, 31, 18, 0),
    )
    factories.contest_page(source, title="2024年大赛", rules="<p>往届规则。</p>")

    copy = competition_services.contest_duplicate(source=source, year=2027)

    pages = ContestPage.objects.filter(contest=copy)
    assert pages.count() == 1
    page = pages.get()
    assert (page.title, page.slug, page.rules) == ("2027年大赛", "contest-2027", "<p>往届规则。</p>")
    assert not page.live  # a draft to check before publishing, as before
    assert ContestPage.objects.count() == 2


def test_duplicating_a_contest_without_a_page_leaves_the_copy_its_live_page():
    source = core_factories.ContestFactory(
        title="2024年大赛",
        year=2024,
        slug="contest-2024",
        submission_opens=beijing(2024, 3, 1, 9, 0),
        submission_closes=beijing(2024, 5, 31, 18, 0),
    )
    ContestPage.objects.get(contest=source).delete()

    copy = competition_services.contest_duplicate(source=source, year=2027)

    page = ContestPage.objects.get(contest=copy)
    assert (page.live, page.title, page.slug) == (True, "2027年大赛", "contest-2027")


# --- Where it leads -------------------------------------------------------------------------------


def test_the_made_page_leads_to_the_notice_then_to_the_featured_projects(client, organizer):
    shortlist = shortlist_in_notice(entries=2, titles=["第一名项目", "第二名项目"], by=organizer)
    contest = shortlist.contest
    page = ContestPage.objects.get(contest=contest)  # nobody made it by hand

    during = soup(client.get(page.url))
    assert during.select_one(".cta-panel.is-notice a")["href"] == f"/notice/{contest.slug}/"

    end_notice(shortlist)
    for item in reversed(shortlist_finalize(shortlist=shortlist, by=organizer)):
        factories.project(featured=item, title=item.entry.title)
    cache.clear()
    after = soup(client.get(page.url))

    assert [a.get_text(strip=True) for a in after.select(".pcard-title")] == ["第一名项目", "第二名项目"]
    assert after.select_one(".section-more")["href"] == f"/projects/?year={contest.year}"
    assert f"/notice/{contest.slug}/" not in str(after)


def test_contest_page_queries_do_not_grow_with_featured_projects_or_categories(client, organizer):
    shortlist = end_notice(shortlist_in_notice(entries=2, by=organizer))
    contest = shortlist.contest
    for item in shortlist_finalize(shortlist=shortlist, by=organizer):
        factories.project(featured=item, photos=1)
    contest.categories.set(Category.objects.all()[:2])
    url = ContestPage.objects.get(contest=contest).url
    few = render_queries(client, url)

    for rank in range(3, 12):
        entry = core_factories.EntryFactory(contest=contest, submitted=True)
        featured = FeaturedProject.objects.create(contest=contest, entry=entry, rank=rank, score=90 - rank)
        factories.project(featured=featured, photos=1)
    contest.categories.set(Category.objects.all())
    many = render_queries(client, url)

    assert many == few


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    cache.clear()
    yield
