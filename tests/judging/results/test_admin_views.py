"""The organizers' results back office: the round tabs 成绩 (compute, ranking with every method,
one more judge for a disagreement), 评委统计 (judge figures and charts) and 晋级 (advancement),
and the contest's 入围名单 (what-if preview, commit, overrides with reasons, public notice,
objections, finalization, log). Organizers act; supervisors read everything and change
nothing (their POSTs are 404); anyone else cannot reach the pages."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from awards.models import FeaturedProject, Objection, Shortlist, ShortlistEntry, ShortlistEvent
from awards.notice.services import notice_publish, objection_file
from awards.shortlist.services import shortlist_commit, shortlist_remove
from common.pages import paginate
from judging.models import Assignment, Judge, JudgingEvent, Round, RoundComputation, RoundEntry, ScoreSheet
from judging.phases import CLOSED, SCORING, round_phase
from judging.results import admin_views as results_admin_views
from judging.results.services import compute_round_results
from judging.scoring.services import SheetInput, sheet_save
from tests import factories
from tests.conftest import for_one_test, kept_for_the_module
from tests.judging.factories import (
    JudgeFactory,
    RoundFactory,
    assign,
    client_for,
    eligible_entry,
    set_status,
    sync,
)

pytestmark = pytest.mark.django_db

ROUNDS = "/admin/judging/rounds/"
SHORTLIST = "/admin/awards/shortlist/"
SVG = '<svg xmlns="http://www.w3.org/2000/svg"'


def page(round: Round, name: str) -> str:
    return f"{ROUNDS}{round.pk}/{name}/"


def shortlist_page(contest, name: str = "") -> str:
    return f"{SHORTLIST}{contest.pk}/{name}/" if name else f"{SHORTLIST}{contest.pk}/"


def score(assignment: Assignment, fraction: float):
    """Submit the judge's sheet with every criterion at ``fraction`` of its maximum (to the
    half point, as judges score)."""
    criteria = list(assignment.round.criteria.all())
    return sheet_save(
        assignment=assignment,
        data=SheetInput(points={c.pk: str(round(c.max_points * fraction * 2) / 2) for c in criteria}),
        expected_version=None,
        submit=True,
        by=assignment.judge.user,
    )


# Each entry's scores from the three judges (fractions of the maximum): entry 2 is disputed.
FRACTIONS = [
    [0.95, 0.90, 0.92],  # best (潞州区, education)
    [0.90, 0.85, 0.88],  # second (潞州区, legal)
    [0.50, 0.90, 0.60],  # judges disagree (潞州区, health)
    [0.80, 0.78, 0.82],  # third by score (上党区, education)
]


@pytest.fixture(scope="module")
def _results_world_for_the_module(pinned_clock_for_module, django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_results_world()


@pytest.fixture
def results_world(_results_world_for_the_module, db):
    return for_one_test(_results_world_for_the_module)


def build_results_world():
    """A round open for scoring with four entries (three in 潞州区, one in 上党区), three judges
    on every entry, every sheet submitted, and a fourth judge free to be added."""
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    round = RoundFactory(judges_per_entry=3)
    specs = [
        (luzhou, "潞州银龄课堂", "education"),
        (luzhou, "潞州法律明白人", "legal"),
        (luzhou, "潞州健康讲堂", "health"),
        (shangdang, "上党七彩课堂", "education"),
    ]
    entries = [
        eligible_entry(
            round.contest,
            team__organization__county=county,
            title=title,
            category=factories.category(code),
        )
        for county, title, code in specs
    ]
    judges = [JudgeFactory(name=f"市直评委{n}") for n in range(1, 4)]
    spare = JudgeFactory(name="备用评委")
    round_entries = sync(round)
    for round_entry in round_entries:
        for judge in judges:
            assign(round_entry, judge)
    set_status(round, SCORING)
    for round_entry, fractions in zip(round_entries, FRACTIONS, strict=True):
        for judge, fraction in zip(judges, fractions, strict=True):
            score(Assignment.objects.get(round_entry=round_entry, judge=judge), fraction)
    return {
        "round": round,
        "contest": round.contest,
        "entries": entries,
        "round_entries": round_entries,
        "judges": judges,
        "spare": spare,
        "luzhou": luzhou,
        "shangdang": shangdang,
    }


@pytest.fixture
def computed(results_world, organizer):
    compute_round_results(round=results_world["round"], by=organizer)
    return results_world


def commit(world, organizer, **constraints) -> Shortlist:
    """The shortlist from the round, closed first: a shortlist is made once scoring is over."""
    close(world)
    return shortlist_commit(round=world["round"], by=organizer, **constraints)


def close(world) -> None:
    if round_phase(world["round"]).can_score:
        set_status(world["round"], CLOSED)


def published(world, organizer) -> Shortlist:
    shortlist = commit(world, organizer, size=2, county_cap=1)
    return notice_publish(shortlist=shortlist, by=organizer, days=5)


def file_objection(shortlist: Shortlist, entry, reason: str = "请核实服务时长。", address: str = "192.0.2.1"):
    return objection_file(
        shortlist=shortlist, entry=entry, name="王女士", phone="13900001111", reason=reason, address=address
    )


# --- Who may reach the pages ----------------------------------------------------------------------


def page_urls(world) -> dict[str, str]:
    round, contest = world["round"], world["contest"]
    return {
        "results": page(round, "results"),
        "results_search": page(round, "results") + "?sort=calibrated&flagged=1&q=%E6%BD%9E",
        "judge_stats": page(round, "judge-stats"),
        "advance": page(round, "advance"),
        "advance_preview": page(round, "advance") + "?mode=top&top=2",
        "shortlist_index": SHORTLIST,
        "shortlist": shortlist_page(contest),
        "preview": shortlist_page(contest, "preview"),
        "preview_result": shortlist_page(contest, "preview") + f"?round={round.pk}&size=2&county_cap=1",
        "objections": shortlist_page(contest, "objections"),
        "events": shortlist_page(contest, "events"),
    }


PAGES = [
    "results",
    "results_search",
    "judge_stats",
    "advance",
    "advance_preview",
    "shortlist_index",
    "shortlist",
    "preview",
    "preview_result",
    "objections",
    "events",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "make_user", [factories.organizer, factories.supervisor], ids=["organizer", "supervisor"]
)
def test_results_page_renders_for_organizer_and_supervisor(make_user, name, computed, organizer):
    shortlist = published(computed, organizer)
    file_objection(shortlist, computed["entries"][0])

    response = client_for(make_user()).get(page_urls(computed)[name])

    assert response.status_code == 200
    assert computed["contest"].title in response.content.decode()


@pytest.mark.parametrize("name", ["results", "judge_stats", "advance", "shortlist", "preview", "objections"])
def test_results_page_renders_before_anything_is_computed(name, results_world, organizer_client):
    response = organizer_client.get(page_urls(results_world)[name])

    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_results_page_is_404_for_a_coordinator(name, computed):
    coordinator = factories.coordinator_for(computed["luzhou"])

    response = client_for(coordinator).get(page_urls(computed)[name])

    assert response.status_code == 404
    assert "潞州银龄课堂" not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["team", "judge"])
def test_results_page_team_or_judge_is_sent_to_login(who, name, computed):
    user = computed["entries"][0].team.user if who == "team" else computed["judges"][0].user

    response = client_for(user).get(page_urls(computed)[name])

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "潞州银龄课堂" not in response.content.decode()


def test_shortlist_of_a_missing_contest_is_404(organizer_client):
    assert organizer_client.get(f"{SHORTLIST}999999/").status_code == 404


def test_round_tabs_and_menu_link_the_results_pages(organizer_client, computed):
    round = computed["round"]

    status_page = organizer_client.get(page(round, "status")).content.decode()
    listing = organizer_client.get(ROUNDS).content.decode()
    menu = sidebar_menu(organizer_client)

    for name in ("results", "judge-stats", "advance"):
        assert page(round, name) in status_page
        assert page(round, name) in listing
    assert SHORTLIST in menu
    assert "入围名单" in menu


def test_shortlist_menu_item_is_not_shown_to_a_coordinator(computed):
    coordinator = factories.coordinator_for(computed["luzhou"])

    menu = sidebar_menu(client_for(coordinator))

    assert SHORTLIST not in menu


def sidebar_menu(client) -> str:
    """The admin sidebar's menu (Wagtail sends it as JSON for its script to draw)."""
    response = client.get("/admin/")
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    return json.dumps(json.loads(props.group(1)), ensure_ascii=False)


