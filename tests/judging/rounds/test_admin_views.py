"""The judging back office (评审管理 in the Wagtail admin): rounds with their rubric, judges,
conflicts, invitations, and the per-round pages (status, masked texts, assignment, manual
adjustment, progress and reminders, sheets, log). Organizers run them, supervisors only read
them (their POSTs are 404 and change nothing), anyone else cannot reach them."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from judging.assignment.services import assignment_run_execute
from judging.conflicts.services import conflict_set
from judging.judges.services import judge_accept_invitation, judge_invite
from judging.masking.services import MASKED_FIELDS
from judging.models import (
    DEFAULT_RUBRIC,
    Assignment,
    AssignmentRun,
    Conflict,
    Criterion,
    Judge,
    JudgeInvitation,
    JudgingEvent,
    Round,
    RoundEntry,
    ScoreSheet,
)
from judging.phases import CLOSED, SCORING, round_phase
from judging.roles import JUDGES
from judging.scoring.services import SheetInput, sheet_reopen, sheet_save
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


def page(round: Round, name: str = "") -> str:
    return f"{ROUNDS}{round.pk}/{name}/" if name else f"{ROUNDS}{round.pk}/"


def submit_sheet(assignment: Assignment, by=None) -> ScoreSheet:
    criteria = list(assignment.round.criteria.all())
    return sheet_save(
        assignment=assignment,
        data=SheetInput(points={c.pk: str(c.max_points) for c in criteria}),
        expected_version=None,
        submit=True,
        by=by or assignment.judge.user,
    )


def draft_sheet(assignment: Assignment) -> ScoreSheet:
    criterion = assignment.round.criteria.first()
    return sheet_save(
        assignment=assignment,
        data=SheetInput(points={criterion.pk: "1"}),
        expected_version=None,
        submit=False,
        by=assignment.judge.user,
    )


@pytest.fixture(scope="module")
def _world_for_the_module(pinned_clock_for_module, django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(_world_for_the_module, db):
    return for_one_test(_world_for_the_module)


def build_world():
    """A round open for scoring: two entries in two counties, three judges (one from each
    county, one from nowhere), every entry with one judge, and one submitted sheet."""
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    round = RoundFactory(judges_per_entry=1)
    entry_a = eligible_entry(round.contest, team__organization__county=luzhou, title="潞州银龄课堂")
    entry_b = eligible_entry(round.contest, team__organization__county=shangdang, title="上党七彩课堂")
    judge_a = JudgeFactory(name="潞州评委", county=luzhou)
    judge_b = JudgeFactory(name="上党评委", county=shangdang)
    judge_c = JudgeFactory(name="市直评委")
    re_a, re_b = sync(round)
    done = assign(re_a, judge_b)
    pending = assign(re_b, judge_a)
    set_status(round, SCORING)
    sheet = submit_sheet(done)
    return {
        "round": round,
        "luzhou": luzhou,
        "shangdang": shangdang,
        "entry_a": entry_a,
        "entry_b": entry_b,
        "re_a": re_a,
        "re_b": re_b,
        "judge_a": judge_a,
        "judge_b": judge_b,
        "judge_c": judge_c,
        "done": done,
        "pending": pending,
        "sheet": sheet,
    }


def page_urls(world) -> dict[str, str]:
    round = world["round"]
    return {
        "status": page(round, "status"),
        "status_confirm": page(round, "status/closed"),
        "masked": page(round, "masked"),
        "masked_edit": page(round, f"masked/{world['re_a'].blind_code}"),
        "assign": page(round, "assign"),
        "adjust": page(round, "adjust"),
        "adjust_entry": page(round, "adjust") + f"?code={world['re_a'].blind_code}",
        "progress": page(round, "progress"),
        "sheets": page(round, "sheets"),
        "sheet_reopen": page(round, f"sheets/{world['sheet'].pk}/reopen"),
        "events": page(round, "events"),
    }


PAGES = [
    "status",
    "status_confirm",
    "masked",
    "masked_edit",
    "assign",
    "adjust",
    "adjust_entry",
    "progress",
    "sheets",
    "sheet_reopen",
    "events",
]


# --- Who may reach the round pages ---------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "make_user", [factories.organizer, factories.supervisor], ids=["organizer", "supervisor"]
)
def test_round_page_renders_for_organizer_and_supervisor(make_user, name, world):
    response = client_for(make_user()).get(page_urls(world)[name])

    assert response.status_code == 200
    assert world["round"].contest.title in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_round_page_is_404_for_a_coordinator(name, world):
    coordinator = factories.coordinator_for(world["luzhou"])

    response = client_for(coordinator).get(page_urls(world)[name])

    assert response.status_code == 404
    assert "潞州银龄课堂" not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["team", "judge"])
def test_round_page_team_or_judge_is_sent_to_login_and_sees_nothing(who, name, world):
    """Users without back-office access never reach the view: Wagtail sends them to the log-in
    page before anything is looked up (as for every other back-office page)."""
    user = world["entry_a"].team.user if who == "team" else world["judge_a"].user

    response = client_for(user).get(page_urls(world)[name])

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "潞州银龄课堂" not in response.content.decode()


def test_round_page_of_a_missing_round_is_404(organizer_client):
    assert organizer_client.get(f"{ROUNDS}999999/progress/").status_code == 404


@pytest.mark.parametrize("url", [ROUNDS, "/admin/judging/judges/", "/admin/judging/conflicts/"])
def test_judging_listings_coordinator_cannot_open_them(url, world):
    coordinator = factories.coordinator_for(world["luzhou"])

    response = client_for(coordinator).get(url)

    assert response.status_code == 302
    assert "潞州评委" not in response.content.decode()


def sidebar_menu(client) -> str:
    """The admin sidebar's menu (Wagtail sends it as JSON for its script to draw)."""
    response = client.get("/admin/")
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', response.content.decode(), re.S)
    return json.dumps(json.loads(props.group(1)), ensure_ascii=False)


def test_admin_menu_has_the_judging_group_for_organizers_only(organizer_client, world):
    coordinator = factories.coordinator_for(world["luzhou"])

    organizer_menu = sidebar_menu(organizer_client)
    coordinator_menu = sidebar_menu(client_for(coordinator))

    for label in ("评审管理", "评审轮次", "评委", "回避关系", "邀请评委"):
        assert label in organizer_menu
    assert "评审管理" not in coordinator_menu


