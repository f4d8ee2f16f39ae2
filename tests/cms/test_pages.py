"""The public pages: the page tree, what each page shows, filters and pagination, share tags,
the error pages, and the rules every public page keeps (Chinese, one h1, nothing inline)."""

import datetime
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import timezone, translation
from django.views.defaults import server_error
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from awards.models import FeaturedProject, Shortlist
from awards.notice.services import notice_publish
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_commit
from cms.models import (
    ContestPage,
    HomePage,
    ProjectPage,
    ShowcaseIndexPage,
    StandardPage,
    StoryIndexPage,
    StoryPage,
)
from cms.templatetags.cms_tags import big_number
from competition.models import Category, Contest
from judging.models import Assignment
from judging.phases import CLOSED, SCORING
from judging.results.services import compute_round_results
from tests import factories as core_factories
from tests.cms import factories
from tests.judging.factories import RoundFactory, set_status
from tests.judging.scored import end_notice, scored_round, scoring_round, shortlist_in_notice, submit


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def texts(page: BeautifulSoup, selector: str) -> list[str]:
    return [" ".join(node.get_text(" ", strip=True).split()) for node in page.select(selector)]


# --- The page tree (Wagtail's page test helpers) ----------------------------------------------


class PageTreeTests(WagtailPageTestCase):
    def setUp(self):
        self.home = factories.home()

    def test_home_takes_the_four_sections(self):
        self.assertAllowedSubpageTypes(
            HomePage, {ContestPage, ShowcaseIndexPage, StoryIndexPage, StandardPage}
        )

    def test_each_page_type_has_its_place(self):
        self.assertAllowedParentPageTypes(ContestPage, {HomePage})
        self.assertAllowedParentPageTypes(ShowcaseIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(ProjectPage, {ShowcaseIndexPage})
        self.assertAllowedParentPageTypes(StoryIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(StoryPage, {StoryIndexPage})
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, ContestPage, StandardPage})
        self.assertAllowedSubpageTypes(ShowcaseIndexPage, {ProjectPage})
        self.assertAllowedSubpageTypes(StoryIndexPage, {StoryPage})
        self.assertAllowedSubpageTypes(ProjectPage, set())
        self.assertAllowedSubpageTypes(StoryPage, set())

    def test_pages_cannot_be_made_out_of_place(self):
        self.assertCanNotCreateAt(HomePage, ProjectPage)
        self.assertCanNotCreateAt(HomePage, StoryPage)
        self.assertCanNotCreateAt(ShowcaseIndexPage, StoryPage)
        self.assertCanNotCreateAt(StoryIndexPage, ProjectPage)
        self.assertCanNotCreateAt(ProjectPage, StandardPage)
        self.assertCanCreateAt(ContestPage, StandardPage)

    def test_editor_creates_a_standard_page_with_a_body(self):
        self.login()
        self.assertCanCreate(
            self.home,
            StandardPage,
            nested_form_data(
                {
                    "title": "参赛指南",
                    "slug": "guide",
                    "intro": "怎样申报项目。",
                    "body": streamfield(
                        [
                            ("paragraph", rich_text("<p>先注册团队，再填写项目。</p>")),
                            ("quote", {"text": "贴近群众", "source": "组委会"}),
                        ]
                    ),
                    "comments": inline_formset([]),
                }
            ),
        )
        page = StandardPage.objects.get(slug="guide")
        self.assertEqual([block.block_type for block in page.body], ["paragraph", "quote"])

    def test_editor_creates_a_project_page_with_a_cover_and_its_alt_text(self):
        showcase = factories.showcase()
        cover = factories.image()
        self.login()
        self.assertCanCreate(
            showcase,
            ProjectPage,
            nested_form_data(
                {
                    "title": "七彩课堂",
                    "slug": "qicai",
                    "summary": "课后辅导。",
                    "category": Category.objects.get(code="education").pk,
                    "county": factories.county().pk,
                    "year": 2026,
                    "team_name": "红马甲志愿服务队",
                    "organization_name": "潞州区新时代文明实践中心",
                    "cover_image": cover.pk,
                    "cover_alt": "志愿者辅导孩子",
                    "photos": inline_formset([{"image": cover.pk, "alt": "活动现场", "caption": ""}]),
                    "body": streamfield([("paragraph", rich_text("<p>项目正文</p>"))]),
                    "comments": inline_formset([]),
                }
            ),
        )
        page = ProjectPage.objects.get(slug="qicai")
        self.assertEqual((page.cover_alt, page.photos.get().alt), ("志愿者辅导孩子", "活动现场"))

    def test_editor_cannot_save_a_cover_without_alt_text(self):
        showcase = factories.showcase()
        self.login()
        with self.assertRaisesRegex(AssertionError, "cover_alt"):
            self.assertCanCreate(
                showcase,
                ProjectPage,
                nested_form_data(
                    {
                        "title": "没有替代文字",
                        "slug": "no-alt",
                        "cover_image": factories.image().pk,
                        "cover_alt": "  ",
                        "photos": inline_formset([]),
                        "body": streamfield([]),
                        "comments": inline_formset([]),
                    }
                ),
            )
        self.assertFalse(ProjectPage.objects.filter(slug="no-alt").exists())

    def test_editor_creates_a_story_with_categories(self):
        index = factories.story_index()
        data = nested_form_data(
            {
                "title": "候鸟妈妈",
                "slug": "houniao",
                "date": "2026-05-01",
                "author": "市文明办",
                "intro": "她把课堂搬进了村里。",
                "cover_alt": "",
                "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
                "comments": inline_formset([]),
            }
        )
        data["categories"] = [Category.objects.get(code="education").pk]  # checkboxes: one key, many values
        self.login()
        self.assertCanCreate(index, StoryPage, data)
        page = StoryPage.objects.get(slug="houniao")
        self.assertEqual([category.code for category in page.categories.all()], ["education"])

    def test_editors_can_preview_project_and_story_pages(self):
        project = factories.project()
        story = factories.story(projects=[project])
        photo = factories.image()
        project_data = nested_form_data(
            {
                "title": "预览中的项目",
                "slug": project.slug,
                "category": Category.objects.get(code="health").pk,
                "cover_image": project.cover_image_id,
                "cover_alt": "封面",
                "photos": inline_formset([{"image": photo.pk, "alt": "预览照片", "caption": "新照片"}]),
                "body": streamfield([("paragraph", rich_text("<p>预览正文</p>"))]),
                "comments": inline_formset([]),
            }
        )
        story_data = nested_form_data(
            {
                "title": "预览中的故事",
                "slug": story.slug,
                "date": "2026-05-01",
                "intro": "预览导语",
                "body": streamfield(
                    [
                        ("quote", {"text": "预览引文", "source": ""}),
                        ("image", {"image": photo.pk, "alt": "图"}),
                    ]
                ),
                "comments": inline_formset([]),
            }
        )
        story_data["categories"] = [Category.objects.get(code="legal").pk]
        story_data["related_projects"] = [project.pk]
        for page, data in [(project, project_data), (story, story_data)]:
            with self.subTest(page=type(page).__name__):
                self.assertPageIsPreviewable(page, post_data=data)

    def test_every_page_type_renders(self):
        contest = core_factories.ContestFactory()
        project = factories.project(photos=2)
        story = factories.story(categories=["education"], projects=[project])
        for page in [
            self.home,
            factories.contest_page(contest),
            factories.showcase(),
            project,
            factories.story_index(),
            story,
            factories.standard(),
        ]:
            with self.subTest(page=type(page).__name__):
                self.assertPageIsRenderable(page)