# --- Supervisors read and change nothing ----------------------------------------------------------


def test_supervisor_sees_no_action_buttons(computed, organizer):
    shortlist = published(computed, organizer)
    file_objection(shortlist, computed["entries"][0])
    client = client_for(factories.supervisor())
    urls = page_urls(computed)

    bodies = {name: client.get(urls[name]).content.decode() for name in PAGES}

    assert "重新计算成绩" not in bodies["results"]
    assert "加派一位评委" not in bodies["results"]
    assert "确定晋级名单</button>" not in bodies["advance_preview"]
    assert "确定为入围名单</button>" not in bodies["preview_result"]
    for label in ("调入项目", "调出项目", "调换项目", "正式公布名单", "开始公示"):
        assert f">{label}</button>" not in bodies["shortlist"]
    assert 'name="objection"' not in bodies["objections"]
    assert 'method="post"' not in "".join(bodies.values())
    assert "只读" in bodies["shortlist"]


def test_supervisor_posts_are_404_and_change_nothing(computed, organizer):
    round, contest = computed["round"], computed["contest"]
    shortlist = published(computed, organizer)
    objection = file_objection(shortlist, computed["entries"][0])
    flagged = computed["round_entries"][2]
    client = client_for(factories.supervisor())
    before = (
        RoundComputation.objects.count(),
        Assignment.objects.count(),
        RoundEntry.objects.filter(advanced=True).count(),
        ShortlistEvent.objects.count(),
        ShortlistEntry.objects.count(),
        Objection.objects.get(pk=objection.pk).status,
        Shortlist.objects.get(pk=shortlist.pk).status,
    )
    posts = [
        (page(round, "results"), {"action": "compute"}),
        (page(round, "results"), {"action": "add_judge", "round_entry": flagged.pk}),
        (page(round, "advance"), {"mode": "top", "top": "2"}),
        (page(round, "judge-stats"), {}),
        (SHORTLIST, {}),
        (shortlist_page(contest, "preview"), {"round": round.pk, "size": "3"}),
        (shortlist_page(contest), {"action": "add", "add-code": flagged.blind_code, "add-reason": "监委"}),
        (shortlist_page(contest), {"action": "finalize"}),
        (shortlist_page(contest), {"action": "publish", "notice-days": "5"}),
        (
            shortlist_page(contest, "objections"),
            {"objection": objection.pk, f"o{objection.pk}-answer": "监委"},
        ),
        (shortlist_page(contest, "events"), {}),
    ]

    statuses = [client.post(url, data).status_code for url, data in posts]

    assert statuses == [404] * len(posts)
    assert before == (
        RoundComputation.objects.count(),
        Assignment.objects.count(),
        RoundEntry.objects.filter(advanced=True).count(),
        ShortlistEvent.objects.count(),
        ShortlistEntry.objects.count(),
        Objection.objects.get(pk=objection.pk).status,
        Shortlist.objects.get(pk=shortlist.pk).status,
    )