def test_round_listing_links_every_round_page(organizer_client, world):
    body = organizer_client.get(ROUNDS).content.decode()

    for name in ("status", "masked", "assign", "adjust", "progress", "sheets", "events"):
        assert page(world["round"], name) in body


# --- Supervisors read and change nothing -----------------------------------------------------------


def test_supervisor_posts_are_404_and_change_nothing(world, django_capture_on_commit_callbacks):
    round, re_a = world["round"], world["re_a"]
    client = client_for(factories.supervisor())
    state_before = (
        Assignment.objects.count(),
        JudgingEvent.objects.count(),
        AssignmentRun.objects.count(),
        Round.objects.get(pk=round.pk).status,
        ScoreSheet.objects.get(pk=world["sheet"].pk).status,
        RoundEntry.objects.get(pk=re_a.pk).title,
    )
    posts = [
        (page(round, "assign"), {}),
        (page(round, "adjust"), {"code": re_a.blind_code, "action": "add", "judge": world["judge_c"].pk}),
        (
            page(round, "adjust"),
            {"code": re_a.blind_code, "action": "remove", "assignment": world["done"].pk},
        ),
        (
            page(round, "adjust"),
            {
                "code": re_a.blind_code,
                "action": "swap",
                "assignment": world["done"].pk,
                "judge": world["judge_c"].pk,
            },
        ),
        (page(round, "progress"), {}),
        (page(round, "progress"), {"judge": world["judge_a"].pk}),
        (page(round, f"masked/{re_a.blind_code}"), {"title": "监委改的标题"}),
        (page(round, "status/closed"), {"note": ""}),
        (page(round, f"sheets/{world['sheet'].pk}/reopen"), {"reason": "监委不能重开"}),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post(url, data).status_code for url, data in posts]

    assert statuses == [404] * len(posts)
    assert (
        Assignment.objects.count(),
        JudgingEvent.objects.count(),
        AssignmentRun.objects.count(),
        Round.objects.get(pk=round.pk).status,
        ScoreSheet.objects.get(pk=world["sheet"].pk).status,
        RoundEntry.objects.get(pk=re_a.pk).title,
    ) == state_before
    assert mail.outbox == []


def test_supervisor_sees_no_action_buttons(world):
    client = client_for(factories.supervisor())

    progress = client.get(page(world["round"], "progress"))
    sheets = client.get(page(world["round"], "sheets"))
    status = client.get(page(world["round"], "status"))

    assert progress.context["can_remind"] is False
    assert "发送催评提醒" not in progress.content.decode()
    assert sheets.context["can_reopen"] is False
    assert "截止评分" not in status.content.decode()
    assert "只读" in status.content.decode()


def test_supervisor_cannot_create_a_round_or_judge(world):
    client = client_for(factories.supervisor())

    rounds = client.post(f"{ROUNDS}new/", round_form(world["round"].contest))
    judges = client.post("/admin/judging/judges/new/", {"user": factories.UserFactory().pk, "name": "不该有"})

    assert (rounds.status_code, judges.status_code) == (302, 302)
    assert not Round.objects.filter(name="复评").exists()
    assert not Judge.objects.filter(name="不该有").exists()


# --- Rounds and their rubric -----------------------------------------------------------------------


def round_form(contest, criteria=(), **overrides) -> dict:
    data = {
        "contest": contest.pk,
        "name": "复评",
        "order": "2",
        "scoring_opens": "2027-03-01 09:00",
        "scoring_closes": "2027-03-15 18:00",
        "judges_per_entry": "3",
        "entry_source": "advanced",
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for n, (name, max_points, weight) in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-name": name,
                f"criteria-{n}-guidance": "",
                f"criteria-{n}-max_points": str(max_points),
                f"criteria-{n}-weight": str(weight),
                f"criteria-{n}-id": "",
                f"criteria-{n}-DELETE": "",
            }
        )
    data.update(overrides)
    return data


def test_round_created_in_the_admin_without_criteria_gets_the_default_rubric(organizer_client):
    contest = factories.ContestFactory()

    response = organizer_client.post(f"{ROUNDS}new/", round_form(contest))

    round = Round.objects.get(contest=contest, name="复评")
    criteria = list(round.criteria.values_list("name", "max_points"))
    assert response.status_code == 302
    assert (round.judges_per_entry, round.entry_source, round.status) == (3, "advanced", "setup")
    assert criteria == [
        ("思想引领与目标明确", 15),
        ("需求精准", 15),
        ("项目设计与管理规范", 20),
        ("服务成效", 25),
        ("创新性", 10),
        ("可持续与示范带动", 15),
    ]


def test_round_created_with_its_own_criteria_keeps_them(organizer_client):
    contest = factories.ContestFactory()

    organizer_client.post(f"{ROUNDS}new/", round_form(contest, [("现场答辩", 60, 60), ("材料质量", 40, 40)]))

    round = Round.objects.get(contest=contest)
    assert list(round.criteria.values_list("name", "max_points", "weight")) == [
        ("现场答辩", 60, Decimal("60")),
        ("材料质量", 40, Decimal("40")),
    ]


