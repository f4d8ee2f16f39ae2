"""The results journey in a real browser: the organizer computes a round's results, previews
the shortlist with a county cap, commits it and publishes the notice; a member of the public
files an objection; after the notice the organizer answers it and finalizes; a team reads its
results and feedback, never a judge's name.

The round is seeded through the services (sheets submitted, round closed); everything after
that goes through the pages. Screenshots are taken at 390 px and 1280 px into
test-artifacts/screenshots/results-*.png for looking at.
"""

import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from awards.models import FeaturedProject, Objection, Shortlist
from judging.models import Assignment, Criterion, Round, RoundResult
from judging.phases import CLOSED, SCORING
from judging.scoring.services import SheetInput, sheet_save
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR
from tests.judging.factories import JudgeFactory, RoundFactory, assign, eligible_entry, set_status, sync
from tests.judging.scored import end_notice

# Serialized rollback: the live server needs real commits, and the flush after each test would
# otherwise also remove the groups and categories that data migrations created.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONTEST = "2026年新时代文明实践志愿服务项目大赛"
LUZHOU, SHANGDANG, TUNLIU, XIANGYUAN = "潞州区", "上党区", "屯留区", "襄垣县"
# In the order of the ranking they will get: (county, team, title, category, mean total).
# The totals are 5 points apart and the judges' offsets small, so every method ranks them alike.
PROJECTS = [
    (LUZHOU, "东街红马甲志愿服务队", "银龄课堂：社区老年人智能手机帮学", "education", 93),
    (SHANGDANG, "韩店镇青年志愿服务队", "田间课堂：新型职业农民培训", "science", None),  # ours: 88
    (LUZHOU, "英雄路夕阳红服务队", "邻里守望：独居老人每日问安", "relief", 82),
    (LUZHOU, "西街理论宣讲队", "红色故事进社区", "theory", 77),
    (SHANGDANG, "荫城镇文艺志愿服务队", "非遗铁货进校园", "culture", 72),
    (SHANGDANG, "八义镇医疗志愿服务队", "健康到家：乡村老人义诊", "health", 67),
    (TUNLIU, "麟绛街道法律志愿服务队", "法律明白人：村村有法律顾问", "legal", 62),
    (TUNLIU, "渔泽镇环保志愿服务队", "清河行动：绛河沿岸垃圾清理", "environment", 57),
    (XIANGYUAN, "古韩镇助学志愿服务队", "七彩课堂：留守儿童课后辅导", "education", 52),
    (TUNLIU, "丰宜镇助农志愿服务队", "爱心助农：农产品直播带货", "relief", 47),
    (XIANGYUAN, "夏店镇读书会", "书香襄垣：流动图书车进村", "culture", 42),
    (XIANGYUAN, "王桥镇健身志愿服务队", "夕阳红健身操推广", "health", 37),
]
OURS = 1
# With 6 places and at most 2 per county, 潞州区's third and 上党区's third make way for 屯留区.
SHORTLISTED = [0, 1, 2, 4, 6, 7]
DISPLACED = [3, 5]
# Judges with names that would be easy to spot, and their severity (points of 100).
JUDGES = [
    ("诸葛明远", "zhuge_mingyuan", -3),
    ("欧阳清澜", "ouyang_qinglan", 2),
    ("司马青云", "sima_qingyun", 0),
    ("上官雪晴", "shangguan_xueqing", -1),
]
# Our entry's sheets (criteria of 15, 15, 20, 25, 10, 15), from judges 0, 2 and 3: totals 85.5,
# 88 and 90.5.
OUR_SHEETS = {
    0: [13, 12.5, 17, 21.5, 8.5, 13],
    2: [13.5, 13, 17.5, 22, 9, 13],
    3: [14, 13.5, 18, 22.5, 9, 13.5],
}
OUR_FEEDBACK = {
    0: "服务对象明确，建议补充学员增收情况的跟踪数据。",
    3: "培训与当地产业结合紧密，可以进一步总结推广经验。",
}
OTHER_FEEDBACK = "课程设计细致，建议扩大覆盖的村庄。"
PASSWORD = factories.PASSWORD
OBJECTION_REASON = "据我了解，该项目去年只组织过两次河道清理，申报的服务时长与实际不符，请组委会核实。"
ANSWER = "经核实，该项目全年开展河道清理 24 次，有活动记录和照片为证，异议不成立。"