# --- 成绩 ----------------------------------------------------------------------------------------


def test_compute_from_the_admin_stores_results_and_shows_the_computation(organizer, results_world):
    round = results_world["round"]
    client = client_for(organizer)

    response = client.post(page(round, "results"), {"action": "compute"}, follow=True)

    computation = RoundComputation.objects.get(round=round)
    body = response.content.decode()
    assert (computation.computed_by, computation.sheets, computation.entries) == (organizer, 12, 4)
    assert "已计算成绩：4 个项目，12 份评分表。" in body
    assert computation.inputs_digest in body
    assert computation.ranking_digest in body
    assert "评委校准（默认）" in body
    assert [r.round_entry.entry.title for r in response.context["results"]] == [
        "潞州银龄课堂",
        "潞州法律明白人",
        "上党七彩课堂",
        "潞州健康讲堂",
    ]


def test_recompute_says_the_ranking_is_the_same(organizer_client, computed):
    round = computed["round"]

    response = organizer_client.post(page(round, "results"), {"action": "compute"}, follow=True)

    first, second = RoundComputation.objects.filter(round=round).order_by("pk")
    body = response.content.decode()
    assert first.ranking_digest == second.ranking_digest
    assert "排名与上次计算相同" in body
    assert "评分表相同 · 排名相同" in body


def test_compute_without_sheets_is_refused_in_chinese(organizer_client):
    round = RoundFactory()

    response = organizer_client.post(page(round, "results"), {"action": "compute"}, follow=True)

    assert "本轮还没有已提交的评分表，无法计算成绩。" in response.content.decode()
    assert not RoundComputation.objects.exists()


def test_ranking_shows_every_method_side_by_side_and_flags_the_disagreement(organizer_client, computed):
    response = organizer_client.get(page(computed["round"], "results"))

    body = response.content.decode()
    flagged = [r.round_entry.entry.title for r in response.context["results"] if r.flagged]
    assert flagged == ["潞州健康讲堂"]
    assert body.count('class="results-flagged"') == 1
    for label in ("平均分", "中位数", "截尾平均", "标准分", "校准分", "总成绩", "极差"):
        assert label in body
    assert body.count("加派一位评委") == 1


@pytest.mark.parametrize(
    ("sort", "first"),
    [("rank", "潞州银龄课堂"), ("spread", "潞州健康讲堂"), ("mean", "潞州银龄课堂")],
)
def test_ranking_sorts_by_a_method(sort, first, organizer_client, computed):
    response = organizer_client.get(page(computed["round"], "results"), {"sort": sort})

    assert response.context["results"][0].round_entry.entry.title == first


def test_ranking_searches_by_blind_code_and_title_and_filters_flagged(organizer_client, computed):
    round = computed["round"]
    code = computed["round_entries"][3].blind_code

    by_code = organizer_client.get(page(round, "results"), {"q": code.lower()})
    by_title = organizer_client.get(page(round, "results"), {"q": "法律"})
    only_flagged = organizer_client.get(page(round, "results"), {"flagged": "1"})

    assert [r.round_entry.blind_code for r in by_code.context["results"]] == [code]
    assert [r.round_entry.entry.title for r in by_title.context["results"]] == ["潞州法律明白人"]
    assert [r.round_entry.entry.title for r in only_flagged.context["results"]] == ["潞州健康讲堂"]


def test_ranking_is_paginated(organizer_client, computed, monkeypatch):
    monkeypatch.setattr(results_admin_views, "paginate", partial(paginate, per_page=2))

    first = organizer_client.get(page(computed["round"], "results"))
    second = organizer_client.get(page(computed["round"], "results"), {"p": "2"})

    assert [r.rank for r in first.context["results"]] == [1, 2]
    assert [r.rank for r in second.context["results"]] == [3, 4]


def test_add_a_judge_to_a_flagged_entry_uses_a_free_judge(organizer, computed):
    flagged = computed["round_entries"][2]

    response = client_for(organizer).post(
        page(computed["round"], "results"), {"action": "add_judge", "round_entry": flagged.pk}, follow=True
    )

    added = Assignment.objects.get(round_entry=flagged, judge=computed["spare"])
    assert f"已为 {flagged.blind_code} 加派评委 备用评委" in response.content.decode()
    assert JudgingEvent.objects.filter(
        kind=JudgingEvent.Kind.ASSIGNED, round_entry=flagged, actor=organizer
    ).exists()
    assert added.source == Assignment.Source.MANUAL


def test_add_a_judge_when_impossible_shows_the_chinese_error(organizer_client, computed):
    set_status(computed["round"], CLOSED)
    flagged = computed["round_entries"][2]

    response = organizer_client.post(
        page(computed["round"], "results"), {"action": "add_judge", "round_entry": flagged.pk}, follow=True
    )

    assert "评分已截止的轮次不能再分配。" in response.content.decode()
    assert "加派评委需要本轮处于评分中" in response.content.decode()
    assert not Assignment.objects.filter(judge=computed["spare"]).exists()


def test_add_a_judge_when_every_judge_is_taken_says_so(organizer_client, computed):
    Judge.objects.filter(pk=computed["spare"].pk).update(active=False)
    flagged = computed["round_entries"][2]

    response = organizer_client.post(
        page(computed["round"], "results"), {"action": "add_judge", "round_entry": flagged.pk}, follow=True
    )

    assert "没有可以再加派的评委：其余评委都需回避或已满额。" in response.content.decode()