def test_round_closing_before_opening_is_refused_in_chinese(organizer_client):
    contest = factories.ContestFactory()

    response = organizer_client.post(
        f"{ROUNDS}new/",
        round_form(contest, scoring_opens="2027-03-15 18:00", scoring_closes="2027-03-01 09:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["scoring_closes"] == ["评分截止时间必须晚于评分开始时间。"]
    assert "round_closes_after_opens" not in response.content.decode()
    assert not Round.objects.filter(contest=contest).exists()


def existing_criteria_form(round: Round, **changes) -> dict:
    """The edit form of a round as it stands, with ``changes`` applied to its first criterion."""
    criteria = list(round.criteria.all())
    data = round_form(
        round.contest,
        name=round.name,
        order=str(round.order),
        judges_per_entry=str(round.judges_per_entry),
        entry_source=round.entry_source,
        scoring_opens=timezone.localtime(round.scoring_opens).strftime("%Y-%m-%d %H:%M"),
        scoring_closes=timezone.localtime(round.scoring_closes).strftime("%Y-%m-%d %H:%M"),
    )
    data.update({"criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria))})
    for n, criterion in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-id": str(criterion.pk),
                f"criteria-{n}-name": criterion.name,
                f"criteria-{n}-guidance": criterion.guidance,
                f"criteria-{n}-max_points": str(criterion.max_points),
                f"criteria-{n}-weight": str(criterion.weight),
                f"criteria-{n}-DELETE": "",
                f"criteria-{n}-ORDER": str(n + 1),
            }
        )
    data.update({f"criteria-0-{key}": value for key, value in changes.items()})
    return data


def test_round_rubric_cannot_be_reshaped_after_scoring_started(organizer_client, world):
    round = world["round"]

    deleted = organizer_client.post(f"{ROUNDS}edit/{round.pk}/", existing_criteria_form(round, DELETE="on"))
    reweighted = organizer_client.post(
        f"{ROUNDS}edit/{round.pk}/", existing_criteria_form(round, weight="50")
    )

    assert deleted.status_code == reweighted.status_code == 200
    assert "评分开始后不能增删评分项，也不能修改满分或权重。" in deleted.content.decode()
    assert round.criteria.count() == 6
    assert round.criteria.first().weight == Decimal("15")


def test_round_rubric_guidance_can_be_reworded_after_scoring_started(organizer_client, world):
    round = world["round"]

    response = organizer_client.post(
        f"{ROUNDS}edit/{round.pk}/", existing_criteria_form(round, guidance="看思想引领是否突出。")
    )

    assert response.status_code == 302
    assert round.criteria.first().guidance == "看思想引领是否突出。"


def test_round_with_sheets_cannot_be_deleted(organizer_client, world):
    round = world["round"]

    response = organizer_client.post(f"{ROUNDS}delete/{round.pk}/", follow=True)

    assert Round.objects.filter(pk=round.pk).exists()
    assert "评分已经开始的轮次不能删除。" in response.content.decode()


def test_round_in_setup_can_be_deleted(organizer_client):
    round = RoundFactory()

    response = organizer_client.post(f"{ROUNDS}delete/{round.pk}/")

    assert response.status_code == 302
    assert not Round.objects.filter(pk=round.pk).exists()


# --- Status ------------------------------------------------------------------------------------------


def test_status_page_offers_only_the_allowed_transitions(organizer_client, world):
    body = organizer_client.get(page(world["round"], "status")).content.decode()

    assert "截止评分" in body
    assert page(world["round"], "status/closed") in body
    assert page(world["round"], "status/scoring") not in body
    assert "思想引领与目标明确" in body  # the rubric is listed


def test_status_confirm_then_close_records_an_event(organizer, world):
    client = client_for(organizer)
    round = world["round"]

    confirm = client.get(page(round, "status/closed"))
    response = client.post(page(round, "status/closed"), {"note": "按时截止"})

    round.refresh_from_db()
    event = JudgingEvent.objects.get(round=round, kind=JudgingEvent.Kind.ROUND_STATUS, note="按时截止")
    assert "还有 1 份评分表没有提交（其中 0 份已暂存），截止后这些评分不会计入。" in confirm.content.decode()
    assert response.status_code == 302
    assert round.status == Round.Status.CLOSED
    assert (event.actor, event.before, event.after) == (
        organizer,
        {"status": "scoring"},
        {"status": "closed"},
    )


def test_status_reopen_a_closed_round(organizer_client, world):
    round = set_status(world["round"], CLOSED)

    organizer_client.post(page(round, "status/scoring"), {"note": ""})

    round.refresh_from_db()
    assert round.status == Round.Status.SCORING


def test_status_not_offered_here_is_refused(organizer_client, world):
    round = set_status(world["round"], CLOSED)

    get = organizer_client.get(page(round, "status/published"))
    post = organizer_client.post(page(round, "status/published"), {"note": ""}, follow=True)

    round.refresh_from_db()
    assert get.status_code == 404
    assert "本轮当前的状态不能进行这项变更。" in post.content.decode()
    assert round.status == Round.Status.CLOSED


def test_status_start_scoring_warns_about_entries_without_judges(organizer_client):
    round = RoundFactory(judges_per_entry=2)
    eligible_entry(round.contest)
    sync(round)

    response = organizer_client.get(page(round, "status/scoring"))

    assert "本轮还没有分配评委，评委开始评分前请先运行“分配评委”。" in response.content.decode()


# --- Assignment --------------------------------------------------------------------------------------


@pytest.fixture
def setup_round(db):
    """A round in setup with four entries from two counties and three judges, not yet assigned."""
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    round = RoundFactory(judges_per_entry=2)
    for county in (luzhou, luzhou, shangdang, shangdang):
        eligible_entry(round.contest, team__organization__county=county)
    judges = [
        JudgeFactory(name="甲评委"),
        JudgeFactory(name="乙评委", county=luzhou),
        JudgeFactory(name="丙评委", county=shangdang),
    ]
    return round, judges


def test_assign_from_the_admin_creates_assignments_and_the_report_shows_loads(
    organizer_client, setup_round, django_capture_on_commit_callbacks
):
    round, judges = setup_round

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(page(round, "assign"))
    report_page = organizer_client.get(page(round, "assign"))

    run = AssignmentRun.objects.get(round=round)
    body = report_page.content.decode()
    loads = {row["judge"].name: row["load"] for row in report_page.context["loads"]}
    assert response.status_code == 302
    assert (run.status, run.progress) == (AssignmentRun.Status.DONE, 100)
    assert Assignment.objects.filter(round=round).count() == 4 * 2
    assert loads == {"甲评委": 4, "乙评委": 2, "丙评委": 2}
    assert sum(loads.values()) == 8
    for name in loads:
        assert name in body
    assert "已完成" in body
    assert "同县（市、区） 4 对" in body  # each county judge avoids the two entries of their county
    assert "已连通" in body
    assert "每个项目都分到了足够的评委。" in body
    assert [(row["entries"], row["slots"], row["filled"]) for row in report_page.context["coverage"]] == [
        (4, 8, 8)
    ]
    assert 'http-equiv="refresh"' not in body


def test_assign_report_says_why_an_entry_cannot_be_covered(
    organizer_client, django_capture_on_commit_callbacks
):
    luzhou = factories.CountyFactory(name="潞州区")
    round = RoundFactory(judges_per_entry=2)
    eligible_entry(round.contest, team__organization__county=luzhou)
    JudgeFactory(name="潞州评委", county=luzhou)
    JudgeFactory(name="市直评委")

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(page(round, "assign"))
    response = organizer_client.get(page(round, "assign"))

    code = RoundEntry.objects.get(round=round).blind_code
    body = response.content.decode()
    assert "1 个项目没有分到足够的评委。" in body
    assert code in body
    assert "只有 1 位评委与该项目无回避关系（需要 2 位）" in body


def test_assign_report_says_capacity_when_judges_are_full(
    organizer_client, django_capture_on_commit_callbacks
):
    round = RoundFactory(judges_per_entry=1)
    eligible_entry(round.contest)
    eligible_entry(round.contest)
    JudgeFactory(name="满额评委", capacity=1)

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(page(round, "assign"))
    response = organizer_client.get(page(round, "assign"))

    assert "评委的评审容量已满" in response.content.decode()


def test_assign_page_refreshes_itself_while_a_run_is_going(organizer_client, setup_round):
    round, _judges = setup_round
    AssignmentRun.objects.create(
        round=round, status=AssignmentRun.Status.RUNNING, progress=35, message="正在求解"
    )

    response = organizer_client.get(page(round, "assign"))
    again = organizer_client.post(page(round, "assign"), follow=True)

    body = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in body
    assert '<progress id="run-progress" max="100" value="35">' in body
    assert "正在求解" in body
    assert "<script" not in body.split('id="run-progress"')[1].split("</progress>")[0]
    assert "分配正在进行，请等它完成。" in again.content.decode()
    assert AssignmentRun.objects.filter(round=round).count() == 1


def test_assign_a_closed_round_is_refused(organizer_client, world):
    round = set_status(world["round"], CLOSED)

    response = organizer_client.post(page(round, "assign"), follow=True)

    assert "评分已截止的轮次不能再分配。" in response.content.decode()
    assert not AssignmentRun.objects.filter(round=round).exists()


# --- Manual adjustment -------------------------------------------------------------------------------


def adjust(client, world, **data):
    return client.post(
        page(world["round"], "adjust"), {"code": world["re_a"].blind_code, **data}, follow=True
    )


def test_adjust_page_finds_an_entry_by_blind_code_in_any_case(organizer_client, world):
    response = organizer_client.get(
        page(world["round"], "adjust"), {"code": world["re_a"].blind_code.lower()}
    )

    assert response.context["round_entry"] == world["re_a"]
    assert [a.judge.name for a in response.context["assignments"]] == ["上党评委"]
    assert "潞州银龄课堂" in response.content.decode()


def test_adjust_page_unknown_code_says_so(organizer_client, world):
    response = organizer_client.get(page(world["round"], "adjust"), {"code": "ZZZZZZ"})

    assert "没有找到匿名编号为“ZZZZZZ”的参评项目。" in response.content.decode()


def test_adjust_add_refuses_a_same_county_judge_in_chinese(organizer_client, world):
    response = adjust(organizer_client, world, action="add", judge=world["judge_a"].pk)

    assert "该评委与项目属于同一县（市、区），需要回避。" in response.content.decode()
    assert not Assignment.objects.filter(round_entry=world["re_a"], judge=world["judge_a"]).exists()


def test_adjust_page_marks_judges_who_must_step_aside(organizer_client, world):
    response = organizer_client.get(page(world["round"], "adjust"), {"code": world["re_a"].blind_code})

    flags = {option["judge"].name: option["flag"] for option in response.context["options"]}
    assert flags == {"潞州评委": "同县（市、区），需回避", "市直评委": ""}


def test_adjust_add_remove_and_swap_record_events(organizer, world):
    client = client_for(organizer)
    re_a = world["re_a"]

    added = adjust(client, world, action="add", judge=world["judge_c"].pk)
    added_assignment = Assignment.objects.get(round_entry=re_a, judge=world["judge_c"])
    removed = adjust(client, world, action="remove", assignment=added_assignment.pk)

    assert f"已为 {re_a.blind_code} 增加评委 市直评委。" in added.content.decode()
    assert f"已撤销 市直评委 对 {re_a.blind_code} 的评审任务。" in removed.content.decode()
    assert not Assignment.objects.filter(round_entry=re_a, judge=world["judge_c"]).exists()
    kinds = list(
        JudgingEvent.objects.filter(round_entry=re_a, judge=world["judge_c"], actor=organizer).values_list(
            "kind", flat=True
        )
    )
    assert kinds == [JudgingEvent.Kind.ASSIGNED, JudgingEvent.Kind.UNASSIGNED]


def test_adjust_swap_gives_the_entry_to_another_judge(organizer_client, world):
    re_b = world["re_b"]

    response = organizer_client.post(
        page(world["round"], "adjust"),
        {
            "code": re_b.blind_code,
            "action": "swap",
            "assignment": world["pending"].pk,
            "judge": world["judge_c"].pk,
        },
        follow=True,
    )

    assert f"{re_b.blind_code} 的评委已由 潞州评委 换为 市直评委。" in response.content.decode()
    assert list(Assignment.objects.filter(round_entry=re_b).values_list("judge__name", flat=True)) == [
        "市直评委"
    ]


def test_adjust_cannot_remove_a_submitted_sheet(organizer_client, world):
    response = adjust(organizer_client, world, action="remove", assignment=world["done"].pk)

    assert "该评委已提交评分表，不能撤销分配。" in response.content.decode()
    assert Assignment.objects.filter(pk=world["done"].pk).exists()


def test_adjust_in_a_closed_round_is_refused(organizer_client, world):
    set_status(world["round"], CLOSED)

    response = adjust(organizer_client, world, action="remove", assignment=world["pending"].pk)

    assert "评分已截止的轮次不能再分配。" in response.content.decode()
    assert Assignment.objects.filter(pk=world["pending"].pk).exists()


def test_adjust_page_lists_entries_short_of_judges(organizer_client, world):
    world["round"].judges_per_entry = 2
    world["round"].save()

    response = organizer_client.get(page(world["round"], "adjust"))

    assert {item.blind_code for item in response.context["short"]} == {
        world["re_a"].blind_code,
        world["re_b"].blind_code,
    }


# --- Progress and reminders --------------------------------------------------------------------------


def test_progress_page_counts_per_judge_category_and_entry(organizer_client, world):
    draft_sheet(assign(world["re_b"], world["judge_c"]))

    response = organizer_client.get(page(world["round"], "progress"))

    judges = {
        judge.name: (judge.assigned, judge.submitted, judge.drafts, judge.not_started)
        for judge in response.context["judges"]
    }
    entries = {item.blind_code: (item.assigned, item.submitted) for item in response.context["entries"]}
    assert judges == {"上党评委": (1, 1, 0, 0), "潞州评委": (1, 0, 0, 1), "市直评委": (1, 0, 1, 0)}
    assert entries == {world["re_a"].blind_code: (1, 1), world["re_b"].blind_code: (2, 0)}
    assert [(row["assigned"], row["submitted"], row["drafts"]) for row in response.context["categories"]] == [
        (3, 1, 1)
    ]
    assert response.context["totals"]["percent"] == 33
    assert response.context["overdue"] == []


def test_progress_page_marks_overdue_judges_after_the_deadline(organizer_client, world):
    Round.objects.filter(pk=world["round"].pk).update(
        scoring_opens=timezone.now() - timedelta(days=10), scoring_closes=timezone.now() - timedelta(hours=1)
    )

    response = organizer_client.get(page(world["round"], "progress"))

    assert [judge.name for judge in response.context["overdue"]] == ["潞州评委"]
    assert "逾期" in response.content.decode()


def test_progress_page_filters_incomplete_entries(organizer_client, world):
    response = organizer_client.get(page(world["round"], "progress"), {"entries": "incomplete"})

    assert [item.blind_code for item in response.context["entries"]] == [world["re_b"].blind_code]


def test_reminders_go_only_to_judges_with_unfinished_sheets(organizer, world):
    assign(world["re_b"], world["judge_c"])
    mail.outbox.clear()

    response = client_for(organizer).post(page(world["round"], "progress"), follow=True)

    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world["judge_a"].user.email, world["judge_c"].user.email])
    assert world["judge_b"].user.email not in recipients
    assert "已向 2 位评委发送催评提醒。" in response.content.decode()
    assert JudgingEvent.objects.filter(kind=JudgingEvent.Kind.REMINDER, actor=organizer).count() == 2
    assert "您还有 1 个项目尚未提交评分" in mail.outbox[0].body