# --- Alt text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page_class", [ProjectPage, StoryPage])
def test_cover_image_without_alt_text_is_refused(db, page_class):
    page = page_class(title="封面", slug="cover", cover_image=factories.image(), cover_alt=" ")

    with pytest.raises(ValidationError) as error:
        page.clean()

    assert list(error.value.message_dict) == ["cover_alt"]


@pytest.mark.parametrize("page_class", [ProjectPage, StoryPage])
def test_cover_image_with_alt_text_is_accepted(db, page_class):
    page = page_class(title="封面", slug="cover", cover_image=factories.image(), cover_alt="志愿者")

    page.clean()


# --- Rules every public page keeps -------------------------------------------------------------


@pytest.fixture
def site_pages(db):
    """One live page of every type, with images, photos and related content."""
    contest = core_factories.ContestFactory()
    project = factories.project(photos=2)
    story = factories.story(categories=["education"], projects=[project])
    return {
        "home": factories.home(),
        "contest": factories.contest_page(contest),
        "showcase": factories.showcase(),
        "project": project,
        "stories": factories.story_index(),
        "story": story,
        "standard": factories.standard(),
    }


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_public_pages_are_chinese_with_one_h1_and_nothing_inline(client, site_pages):
    for name, page in site_pages.items():
        html = client.get(page.url).content.decode()
        parsed = BeautifulSoup(html, "html.parser")

        assert parsed.html["lang"] == "zh-Hans", name
        assert len(parsed.find_all("h1")) == 1, name
        assert parsed.select("[style]") == [], name
        assert "style=" not in html, name
        assert [script for script in parsed.find_all("script") if not script.get("src")] == [], name
        assert parsed.find_all("style") == [], name
        assert not INLINE_HANDLER.search(html), name