def test_add_a_judge_to_an_entry_of_another_round_is_404(organizer_client, computed):
    other = RoundFactory()
    response = organizer_client.post(
        page(other, "results"), {"action": "add_judge", "round_entry": computed["round_entries"][2].pk}
    )

    assert response.status_code == 404


def test_results_page_warns_when_the_settings_changed_since_the_computation(organizer_client, computed):
    Round.objects.filter(pk=computed["round"].pk).update(method=Round.Method.MEAN)

    body = organizer_client.get(page(computed["round"], "results")).content.decode()

    assert "计分设置在上次计算之后改过了" in body


# --- The round's 计分 settings ----------------------------------------------------------------------


def round_form_data(round: Round, **changes) -> dict:
    data = {
        "contest": round.contest_id,
        "name": round.name,
        "order": round.order,
        "scoring_opens": timezone.localtime(round.scoring_opens).strftime("%Y-%m-%d %H:%M"),
        "scoring_closes": timezone.localtime(round.scoring_closes).strftime("%Y-%m-%d %H:%M"),
        "entry_source": round.entry_source,
        "judges_per_entry": round.judges_per_entry,
        "method": "trimmed",
        "shrinkage": "3",
        "disagreement_threshold": "15",
        "tie_criterion_position": "4",
        "stage_weight": "0.8",
    }
    criteria = list(round.criteria.all())
    data.update(
        {
            "criteria-TOTAL_FORMS": str(len(criteria)),
            "criteria-INITIAL_FORMS": str(len(criteria)),
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
        }
    )
    for n, c in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-id": c.pk,
                f"criteria-{n}-name": c.name,
                f"criteria-{n}-guidance": c.guidance,
                f"criteria-{n}-max_points": c.max_points,
                f"criteria-{n}-weight": c.weight,
                f"criteria-{n}-ORDER": n + 1,
                f"criteria-{n}-DELETE": "",
            }
        )
    data.update(changes)
    return data


def test_round_edit_form_has_the_scoring_panel(organizer_client):
    round = RoundFactory()

    body = organizer_client.get(f"{ROUNDS}edit/{round.pk}/").content.decode()

    assert "计分" in body
    for name in ("method", "shrinkage", "disagreement_threshold", "tie_criterion_position", "stage_weight"):
        assert f'name="{name}"' in body


def test_round_edit_saves_the_scoring_settings(organizer_client):
    round = RoundFactory()

    response = organizer_client.post(f"{ROUNDS}edit/{round.pk}/", round_form_data(round))

    round.refresh_from_db()
    assert response.status_code == 302
    assert (round.method, round.shrinkage, round.disagreement_threshold, round.tie_criterion_position) == (
        "trimmed",
        Decimal("3"),
        Decimal("15"),
        4,
    )
    assert round.stage_weight == Decimal("0.8")


def test_round_edit_refuses_a_tie_criterion_outside_the_rubric_and_negative_figures(organizer_client):
    round = RoundFactory()

    response = organizer_client.post(
        f"{ROUNDS}edit/{round.pk}/", round_form_data(round, tie_criterion_position="9", shrinkage="-1")
    )

    round.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 200
    assert "评分标准只有 6 项，请填写 1 到 6 之间的序号。" in body
    assert "不能为负数。" in body
    assert round.tie_criterion_position is None


# --- 评委统计 ---------------------------------------------------------------------------------------


def test_judge_stats_show_each_judge_with_severity_and_the_charts(organizer_client, computed):
    response = organizer_client.get(page(computed["round"], "judge-stats"))

    body = response.content.decode()
    rows = {row["result"].judge.name: row for row in response.context["judges"]}
    assert set(rows) == {"市直评委1", "市直评委2", "市直评委3"}
    assert all(row["result"].assigned == 4 and row["result"].sheets == 4 for row in rows.values())
    assert all(row["percent"] == 100 for row in rows.values())
    assert {row["severity"] for row in rows.values()} <= {"偏严", "偏宽", "适中"}
    assert body.count(SVG) == 2
    assert "ICC（组内相关系数）为" in body
    assert "Kendall 协调系数 W" in body
    assert "市直评委1" in response.context["judge_chart"]
    assert "助学支教" in response.context["category_chart"]


def test_judge_stats_call_a_harsh_judge_harsh_with_a_sign(organizer_client, results_world, organizer):
    # Judge 1 gives every entry 30 points less than the others would: clearly harsh.
    round = results_world["round"]
    Round.objects.filter(pk=round.pk).update(shrinkage=Decimal("0"))
    harsh = results_world["judges"][0]
    ScoreSheet.objects.filter(assignment__judge=harsh).update(total=Decimal("40"))
    compute_round_results(round=round, by=organizer)

    response = organizer_client.get(page(round, "judge-stats"), {"sort": "offset"})

    first = response.context["judges"][0]
    assert first["result"].judge == harsh
    assert first["severity"] == "偏严"
    assert f"-{abs(first['result'].offset):.1f}" in response.content.decode()


def test_judge_stats_without_results_ask_to_compute(organizer_client, results_world):
    body = organizer_client.get(page(results_world["round"], "judge-stats")).content.decode()

    assert "本轮还没有计算成绩" in body
    assert SVG not in body


# --- 晋级 ------------------------------------------------------------------------------------------