def test_reminder_to_one_judge(organizer_client, world):
    assign(world["re_b"], world["judge_c"])
    mail.outbox.clear()

    organizer_client.post(page(world["round"], "progress"), {"judge": world["judge_c"].pk})

    assert [message.to for message in mail.outbox] == [[world["judge_c"].user.email]]


def test_reminder_to_a_judge_who_is_done_sends_nothing(organizer_client, world):
    mail.outbox.clear()

    response = organizer_client.post(
        page(world["round"], "progress"), {"judge": world["judge_b"].pk}, follow=True
    )

    assert mail.outbox == []
    assert "没有需要提醒的评委：评分表都已提交。" in response.content.decode()


def test_reminders_only_while_scoring(organizer_client, world):
    set_status(world["round"], CLOSED)
    mail.outbox.clear()

    response = organizer_client.post(page(world["round"], "progress"), follow=True)

    assert mail.outbox == []
    assert "只有评分中的轮次才能发送催评提醒。" in response.content.decode()


# --- Masked texts ------------------------------------------------------------------------------------


@pytest.fixture
def masked_round(db):
    """A round in setup whose entry names its team and a person in its text."""
    round = RoundFactory()
    team = factories.TeamFactory(name="红马甲志愿服务队", contact_name="张建国")
    eligible_entry(round.contest, team=team, summary="红马甲志愿服务队由张建国发起，老张常说要坚持。")
    (round_entry,) = sync(round)
    return round, round_entry