def test_public_pages_render_in_english_too(client, site_pages):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    for name, page in site_pages.items():
        parsed = soup(client.get(page.url))

        assert parsed.html["lang"] == "en", name
        assert meta(parsed).get("og:locale", "en_US") == "en_US", name


def test_public_pages_load_nothing_from_other_hosts(client, site_pages):
    for name, page in site_pages.items():
        parsed = soup(client.get(page.url))
        sources = [tag.get("src") for tag in parsed.find_all(src=True)]
        sources += [tag.get("srcset") for tag in parsed.find_all(srcset=True)]
        sources += [tag["href"] for tag in parsed.find_all("link", rel="stylesheet")]
        sources += [tag.get("poster") for tag in parsed.find_all(poster=True)]

        assert sources, name
        assert all(source.startswith("/") and not source.startswith("//") for source in sources), name


def test_public_images_have_alt_text_and_a_size(client, site_pages):
    for name, page in site_pages.items():
        parsed = soup(client.get(page.url))
        for image in parsed.find_all("img"):
            assert image.has_attr("alt"), (name, image)
            assert image.get("width") and image.get("height"), (name, image)


def test_cards_are_lazy_and_offer_modern_formats(client, site_pages):
    parsed = soup(client.get(site_pages["showcase"].url))

    card = parsed.select_one(".pcard picture")
    assert [source["type"] for source in card.find_all("source")] == ["image/avif", "image/webp"]
    assert card.img["loading"] == "lazy"
    assert card.img["alt"] == "志愿者给孩子们辅导功课"


def test_menu_lists_sections_shown_in_menus_and_marks_the_current_one(client, site_pages):
    hidden = factories.standard(title="内部说明", show_in_menus=False)

    parsed = soup(client.get(site_pages["project"].url))

    menu = texts(parsed, "#site-nav .navbar-nav:first-child .nav-link")
    sections = sorted(
        [site_pages[name] for name in ("contest", "showcase", "stories", "standard")],
        key=lambda page: page.path,
    )
    assert menu == [page.title for page in sections] + ["搜索"]
    assert hidden.title not in menu
    assert texts(parsed, "#site-nav [aria-current=page]") == ["优秀项目"]


def test_breadcrumbs_lead_from_home_to_the_page(client, site_pages):
    project = site_pages["project"]

    parsed = soup(client.get(project.url))

    assert texts(parsed, ".breadcrumb-item") == ["首页", "优秀项目", project.title]
    assert parsed.select_one(".breadcrumb-item.active")["aria-current"] == "page"


# --- Share tags (Open Graph, WeChat) -------------------------------------------------------------


def meta(parsed: BeautifulSoup) -> dict:
    tags = parsed.find_all("meta", attrs={"property": True}) + parsed.find_all("meta", attrs={"name": True})
    return {tag.get("property") or tag.get("name"): tag.get("content") for tag in tags}


def test_project_page_has_open_graph_tags(client, site_pages):
    project = site_pages["project"]

    parsed = soup(client.get(project.url))

    tags = meta(parsed)
    assert tags["og:type"] == "website"
    assert tags["og:title"] == project.title
    assert tags["og:description"] == project.summary
    assert tags["description"] == project.summary
    assert tags["og:url"] == project.full_url
    assert tags["og:locale"] == "zh_CN"
    assert tags["og:image"].startswith(settings.SITE_URL + "/")
    assert tags["og:image:alt"] == project.cover_alt
    assert parsed.find("link", rel="canonical")["href"] == project.full_url


