"""Photos on phones (issue 11) in a real browser at 390 px: a multi-megabyte photo uploads with
its progress shown in bytes, an upload cut off by the network is retried without losing what
was typed and saves once; a judge's page of nine photos loads thumbnails, not the photos.

Screenshots at 390 px and 1280 px go to test-artifacts/screenshots/ for looking at.
"""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from competition.models import Entry, EntryPhoto
from judging.phases import SCORING
from tests import factories
from tests.judging.factories import JudgeFactory, RoundFactory, assign, eligible_entry, set_status, sync

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# As in tests/e2e/conftest.py (a conftest is not imported from a test module).
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TITLE = "银龄课堂：社区老年人智能手机帮学"
SUMMARY = "每周两次，志愿者手把手教老人用手机挂号、视频通话和防范诈骗。"


def camera_jpeg(width: int, height: int, color: tuple[int, int, int], quality: int = 95) -> bytes:
    """Grain on a colour: compresses like a phone photo (megabytes), not like a test card."""
    grain = Image.effect_noise((width, height), 70).convert("RGB")
    image = Image.blend(Image.new("RGB", (width, height), color), grain, 0.35)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def viewport_shots(page: Page, name: str) -> None:
    """What the phone's screen shows (the sticky bar with the progress included), at 390 and
    1280 px; full-page shots would leave the bar at the page's end, out of the picture."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{size['width']}.png"))
    page.set_viewport_size(original)


def throttle_uploads(page: Page, bytes_per_second: int) -> None:
    """Chromium's network emulation: uploads at a phone link's pace, so the progress shows."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": -1, "uploadThroughput": bytes_per_second},
    )


def test_a_large_photo_uploads_with_progress_and_a_cut_off_upload_is_retried_once(
    live_server, page: Page, page_errors, shoot, tmp_path
):
    team = factories.TeamFactory(user__username="dongjie_team")
    contest = factories.ContestFactory(title="2026年新时代文明实践志愿服务项目大赛")
    big = tmp_path / "IMG_20260412_101500.jpg"
    big.write_bytes(camera_jpeg(3000, 2250, (70, 120, 170)))
    assert big.stat().st_size > 2_000_000
    second = tmp_path / "合影.jpg"
    second.write_bytes(camera_jpeg(1600, 1200, (180, 90, 60), quality=85))

    log_in(page, live_server, "dongjie_team")
    page.goto(f"{live_server.url}/my/contests/{contest.slug}/entries/new/")
    page.locator("[name=title]").fill(TITLE)
    page.locator("[name=summary]").fill(SUMMARY)
    page.locator("[name=new_photos]").set_input_files([big])

    # The link drops as the team saves: the upload fails, everything typed and chosen stays.
    page.context.set_offline(True)
    page.get_by_role("button", name="保存草稿").click()
    status = page.locator("[data-upload-text]")
    expect(status).to_contain_text("网络中断，上传没有完成")
    retry = page.get_by_role("button", name="重试上传")
    expect(retry).to_be_visible()
    expect(page.locator("[name=title]")).to_have_value(TITLE)
    assert page.locator("[name=new_photos]").evaluate("input => input.files.length") == 1
    assert Entry.objects.count() == 0
    viewport_shots(page, "phones-01-upload-cut-off")

    # Back in coverage, on a slow link: the retry shows the bytes sent, then saves.
    page.context.set_offline(False)
    throttle_uploads(page, 600_000)
    retry.click()
    expect(status).to_have_text(re.compile(r"正在上传：\d+(\.\d)? (KB|MB) / \d\.\d MB（\d+%）"))
    expect(page.locator("[data-upload-bar]")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "phones-02-upload-progress-390.png"))
    expect(page.get_by_text("草稿已保存。")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"/my/entries/[0-9a-f-]{36}/edit/$"))
    entry = Entry.objects.get(team=team)
    assert EntryPhoto.objects.filter(entry=entry).count() == 1

    # The same photo again (and a new one): refused with a clear message, nothing saved.
    page.locator("[name=new_photos]").set_input_files([second, big])
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("[data-upload-errors]")).to_contain_text(
        "“IMG_20260412_101500.jpg”与本项目已有的第 1 张照片完全相同，不能重复上传。", timeout=30_000
    )
    expect(page.locator("[name=title]")).to_have_value(TITLE)
    assert EntryPhoto.objects.filter(entry=entry).count() == 1
    viewport_shots(page, "phones-03-duplicate-refused")

    # Only the new one: saved; the edit page shows thumbnails, not the stored photos.
    page.locator("[name=new_photos]").set_input_files([second])
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible(timeout=30_000)
    images = page.locator("#photos .photo-grid img")
    expect(images).to_have_count(2)
    assert all(re.search(r"/320/$", images.nth(i).get_attribute("src")) for i in range(2))
    assert EntryPhoto.objects.filter(entry=entry).count() == 2
    assert page_errors == []


def test_judge_sees_nine_thumbnails_not_nine_photos(live_server, page: Page, page_errors, shoot):
    round = RoundFactory()
    colors = [(70, 120, 170), (180, 90, 60), (90, 150, 80), (200, 160, 60), (120, 80, 160)]
    entry = eligible_entry(
        round.contest,
        title="银龄课堂社区老年人智能手机帮学",
        photo_bytes=[camera_jpeg(2400, 1800, colors[n % 5], quality=90) for n in range(9)],
    )
    (round_entry,) = sync(round)
    judge = JudgeFactory(user__username="judge_li")
    assign(round_entry, judge)
    set_status(round, SCORING)
    received: dict[str, int] = {}
    page.on("response", lambda r: received.__setitem__(r.url, len(r.body())) if "/photos/" in r.url else None)

    log_in(page, live_server, "judge_li")
    page.goto(f"{live_server.url}/judging/{round.code}/{round_entry.blind_code}/")
    images = page.locator(".photo-grid img")
    expect(images).to_have_count(9)
    for i in range(9):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.photo-grid img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    shoot(page, "phones-04-judge-nine-photos")

    stored = sum(p.size for p in entry.photos.all())
    assert stored > 9 * 500_000
    assert len(received) >= 9 and all(re.search(r"/photos/\d/(320|640)/$", url) for url in received)
    assert sum(received.values()) < 1_000_000
    assert page_errors == []
