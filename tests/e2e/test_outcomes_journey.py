"""The outcomes journey in a real browser: a finalized contest's project pages wait as drafts;
the organizer publishes them all in one step from the finalized shortlist's page; a reader on a
390 px phone then finds the featured projects on the home page, on the contest's page (made with
the contest, nobody wrote it by hand) and in the showcase (/projects/).

The contest is brought to "finalized" through the services (a scored round, its shortlist on
notice, the notice over, finalized: the drafts are made on commit); everything after that goes
through the pages. Screenshots go to test-artifacts/screenshots/outcomes-*.png.
"""

import subprocess

import pytest
import zxingcpp
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from awards.models import FeaturedProject
from awards.outcomes.services import shortlist_finalize
from cms.models import ContestPage, ProjectPage
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE
from tests.judging.scored import end_notice, shortlist_in_notice

# Serialized rollback: the live server needs real commits, and the flush after each test would
# otherwise also remove the groups and categories that data migrations created.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLES = ["银龄课堂：社区老年人智能手机帮学", "田间课堂：新型职业农民培训", "邻里守望：独居老人每日问安"]


def finalized_contest(organizer):
    """A contest whose shortlist of three is finalized: three featured projects, three drafts."""
    shortlist = end_notice(shortlist_in_notice(entries=len(TITLES), titles=TITLES, by=organizer))
    shortlist_finalize(shortlist=shortlist, by=organizer)
    return shortlist.contest


def new_page(browser: Browser, viewport) -> Page:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(30_000)
    return context.new_page()


def assert_fits_the_phone(page: Page) -> None:
    """Nothing sticks out sideways on a 390 px screen (no horizontal scrolling)."""
    assert page.viewport_size["width"] == PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_organizer_publishes_the_featured_projects_and_the_public_finds_them(
    live_server, browser, shoot, settings, tmp_path
):
    settings.SITE_URL = live_server.url  # the certificates' QR codes point at this server
    organizer = factories.organizer(username="zuweihui")
    contest = finalized_contest(organizer)
    assert ProjectPage.objects.filter(featured__contest=contest, live=False).count() == 3
    base = live_server.url

    # Before: the public sees no featured project yet.
    public = new_page(browser, PHONE)
    public.goto(f"{base}/projects/")
    expect(public.get_by_text("优秀项目尚未公布")).to_be_visible()

    # The organizer, from the finalized shortlist's page, publishes all drafts in one step.
    admin = new_page(browser, DESKTOP)
    shortlist_url = reverse("awards_shortlist:shortlist", args=[contest.pk])
    admin.goto(f"{base}/accounts/login/?next={shortlist_url}")
    admin.locator("[name=username]").fill("zuweihui")
    admin.locator("[name=password]").fill(factories.PASSWORD)
    admin.get_by_role("button", name="登录").click()
    panel = admin.locator("#project-pages")
    expect(panel).to_contain_text("3 个项目页面待发布")
    panel.get_by_role("link", name="全部发布").click()
    admin.get_by_role("button", name="确认发布全部 3 个项目页面").click()
    expect(admin.get_by_text("上次发布已完成：3 / 3")).to_be_visible()
    assert ProjectPage.objects.filter(featured__contest=contest, live=True).count() == 3

    # The public, on a phone: the home page shows them, and leads to the contest's page.
    public.goto(f"{base}/")
    for title in TITLES:
        expect(public.locator(".pcard-title", has_text=title)).to_be_visible()
    assert_fits_the_phone(public)
    shoot(public, "outcomes-home")

    page = ContestPage.objects.get(contest=contest)  # made with the contest
    public.get_by_role("link", name="大赛详情").first.click()
    expect(public).to_have_url(f"{base}{page.url}")
    expect(public.locator("h1")).to_have_text(contest.title)
    expect(public.locator(".contest-facts")).to_contain_text("申报时间")
    expect(public.locator(".pcard-title")).to_have_text(TITLES)
    assert_fits_the_phone(public)
    shoot(public, "outcomes-contest")

    # The showcase lists them, in rank order.
    public.get_by_role("link", name="全部项目").click()
    expect(public).to_have_url(f"{base}/projects/?year={contest.year}")
    expect(public.locator(".pcard-title")).to_have_text(TITLES)
    assert_fits_the_phone(public)
    shoot(public, "outcomes-showcase")

    # One project's page opens from its card.
    public.locator(".pcard-title", has_text=TITLES[0]).click()
    expect(public.locator("h1")).to_have_text(TITLES[0])
    assert_fits_the_phone(public)
    shoot(public, "outcomes-project")

    # The first team downloads its certificate on its phone; its QR code opens the public
    # verification page, which names the project and its award, and nothing personal.
    featured = FeaturedProject.objects.select_related("entry__team__user").get(contest=contest, rank=1)
    team = new_page(browser, PHONE)
    results_url = reverse("team_results", args=[featured.entry.public_id])
    team.goto(f"{base}/accounts/login/?next={results_url}")
    team.locator("[name=username]").fill(featured.entry.team.user.username)
    team.locator("[name=password]").fill(factories.PASSWORD)
    team.get_by_role("button", name="登录").click()
    assert_fits_the_phone(team)
    shoot(team, "outcomes-team-results")
    with team.expect_download() as download:
        team.get_by_role("link", name="下载证书").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    (url,) = qr_codes(pdf)
    assert url.startswith(f"{base}/verify/")

    public.goto(url)
    expect(public.locator("main")).to_contain_text(TITLES[0])
    expect(public.locator("main")).to_contain_text("优秀志愿服务项目")
    expect(public.locator("main")).to_contain_text("有效")
    assert featured.entry.team.contact_phone not in public.content()
    assert_fits_the_phone(public)
    shoot(public, "outcomes-verify")


def qr_codes(pdf) -> list[str]:
    """The texts of the QR codes on the PDF's first page, read as a phone camera would: the
    page rasterised (poppler's pdftoppm), then decoded (ZXing)."""
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    (png,) = pdf.parent.glob(pdf.stem + "*.png")
    return [code.text for code in zxingcpp.read_barcodes(Image.open(png))]