def half(value: float) -> float:
    """Rounded to the nearest half point (a judge's sheet takes halves)."""
    return float((Decimal(str(value)) * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2)


def one_decimal(value: Decimal) -> str:
    """As Django's floatformat:1 writes it."""
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def seed():
    """A closed round of 12 eligible entries from four counties, each scored by three of four
    judges; returns (contest, round, entries in ranking order, our team, the organizer)."""
    now = timezone.now()
    # Submissions closed before judging began, as in a real contest.
    contest = factories.ContestFactory(
        title=CONTEST,
        slug="2026-volunteer-projects",
        submission_opens=now - timedelta(days=60),
        submission_closes=now - timedelta(days=30),
    )
    organizer = factories.organizer(username="zuweihui")
    entries = []
    for i, (county_name, team_name, title, category, _total) in enumerate(PROJECTS):
        county = factories.CountyFactory(name=county_name)
        team = factories.TeamFactory(
            name=team_name,
            user=factories.UserFactory(username="handian_team" if i == OURS else f"team{i:02d}"),
            organization=factories.OrganizationFactory(
                name=f"{county_name}{team_name[:3]}新时代文明实践所", county=county
            ),
        )
        entries.append(eligible_entry(contest, team=team, title=title, category=factories.category(category)))
    judges = [
        JudgeFactory(name=name, user=factories.UserFactory(username=username))
        for name, username, _offset in JUDGES
    ]
    round = RoundFactory(contest=contest, name="初评", judges_per_entry=3)
    by_entry = {re.entry_id: re for re in sync(round)}
    # Entry i is scored by every judge but judge i % 4: a connected design.
    panels = {i: [j for j in range(len(judges)) if j != i % len(judges)] for i in range(len(entries))}
    for i, entry in enumerate(entries):
        for j in panels[i]:
            assign(by_entry[entry.pk], judges[j], by=organizer)
    set_status(round, SCORING, by=organizer)
    criteria = list(Criterion.objects.filter(round=round).order_by("sort_order"))
    for i, entry in enumerate(entries):
        for j in panels[i]:
            if i == OURS:
                points = OUR_SHEETS[j]
                feedback = OUR_FEEDBACK.get(j, "")
            else:
                share = (PROJECTS[i][4] + JUDGES[j][2]) / 100
                points = [
                    min(c.max_points, max(0, half(c.max_points * share) + ((i + j + n) % 3 - 1) * 0.5))
                    for n, c in enumerate(criteria)
                ]
                feedback = OTHER_FEEDBACK if (i, j) == (0, 1) else ""
            assignment = Assignment.objects.get(round_entry=by_entry[entry.pk], judge=judges[j])
            sheet_save(
                assignment=assignment,
                data=SheetInput(
                    points={c.pk: str(p) for c, p in zip(criteria, points, strict=True)},
                    feedback_to_team=feedback,
                ),
                expected_version=None,
                submit=True,
                by=judges[j].user,
            )
    set_status(round, CLOSED, by=organizer)
    return contest, round, entries, entries[OURS].team, organizer


@pytest.fixture
def open_page(browser: Browser):
    """New browser profiles (no cookies shared), each with its own page; script errors and
    Content-Security-Policy violations of all of them go into one list."""
    contexts, errors = [], []

    def open_(viewport=PHONE) -> Page:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    open_.errors = errors
    yield open_
    for context in contexts:
        context.close()


def shoot_admin(page: Page, name: str) -> None:
    """The Wagtail admin scrolls inside its content pane, so a full-page screenshot would
    only show the window: the window is made as tall as the pane's content instead."""
    original = page.viewport_size
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        height = page.evaluate(
            "() => { const pane = document.querySelector('.content-wrapper');"
            " return pane ? pane.scrollHeight : document.documentElement.scrollHeight; }"
        )
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 8000))})
        page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-{size['width']}.png"))
    page.set_viewport_size(original)


