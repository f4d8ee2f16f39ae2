"""A volunteer team's journey in a real browser: sign up, write a draft with photos, submit.

Runs on a 390 px phone viewport (most teams use the WeChat browser); screenshots are taken at
390 px and 1280 px into test-artifacts/screenshots/ for looking at.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from competition.models import Entry, EntryPhoto
from tests import factories

# Serialized rollback: the live server needs real commits, and the flush after each test would
# otherwise also remove the categories that a data migration created.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Hongmajia-2026!"


def photo_file(folder: Path, name: str, color: tuple[int, int, int]) -> Path:
    """A real JPEG (800×600) that looks a little like a photo, so screenshots read naturally."""
    image = Image.new("RGB", (800, 600), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=tuple(max(0, c - 60) for c in color))
    draw.ellipse((560, 60, 700, 200), fill=(250, 220, 120))
    for x in range(80, 480, 90):
        draw.rectangle((x, 300, x + 50, 420), fill=(250, 245, 235))
    path = folder / name
    image.save(path, format="JPEG", quality=85)
    return path


def field(page: Page, name: str):
    return page.locator(f"[name={name}]")


def wait_for_images(page: Page, selector: str, count: int) -> None:
    """All ``count`` images decoded (lazy images are scrolled into view first)."""
    images = page.locator(selector)
    expect(images).to_have_count(count)
    for i in range(count):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "([s, n]) => { const im = [...document.querySelectorAll(s)];"
        " return im.length === n && im.every(i => i.complete && i.naturalWidth > 0); }",
        arg=[selector, count],
    )


def test_new_team_signs_up_writes_a_draft_with_photos_and_submits(
    live_server, page: Page, page_errors, shoot, tmp_path
):
    county = factories.CountyFactory(name="潞州区")
    factories.OrganizationFactory(name="东街社区新时代文明实践站", county=county)
    factories.OrganizationFactory(name="西街社区新时代文明实践站", county=county)
    contest = factories.ContestFactory(title="2026年新时代文明实践志愿服务项目大赛")
    folder = tmp_path / "camera"
    folder.mkdir()
    photos = [
        photo_file(folder, "课堂.jpg", (70, 120, 170)),
        photo_file(folder, "合影.jpg", (180, 90, 60)),
    ]

    # Sign up.
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", name="参赛团队注册")).to_be_visible()
    field(page, "username").fill("dongjie_team")
    field(page, "password1").fill(PASSWORD)
    field(page, "password2").fill(PASSWORD)
    field(page, "team_name").fill("东街红马甲志愿服务队")
    page.get_by_label("所属文明实践阵地").fill("东街")
    page.get_by_role("radio", name="东街社区新时代文明实践站").check()
    field(page, "contact_name").fill("王秀兰")
    field(page, "phone").fill("13912345678")
    field(page, "email").fill("dongjie@example.org")
    shoot(page, "01-signup")
    page.get_by_role("button", name="注册").click()
    # The same answer for a known and a new address; the e-mail says which (issue 10).
    expect(page.get_by_role("heading", name="请查收邮件")).to_be_visible()
    link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(f"{live_server.url}{link}")
    page.get_by_role("button", name="确认并启用账号").click()
    expect(page.get_by_text("邮箱已确认，账号已启用。欢迎参加大赛！")).to_be_visible()
    page.goto(f"{live_server.url}/my/team/")
    expect(page.get_by_role("heading", name="团队信息", level=1)).to_be_visible()
    shoot(page, "01-team-profile")
    user = get_user_model().objects.get(username="dongjie_team")
    assert user.team.organization.name == "东街社区新时代文明实践站"

    # Open the contest from the dashboard and write a draft with two photos.
    page.goto(f"{live_server.url}/my/")
    contest_section = page.locator("section", has=page.get_by_role("heading", name=contest.title))
    contest_section.get_by_role("link", name="新建参赛项目").click()
    expect(page.get_by_role("heading", name="新建参赛项目")).to_be_visible()
    field(page, "title").fill("银龄课堂：社区老年人智能手机帮学")
    field(page, "summary").fill("每周两次，志愿者手把手教老人用手机挂号、视频通话和防范诈骗。")
    field(page, "new_photos").set_input_files(photos)
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/my/entries/[0-9a-f-]{36}/edit/$"))
    expect(field(page, "title")).to_have_value("银龄课堂：社区老年人智能手机帮学")
    wait_for_images(page, "#photos .photo-grid img", 2)
    entry = Entry.objects.get(team=user.team)
    assert entry.status == Entry.Status.DRAFT
    assert EntryPhoto.objects.filter(entry=entry).count() == 2
    shoot(page, "02-entry-form-draft")

    # Complete the fields, tick both consents and submit.
    field(page, "category").select_option(label="助学支教")
    field(page, "need").fill("社区老人多，子女不在身边，不会用手机办事。")
    field(page, "approach").fill("每周二、四下午在社区活动室开课，一名志愿者辅导两位老人。")
    field(page, "innovation").fill("大学生志愿者与退休教师结对，编写图文版操作手册。")
    field(page, "outcomes").fill("两年来服务老人一千二百余人次，居民满意度很高。")
    field(page, "volunteers").fill("36")
    field(page, "beneficiaries").fill("1200")
    field(page, "service_hours").fill("2400")
    field(page, "activities").fill("96")
    field(page, "started_on").fill("2024-03-01")
    page.get_by_label("我们同意：项目如入选优秀项目").check()
    page.get_by_label("照片中如有未成年人").check()
    page.get_by_role("button", name="提交项目").click()

    # The status page.
    expect(page.get_by_text("项目已提交。截止时间前仍可修改或撤回。")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("银龄课堂：社区老年人智能手机帮学")
    expect(page.locator(".entry-status .badge").first).to_have_text("已提交")
    wait_for_images(page, ".photo-grid img", 2)
    history = page.locator(".timeline li")
    expect(history.first).to_contain_text("创建草稿")
    expect(history.last).to_contain_text("提交")
    expect(page.locator(".timeline")).to_contain_text("保存修改")
    expect(page.get_by_text("提交前还需要")).to_have_count(0)
    shoot(page, "03-entry-status")

    # The dashboard lists it.
    page.goto(f"{live_server.url}/my/")
    card = page.locator(".entry-card", has_text="银龄课堂")
    expect(card).to_have_count(1)
    expect(card.locator(".badge").first).to_have_text("已提交")
    expect(card).to_contain_text("2 张照片")
    shoot(page, "04-dashboard")

    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.consent_publish and entry.consent_guardians
    assert page_errors == []


def test_renamed_non_image_shows_the_error_and_keeps_the_typed_text(
    live_server, page: Page, page_errors, shoot, tmp_path
):
    team = factories.TeamFactory(name="上党区助学志愿服务队")
    contest = factories.ContestFactory(title="2026年新时代文明实践志愿服务项目大赛")
    fake = tmp_path / "photo.jpg"
    fake.write_text("这不是照片，只是改了扩展名的文本文件。\n" * 20, encoding="utf-8")

    page.goto(f"{live_server.url}/accounts/login/?next=/my/contests/{contest.slug}/entries/new/")
    field(page, "username").fill(team.user.username)
    field(page, "password").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="新建参赛项目")).to_be_visible()

    field(page, "title").fill("七彩课堂留守儿童助学")
    field(page, "summary").fill("为留守儿童提供课后辅导和亲情陪伴。")
    field(page, "new_photos").set_input_files(fake)
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_role("alert")).to_contain_text("有几处需要修改")
    error = page.locator("#photos").get_by_text("“photo.jpg”无法读取")
    expect(error).to_be_visible()
    expect(field(page, "title")).to_have_value("七彩课堂留守儿童助学")
    expect(field(page, "summary")).to_have_value("为留守儿童提供课后辅导和亲情陪伴。")
    expect(field(page, "new_photos")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert not Entry.objects.filter(team=team).exists()
    shoot(page, "05-entry-form-error")

    # At the end of the page the sticky save/submit bar does not cover the last section.
    page.keyboard.press("End")
    # Bootstrap scrolls smoothly: measure once the page has come to rest at the bottom.
    page.wait_for_function(
        "() => Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight"
    )
    consents = page.locator(".consent-card")
    bar = page.locator(".sticky-actions")
    expect(bar).to_be_in_viewport()
    expect(consents).to_be_in_viewport()
    assert consents.bounding_box()["y"] + consents.bounding_box()["height"] <= bar.bounding_box()["y"]

    # The refused file is still chosen (the upload script kept the page); without files the
    # form is posted the ordinary way, which the rest of this test is about.
    field(page, "new_photos").set_input_files([])
    # One click, one submission: the buttons are disabled while the form is sent (the server's
    # answer is held back here: a 204 leaves the page as it is) ...
    page.route("**/entries/new/", lambda route: route.fulfill(status=204))
    page.get_by_role("button", name="提交项目").click()
    buttons = page.locator("#entry-form button[type=submit]")
    expect(buttons.first).to_be_disabled()
    expect(buttons.last).to_have_text("正在提交…")
    expect(page.locator("#entry-form input[type=hidden][name=submit]")).to_have_count(1)
    # ... and come back when the page is restored from the back/forward cache (Playwright's
    # Chromium runs without that cache, so the browser's pageshow event is dispatched here).
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(buttons.first).to_be_enabled()
    expect(buttons.last).to_be_enabled()
    expect(buttons.last).to_have_text("提交项目")
    expect(page.locator("#entry-form input[type=hidden][name=submit]")).to_have_count(0)
    assert page_errors == []
