"""A contest year set up from spreadsheets: the organizer downloads the places and coordinators
templates, fills them, checks and imports them; a team signs up on a 390 px phone by typing its
station's pinyin initials; its entry's eligibility decision reaches its inbox."""

import re
from pathlib import Path

import pytest
from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from competition import services
from competition.models import Coordinator, Organization, Town
from tests import factories

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Hongmajia-2026!"

COUNTIES = [{"名称": "潞州区", "简称": "潞州", "排序": 1}, {"名称": "上党区", "简称": "上党", "排序": 2}]
TOWNS = [
    {"所属县（市、区）": "潞州区", "名称": "西井镇"},
    {"所属县（市、区）": "潞州区", "名称": "黄碾镇"},
    {"所属县（市、区）": "上党区", "名称": "韩店镇"},
]
ORGANIZATIONS = [
    {
        "名称": "潞州区新时代文明实践中心",
        "类型": "中心",
        "所属县（市、区）": "潞州区",
        "联系电话": "0355-2021234",
    },
    {
        "名称": "西井镇新时代文明实践所",
        "类型": "所",
        "所属县（市、区）": "潞州区",
        "所属乡镇（街道）": "西井镇",
        "上级阵地": "潞州区新时代文明实践中心",
    },
    {
        "名称": "西村新时代文明实践站",
        "类型": "站",
        "所属县（市、区）": "潞州区",
        "所属乡镇（街道）": "西井镇",
        "上级阵地": "西井镇新时代文明实践所",
        "联系人": "李强",
        "联系电话": "+86 138-1234-1234",
    },
    {
        "名称": "东村新时代文明实践站",
        "类型": "站",
        "所属县（市、区）": "潞州区",
        "所属乡镇（街道）": "西井镇",
        "上级阵地": "西井镇新时代文明实践所",
    },
    {"名称": "上党区新时代文明实践中心", "类型": "中心", "所属县（市、区）": "上党区"},
]
COORDINATORS = [
    {"县（市、区）": "潞州区", "姓名": "赵敏", "电子邮箱": "zhaomin@example.org", "手机号码": "139 1234 5678"}
]


def fill_template(path: Path, rows_by_sheet: dict[str, list[dict]]) -> Path:
    """Fill the downloaded template as an office worker would: a row under the column names."""
    book = load_workbook(path)
    for sheet, rows in rows_by_sheet.items():
        header = [cell.value for cell in book[sheet][1]]
        for row in rows:
            book[sheet].append([row.get(name, "") for name in header])
    filled = path.with_name("filled-" + path.name)
    book.save(filled)
    return filled


def download(page: Page, tmp_path: Path) -> Path:
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def import_file(page: Page, path: Path, expected: str) -> None:
    page.locator("input[type=file]").set_input_files(path)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text(expected).first).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(re.compile(r"已导入：新增 \d+ 行")).first).to_be_visible()


def log_in(page: Page, base: str, username: str, password: str = factories.PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(password)
    page.get_by_role("button", name="登录").click()


def test_organizer_onboards_from_templates_and_a_team_signs_up_by_its_station_and_reads_its_message(
    live_server, browser: Browser, page: Page, page_errors, shoot, tmp_path
):
    organizer = factories.organizer(username="office")
    contest = factories.ContestFactory(title="2026年新时代文明实践志愿服务项目大赛")

    # The organizer, at a desk: places, then coordinators, each from its template.
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/admin/competition/onboarding/")
    places = fill_template(
        download(page, tmp_path),
        {"县（市、区）": COUNTIES, "乡镇（街道）": TOWNS, "文明实践阵地": ORGANIZATIONS},
    )
    page.locator("input[type=file]").set_input_files(places)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("新增").first).to_be_visible()
    shoot(page, "onboarding-places-check")
    assert not Organization.objects.exists()  # the check writes nothing
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入：新增 10 行，修改 0 行，不变 0 行。")).to_be_visible()
    station = Organization.objects.get(name="西村新时代文明实践站")
    assert (station.town.name, station.parent.name, station.contact_phone) == (
        "西井镇",
        "西井镇新时代文明实践所",
        "13812341234",
    )
    assert Town.objects.count() == 3

    page.goto(f"{live_server.url}/admin/judging/onboarding-coordinators/")
    coordinators = fill_template(download(page, tmp_path), {"县区管理员": COORDINATORS})
    import_file(page, coordinators, "新增")
    coordinator = Coordinator.objects.select_related("user", "county").get()
    assert (coordinator.county.name, coordinator.user.email) == ("潞州区", "zhaomin@example.org")
    assert any("zhaomin@example.org" in message.to for message in mail.outbox)

    # A team on a phone, in a browser of its own: finds its station by initials and signs up.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        team_page = phone.new_page()
        team_page.goto(f"{live_server.url}/accounts/signup/")
        team_page.get_by_label("所属文明实践阵地").press_sequentially("xjz", delay=60)
        expect(team_page.locator("[data-picker-results] .station-option")).to_have_count(3)  # 所 and two 站
        team_page.get_by_role("radio", name="西村新时代文明实践站").check()
        team_page.locator("[name=username]").fill("xicun_team")
        team_page.locator("[name=password1]").fill(PASSWORD)
        team_page.locator("[name=password2]").fill(PASSWORD)
        team_page.locator("[name=team_name]").fill("西村红马甲志愿服务队")
        team_page.locator("[name=contact_name]").fill("王秀兰")
        team_page.locator("[name=phone]").fill("13912345678")
        team_page.locator("[name=email]").fill("xicun@example.org")
        assert team_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        team_page.get_by_role("button", name="注册").click()
        expect(team_page.get_by_role("heading", name="请查收邮件")).to_be_visible()
        body = next(m.body for m in reversed(mail.outbox) if "xicun@example.org" in m.to)
        link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", body).group(1)
        team_page.goto(f"{live_server.url}{link}")
        team_page.get_by_role("button", name="确认并启用账号").click()
        expect(team_page.get_by_text("邮箱已确认，账号已启用。欢迎参加大赛！")).to_be_visible()

        # Its entry is reviewed (not the subject of this journey: through the service).
        team = station.teams.get()
        entry = factories.EntryFactory(team=team, contest=contest, submitted=True, title="西村“银龄课堂”")
        services.entry_decide_eligibility(
            entry=entry, eligible=False, reason="项目启动不满一年", by=organizer
        )

        team_page.goto(f"{live_server.url}/my/")
        inbox = team_page.locator("a.inbox-link")
        expect(inbox.locator(".badge")).to_have_text("2")  # welcome + eligibility
        inbox.click()
        message = team_page.locator(".card", has_text="资格审查结果")
        expect(message).to_contain_text("西村“银龄课堂”")
        expect(message).to_contain_text("项目启动不满一年")
        shoot(team_page, "onboarding-team-inbox")
        assert team_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone.close()
    assert page_errors == []