def test_story_page_is_an_article_with_its_date(client, site_pages):
    story = site_pages["story"]

    tags = meta(soup(client.get(story.url)))

    assert tags["og:type"] == "article"
    assert tags["article:published_time"] == story.date.isoformat()
    assert tags["og:description"] == story.intro


def test_share_image_takes_precedence_over_the_cover(client, db):
    share = factories.image("分享图", width=1200, height=630)
    project = factories.project(share_image=share)

    tags = meta(soup(client.get(project.url)))

    assert "/images/" in tags["og:image"] or "/media/" in tags["og:image"]
    assert tags["og:image:width"] == "1200"
    assert tags["og:image:alt"] == project.title


# --- The home page ----------------------------------------------------------------------------


def test_home_shows_the_contest_figures_categories_projects_and_stories(client, db):
    contest = core_factories.ContestFactory(title="第九届志愿服务项目大赛")
    core_factories.EntryFactory(contest=contest, submitted=True, volunteers=30, service_hours=12000)
    core_factories.EntryFactory(contest=contest, submitted=True, volunteers=20, service_hours=3000)
    core_factories.EntryFactory(contest=contest, volunteers=999)  # a draft: not counted
    factories.contest_page(contest)
    project = factories.project(category="education")
    story = factories.story()

    parsed = soup(client.get("/"))

    assert texts(parsed, ".hero-contest-name") == ["第九届志愿服务项目大赛"]
    assert parsed.select_one(".hero-actions a[href='/accounts/signup/']")
    assert texts(parsed, ".stats dd") == ["2 个", "50 人", "600 人", "1.5万 小时"]
    education = parsed.select_one("a.category-tile[href='/projects/?category=education']")
    assert " ".join(education.get_text(" ", strip=True).split()) == "助学支教 1 个项目"
    assert texts(parsed, ".pcard-title") == [project.title]
    assert texts(parsed, ".scard-title") == [story.title]


def test_home_without_a_contest_or_projects_says_projects_come_later(client, db):
    parsed = soup(client.get("/"))

    assert parsed.select(".hero-contest, .stats, .pcard") == []
    assert "优秀项目将在评审结束、公示期满后在这里公布。" in parsed.get_text()


def test_home_offers_no_sign_up_once_submission_has_closed(client, db):
    now = timezone.now()
    core_factories.ContestFactory(
        submission_opens=now - timedelta(days=30), submission_closes=now - timedelta(days=1)
    )

    parsed = soup(client.get("/"))

    assert parsed.select(".hero-actions .btn-light") == []


# --- The contest page -------------------------------------------------------------------------


@pytest.fixture
def closed_contest(db):
    now = timezone.now()
    return core_factories.ContestFactory(
        submission_opens=now - timedelta(days=40), submission_closes=now - timedelta(days=20)
    )


def test_the_timeline_has_one_current_stage_through_the_whole_year(client, organizer):
    """Walked through the real services from an upcoming contest to its announcement: at each
    step exactly one stage is current (none before submission opens) and it is the phase's."""
    now = timezone.now()
    contest = core_factories.ContestFactory(
        submission_opens=now + timedelta(days=1), submission_closes=now + timedelta(days=30)
    )
    page = factories.contest_page(contest)

    def current() -> list[str]:
        cache.clear()
        parsed = soup(client.get(page.url))
        return texts(parsed, ".stage-timeline [aria-current=step] .stage-label")

    seen = [current()]
    Contest.objects.filter(pk=contest.pk).update(submission_opens=now - timedelta(days=1))
    seen.append(current())
    core_factories.close_submission(contest)
    seen.append(current())
    round, _judges, round_entries = scoring_round(contest=contest, entries=2)
    seen.append(current())
    for assignment in Assignment.objects.filter(round=round):
        submit(assignment, [5] * round.criteria.count())
    set_status(round, CLOSED)
    compute_round_results(round=round, by=organizer)
    seen.append(current())
    shortlist = notice_publish(
        shortlist=shortlist_commit(round=round, by=organizer, size=2), by=organizer, days=5
    )
    seen.append(current())
    end_notice(shortlist)
    shortlist_finalize(shortlist=shortlist, by=organizer)
    seen.append(current())

    assert seen == [
        [],
        ["项目申报"],
        ["资格审查"],
        ["初评"],
        ["确定入围名单"],
        ["入围公示"],
        ["公布优秀项目"],
    ]