def test_advance_preview_counts_then_advances_the_top(organizer, computed):
    client = client_for(organizer)
    round = computed["round"]

    preview = client.get(page(round, "advance"), {"mode": "top", "top": "2"})
    response = client.post(page(round, "advance"), {"mode": "top", "top": "2"}, follow=True)

    advanced = set(
        RoundEntry.objects.filter(round=round, advanced=True).values_list("entry__title", flat=True)
    )
    assert preview.context["preview"]["total"] == 2
    assert "按此规则将有 2 个项目晋级。" in preview.content.decode()
    assert advanced == {"潞州银龄课堂", "潞州法律明白人"}
    assert "已确定 2 个项目晋级下一轮。" in response.content.decode()
    assert JudgingEvent.objects.filter(kind=JudgingEvent.Kind.ADVANCED, actor=organizer).exists()


def test_advance_by_category_quotas(organizer_client, computed):
    round = computed["round"]
    data = {"mode": "category", "quota_education": "1", "quota_health": "5"}

    preview = organizer_client.get(page(round, "advance"), data)
    organizer_client.post(page(round, "advance"), data)

    advanced = set(
        RoundEntry.objects.filter(round=round, advanced=True).values_list("entry__title", flat=True)
    )
    assert preview.context["preview"]["total"] == 2
    assert advanced == {"潞州银龄课堂", "潞州健康讲堂"}


def test_advance_without_a_number_is_refused(organizer_client, computed):
    response = organizer_client.post(page(computed["round"], "advance"), {"mode": "top", "top": ""})

    assert response.status_code == 200
    assert "请填写晋级数量。" in response.content.decode()
    assert not RoundEntry.objects.filter(advanced=True).exists()


# --- 入围名单 --------------------------------------------------------------------------------------


def test_preview_with_a_county_cap_says_who_displaced_whom(organizer_client, computed):
    contest, round = computed["contest"], computed["round"]

    response = organizer_client.get(
        shortlist_page(contest, "preview"), {"round": round.pk, "size": "2", "county_cap": "1"}
    )

    body = response.content.decode()
    titles = [row["round_entry"].entry.title for row in response.context["rows"]]
    assert titles == ["潞州银龄课堂", "上党七彩课堂"]
    (line,) = response.context["report"]["displaced"]
    assert line.startswith("潞州法律明白人")
    assert "因潞州区已达每县上限，被 上党七彩课堂" in line
    assert line in body
    assert "确定为入围名单" in body
    assert not Shortlist.objects.exists()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"size": "9"}, "有成绩的项目只有 4 个，不够入围 9 个。"),
        ({"size": "2", "min_health": "2"}, "“医疗健身”类要求至少 2 个，但最多只能选出 1 个"),
        ({"size": "2", "min_health": "3", "max_health": "1"}, "“医疗健身”类的最少数量 3 大于最多数量 1。"),
        ({"size": "2", "min_education": "2", "min_legal": "1"}, "各类别最少数量之和为 3，超过了入围数量 2。"),
        ({"size": "3", "county_cap": "1"}, "最多只能选出 2 个项目，不够入围 3 个。"),
    ],
)
def test_preview_explains_infeasible_constraints_in_chinese(params, expected, organizer_client, computed):
    response = organizer_client.get(
        shortlist_page(computed["contest"], "preview"), {"round": computed["round"].pk, **params}
    )

    body = response.content.decode()
    assert "这些条件无法同时满足：" in body
    assert expected in body
    assert "确定为入围名单" not in body