def masked_data(round_entry, **changes) -> dict:
    data = {name: getattr(round_entry, name) for name in MASKED_FIELDS}
    data.update(changes)
    return data


def test_masked_page_shows_the_original_next_to_the_masked_text(organizer_client, masked_round):
    round, round_entry = masked_round

    response = organizer_client.get(page(round, f"masked/{round_entry.blind_code}"))

    body = response.content.decode()
    assert "红马甲志愿服务队由张建国发起，老张常说要坚持。" in body  # the original
    assert "【已隐去】由【已隐去】发起，老张常说要坚持。" in body  # what judges read
    assert "张建国" in response.context["terms"]
    assert response.context["leftovers"] == []
    assert response.context["editable"] is True


def test_masked_edit_in_setup_saves_and_records_before_and_after(organizer, masked_round):
    round, round_entry = masked_round
    fixed = "【已隐去】由【已隐去】发起，【已隐去】常说要坚持。"

    response = client_for(organizer).post(
        page(round, f"masked/{round_entry.blind_code}"), masked_data(round_entry, summary=fixed), follow=True
    )

    round_entry.refresh_from_db()
    event = JudgingEvent.objects.get(kind=JudgingEvent.Kind.MASK_EDITED)
    assert f"已保存 {round_entry.blind_code} 的匿名文本。" in response.content.decode()
    assert (round_entry.summary, round_entry.masked_edited_by) == (fixed, organizer)
    assert event.before == {"summary": "【已隐去】由【已隐去】发起，老张常说要坚持。"}
    assert event.after == {"summary": fixed}


def test_masked_page_warns_when_a_name_is_still_in_the_masked_text(organizer_client, masked_round):
    round, round_entry = masked_round
    organizer_client.post(
        page(round, f"masked/{round_entry.blind_code}"), masked_data(round_entry, title="张建国的课堂")
    )

    response = organizer_client.get(page(round, f"masked/{round_entry.blind_code}"))

    assert response.context["leftovers"] == ["张建国"]
    assert "匿名文本中仍出现" in response.content.decode()


def test_the_organizers_checklist_is_the_same_terms_the_masking_uses(organizer_client, masked_round):
    """One rule for both: the team's log-in name is hidden from judges and listed here."""
    from judging.masking.services import entry_masking_terms

    round, round_entry = masked_round
    username = round_entry.entry.team.user.get_username()

    response = organizer_client.get(page(round, f"masked/{round_entry.blind_code}"))

    assert response.context["terms"] == entry_masking_terms(round_entry.entry)
    assert username in response.context["terms"]


def test_masked_edit_after_scoring_started_is_read_only(organizer_client, world):
    round_entry = world["re_a"]
    title = round_entry.title

    page_response = organizer_client.get(page(world["round"], f"masked/{round_entry.blind_code}"))
    post = organizer_client.post(
        page(world["round"], f"masked/{round_entry.blind_code}"),
        masked_data(round_entry, title="改过的标题"),
        follow=True,
    )

    round_entry.refresh_from_db()
    assert page_response.context["editable"] is False
    assert "评分已经开始，匿名文本不能再修改" in page_response.content.decode()
    assert "评分开始后不能再修改匿名文本。" in post.content.decode()
    assert round_entry.title == title