def test_contest_timeline_highlights_the_current_stage(client, closed_contest):
    first, _judges, _entries = scored_round(contest=closed_contest)  # 初评: opened, scored, closed
    second = RoundFactory(contest=closed_contest, name="复评", order=first.order + 1)
    set_status(second, SCORING)
    page = factories.contest_page(closed_contest)

    parsed = soup(client.get(page.url))

    stages = parsed.select(".stage-timeline > li")
    assert [stage.select_one(".stage-label").get_text(strip=True) for stage in stages] == [
        "项目申报",
        "资格审查",
        "初评",
        "复评",
        "确定入围名单",
        "入围公示",
        "公布优秀项目",
    ]
    assert [stage.select_one(".stage-state").get_text(strip=True) for stage in stages] == [
        "已结束",
        "已结束",
        "已结束",
        "进行中",
        "未开始",
        "未开始",
        "未开始",
    ]
    current = parsed.select(".stage-timeline [aria-current=step]")
    assert [stage.select_one(".stage-label").get_text(strip=True) for stage in current] == ["复评"]
    assert "is-current" in current[0]["class"]
    assert current[0].select_one("time")["datetime"].startswith(str(second.scoring_opens.year))


def test_contest_page_shows_intro_rules_and_categories(client, db):
    contest = core_factories.ContestFactory(categories=Category.objects.filter(code__in=["legal", "health"]))
    page = factories.contest_page(contest, intro="欢迎申报。", rules="<p>每队最多三个项目。</p>")

    parsed = soup(client.get(page.url))

    assert texts(parsed, "h1") == [page.title]
    assert texts(parsed, ".page-band-lead") == ["欢迎申报。"]
    assert "每队最多三个项目。" in texts(parsed, ".prose")[0]
    assert texts(parsed, ".category-list li") == ["医疗健身", "法律服务"]


def test_contest_page_invites_teams_while_submission_is_open(client, db):
    page = factories.contest_page(core_factories.ContestFactory())

    parsed = soup(client.get(page.url))

    actions = parsed.select_one(".cta-panel.is-open")
    assert [link["href"] for link in actions.select("a")] == ["/accounts/signup/", "/accounts/login/"]


def test_contest_page_sends_signed_in_teams_to_their_entry_form(team_client, db):
    contest = core_factories.ContestFactory(slug="c2026")
    page = factories.contest_page(contest)

    parsed = soup(team_client.get(page.url))

    assert parsed.select_one(".cta-panel.is-open a")["href"] == "/my/contests/c2026/entries/new/"


def test_contest_page_has_no_call_to_action_after_the_deadline(client, closed_contest):
    page = factories.contest_page(closed_contest)

    parsed = soup(client.get(page.url))

    assert parsed.select(".cta-panel") == []


def notice_shortlist(contest, *, starts, ends, status=Shortlist.Status.NOTICE):
    round = RoundFactory(contest=contest)
    return Shortlist.objects.create(
        contest=contest, round=round, status=status, notice_starts_at=starts, notice_ends_at=ends
    )


def test_contest_page_links_the_public_notice_during_the_notice(client, closed_contest):
    now = timezone.now()
    notice_shortlist(closed_contest, starts=now - timedelta(days=1), ends=now + timedelta(days=6))
    page = factories.contest_page(closed_contest)

    parsed = soup(client.get(page.url))

    link = parsed.select_one(".cta-panel.is-notice a")
    assert link["href"] == f"/notice/{closed_contest.slug}/"


def test_contest_page_drops_the_notice_link_after_the_notice(client, closed_contest):
    now = timezone.now()
    notice_shortlist(closed_contest, starts=now - timedelta(days=8), ends=now - timedelta(days=1))
    page = factories.contest_page(closed_contest)

    html = client.get(page.url).content.decode()

    assert f"/notice/{closed_contest.slug}/" not in html


def featured_project(contest, rank: int, **fields) -> ProjectPage:
    entry = core_factories.EntryFactory(contest=contest, submitted=True)
    featured = FeaturedProject.objects.create(contest=contest, entry=entry, rank=rank, score=90 - rank)
    return factories.project(featured=featured, **fields)


