"""A team on a 390 px phone finds its station by typing pinyin initials, signs up with it; a
team whose station is missing names it; the same picker works with JavaScript switched off."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from competition.models import Organization, Town
from tests import factories

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Hongmajia-2026!"


def seed() -> dict:
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    xijing = Town.objects.create(county=luzhou, name="西井镇")
    huangnian = Town.objects.create(county=luzhou, name="黄碾镇")
    donghe = Town.objects.create(county=shangdang, name="东和乡")
    for name, county, town in [
        ("东村新时代文明实践站", luzhou, xijing),
        ("西村新时代文明实践站", luzhou, xijing),
        ("黄碾新时代文明实践所", luzhou, huangnian),
        ("河村新时代文明实践站", shangdang, donghe),
    ]:
        factories.OrganizationFactory(name=name, county=county, town=town)
    return {"luzhou": luzhou, "xijing": xijing}


def fill_account(page: Page, username: str) -> None:
    page.locator("[name=username]").fill(username)
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.locator("[name=team_name]").fill("西村红马甲志愿服务队")
    page.locator("[name=contact_name]").fill("王秀兰")
    page.locator("[name=phone]").fill("13912345678")
    page.locator("[name=email]").fill(f"{username}@example.org")


def test_a_team_finds_its_station_by_initials_and_signs_up(live_server, page: Page, page_errors, shoot):
    seed()
    page.goto(f"{live_server.url}/accounts/signup/")
    search = page.get_by_label("所属文明实践阵地")

    search.press_sequentially("xjz", delay=60)
    results = page.locator("[data-picker-results] .station-option")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("西井镇 · 潞州区")
    page.get_by_role("radio", name="西村新时代文明实践站").check()
    # Searching on keeps the chosen station at the top.
    search.fill("hecun")
    expect(results).to_have_count(2)
    expect(page.get_by_role("radio", name="西村新时代文明实践站")).to_be_checked()
    fill_account(page, "xicun_team")
    shoot(page, "station-picker-signup")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", name="请查收邮件")).to_be_visible()
    team = get_user_model().objects.get(username="xicun_team").team
    assert team.organization.name == "西村新时代文明实践站"
    assert page_errors == []


def test_county_then_town_narrow_the_list(live_server, page: Page, page_errors):
    places = seed()
    page.goto(f"{live_server.url}/accounts/signup/")

    page.get_by_label("县（市、区）", exact=True).first.select_option(label="潞州区")
    town = page.locator("[data-picker-town]")
    expect(town.locator("option")).to_have_count(3)  # 全部, 黄碾镇, 西井镇
    town.select_option(str(places["xijing"].pk))

    expect(page.locator("[data-picker-results] .station-option")).to_have_count(2)
    assert page_errors == []


def test_a_team_names_its_missing_station(live_server, page: Page, page_errors, shoot):
    seed()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("所属文明实践阵地").press_sequentially("beicun", delay=40)
    expect(page.get_by_text("没有找到匹配的阵地")).to_be_visible()

    page.get_by_text("找不到所属阵地？").click()
    page.locator("[name=new_station_county]").select_option(label="潞州区")
    page.locator("[name=new_station_town]").fill("西井镇")
    page.locator("[name=new_station_name]").fill("北村新时代文明实践站")
    expect(page.get_by_role("radio", name="列表中没有，使用下面填写的阵地")).to_be_checked()
    fill_account(page, "beicun_team")
    shoot(page, "station-picker-missing")
    page.get_by_role("button", name="注册").click()

    expect(page.get_by_role("heading", name="请查收邮件")).to_be_visible()
    station = Organization.objects.get(name="北村新时代文明实践站")
    assert (station.confirmed, station.town.name) == (False, "西井镇")
    assert page_errors == []


def test_without_javascript_the_picker_works_by_round_trips(live_server, browser: Browser, shoot):
    seed()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/signup/")
        page.locator("[data-picker-county]").select_option(label="潞州区")
        page.get_by_role("button", name="查找").click()
        page.locator("[data-picker-town]").select_option(label="西井镇")
        page.get_by_role("button", name="查找").click()
        expect(page.locator("[data-picker-results] .station-option")).to_have_count(2)
        page.get_by_role("radio", name="东村新时代文明实践站").check()
        fill_account(page, "dongcun_team")
        shoot(page, "station-picker-nojs")
        page.get_by_role("button", name="注册").click()

        expect(page.get_by_role("heading", name="请查收邮件")).to_be_visible()
        assert (
            get_user_model().objects.get(username="dongcun_team").team.organization.name
            == "东村新时代文明实践站"
        )
    finally:
        context.close()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_coordinator_confirms_a_station_a_team_named(live_server, page: Page, page_errors, shoot):
    places = seed()
    proposal = factories.OrganizationFactory(
        name="北村新时代文明实践站", county=places["luzhou"], confirmed=False, proposed_town="黄碾镇"
    )
    factories.TeamFactory(name="北村红马甲", organization=proposal)
    factories.coordinator_for(places["luzhou"], username="luzhou_coordinator")
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "luzhou_coordinator")

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="1 个阵地待确认").click()
    page.get_by_role("link", name="北村新时代文明实践站").first.click()
    expect(page.locator("[name=new_town_name]")).to_have_value("黄碾镇")
    page.locator("[name=town]").select_option(label="黄碾镇")
    page.locator("[name=new_town_name]").fill("")
    shoot(page, "station-picker-confirm")
    page.get_by_role("button", name="确认", exact=True).click()

    expect(page.get_by_text("“北村新时代文明实践站”已确认，所有团队都可以选择它了。")).to_be_visible()
    proposal.refresh_from_db()
    assert (proposal.confirmed, proposal.town.name) == (True, "黄碾镇")
    assert page_errors == []


def test_the_organizer_moves_a_team_to_another_station_in_the_back_office(
    live_server, page: Page, page_errors, shoot
):
    seed()
    team = factories.TeamFactory(
        name="东村红马甲", organization=Organization.objects.get(name="东村新时代文明实践站")
    )
    factories.organizer(username="office")
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "office")

    page.goto(f"{live_server.url}/admin/team/edit/{team.pk}/")
    page.locator("[data-picker-query]").press_sequentially("hcx", delay=60)
    page.get_by_role("radio", name="河村新时代文明实践站").check()
    shoot(page, "station-picker-admin-team")
    page.get_by_role("button", name="保存").first.click()

    expect(page.locator(".messages")).to_be_visible()
    team.refresh_from_db()
    assert team.organization.name == "河村新时代文明实践站"
    assert page_errors == []