def test_masked_list_searches_by_code(organizer_client, world):
    response = organizer_client.get(page(world["round"], "masked"), {"q": world["re_b"].blind_code})

    assert [item.blind_code for item in response.context["entries"]] == [world["re_b"].blind_code]


def test_masked_edit_of_an_unknown_code_is_404(organizer_client, world):
    assert organizer_client.get(page(world["round"], "masked/ZZZZZZ")).status_code == 404


# --- Sheets and reopening ----------------------------------------------------------------------------


def test_sheets_page_lists_judge_code_status_and_total(organizer_client, world):
    draft_sheet(world["pending"])

    response = organizer_client.get(page(world["round"], "sheets"))
    submitted = organizer_client.get(page(world["round"], "sheets"), {"status": "submitted"})

    rows = [
        (s.assignment.judge.name, s.assignment.round_entry.blind_code, s.status, s.total)
        for s in response.context["sheets"]
    ]
    assert sorted(rows) == sorted(
        [
            ("上党评委", world["re_a"].blind_code, "submitted", Decimal("100.000")),
            ("潞州评委", world["re_b"].blind_code, "draft", None),
        ]
    )
    assert [s.pk for s in submitted.context["sheets"]] == [world["sheet"].pk]
    assert page(world["round"], f"sheets/{world['sheet'].pk}/reopen") in response.content.decode()


def test_reopen_requires_a_reason(organizer_client, world):
    sheet = world["sheet"]

    response = organizer_client.post(page(world["round"], f"sheets/{sheet.pk}/reopen"), {"reason": "  "})

    sheet.refresh_from_db()
    assert response.status_code == 200
    assert "请填写重开评分表的原因。" in response.content.decode()
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    assert not JudgingEvent.objects.filter(kind=JudgingEvent.Kind.SHEET_REOPENED).exists()


def test_reopen_with_a_reason_records_before_and_after(organizer, world):
    sheet = world["sheet"]
    set_status(world["round"], CLOSED)

    response = client_for(organizer).post(
        page(world["round"], f"sheets/{sheet.pk}/reopen"), {"reason": "评委误填了服务成效的分数"}
    )

    sheet.refresh_from_db()
    event = JudgingEvent.objects.get(kind=JudgingEvent.Kind.SHEET_REOPENED)
    assert response.status_code == 302
    assert (sheet.status, sheet.reopened) == (ScoreSheet.Status.DRAFT, True)
    assert (event.actor, event.judge, event.round_entry) == (organizer, world["judge_b"], world["re_a"])
    assert (event.before, event.after, event.note) == (
        {"status": "submitted"},
        {"status": "draft"},
        "评委误填了服务成效的分数",
    )
    assert round_phase(sheet.assignment.round).may_save_sheet(reopened=sheet.reopened)


def test_reopen_a_draft_is_refused(organizer_client, world):
    sheet = draft_sheet(world["pending"])

    response = organizer_client.post(page(world["round"], f"sheets/{sheet.pk}/reopen"), {"reason": "试试"})

    assert "这份评分表尚未提交，无需重开。" in response.content.decode()


def test_reopen_a_sheet_of_another_round_is_404(organizer_client, world):
    other = RoundFactory()

    response = organizer_client.get(page(other, f"sheets/{world['sheet'].pk}/reopen"))

    assert response.status_code == 404


# --- The log -----------------------------------------------------------------------------------------


def test_events_page_shows_who_when_what_and_before_after(organizer, world, time_machine):
    # 16:30 UTC is half past midnight the next day in Beijing.
    time_machine.move_to(datetime(2026, 12, 1, 16, 30, 5, tzinfo=UTC), tick=False)
    organizer.last_name, organizer.first_name = "王", "组长"
    organizer.save()
    sheet_reopen(sheet=world["sheet"], reason="复核", by=organizer)

    response = client_for(organizer).get(page(world["round"], "events"), {"kind": "sheet_reopened"})

    body = response.content.decode()
    (event,) = response.context["events"]
    assert event.kind == JudgingEvent.Kind.SHEET_REOPENED
    blind_code = world["sheet"].assignment.round_entry.blind_code
    assert event.sentence == f"王组长 重开评分表：评委 上党评委，匿名编号 {blind_code}"
    assert event.changes == ["状态：已提交 → 已暂存"]
    assert "2026-12-02 00:30:05" in body
    assert "复核" in body
    assert "{&quot;" not in body and organizer.username not in body


def test_events_page_names_the_judge_and_the_criteria_instead_of_ids(organizer, world):
    response = client_for(organizer).get(page(world["round"], "events"), {"kind": "sheet_submitted"})

    (event,) = response.context["events"]
    assert event.sentence.startswith("上党评委 提交评分：评委 上党评委，匿名编号 ")
    (scores,) = [line for line in event.changes if line.startswith("各项得分：")]
    assert scores.startswith("各项得分：— → ")
    names = list(world["round"].criteria.values_list("name", flat=True))
    assert [part.rsplit(" ", 1)[0] for part in scores.removeprefix("各项得分：— → ").split("；")] == names
    assert "状态：已暂存 → 已提交" in event.changes


# --- Judges, conflicts and invitations ----------------------------------------------------------------


def test_judge_created_in_the_admin_joins_the_judges_group_and_follows_the_organization(organizer_client):
    user = factories.UserFactory(username="lijiaoshou")
    organization = factories.OrganizationFactory(county=factories.CountyFactory(name="黎城县"))
    other_county = factories.CountyFactory(name="壶关县")
    categories = [factories.category("legal"), factories.category("health")]

    response = organizer_client.post(
        "/admin/judging/judges/new/",
        {
            "user": user.pk,
            "name": "李教授",
            "title": "高校教授",
            "expertise": [c.pk for c in categories],
            "organization": organization.pk,
            "county": other_county.pk,
            "capacity": "40",
            "active": "on",
        },
    )

    judge = Judge.objects.get(user=user)
    assert response.status_code == 302
    assert (judge.name, judge.title, judge.capacity, judge.active) == ("李教授", "高校教授", 40, True)
    assert judge.county == organization.county
    assert set(judge.expertise.all()) == set(categories)
    assert list(user.groups.values_list("name", flat=True)) == [JUDGES]


