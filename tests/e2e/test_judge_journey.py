"""A judge's journey in a real browser: log in, declare a conflict, score two entries blind.

Runs on a 390 px phone viewport (many judges score on their phones); screenshots are taken at
390 px and 1280 px into test-artifacts/screenshots/ for looking at.
"""

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from judging.judges.services import judge_invite
from judging.models import Assignment, Conflict, RoundEntry, ScoreSheet
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR
from tests.judging.factories import eligible_entry, make_judge, scoring_round

# Serialized rollback: the live server needs real commits, and the flush after each test would
# otherwise also remove the groups and categories that data migrations created.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PROJECTS = [
    # (county, team, title, category, summary naming the team: masked for judges)
    (
        "潞州区",
        "东街红马甲志愿服务队",
        "银龄课堂：社区老年人智能手机帮学",
        "education",
        "东街红马甲志愿服务队每周两次，手把手教老人用手机挂号、视频通话和防范诈骗。",
    ),
    (
        "潞州区",
        "英雄路夕阳红服务队",
        "邻里守望：独居老人每日问安",
        "relief",
        "英雄路夕阳红服务队的志愿者每天上门或电话问候独居老人，遇事及时联系家属和社区。",
    ),
    (
        "上党区",
        "韩店镇青年志愿服务队",
        "田间课堂：新型职业农民培训",
        "science",
        "请农技专家到田间地头讲授种植技术，帮助农民增收。",
    ),
    (
        "上党区",
        "荫城镇文艺志愿服务队",
        "非遗铁货进校园",
        "culture",
        "荫城镇文艺志愿服务队把铁货锻造技艺带进中小学，让孩子们了解家乡的非遗文化。",
    ),
    (
        "屯留区",
        "麟绛街道法律志愿服务队",
        "法律明白人：村村有法律顾问",
        "legal",
        "律师志愿者每月驻村一天，为村民免费解答法律问题。",
    ),
    (
        "屯留区",
        "渔泽镇环保志愿服务队",
        "清河行动：绛河沿岸垃圾清理",
        "environment",
        "每月组织沿河村民清理河道垃圾，宣传垃圾分类。",
    ),
    (
        "襄垣县",
        "古韩镇医疗志愿服务队",
        "健康到家：乡村老人义诊",
        "health",
        "组织乡镇卫生院医生每月下乡义诊，建立老人健康档案。",
    ),
    (
        "襄垣县",
        "夏店镇理论宣讲队",
        "田间地头微宣讲",
        "theory",
        "用群众听得懂的方言，把惠民政策讲到田间地头。",
    ),
]
COLORS = [(70, 120, 170), (180, 90, 60), (60, 140, 90), (150, 110, 170), (190, 150, 60)]
SCORES = [12, 13.5, 17, 21, 8, 12.5]  # of 15, 15, 20, 25, 10, 15: 84.0 / 100


def photo_bytes(color: tuple[int, int, int]) -> bytes:
    """A real JPEG (800×600) that looks a little like a photo, so screenshots read naturally."""
    image = Image.new("RGB", (800, 600), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=tuple(max(0, c - 60) for c in color))
    draw.ellipse((560, 60, 700, 200), fill=(250, 220, 120))
    for x in range(80, 480, 90):
        draw.rectangle((x, 300, x + 50, 420), fill=(250, 245, 235))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def seed_round():
    """Eight eligible entries from four counties, seven judges from elsewhere, k = 3."""
    contest = factories.ContestFactory(title="2026年新时代文明实践志愿服务项目大赛")
    organizer = factories.organizer()
    for i, (county_name, team_name, title, category, summary) in enumerate(PROJECTS):
        county = factories.CountyFactory(name=county_name)
        team = factories.TeamFactory(
            name=team_name,
            organization=factories.OrganizationFactory(
                name=f"{county_name}{team_name[:3]}新时代文明实践所", county=county
            ),
        )
        eligible_entry(
            contest=contest,
            team=team,
            title=title,
            category=factories.category(category),
            summary=summary,
            photo_bytes=[photo_bytes(COLORS[(i + n) % len(COLORS)]) for n in range(2 if i % 2 else 3)],
        )
    judge = make_judge(name="王建华", username="judge_wang", county=factories.CountyFactory(name="平顺县"))
    for n, county_name in enumerate(["潞城区", "黎城县", "壶关县", "长子县", "武乡县", None]):
        make_judge(
            name=f"评委{n + 2}", county=factories.CountyFactory(name=county_name) if county_name else None
        )
    round, report = scoring_round(contest=contest, by=organizer, judges_per_entry=3)
    assert report["uncovered"] == [] and report["connected"]
    return judge, round


