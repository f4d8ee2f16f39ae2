"""The second round (复评) journey in a real browser: an organizer computes a first round of 60
entries for 10 places and sees the unsure band on the ranking (入选把握 between 0 and 100 %,
with bars), previews a shortlist of 10 and reads how many of it are expected to be wrong,
opens the 复评建议, unticks one entry, creates the second round from it, runs its assignment;
the second round's sheets are imported from a filled-in template (``import_scores``), its
results computed on the page, and the shortlist preview's expected misses are lower.

The first round is seeded through the services (sheets submitted, round closed) from a known
truth: entry i is worth 85 − i/2 points, judges are harsher or more lenient by up to 5 points,
and each sheet is off by a seeded normal amount (sd 6). Screenshots at 390 px and 1280 px go
into test-artifacts/screenshots/second-round-*.png.
"""

import io
import random
import re

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from judging.models import Assignment, Round, RoundEntry
from judging.phases import CLOSED, SCORING
from tests import factories
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_results_journey import log_in, open_page, shoot_admin  # noqa: F401 (open_page: a fixture)
from tests.judging.factories import JudgeFactory, set_status
from tests.judging.result_factories import entry_in, scored_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENTRIES, JUDGES, PLACES = 60, 12, 10
OFFSETS = [-5, -3, -2, -1, 0, 0, 1, 1, 2, 3, 4, 5]
CATEGORIES = ["education", "relief", "culture", "health"]
BUDGET, TARGET = 120, 1


def truth(position: int) -> float:
    return 85 - 0.5 * position


def sheet_total(position: int, judge: int, rng: random.Random) -> int:
    """A sheet's total out of 100 (the rubric's two criteria of 50 split it evenly)."""
    return int(max(0, min(100, round(truth(position) + OFFSETS[judge] + rng.gauss(0, 6)))))


def seed(rng: random.Random):
    """A closed first round: each entry scored by three judges (a ring, so every judge is
    compared with every other); returns the contest, round, entries and judges."""
    contest = factories.ContestFactory(title="2026年志愿服务项目大赛（复评演示）", slug="second-round-demo")
    entries = [entry_in(contest, category=CATEGORIES[i % len(CATEGORIES)]) for i in range(ENTRIES)]
    judges = [
        JudgeFactory(name=f"评委{n + 1:02d}", user=factories.UserFactory(username=f"judge{n + 1:02d}"))
        for n in range(JUDGES)
    ]
    sheets = {
        (i, j): sheet_total(i, j, rng) for i in range(ENTRIES) for j in (i % 12, (i + 1) % 12, (i + 5) % 12)
    }
    first, _ = scored_round(contest, sheets, judges=judges, name="初评", judges_per_entry=3)
    return contest, first, entries, judges