def test_preview_rejects_bad_numbers(organizer_client, computed):
    response = organizer_client.get(
        shortlist_page(computed["contest"], "preview"), {"round": computed["round"].pk, "size": "-3"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["size"]
    assert "result" not in response.context


def test_commit_from_the_preview_stores_the_shortlist(organizer, computed):
    contest, round = computed["contest"], computed["round"]
    close(computed)

    response = client_for(organizer).post(
        shortlist_page(contest, "preview"), {"round": round.pk, "size": "2", "county_cap": "1"}, follow=True
    )

    shortlist = Shortlist.objects.get(contest=contest)
    assert set(shortlist.items.values_list("entry__title", flat=True)) == {"潞州银龄课堂", "上党七彩课堂"}
    assert (shortlist.size, shortlist.county_cap, shortlist.committed_by) == (2, 1, organizer)
    body = response.content.decode()
    assert "已确定入围名单：2 个项目。" in body
    assert "因潞州区已达每县上限" in body  # the stored report


def test_infeasible_commit_is_refused(organizer_client, computed):
    organizer_client.post(
        shortlist_page(computed["contest"], "preview"), {"round": computed["round"].pk, "size": "9"}
    )

    assert not Shortlist.objects.exists()


def test_override_without_a_reason_is_refused(organizer_client, computed, organizer):
    commit(computed, organizer, size=2)
    code = computed["round_entries"][3].blind_code

    response = organizer_client.post(
        shortlist_page(computed["contest"]), {"action": "add", "add-code": code, "add-reason": "  "}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "调整入围名单必须写明理由。" in body
    assert ShortlistEntry.objects.count() == 2
    assert not ShortlistEvent.objects.filter(kind=ShortlistEvent.Kind.ADDED).exists()
    assert f'value="{code}"' in body  # what was typed is kept


def test_override_with_an_unknown_code_says_so(organizer_client, computed, organizer):
    commit(computed, organizer, size=2)

    response = organizer_client.post(
        shortlist_page(computed["contest"]), {"action": "add", "add-code": "ZZZZZZ", "add-reason": "补录"}
    )

    assert "本名单的来源轮次中没有匿名编号为“ZZZZZZ”的项目。" in response.content.decode()


def test_overrides_add_remove_and_swap_record_their_reasons(organizer, computed):
    contest = computed["contest"]
    shortlist = commit(computed, organizer, size=2)
    client = client_for(organizer)
    first, second, disputed, third = computed["entries"]
    codes = [re.blind_code for re in computed["round_entries"]]

    client.post(
        shortlist_page(contest), {"action": "add", "add-code": codes[3], "add-reason": "上党区唯一项目"}
    )
    client.post(
        shortlist_page(contest), {"action": "remove", "remove-entry": second.pk, "remove-reason": "材料不实"}
    )
    response = client.post(
        shortlist_page(contest),
        {
            "action": "swap",
            "swap-entry": third.pk,
            "swap-code": codes[2].lower(),
            "swap-reason": "复核后调换",
        },
        follow=True,
    )

    items = {item.entry_id: item.via for item in ShortlistEntry.objects.filter(shortlist=shortlist)}
    assert items == {first.pk: ShortlistEntry.Via.COMPUTED, disputed.pk: ShortlistEntry.Via.OVERRIDE}
    reasons = list(
        ShortlistEvent.objects.filter(shortlist=shortlist)
        .exclude(kind=ShortlistEvent.Kind.COMMITTED)
        .values_list("kind", "reason", "actor")
    )
    assert ("added", "上党区唯一项目", organizer.pk) in reasons
    assert ("removed", "材料不实", organizer.pk) in reasons
    assert ("swapped", "复核后调换", organizer.pk) in reasons
    assert "已用“潞州健康讲堂”替换“上党七彩课堂”。" in response.content.decode()
    assert "组委会调整" in response.content.decode()


def test_publish_notice_with_days(organizer, computed):
    shortlist = commit(computed, organizer, size=2)

    response = client_for(organizer).post(
        shortlist_page(computed["contest"]), {"action": "publish", "notice-days": "7"}, follow=True
    )

    shortlist.refresh_from_db()
    assert shortlist.status == Shortlist.Status.NOTICE
    assert shortlist.notice_ends_at - shortlist.notice_starts_at == timedelta(days=7)
    assert "入围名单已发布公示" in response.content.decode()


def test_publish_notice_form_defaults_to_five_days(organizer_client, computed, organizer):
    commit(computed, organizer, size=2)

    response = organizer_client.get(shortlist_page(computed["contest"]))

    assert response.context["notice_form"]["days"].value() == 5


def test_publish_notice_refuses_zero_days(organizer_client, computed, organizer):
    shortlist = commit(computed, organizer, size=2)

    response = organizer_client.post(
        shortlist_page(computed["contest"]), {"action": "publish", "notice-days": "0"}
    )

    shortlist.refresh_from_db()
    assert response.status_code == 200
    assert shortlist.status == Shortlist.Status.COMMITTED


def test_objection_text_is_escaped_in_the_admin(organizer_client, computed, organizer):
    shortlist = published(computed, organizer)
    file_objection(shortlist, computed["entries"][0], reason='<script>alert("x")</script>需要核实')

    body = organizer_client.get(shortlist_page(computed["contest"], "objections")).content.decode()

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;需要核实" in body
    assert '<script>alert("x")' not in body


def test_answer_an_objection_records_before_and_after(organizer, computed):
    shortlist = published(computed, organizer)
    objection = file_objection(shortlist, computed["entries"][0])

    response = client_for(organizer).post(
        shortlist_page(computed["contest"], "objections"),
        {"objection": objection.pk, f"o{objection.pk}-answer": "经核实，数据属实。"},
        follow=True,
    )

    objection.refresh_from_db()
    event = ShortlistEvent.objects.get(kind=ShortlistEvent.Kind.ANSWERED)
    assert (objection.status, objection.answer, objection.answered_by) == (
        "answered",
        "经核实，数据属实。",
        organizer,
    )
    assert event.before == {"status": "open", "answer": ""}
    assert "经核实，数据属实。" in response.content.decode()


def test_answer_must_not_be_empty(organizer_client, computed, organizer):
    shortlist = published(computed, organizer)
    objection = file_objection(shortlist, computed["entries"][0])

    response = organizer_client.post(
        shortlist_page(computed["contest"], "objections"),
        {"objection": objection.pk, f"o{objection.pk}-answer": ""},
    )

    objection.refresh_from_db()
    assert "请填写答复内容。" in response.content.decode()
    assert objection.status == Objection.Status.OPEN


def test_answer_an_objection_of_another_shortlist_is_404(organizer_client, computed, organizer):
    shortlist = published(computed, organizer)
    objection = file_objection(shortlist, computed["entries"][0])
    other = factories.ContestFactory()

    response = organizer_client.post(
        shortlist_page(other, "objections"), {"objection": objection.pk, f"o{objection.pk}-answer": "答复"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("open_objection", "ended", "message"),
    [(False, False, "公示期尚未结束。"), (True, True, "还有未答复的异议，请先答复。")],
)
def test_finalize_refusals_are_shown_in_chinese(
    open_objection, ended, message, organizer_client, computed, organizer
):
    shortlist = published(computed, organizer)
    if open_objection:
        file_objection(shortlist, computed["entries"][0])
    if ended:
        Shortlist.objects.filter(pk=shortlist.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))

    response = organizer_client.post(shortlist_page(computed["contest"]), {"action": "finalize"}, follow=True)

    assert message in response.content.decode()
    assert not FeaturedProject.objects.exists()


def test_events_page_shows_the_log_with_before_after_and_reasons(organizer_client, computed, organizer):
    shortlist = commit(computed, organizer, size=2)
    shortlist_remove(shortlist=shortlist, entry=computed["entries"][1], reason="材料不实", by=organizer)

    response = organizer_client.get(shortlist_page(computed["contest"], "events"))

    body = response.content.decode()
    assert [e.kind for e in response.context["events"]] == ["removed", "committed"]
    assert "调出" in body
    assert "材料不实" in body
    removed = response.context["events"][0]
    assert removed.sentence == f"{organizer.username} 调出：“潞州法律明白人”"
    assert "入围方式：按成绩入围 → —" in removed.changes
    assert "&quot;" not in body


# --- The whole organizer flow through the admin ---------------------------------------------------


def test_organizer_flow_from_compute_to_finalize(
    organizer, results_world, django_capture_on_commit_callbacks
):
    client = client_for(organizer)
    round, contest = results_world["round"], results_world["contest"]
    codes = [re.blind_code for re in results_world["round_entries"]]
    set_status(round, CLOSED, by=organizer)

    # Compute.
    client.post(page(round, "results"), {"action": "compute"})
    assert RoundComputation.objects.filter(round=round).count() == 1

    # Preview with a county cap, then commit.
    preview = client.get(
        shortlist_page(contest, "preview"), {"round": round.pk, "size": "2", "county_cap": "1"}
    )
    assert "已达每县上限" in preview.content.decode()
    client.post(shortlist_page(contest, "preview"), {"round": round.pk, "size": "2", "county_cap": "1"})
    shortlist = Shortlist.objects.get(contest=contest)

    # An override without a reason is refused; with a reason it is made.
    refused = client.post(shortlist_page(contest), {"action": "add", "add-code": codes[1], "add-reason": ""})
    assert "调整入围名单必须写明理由。" in refused.content.decode()
    client.post(
        shortlist_page(contest), {"action": "add", "add-code": codes[1], "add-reason": "专家复核后调入"}
    )
    assert shortlist.items.count() == 3

    # Publish the notice; the public files an objection; the organizer answers it.
    client.post(shortlist_page(contest), {"action": "publish", "notice-days": "5"})
    shortlist.refresh_from_db()
    assert shortlist.status == Shortlist.Status.NOTICE
    objection = file_objection(shortlist, results_world["entries"][1], reason="<b>调入理由是什么？</b>")
    objections = client.get(shortlist_page(contest, "objections")).content.decode()
    assert "&lt;b&gt;调入理由是什么？&lt;/b&gt;" in objections
    client.post(
        shortlist_page(contest, "objections"),
        {"objection": objection.pk, f"o{objection.pk}-answer": "该项目经专家复核后调入，理由已记录。"},
    )

    # Finalizing before the notice ends is refused; after it ends it is done.
    early = client.post(shortlist_page(contest), {"action": "finalize"}, follow=True)
    assert "公示期尚未结束。" in early.content.decode()
    Shortlist.objects.filter(pk=shortlist.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(shortlist_page(contest), {"action": "finalize"}, follow=True)

    shortlist.refresh_from_db()
    round.refresh_from_db()
    assert shortlist.status == Shortlist.Status.FINALIZED
    assert set(FeaturedProject.objects.values_list("entry__title", flat=True)) == {
        "潞州银龄课堂",
        "潞州法律明白人",
        "上党七彩课堂",
    }
    assert round.status == Round.Status.PUBLISHED
    assert "入围名单已正式公布：3 个优秀项目。" in done.content.decode()
    assert "调整名单" not in done.content.decode()  # no overrides after finalization
    log = client.get(shortlist_page(contest, "events")).content.decode()
    for label in ("确定入围名单", "调入", "发布公示", "收到异议", "答复异议", "正式公布", "专家复核后调入"):
        assert label in log


# --- Query counts stay constant -------------------------------------------------------------------


def sized_results(n: int, organizer) -> Round:
    """A closed round with ``n`` entries and ``n`` judges, every judge on every entry, every
    sheet submitted, results computed and a shortlist of all ``n`` committed."""
    round = RoundFactory(judges_per_entry=n)
    for _ in range(n):
        eligible_entry(round.contest)
    judges = [JudgeFactory() for _ in range(n)]
    round_entries = sync(round)
    for round_entry in round_entries:
        for judge in judges:
            assign(round_entry, judge)
    set_status(round, SCORING)
    for i, assignment in enumerate(Assignment.objects.filter(round=round).order_by("pk")):
        score(assignment, 0.5 + 0.1 * (i % 5))
    set_status(round, CLOSED)
    compute_round_results(round=round, by=organizer)
    shortlist = shortlist_commit(round=round, by=organizer, size=n)
    objection_shortlist = notice_publish(shortlist=shortlist, by=organizer)
    for k in range(n):
        file_objection(objection_shortlist, None, address=f"192.0.2.{k}")
    return round


def count_queries(client, url, django_assert_num_queries, expected):
    client.get(url)  # warm up the per-process caches
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("n", [1, 3])
def test_ranking_page_query_count_is_constant(n, organizer, organizer_client, django_assert_num_queries):
    round = sized_results(n, organizer)

    # Session, user, its permissions (2), profile, groups, the round, computations, summary,
    # criteria, the entries short of sheets (list and count), the uncertainty figures, count and
    # page of the ranking, the calibration effect (2), the recommendation for a next round (its
    # simulations, any later round, the results, active judges, judges who saw each entry), and
    # the admin menu's locale and page and collection permissions.
    response = count_queries(organizer_client, page(round, "results"), django_assert_num_queries, 27)

    assert len(response.context["results"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_judge_stats_page_query_count_is_constant(n, organizer, organizer_client, django_assert_num_queries):
    round = sized_results(n, organizer)

    # Session, user, its permissions (2), profile, groups, the round, the computation, count
    # and page of judges, the judges far from the others, their sheet totals, the category
    # histograms, and the admin menu's.
    response = count_queries(organizer_client, page(round, "judge-stats"), django_assert_num_queries, 17)

    assert len(response.context["judges"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_shortlist_page_query_count_is_constant(n, organizer, organizer_client, django_assert_num_queries):
    round = sized_results(n, organizer)

    # Session, user, its permissions (2), profile, groups, the contest, its shortlist, its
    # items, categories, objection counts, the reserve, the award tiers, and the admin menu's.
    response = count_queries(organizer_client, shortlist_page(round.contest), django_assert_num_queries, 17)

    assert len(response.context["items"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_objections_and_events_pages_query_counts_are_constant(
    n, organizer, organizer_client, django_assert_num_queries
):
    round = sized_results(n, organizer)

    objections = count_queries(
        organizer_client, shortlist_page(round.contest, "objections"), django_assert_num_queries, 15
    )
    events = count_queries(
        organizer_client, shortlist_page(round.contest, "events"), django_assert_num_queries, 17
    )

    assert len(objections.context["objections"]) == n
    assert len(events.context["events"]) == n + 2


def test_every_results_page_runs_as_many_queries_for_three_as_for_one(organizer, organizer_client):
    def counts(round: Round) -> dict[str, int]:
        urls = {
            "advance": page(round, "advance") + "?mode=top&top=2",
            "preview": shortlist_page(round.contest, "preview") + f"?round={round.pk}&size=1",
            "index": SHORTLIST,
        }
        result = {}
        for name, url in urls.items():
            organizer_client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert organizer_client.get(url).status_code == 200
            result[name] = len(queries)
        return result

    assert counts(sized_results(1, organizer)) == counts(sized_results(3, organizer))


# --- English --------------------------------------------------------------------------------------

CJK = re.compile(r".{0,30}[\u4e00-\u9fff]+.{0,30}")


def test_results_pages_in_english_show_no_chinese_wording(settings, db):
    luzhou = factories.CountyFactory(name="Luzhou District", short_name="Luzhou")
    shangdang = factories.CountyFactory(name="Shangdang District", short_name="Shangdang")
    contest = factories.ContestFactory(title="2026 Volunteer Project Contest")
    round = RoundFactory(contest=contest, name="First review", judges_per_entry=2)
    for n, county in enumerate((luzhou, luzhou, shangdang), start=1):
        team = factories.TeamFactory(
            name=f"Red Vest Team {n}",
            contact_name="Zhang Jianguo",
            organization=factories.OrganizationFactory(name=f"Riverside Station {n}", county=county),
        )
        eligible_entry(
            contest, team=team, title=f"Rainbow Classroom {n}", category=factories.category("education")
        )
    judges = [JudgeFactory(name=f"Judge {n}") for n in range(1, 3)]
    JudgeFactory(name="Judge Spare")
    round_entries = sync(round)
    for round_entry in round_entries:
        for judge in judges:
            assign(round_entry, judge)
    set_status(round, SCORING)
    for i, assignment in enumerate(Assignment.objects.filter(round=round).order_by("pk")):
        score(assignment, [0.9, 0.88, 0.85, 0.8, 0.7, 0.72][i])
    organizer = factories.organizer()
    compute_round_results(round=round, by=organizer)
    client = client_for(organizer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {}

    def get(name, url, **params):
        pages[name] = client.get(url, params).content.decode()

    def post(name, url, data):
        pages[name] = client.post(url, data, follow=True).content.decode()

    get("results", page(round, "results"))
    post(
        "add judge",
        page(round, "results"),
        {"action": "add_judge", "round_entry": round_entries[0].pk},
    )
    post("compute", page(round, "results"), {"action": "compute"})
    get("judge stats", page(round, "judge-stats"))
    get("advance", page(round, "advance"), mode="top", top="2")
    get("advance category", page(round, "advance"), mode="category", quota_education="1")
    set_status(round, CLOSED)  # the shortlist is made once scoring is over
    get("index", SHORTLIST)
    get("no shortlist", shortlist_page(contest))
    for params in (
        {"size": "2", "county_cap": "1"},
        {"size": "9"},
        {"size": "2", "min_health": "2", "max_health": "1"},
        {"size": "2", "min_education": "3"},
        {"size": "3", "county_cap": "1"},
    ):
        get(f"preview {params}", shortlist_page(contest, "preview"), round=round.pk, **params)
    post("commit", shortlist_page(contest, "preview"), {"round": round.pk, "size": "2", "county_cap": "1"})
    post("no reason", shortlist_page(contest), {"action": "add", "add-code": round_entries[1].blind_code})
    post(
        "unknown code", shortlist_page(contest), {"action": "add", "add-code": "ZZZZZZ", "add-reason": "Why"}
    )
    post(
        "added",
        shortlist_page(contest),
        {"action": "add", "add-code": round_entries[1].blind_code, "add-reason": "Review"},
    )
    post("publish", shortlist_page(contest), {"action": "publish", "notice-days": "5"})
    shortlist = Shortlist.objects.get(contest=contest)
    objection_file(
        shortlist=shortlist,
        entry=None,
        name="Wang",
        phone="13900001111",
        reason="Please check.",
        address="192.0.2.9",
    )
    get("objections", shortlist_page(contest, "objections"))
    post("finalize refused", shortlist_page(contest), {"action": "finalize"})
    get("events", shortlist_page(contest, "events"))

    leftovers = {}
    for name, html in pages.items():
        found = sorted(set(CJK.findall(html)))
        if found:
            leftovers[name] = found
    assert not leftovers, leftovers
    assert 'value="compute"' in pages["results"]
    assert "Judge Judge Spare added to" in pages["add judge"]
    assert "because Luzhou District reached the per-county cap" in pages["commit"]
    assert "A reason is required for every change to the shortlist." in pages["no reason"]
    assert "The notice period has not ended yet." in pages["finalize refused"]