def score_card(page: Page, code: str):
    return page.locator(".entry-card", has=page.locator(".blind-code", has_text=code))


def fill_scores(page: Page, scores: list[float]) -> None:
    inputs = page.locator("#score-form .score-input")
    expect(inputs).to_have_count(len(scores))
    for i, value in enumerate(scores):
        inputs.nth(i).fill(str(value))


def test_judge_declares_a_conflict_scores_two_entries_and_sees_progress(
    live_server, page: Page, page_errors, shoot
):
    judge, round = seed_round()
    mine = Assignment.objects.filter(judge=judge, round=round)
    total_before = mine.count()
    assert total_before >= 4

    # The sign-up page of an invited judge (the journey's judge already has an account).
    _invitation, token = judge_invite(email="li@example.org", name="李老师", by=None)
    page.goto(f"{live_server.url}/judging/invitation/{token}/")
    expect(page.get_by_role("heading", name="接受评委邀请")).to_be_visible()
    shoot(page, "judge-00-invitation")

    # Log in: a judge lands on the judging dashboard, not the team pages.
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("[name=username]").fill("judge_wang")
    page.locator("[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/judging/")
    expect(page.get_by_role("heading", level=1)).to_have_text("王建华，您好")
    expect(page.locator(".round-card")).to_contain_text(f"已提交 0 / {total_before}")
    cards = page.locator(".entry-card")
    expect(cards).to_have_count(total_before)
    expect(page.locator("main")).not_to_contain_text("红马甲")
    shoot(page, "judge-01-dashboard")

    # Open the first entry: the team's name in its text is hidden; its photos come through.
    first_code = cards.first.locator(".blind-code").inner_text()
    cards.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/judging/{round.code}/{first_code}/$"))
    expect(page.locator(".page-eyebrow .blind-code")).to_have_text(first_code)
    text = page.locator("main").inner_text()
    assert not [team for _county, team, *_rest in PROJECTS if team in text]
    entry = RoundEntry.objects.get(round=round, blind_code=first_code).entry
    assert ("【已隐去】" in text) == (entry.team.name in entry.summary)
    photos = page.locator(".photo-grid img")
    expect(photos).to_have_count(entry.photos.count())
    photo = page.request.get(live_server.url + photos.first.get_attribute("src"))
    assert photo.ok and photo.headers["content-type"] == "image/jpeg"

    # "I know this project": declare a conflict.
    page.get_by_role("link", name="我认识这个项目，申请回避").click()
    expect(page.get_by_role("heading", name="申请回避")).to_be_visible()
    page.get_by_label("回避原因（可选）").fill("项目负责人是我以前的同事。")
    shoot(page, "judge-02-conflict")
    page.get_by_role("button", name="确认回避").click()
    expect(page).to_have_url(f"{live_server.url}/judging/")
    expect(page.get_by_text("已为您回避这个项目，组委会将另行安排评委。")).to_be_visible()
    expect(score_card(page, first_code)).to_have_count(0)
    total = mine.count()
    assert total == total_before - 1
    assert Conflict.objects.filter(judge=judge).count() == 1
    # The entry got a replacement judge at once.
    conflicted = Conflict.objects.get(judge=judge).entry_id
    assert Assignment.objects.filter(round=round, round_entry__entry_id=conflicted).count() == 3
    expect(page.locator(".round-card")).to_contain_text(f"已提交 0 / {total}")

    # Start scoring: the first unscored entry opens.
    page.get_by_role("button", name="开始评分").click()
    expect(page).to_have_url(re.compile(rf"/judging/{round.code}/[A-Z0-9]+/$"))
    first_scored = page.url
    total_out = page.locator("#running-total")
    expect(total_out).to_have_text("—")
    inputs = page.locator("#score-form .score-input")
    # A score above the criterion's maximum is marked at once and left out of the total.
    inputs.first.fill("16")
    expect(inputs.first).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".score-row").first.locator(".invalid-feedback")).to_be_visible()
    expect(total_out).to_have_text("—")
    inputs.first.fill("12")
    expect(inputs.first).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(total_out).to_have_text("12.0")  # the running total follows every keystroke
    inputs.first.press("Enter")  # the keypad's "next" key moves on instead of submitting
    expect(inputs.nth(1)).to_be_focused()
    expect(page).to_have_url(first_scored)
    fill_scores(page, SCORES)
    expect(total_out).to_have_text("84.0")
    expect(page.locator(".score-bar-total")).to_contain_text("84.0")
    page.get_by_label("给参赛团队的反馈（可选）").fill("服务对象明确，建议补充满意度调查数据。")
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    shoot(page, "judge-03-score")

    # On a phone the bar with the total and both buttons stays at the bottom of the screen
    # while the judge works through the rubric ...
    page.locator("#score-form .score-input").nth(2).scroll_into_view_if_needed()
    bar = page.locator(".score-bar")
    expect(bar).to_be_in_viewport()
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) < 2
    page.screenshot(path=str(SCREENSHOT_DIR / "judge-03-score-rubric-390.png"))
    # ... and on a desktop the rubric column stays in view while the judge reads the entry.
    page.set_viewport_size(DESKTOP)
    page.evaluate("() => window.scrollTo(0, 400)")
    page.wait_for_function("() => window.scrollY >= 400")
    aside = page.locator(".score-aside").bounding_box()
    # Stuck 1rem below the top of the window, and all of it on screen.
    assert 10 <= aside["y"] <= 20 and aside["y"] + aside["height"] <= DESKTOP["height"]
    expect(bar).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOT_DIR / "judge-03-score-reading-1280.png"))
    page.set_viewport_size(PHONE)

    page.get_by_role("button", name="提交并评下一个").click()
    expect(page.get_by_text("评分已提交。本轮截止前仍可修改。")).to_be_visible()
    expect(page).not_to_have_url(first_scored)
    expect(page).to_have_url(re.compile(rf"/judging/{round.code}/[A-Z0-9]+/$"))

    # The second entry, scored the same way, lands on the third.
    second_scored = page.url
    fill_scores(page, [15, 15, 20, 25, 10, 15])
    expect(total_out).to_have_text("100.0")
    page.get_by_role("button", name="提交并评下一个").click()
    expect(page.get_by_text("评分已提交。本轮截止前仍可修改。")).to_be_visible()
    expect(page).not_to_have_url(second_scored)
    expect(page).not_to_have_url(first_scored)

    sheets = ScoreSheet.objects.filter(assignment__judge=judge, status=ScoreSheet.Status.SUBMITTED)
    assert sorted(str(s.total) for s in sheets) == ["100.000", "84.000"]
    assert sheets.filter(feedback_to_team="服务对象明确，建议补充满意度调查数据。").count() == 1

    # Back on the dashboard the progress shows the two sheets.
    page.get_by_role("link", name="评审工作台").first.click()
    expect(page.locator(".round-card")).to_contain_text(f"已提交 2 / {total}")
    expect(page.locator(".entry-card .status-badge", has_text="已提交")).to_have_count(2)
    filters = page.get_by_role("navigation", name="按状态筛选")
    filters.get_by_role("link", name="已提交").click()
    expect(cards).to_have_count(2)
    filters.get_by_role("link", name="全部").click()
    expect(cards).to_have_count(total)
    shoot(page, "judge-04-dashboard-after")

    # Looking an entry up by its blind code.
    last_code = cards.last.locator(".blind-code").inner_text()
    page.get_by_role("searchbox").fill(last_code.lower())
    page.get_by_role("button", name="查找").click()
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".blind-code")).to_have_text(last_code)
    assert page_errors == []