def test_judge_form_offers_no_team_account(organizer_client, world):
    response = organizer_client.get("/admin/judging/judges/new/")

    choices = set(response.context["form"].fields["user"].queryset)
    assert world["entry_a"].team.user not in choices
    assert world["judge_a"].user not in choices


def test_judge_edit_keeps_county_following_the_organization(organizer_client, world):
    judge = world["judge_c"]
    organization = factories.OrganizationFactory(county=world["luzhou"])

    response = organizer_client.post(
        f"/admin/judging/judges/edit/{judge.pk}/",
        {"name": judge.name, "title": "", "organization": organization.pk, "county": "", "active": "on"},
    )

    judge.refresh_from_db()
    assert response.status_code == 302
    assert (judge.organization, judge.county) == (organization, world["luzhou"])
    assert judge.user == world["judge_c"].user


def test_judge_with_assignments_cannot_be_deleted(organizer_client, world):
    response = organizer_client.post(f"/admin/judging/judges/delete/{world['judge_a'].pk}/", follow=True)

    assert Judge.objects.filter(pk=world["judge_a"].pk).exists()
    assert "这位评委已有评审任务，不能删除；如不再参加评审，请取消“在任”。" in response.content.decode()


def test_conflict_set_in_the_admin_drops_the_pair_and_assigns_a_replacement(
    organizer, world, django_capture_on_commit_callbacks
):
    re_b = world["re_b"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organizer).post(
            "/admin/judging/conflicts/new/",
            {"judge": world["judge_a"].pk, "entry": world["entry_b"].pk, "reason": "曾指导过该项目"},
        )

    conflict = Conflict.objects.get(judge=world["judge_a"], entry=world["entry_b"])
    judges = set(Assignment.objects.filter(round_entry=re_b).values_list("judge__name", flat=True))
    assert response.status_code == 302
    assert (conflict.source, conflict.reason, conflict.created_by) == (
        Conflict.Source.ORGANIZER,
        "曾指导过该项目",
        organizer,
    )
    assert "潞州评委" not in judges
    assert len(judges) == 1
    assert JudgingEvent.objects.filter(kind=JudgingEvent.Kind.CONFLICT, round_entry=re_b).exists()


def test_conflict_listing_shows_judge_entry_and_source(organizer_client, world):
    conflict_set(judge=world["judge_c"], entry=world["entry_a"], reason="亲属关系", by=None)

    body = organizer_client.get("/admin/judging/conflicts/").content.decode()

    assert "市直评委" in body
    assert "潞州银龄课堂" in body
    assert "组委会设定" in body


def test_invitation_from_the_admin_sends_the_mail_and_lists_it(organizer, django_capture_on_commit_callbacks):
    client = client_for(organizer)
    county = factories.CountyFactory(name="武乡县")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/judging/invitations/new/",
            {
                "name": "王老师",
                "email": "wang@example.org",
                "expertise": [factories.category("education").pk],
                "county": county.pk,
                "capacity": "30",
            },
        )
    listing = client.get("/admin/judging/invitations/")

    invitation = JudgeInvitation.objects.get(email="wang@example.org")
    assert response.status_code == 302
    assert (invitation.name, invitation.county, invitation.capacity, invitation.created_by) == (
        "王老师",
        county,
        30,
        organizer,
    )
    assert [message.to for message in mail.outbox] == [["wang@example.org"]]
    assert "/judging/invitation/" in mail.outbox[0].body
    assert "王老师" in listing.content.decode()
    assert "待接受" in listing.content.decode()


def test_invitation_status_column_says_accepted_and_expired(organizer_client):
    invitation, token = judge_invite(email="a@example.org", name="甲", by=None)
    judge_accept_invitation(token=token, username="jia", password="Long-Secret-2026")
    expired, _token = judge_invite(email="b@example.org", name="乙", by=None)
    JudgeInvitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))

    body = organizer_client.get("/admin/judging/invitations/").content.decode()

    assert "已接受" in body
    assert "已过期" in body


# --- Query counts stay constant ----------------------------------------------------------------------


def sized_round(n: int) -> Round:
    """A scoring round with ``n`` judges and ``n`` entries, every judge on every entry, half of
    the sheets submitted, assigned by a run whose report the assignment page reads. Every entry
    has one sheet of the two it needs, so the status page lists them all as short of sheets."""
    round = RoundFactory(judges_per_entry=n, min_sheets=2)
    for _ in range(n):
        eligible_entry(round.contest)
    judges = [JudgeFactory() for _ in range(n)]
    run = AssignmentRun.objects.create(round=round)
    assignment_run_execute(run=run)
    set_status(round, SCORING)
    for assignment in Assignment.objects.filter(round=round, judge=judges[0]):
        submit_sheet(assignment)
    return round