def filled_template(round: Round, entries, judges, rng: random.Random, path) -> None:
    """The round's score template filled in as the judges' paper sheets would be."""
    position = {entry.pk: i for i, entry in enumerate(entries)}
    judge_position = {judge.pk: j for j, judge in enumerate(judges)}
    criteria = list(round.criteria.order_by("sort_order"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["匿名编号", "评委用户名", *(c.name for c in criteria), "给参赛团队的反馈"])
    rows = Assignment.objects.filter(round=round).values_list(
        "round_entry__blind_code", "judge__user__username", "round_entry__entry_id", "judge_id"
    )
    for code, username, entry_id, judge_id in sorted(rows):
        total = sheet_total(position[entry_id], judge_position[judge_id], rng)
        sheet.append([code, username, total / 2, total / 2, ""])
    workbook.save(path)


def misses_in(page: Page, selector: str) -> int:
    """The whole number of expected misses a sentence on the page says ("预计约 N 个")."""
    text = page.locator(selector).first.inner_text()
    return int(re.search(r"预计约 (\d+) 个", text).group(1))


def preview_shortlist(page: Page, base: str, contest, round_name: str) -> int:
    page.goto(f"{base}/admin/awards/shortlist/")
    page.get_by_role("link", name=contest.title).click()
    page.get_by_role("navigation", name="入围名单页面").get_by_role("link", name="筛选预览").click()
    page.get_by_label("成绩来源轮次").select_option(label=round_name)
    page.get_by_label("入围数量").fill(str(PLACES))
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#misses")).to_contain_text(f"与真实前 {PLACES} 名不同")
    return misses_in(page, "#misses")


def test_organizer_aims_a_second_round_at_the_unsure_band(live_server, open_page, tmp_path):  # noqa: F811
    rng = random.Random(13)
    contest, first, entries, judges = seed(rng)
    organizer = factories.organizer(username="zuweihui")
    base = live_server.url
    admin = open_page(DESKTOP)

    # --- The first round's results for 10 places: the unsure band on the ranking. ---
    log_in(admin, base, organizer.username, next_url=f"/admin/judging/rounds/{first.pk}/results/")
    expect(admin.get_by_text("本轮还没有计算成绩。")).to_be_visible()
    admin.get_by_label("入选名额（入选把握按前几名计算）").fill(str(PLACES))
    admin.get_by_role("button", name="计算本轮成绩").click()
    expect(admin.get_by_text(f"已计算成绩：{ENTRIES} 个项目，{3 * ENTRIES} 份评分表。")).to_be_visible()
    expect(admin.locator("#uncertainty")).to_contain_text(f"按总成绩排在前 {PLACES} 名的项目中，预计约")
    before = misses_in(admin, "#uncertainty")
    expect(admin.get_by_text(f"评委校准的影响：按平均分排在前 {PLACES} 名的项目中")).to_be_visible()
    assert before >= 2
    ranking = admin.locator("table.results-compact tbody tr")
    expect(ranking.first).to_be_visible()
    bars = admin.locator("table.results-compact meter")
    values = [float(v) for v in bars.evaluate_all("meters => meters.map(m => m.value)")]
    unsure = [v for v in values if 0.05 <= v <= 0.95]
    assert len(unsure) >= 5, values
    # The unsure band shows as percentages neither near 0 nor near 100 %.
    texts = [t.strip() for t in admin.locator("table.results-compact tbody td:last-child").all_inner_texts()]
    percents = [int(m.group(1)) for t in texts if (m := re.match(r"(\d+)%", t))]
    assert sum(5 <= p <= 95 for p in percents) >= 5, texts
    # Scoring has closed: no button to add a judge that would only be refused.
    expect(admin.get_by_role("button", name="加派一位评委")).to_have_count(0)

    # --- The shortlist preview of 10 from the first round says how many are expected wrong. ---
    preview_before = preview_shortlist(admin, base, contest, "初评")
    assert preview_before >= 2
    shoot_admin(admin, "second-round-01-preview-before")

    # --- The 复评建议 for a budget of 120 sheets and a target of 1. ---
    admin.goto(f"{base}/admin/judging/rounds/{first.pk}/results/#next-round")
    section = admin.locator("#next-round")
    expect(section.get_by_role("heading", name="复评建议")).to_be_visible()
    section.get_by_label("加派评分表预算（份）").fill(str(BUDGET))
    section.get_by_label("目标：预计不在真实名单中的项目不超过").fill(str(TARGET))
    section.get_by_role("button", name="按此预算重新计算建议").click()
    section = admin.locator("#next-round")
    expect(section).to_contain_text(f"预算 {BUDGET} 份")
    boxes = section.locator("input[type=checkbox][name=entry]")
    count = boxes.count()
    assert count >= 5
    for n in range(count):
        expect(boxes.nth(n)).to_be_checked()
    shoot_admin(admin, "second-round-02-ranking-and-recommendation")
    # The category places fold open on a click (left empty: the list is by total places).
    section.get_by_text("按类别名额（可选）").click()
    expect(section.get_by_text("入围或晋级按类别名额选出时")).to_be_visible()

    # The organizer drops the listed entry farthest from 50 % and creates the round.
    dropped_code = section.locator("tbody tr").last.locator("td").nth(1).inner_text().strip()
    boxes.last.uncheck()
    section.get_by_label("新轮次名称").fill("复评")
    section.get_by_role("button", name="按此建议新建复评轮次").click()
    expect(admin.get_by_text(re.compile(r"已新建“复评”：\d+ 个项目"))).to_be_visible()
    second = Round.objects.get(contest=contest, name="复评")
    assert second.combine_earlier and second.order == first.order + 1
    carried = set(RoundEntry.objects.filter(round=second).values_list("entry_id", flat=True))
    dropped = RoundEntry.objects.get(round=first, blind_code=dropped_code)
    assert dropped.entry_id not in carried
    assert not dropped.advanced

    # --- Its assignment from the assign page's button: each entry its recommended judges. ---
    admin.get_by_role("button", name="运行自动分配").click()
    expect(admin.get_by_role("heading", name="分配报告")).to_be_visible()
    needed = sum(RoundEntry.objects.filter(round=second).values_list("judges_needed", flat=True))
    assert 0 < needed <= BUDGET
    assert Assignment.objects.filter(round=second).count() == needed
    earlier = set(Assignment.objects.filter(round=first).values_list("round_entry__entry_id", "judge_id"))
    now = set(Assignment.objects.filter(round=second).values_list("round_entry__entry_id", "judge_id"))
    assert not earlier & now  # judges who had not seen the entry

    # --- The judges' sheets come back on paper and are imported. ---
    set_status(second, SCORING, by=organizer)
    path = tmp_path / "复评评分.xlsx"
    filled_template(second, entries, judges, rng, path)
    out = io.StringIO()
    call_command("import_scores", "--round", str(second.pk), str(path), stdout=out, stderr=io.StringIO())
    assert f"已导入 {needed} 份评分表。" in out.getvalue()
    set_status(second, CLOSED, by=organizer)

    # --- The second round's results: both rounds' sheets in one fit, for the same 10 places. ---
    admin.goto(f"{base}/admin/judging/rounds/{second.pk}/results/")
    expect(admin.get_by_label("入选名额（入选把握按前几名计算）")).to_have_value(str(PLACES))
    admin.get_by_role("button", name="计算本轮成绩").click()
    expect(admin.get_by_text(re.compile(r"已计算成绩：\d+ 个项目"))).to_be_visible()
    expect(admin.locator("#uncertainty")).to_contain_text(f"按总成绩排在前 {PLACES} 名的项目中，预计约")
    after = misses_in(admin, "#uncertainty")
    assert after < before
    shoot_admin(admin, "second-round-03-ranking-after")

    # --- The shortlist preview from the second round: fewer expected misses. ---
    preview_after = preview_shortlist(admin, base, contest, "复评")
    assert preview_after < preview_before
    shoot_admin(admin, "second-round-04-preview-after")
    assert open_page.errors == []