def assert_fits_the_phone(page: Page) -> None:
    """Nothing sticks out sideways on a 390 px screen (no horizontal scrolling)."""
    assert page.viewport_size["width"] == PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def log_in(page: Page, base: str, username: str, next_url: str = "") -> None:
    page.goto(f"{base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_organizer_shortlists_public_objects_team_reads_its_results(live_server, open_page, shoot):
    contest, round, entries, team, organizer = seed()
    base = live_server.url
    titles = [title for _county, _team, title, *_rest in PROJECTS]
    ours = entries[OURS]

    # --- The organizer computes the round's results in the back office. ---
    admin = open_page(DESKTOP)
    log_in(admin, base, organizer.username, next_url="/admin/judging/rounds/")
    row = admin.locator("tr", has_text="初评")
    expect(row).to_contain_text(CONTEST)
    row.get_by_role("link", name="评审进度").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("评审进度")
    admin.get_by_role("navigation", name="本轮页面").get_by_role("link", name="成绩", exact=True).click()
    expect(admin.get_by_text("本轮还没有计算成绩。")).to_be_visible()
    admin.get_by_role("button", name="计算本轮成绩").click()
    expect(admin.get_by_text("已计算成绩：12 个项目，36 份评分表。")).to_be_visible()
    ranking = admin.locator("table.results-compact tbody tr")
    expect(ranking).to_have_count(12)
    for position in (0, 1, 2, 11):
        expect(ranking.nth(position)).to_contain_text(titles[position])
    expect(admin.get_by_role("button", name="重新计算成绩")).to_be_visible()
    shoot_admin(admin, "results-01-ranking")

    # --- The shortlist: a what-if preview with 6 places and at most 2 per county. ---
    admin.goto(f"{base}/admin/awards/shortlist/")
    admin.get_by_role("link", name=CONTEST).click()
    expect(admin.get_by_text("还没有确定入围名单。")).to_be_visible()
    admin.get_by_role("navigation", name="入围名单页面").get_by_role("link", name="筛选预览").click()
    admin.get_by_label("入围数量").fill("6")
    admin.get_by_label("每县上限").fill("2")
    admin.get_by_role("button", name="预览").click()
    expect(admin.locator("#preview")).to_have_text("预览结果")
    summary = "按这些条件选出 6 个项目，其中 2 个是因约束从前 N 名之外调入的。"
    expect(admin.get_by_text(summary)).to_be_visible()
    displaced = admin.locator("h3:has-text('哪条约束替换了谁') + ul > li")
    expect(displaced).to_have_count(2)
    for i in DISPLACED:
        line = displaced.filter(has_text=titles[i])
        expect(line).to_contain_text("已达每县上限")
    chosen = admin.locator("h3:has-text('入选项目') + div tbody tr")
    expect(chosen).to_have_count(6)
    for n, i in enumerate(SHORTLISTED):
        expect(chosen.nth(n)).to_contain_text(titles[i])
    expect(admin.locator("tr.results-promoted")).to_have_count(2)
    shoot_admin(admin, "results-02-shortlist-preview")

    admin.get_by_role("button", name="确定为入围名单").click()
    expect(admin.get_by_text("已确定入围名单：6 个项目。")).to_be_visible()
    expect(admin.locator("h2", has_text="名单（6 个项目）")).to_be_visible()
    admin.get_by_label("公示天数").fill("5")
    admin.get_by_role("button", name="开始公示").click()
    published = re.compile(r"入围名单已发布公示，公示期至 \d{4}-\d\d-\d\d \d\d:\d\d。")
    expect(admin.get_by_text(published)).to_be_visible()
    shortlist = Shortlist.objects.get(contest=contest)
    assert shortlist.status == Shortlist.Status.NOTICE
    assert sorted(shortlist.items.values_list("entry_id", flat=True)) == sorted(
        entries[i].pk for i in SHORTLISTED
    )
    assert (shortlist.notice_ends_at - shortlist.notice_starts_at).days == 5

    # --- A member of the public reads the notice and files an objection. ---
    public = open_page(PHONE)
    public.goto(f"{base}/notice/{contest.slug}/")
    expect(public.get_by_role("heading", level=1)).to_have_text("入围名单公示")
    listed = public.locator(".notice-list .notice-title")
    expect(listed).to_have_count(6)
    for i in SHORTLISTED:
        expect(listed.filter(has_text=titles[i])).to_have_count(1)
    for i in DISPLACED:
        expect(listed.filter(has_text=titles[i])).to_have_count(0)
    # Each project with its team, organization, county and category.
    group = public.locator("section.notice-group", has_text=titles[OURS])
    expect(group.get_by_role("heading", level=2)).to_contain_text("科学普及")
    project = group.locator(".notice-list li", has_text=titles[OURS])
    for text in (team.name, team.organization.name, SHANGDANG):
        expect(project).to_contain_text(text)
    public.get_by_role("link", name="提出异议").click()
    form = public.locator("#objection form")
    form.get_by_label("姓名").fill("李明")
    form.get_by_label("联系电话").fill("1391234")
    form.get_by_label("异议项目").select_option(label=titles[7])
    form.get_by_label("异议内容").fill(OBJECTION_REASON)
    assert_fits_the_phone(public)
    shoot(public, "results-03-notice")
    form.get_by_role("button", name="提交异议").click()
    summary = public.get_by_role("alert")
    expect(summary).to_contain_text("异议未提交，请修改下方标红的内容。")
    expect(summary).to_contain_text("请输入 11 位手机号码（例如 13812341234）或带区号的固定电话")
    expect(form.get_by_label("联系电话")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.get_by_label("姓名")).to_have_value("李明")
    expect(form.get_by_label("联系电话")).to_have_value("1391234")
    expect(form.get_by_label("异议内容")).to_have_value(OBJECTION_REASON)
    expect(form.get_by_label("异议项目").locator("option:checked")).to_have_text(titles[7])
    assert not Objection.objects.exists()
    shoot(public, "results-03-notice-error")
    form.get_by_label("联系电话").fill("139 1234 5678")
    form.get_by_role("button", name="提交异议").click()
    expect(public.get_by_role("status")).to_contain_text("您的异议已提交，组委会将在核实后答复。")
    expect(form.get_by_label("异议内容")).to_have_value("")
    shoot(public, "results-03-notice-sent")
    objection = Objection.objects.get()
    assert (objection.name, objection.phone, objection.entry_id) == ("李明", "13912345678", entries[7].pk)

    # --- Five days later: the organizer answers the objection and finalizes the shortlist. ---
    end_notice(shortlist)
    tabs = admin.get_by_role("navigation", name="入围名单页面")
    tabs.get_by_role("link", name="异议处理").click()
    expect(admin.locator("h2", has_text="异议（共 1 条，待答复 1 条）")).to_be_visible()
    item = admin.locator(f"#objection-{objection.pk}")
    expect(item).to_contain_text(OBJECTION_REASON)
    expect(item).to_contain_text("13912345678")
    item.get_by_label("答复").fill(ANSWER)
    item.get_by_role("button", name="答复").click()
    expect(admin.get_by_text("已答复 李明 的异议。")).to_be_visible()
    expect(admin.locator("h2", has_text="异议（共 1 条，待答复 0 条）")).to_be_visible()
    tabs.get_by_role("link", name="入围名单", exact=True).click()
    admin.get_by_role("button", name="正式公布名单").click()
    expect(admin.get_by_text("入围名单已正式公布：6 个优秀项目。")).to_be_visible()
    assert sorted(FeaturedProject.objects.values_list("entry_id", flat=True)) == sorted(
        entries[i].pk for i in SHORTLISTED
    )
    round.refresh_from_db()
    assert round.status == Round.Status.PUBLISHED
    # Every team was told by e-mail (and in its inbox); ours that it was featured, with the count.
    results = [m for m in mail.outbox if m.subject.startswith("评审结果已公布")]
    told = [m for m in results if m.to == [team.user.email]]
    assert len(told) == 1 and "入选本届 6 个优秀志愿服务项目之列" in told[0].body
    assert len(results) == len(entries)

    # The notice page now lists the featured projects and takes no more objections.
    public.goto(f"{base}/notice/{contest.slug}/")
    expect(public.get_by_role("heading", level=1)).to_have_text("优秀志愿服务项目名单")
    expect(public.locator(".notice-list .notice-title")).to_have_count(6)
    expect(public.locator("#objection")).to_have_count(0)
    shoot(public, "results-04-notice-final")

    # --- The team reads its results. ---
    mine = open_page(PHONE)
    log_in(mine, base, team.user.username)
    card = mine.locator(".entry-card", has_text=titles[OURS])
    card.get_by_role("link", name=titles[OURS]).click()
    panel = mine.locator(".results-panel")
    expect(panel).to_contain_text("评审结果已公布")
    expect(panel).to_contain_text("入选优秀项目")
    shoot(mine, "results-05-entry-panel")
    panel.get_by_role("link", name="查看评审结果").click()
    expect(mine).to_have_url(f"{base}/my/results/{ours.public_id}/")
    expect(mine.get_by_role("heading", level=1)).to_have_text(titles[OURS])
    expect(mine.locator("main")).to_contain_text("入选百个优秀志愿服务项目")
    section = mine.locator("section.section-card", has=mine.get_by_role("heading", name="初评"))
    # Rank 2 of 12: in the top 30%.
    expect(section).to_contain_text("前 30%")
    expect(section).to_contain_text("（共 12 个项目参评）")
    figure = section.locator(".figures > div")
    calibrated = RoundResult.objects.get(round_entry__entry=ours).calibrated
    expect(figure.filter(has_text="校准分").locator("dd")).to_have_text(one_decimal(Decimal(str(calibrated))))
    expect(figure.filter(has_text="评委人数").locator("dd")).to_have_text("3")
    rows = section.locator("table tbody tr")
    expect(rows).to_have_count(len(OUR_SHEETS[0]))
    for n, criterion in enumerate(Criterion.objects.filter(round=round).order_by("sort_order")):
        mean = sum(Decimal(str(points[n])) for points in OUR_SHEETS.values()) / len(OUR_SHEETS)
        expect(rows.nth(n)).to_contain_text(criterion.name)
        expect(rows.nth(n).locator("td").nth(1)).to_have_text(one_decimal(mean))
        expect(rows.nth(n).locator("td").nth(2)).to_have_text(str(criterion.max_points))
    feedback = section.locator("blockquote.feedback")
    expect(feedback).to_have_count(len(OUR_FEEDBACK))
    for text in OUR_FEEDBACK.values():
        expect(feedback.filter(has_text=text)).to_have_count(1)
    html = mine.content()
    assert OTHER_FEEDBACK not in html
    for name, username, _offset in JUDGES:
        assert name not in html and username not in html
    assert_fits_the_phone(mine)
    shoot(mine, "results-06-team-results")
    assert open_page.errors == []