@pytest.mark.parametrize("n", [1, 3])
def test_progress_page_query_count_is_constant(n, organizer_client, django_assert_num_queries):
    round = sized_round(n)
    organizer_client.get(page(round, "progress"))  # warm up the per-process caches

    # Session, user, its permissions (2), profile, groups, the round, judges, categories, entry
    # count and page, and the admin menu's locale, page and collection permissions and the
    # page explorer's start page.
    with django_assert_num_queries(15):
        response = organizer_client.get(page(round, "progress"))

    assert len(response.context["judges"]) == n
    assert len(response.context["entries"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_assign_report_page_query_count_is_constant(n, organizer_client, django_assert_num_queries):
    round = sized_round(n)
    organizer_client.get(page(round, "assign"))

    # Session, user, its permissions (2), profile, groups, the round, the latest run, coverage,
    # the judges of the report, and the admin menu's locale, page and collection permissions
    # and the page explorer's start page.
    with django_assert_num_queries(14):
        response = organizer_client.get(page(round, "assign"))

    assert len(response.context["loads"]) == n
    assert response.context["coverage"][0]["filled"] == n * n


def test_criterion_sort_order_puts_new_criteria_last(organizer_client):
    round = RoundFactory()
    data = existing_criteria_form(round)
    data.update(
        {
            "criteria-TOTAL_FORMS": "7",
            "criteria-6-id": "",
            "criteria-6-name": "宣传推广",
            "criteria-6-guidance": "",
            "criteria-6-max_points": "5",
            "criteria-6-weight": "5",
            "criteria-6-DELETE": "",
        }
    )

    response = organizer_client.post(f"{ROUNDS}edit/{round.pk}/", data)

    assert response.status_code == 302
    assert list(Criterion.objects.filter(round=round).values_list("name", flat=True))[-1] == "宣传推广"


def test_every_round_page_runs_as_many_queries_for_three_as_for_one(organizer_client):
    """No page runs a query per judge, entry, sheet or event."""

    def counts(round: Round) -> dict[str, int]:
        code = RoundEntry.objects.filter(round=round).values_list("blind_code", flat=True).first()
        sheet = ScoreSheet.objects.filter(assignment__round=round).first()
        urls = {
            name: page(round, name) for name in ("status", "masked", "assign", "progress", "sheets", "events")
        }
        urls.update(
            {
                "adjust": page(round, "adjust") + f"?code={code}",
                "masked_edit": page(round, f"masked/{code}"),
                "reopen": page(round, f"sheets/{sheet.pk}/reopen"),
                "closing": page(round, "status/closed"),
            }
        )
        result = {}
        for name, url in urls.items():
            organizer_client.get(url)  # warm up
            with CaptureQueriesContext(connection) as queries:
                assert organizer_client.get(url).status_code == 200
            result[name] = len(queries)
        return result

    assert counts(sized_round(1)) == counts(sized_round(3))


# --- English -----------------------------------------------------------------------------------------

CJK = re.compile(r".{0,30}[\u4e00-\u9fff]+.{0,30}")


@pytest.fixture
def english_world(db):
    """The ``world`` round with all its data in ASCII, so Chinese on a page is wording."""
    luzhou = factories.CountyFactory(name="Luzhou District", short_name="Luzhou")
    shangdang = factories.CountyFactory(name="Shangdang District", short_name="Shangdang")
    contest = factories.ContestFactory(title="2026 Volunteer Project Contest")
    round = RoundFactory(contest=contest, name="First review", judges_per_entry=2)
    entries = []
    for n, county in enumerate((luzhou, shangdang), start=1):
        team = factories.TeamFactory(
            name=f"Red Vest Team {n}",
            contact_name="Zhang Jianguo",
            organization=factories.OrganizationFactory(name=f"Riverside Station {n}", county=county),
        )
        entries.append(
            eligible_entry(
                contest,
                team=team,
                title=f"Rainbow Classroom {n}",
                summary="After-school tutoring.",
                need="Children need help.",
                approach="Volunteers tutor.",
                innovation="Students and retired teachers.",
                outcomes="300 sessions.",
            )
        )
    judge_a = JudgeFactory(name="Judge Luzhou", county=luzhou)
    judge_b = JudgeFactory(name="Judge Shangdang", county=shangdang)
    judge_c = JudgeFactory(name="Judge City")
    re_a, re_b = sync(round)
    done = assign(re_a, judge_b)
    assign(re_b, judge_a)
    set_status(round, SCORING)
    sheet = submit_sheet(done)
    conflict_set(judge=judge_c, entry=entries[0], reason="Knows the team", by=None)
    judge_invite(email="new@example.org", name="New Judge", by=None)
    AssignmentRun.objects.create(
        round=round,
        status=AssignmentRun.Status.DONE,
        progress=100,
        message="Done",
        report={
            "k": 2,
            "entries": 2,
            "judges": 3,
            "assignments": 2,
            "added": 2,
            "removed": 0,
            "loads": {str(judge_a.pk): 1, str(judge_b.pk): 1, str(judge_c.pk): 0},
            "band": {str(j.pk): [1, 1] for j in (judge_a, judge_b, judge_c)},
            "fair_share": {str(j.pk): 0.67 for j in (judge_a, judge_b, judge_c)},
            "uncovered": [
                {"round_entry": re_a.pk, "missing": 1, "compatible": 1, "reason": "conflicts"},
                {"round_entry": re_b.pk, "missing": 1, "compatible": 2, "reason": "capacity"},
            ],
            "connected": False,
            "components": 2,
            "conflicts_avoided": {"same_county": 2, "same_organization": 0, "declared": 1},
            "expert_share": 0.5,
        },
    )
    Round.objects.filter(pk=round.pk).update(
        scoring_opens=timezone.now() - timedelta(days=10), scoring_closes=timezone.now() - timedelta(hours=1)
    )
    return {
        "round": round,
        "re_a": re_a,
        "re_b": re_b,
        "sheet": sheet,
        "judge_a": judge_a,
        "judge_c": judge_c,
    }


def test_back_office_pages_in_english_show_no_chinese_wording(settings, english_world):
    round = english_world["round"]
    client = client_for(factories.organizer())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    urls = list(page_urls(english_world).values()) + [
        ROUNDS,
        f"{ROUNDS}new/",
        f"{ROUNDS}edit/{round.pk}/",
        "/admin/judging/judges/",
        "/admin/judging/judges/new/",
        f"/admin/judging/judges/edit/{english_world['judge_a'].pk}/",
        "/admin/judging/conflicts/",
        "/admin/judging/conflicts/new/",
        "/admin/judging/invitations/",
        "/admin/judging/invitations/new/",
        page(round, "progress") + "?entries=incomplete",
    ]
    pages = {url: client.get(url).content.decode() for url in urls}
    pages["refused add"] = client.post(
        page(round, "adjust"),
        {"code": english_world["re_a"].blind_code, "action": "add", "judge": english_world["judge_a"].pk},
        follow=True,
    ).content.decode()
    pages["reopen without reason"] = client.post(
        page(round, f"sheets/{english_world['sheet'].pk}/reopen"), {"reason": ""}
    ).content.decode()
    data = [text for name, guidance, _points in DEFAULT_RUBRIC for text in (name, guidance)]

    leftovers = {}
    for url, html in pages.items():
        for text in data:
            html = html.replace(text, "")
        found = sorted(set(CJK.findall(html.replace("【已隐去】", ""))))
        if found:
            leftovers[url] = found
    assert not leftovers, leftovers
    assert "Only 1 judges have no conflict with this entry (2 needed)" in pages[page(round, "assign")]
    assert "This judge is from the same county as the entry (conflict of interest)." in pages["refused add"]
    assert "Please give a reason for reopening the score sheet." in pages["reopen without reason"]
    assert "Coverage by category" in pages[page(round, "assign")]