def test_contest_page_shows_featured_projects_once_finalized(client, organizer):
    shortlist = shortlist_in_notice(entries=2, titles=["第一名项目", "第二名项目"], by=organizer)
    contest = shortlist.contest
    factories.project(title="别的大赛的项目")
    page = factories.contest_page(contest)
    assert soup(client.get(page.url)).select(".pcard") == []

    end_notice(shortlist)
    featured = shortlist_finalize(shortlist=shortlist, by=organizer)
    for item in reversed(featured):
        factories.project(featured=item, title=item.entry.title)
    cache.clear()
    parsed = soup(client.get(page.url))

    assert texts(parsed, ".pcard-title") == ["第一名项目", "第二名项目"]
    assert parsed.select_one(".section-more")["href"] == f"/projects/?year={contest.year}"


# --- The showcase -----------------------------------------------------------------------------


@pytest.fixture
def showcase_projects(db):
    return {
        "luzhou_edu_2026": factories.project(
            title="潞州助学2026", category="education", county_name="潞州区"
        ),
        "luzhou_health_2025": factories.project(
            title="潞州健康2025", category="health", county_name="潞州区", year=2025
        ),
        "shangdang_edu_2025": factories.project(
            title="上党助学2025", category="education", county_name="上党区", year=2025
        ),
    }


def showcase_titles(client, query: str = "") -> list[str]:
    return texts(soup(client.get("/projects/" + query)), ".pcard-title")


def test_showcase_lists_every_live_project_newest_year_first(client, showcase_projects):
    factories.project(title="草稿项目", publish=False)
    unpublished = factories.project(title="撤下的项目")
    unpublished.unpublish()

    assert showcase_titles(client) == ["潞州助学2026", "潞州健康2025", "上党助学2025"]


def test_showcase_filters_by_category(client, showcase_projects):
    assert showcase_titles(client, "?category=education") == ["潞州助学2026", "上党助学2025"]


def test_showcase_filters_by_county(client, showcase_projects):
    county = factories.county("上党区")

    assert showcase_titles(client, f"?county={county.pk}") == ["上党助学2025"]


def test_showcase_filters_by_year(client, showcase_projects):
    assert showcase_titles(client, "?year=2025") == ["潞州健康2025", "上党助学2025"]


def test_showcase_combines_filters_and_shows_them_as_chips(client, showcase_projects):
    county = factories.county("潞州区")

    parsed = soup(client.get(f"/projects/?category=education&county={county.pk}&year=2026"))

    assert texts(parsed, ".pcard-title") == ["潞州助学2026"]
    assert texts(parsed, ".result-count") == ["共 1 个项目"]
    chips = parsed.select(".chips a")
    assert [chip.get_text(" ", strip=True).split()[0] for chip in chips] == [
        "助学支教",
        "潞州区",
        "2026年度",
        "清除全部",
    ]
    # Each chip drops its own filter and keeps the others.
    assert chips[0]["href"] == f"/projects/?county={county.pk}&year=2026"
    assert chips[1]["href"] == "/projects/?category=education&year=2026"
    assert chips[2]["href"] == f"/projects/?category=education&county={county.pk}"
    assert chips[3]["href"] == "/projects/"
    assert parsed.select_one("#filter-category option[selected]")["value"] == "education"
    assert parsed.select_one("#filter-county option[selected]")["value"] == str(county.pk)
    assert parsed.select_one("#filter-year option[selected]")["value"] == "2026"


def test_showcase_ignores_bad_filter_values(client, showcase_projects):
    parsed = soup(client.get("/projects/?category=nope&county=abc&year=1999&page=zz"))

    assert texts(parsed, ".pcard-title") == ["潞州助学2026", "潞州健康2025", "上党助学2025"]
    assert parsed.select(".chips") == []
    assert parsed.select("#filter-category option[selected]") == []


def test_showcase_years_offer_only_years_with_projects(client, showcase_projects):
    parsed = soup(client.get("/projects/"))

    assert [option["value"] for option in parsed.select("#filter-year option")] == ["", "2026", "2025"]


def test_showcase_pagination_keeps_the_filters(client, db):
    for n in range(13):
        factories.project(title=f"助学{n:02d}", category="education")
    factories.project(title="健康", category="health")

    first = soup(client.get("/projects/?category=education"))
    second = soup(client.get("/projects/?category=education&page=2"))

    assert len(first.select(".pcard")) == 12
    assert first.select_one(".pager a[rel=next]")["href"] == "?category=education&page=2"
    assert [link["href"] for link in first.select(".pager .pager-number a")] == ["?category=education&page=2"]
    assert len(second.select(".pcard")) == 1
    assert second.select_one(".pager a[rel=prev]")["href"] == "?category=education&page=1"
    assert "健康" not in texts(first, ".pcard-title") + texts(second, ".pcard-title")


def test_showcase_with_no_match_says_so(client, showcase_projects):
    parsed = soup(client.get("/projects/?category=legal"))

    assert parsed.select(".pcard") == []
    assert texts(parsed, ".empty-state .h5") == ["没有符合条件的项目"]


def test_showcase_leaves_out_projects_under_a_view_restriction(client, db):
    public = factories.project(title="公开项目")
    private = factories.project(title="内部项目")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )

    assert showcase_titles(client) == [public.title]


# --- Project and story pages ------------------------------------------------------------------


def test_project_page_shows_its_facts_photos_and_stories(client, db):
    project = factories.project(
        title="红马甲助老",
        category="relief",
        county_name="屯留区",
        year=2025,
        team_name="屯留红马甲",
        organization_name="屯留区新时代文明实践中心",
        summary="上门陪伴独居老人。",
        volunteers=40,
        beneficiaries=500,
        service_hours=None,
        activities=12,
        photos=2,
    )
    story = factories.story(title="老人们的好帮手", projects=[project])
    factories.story(title="草稿故事", projects=[project], publish=False)

    parsed = soup(client.get(project.url))

    assert texts(parsed, "h1") == ["红马甲助老"]
    assert texts(parsed, ".detail-kicker") == ["扶贫帮困"]
    assert texts(parsed, ".detail-lead") == ["上门陪伴独居老人。"]
    facts = dict(zip(texts(parsed, ".facts dt"), texts(parsed, ".facts dd"), strict=True))
    assert facts == {
        "项目类别": "扶贫帮困",
        "志愿服务队伍": "屯留红马甲",
        "所属阵地": "屯留区新时代文明实践中心",
        "县（市、区）": "屯留区",
        "年度": "2025",
    }
    figures = dict(zip(texts(parsed, ".facts-figures dt"), texts(parsed, ".facts-figures dd"), strict=True))
    assert figures == {"志愿者人数": "40", "服务对象人数": "500", "开展活动次数": "12"}
    assert [image["alt"] for image in parsed.select(".photo-grid img")] == ["活动现场照片1", "活动现场照片2"]
    assert parsed.select_one(".detail-cover img")["alt"] == project.cover_alt
    assert "项目以社区为阵地，常年开展志愿服务。" in texts(parsed, ".prose")[0]
    assert texts(parsed, ".scard-title") == [story.title]
    assert parsed.select_one(".aside-link")["href"] == "/projects/?category=relief"


def test_story_page_shows_date_author_categories_and_projects(client, db):
    project = factories.project(title="七彩课堂")
    story = factories.story(
        title="候鸟妈妈",
        author="李记者",
        date=datetime.date(2026, 5, 2),
        intro="她把课堂搬进了村里。",
        categories=["education", "culture"],
        projects=[project],
    )

    parsed = soup(client.get(story.url))

    assert texts(parsed, "h1") == ["候鸟妈妈"]
    assert texts(parsed, ".detail-meta li") == ["2026年5月2日", "作者：李记者"]
    assert parsed.select_one(".detail-meta time")["datetime"] == "2026-05-02"
    assert texts(parsed, ".detail-lead") == ["她把课堂搬进了村里。"]
    assert [(chip.get_text(strip=True), chip["href"]) for chip in parsed.select(".detail-tags .chip")] == [
        ("文化文艺服务", "/stories/?category=culture"),
        ("助学支教", "/stories/?category=education"),
    ]
    assert texts(parsed, ".pcard-title") == ["七彩课堂"]


def test_story_body_blocks_render_with_alt_text_and_a_playable_video(client, db):
    photo, poster = factories.image("正文图"), factories.image("视频封面")
    video = get_document_model().objects.create(
        title="活动视频", file=ContentFile(b"\x00" * 64, name="clip.mp4")
    )
    story = factories.story(
        body=[
            ("paragraph", factories.paragraph("第一段。")[1]),
            ("image", {"image": photo, "alt": "志愿者在教室里", "caption": "课后辅导"}),
            (
                "gallery",
                {
                    "title": "活动剪影",
                    "images": [
                        {"image": photo, "alt": "义诊", "caption": ""},
                        {"image": poster, "alt": "读书会", "caption": "周末读书会"},
                    ],
                },
            ),
            ("quote", {"text": "孩子们的笑脸就是理由。", "source": "李秀英"}),
            ("figures", {"figures": [{"value": "10", "unit": "年", "label": "坚持服务"}]}),
            ("video", {"video": video, "poster": poster, "caption": "活动纪实"}),
        ]
    )

    parsed = soup(client.get(story.url))

    assert parsed.select_one(".sf-image img")["alt"] == "志愿者在教室里"
    assert texts(parsed, ".sf-image figcaption") == ["课后辅导"]
    assert [image["alt"] for image in parsed.select(".sf-gallery img")] == ["义诊", "读书会"]
    assert texts(parsed, ".sf-quote blockquote") == ["孩子们的笑脸就是理由。"]
    assert texts(parsed, ".sf-figures dd") == ["10 年"]
    player = parsed.select_one(".sf-video video")
    assert player.has_attr("controls")
    assert player["preload"] == "none"
    assert player["poster"].startswith("/")
    assert player.source["src"] == video.url
    assert texts(parsed, ".sf-video figcaption") == ["活动纪实"]


# --- The story index --------------------------------------------------------------------------


def test_story_index_lists_live_stories_newest_first_with_feed_links(client, db):
    old = factories.story(title="旧故事", date=datetime.date(2025, 1, 1))
    new = factories.story(title="新故事", date=datetime.date(2026, 1, 1))
    factories.story(title="草稿", publish=False)

    parsed = soup(client.get("/stories/"))

    assert texts(parsed, ".scard-title") == [new.title, old.title]
    assert [link["href"] for link in parsed.select(".feed-links a")] == [
        "/stories/feed/rss/",
        "/stories/feed/atom/",
    ]
    assert parsed.find("link", type="application/rss+xml")["href"] == "/stories/feed/rss/"


def test_story_index_filters_by_category(client, db):
    factories.story(title="助学故事", categories=["education"])
    factories.story(title="健康故事", categories=["health"])

    parsed = soup(client.get("/stories/?category=health"))

    assert texts(parsed, ".scard-title") == ["健康故事"]
    assert texts(parsed, ".filter-tab[aria-current=page]") == ["医疗健身"]


def test_story_index_pagination_keeps_the_category(client, db):
    for n in range(11):
        factories.story(title=f"故事{n:02d}", categories=["education"], date=datetime.date(2026, 1, 1 + n))
    factories.story(title="别的类别", categories=["health"])

    first = soup(client.get("/stories/?category=education"))
    second = soup(client.get("/stories/?category=education&page=2"))

    assert len(first.select(".scard")) == 10
    assert first.select_one(".pager a[rel=next]")["href"] == "?category=education&page=2"
    assert texts(second, ".scard-title") == ["故事00"]


# --- Standard pages ---------------------------------------------------------------------------


def test_standard_page_lists_its_subpages(client, db):
    about = factories.standard(title="关于大赛", intro="大赛简介。")
    factories.standard(parent=about, title="组织机构")
    factories.standard(parent=about, title="联系我们")

    parsed = soup(client.get(about.url))

    assert texts(parsed, ".detail-lead") == ["大赛简介。"]
    assert texts(parsed, ".link-list a") == ["组织机构", "联系我们"]


# --- Error pages ------------------------------------------------------------------------------


def test_missing_page_gets_a_chinese_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    parsed = BeautifulSoup(response.content.decode(), "html.parser")
    assert parsed.html["lang"] == "zh-Hans"
    assert texts(parsed, "h1") == ["页面不存在，或您没有权限查看"]
    assert parsed.select_one("form.error-search")["action"] == "/search/"
    assert parsed.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_server_error_page_is_static_and_chinese():
    source = get_template("500.html").template.source
    response = server_error(RequestFactory().get("/"))

    assert "{%" not in source and "{{" not in source
    assert response.status_code == 500
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert "服务器开小差了" in response.content.decode()


# --- Template helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [
        (9999, "9999", "9,999"),
        (15000, "1.5万", "15,000"),
        (20275, "2.03万", "20,275"),
        (1306771, "130.7万", "1,306,771"),
        (None, "", ""),
    ],
)
def test_big_numbers_read_the_way_each_language_writes_them(value, chinese, english):
    assert big_number(value) == chinese
    with translation.override("en"):
        assert big_number(value) == english
