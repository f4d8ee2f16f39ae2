"""The contest's lifecycle (competition.phases), asked everywhere and enforced by the services:
what a contest may do in each phase, at fixed instants on both sides of a deadline, and every
refused transition with its message, through the service and through the page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from competition import errors, phases, services
from competition.models import Contest, Entry, TeamEvent
from competition.phases import (
    DRAFT,
    FINAL,
    JUDGING,
    NOTICE,
    PHASES,
    RESULTS,
    REVIEW,
    SUBMISSION,
    contest_phase,
    may_enter,
)
from tests import factories
from tests.competition.test_services import a_photo, entry_data

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
# The deadline is midnight in Beijing, which is 16:00 UTC the day before.
DEADLINE = datetime(2027, 1, 1, 0, 0, tzinfo=SHANGHAI)


@pytest.fixture
def year_contest(db):
    return factories.ContestFactory(
        submission_opens=datetime(2026, 10, 1, tzinfo=SHANGHAI), submission_closes=DEADLINE
    )


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC), DRAFT),  # 23:59:59 on 30 September in Beijing
        (datetime(2026, 9, 30, 16, 0, 0, tzinfo=UTC), SUBMISSION),  # midnight, 1 October in Beijing
        (datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), SUBMISSION),
        (datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC), REVIEW),
        (datetime(2026, 12, 31, 16, 0, 1, tzinfo=UTC), REVIEW),
    ],
)
def test_contest_phase_follows_the_window_in_beijing_time(year_contest, instant, expected):
    assert contest_phase(year_contest, now=instant) is expected


def test_a_save_one_second_after_a_beijing_midnight_deadline_is_refused(team, year_contest):
    before = datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)
    entry = services.entry_create(
        team=team,
        contest=year_contest,
        data=entry_data(),
        files=services.EntryFileChanges(new_photos=[a_photo()]),
        creation_token=None,
        submit=False,
        by=team.user,
        now=before,
    )

    with pytest.raises(errors.DeadlinePassed) as refused:
        services.entry_update(
            entry=entry,
            data={"title": "迟到一秒的修改"},
            files=services.EntryFileChanges(),
            expected_version=entry.version,
            submit=False,
            by=team.user,
            now=datetime(2026, 12, 31, 16, 0, 1, tzinfo=UTC),
        )

    # The deadline is given as it reads in Beijing, whatever the server's own clock says.
    assert (
        refused.value.message
        == "申报已于 2027-01-01 00:00（北京时间）截止，本次修改未能保存；已保存的内容不受影响。"
    )
    entry.refresh_from_db()
    assert entry.title == entry_data()["title"]


# --- Recorded stages ------------------------------------------------------------------------------


def test_recorded_stage_wins_over_the_window(contest):
    """A contest in judging stays closed to teams even if someone reopens the window's dates."""
    Contest.objects.filter(pk=contest.pk).update(stage=Contest.Stage.JUDGING)
    contest.refresh_from_db()

    assert contest_phase(contest) is JUDGING
    assert contest.submission_opens < timezone.now() < contest.submission_closes


@pytest.mark.parametrize("here", PHASES, ids=lambda p: p.code)
@pytest.mark.parametrize("there", [JUDGING, RESULTS, NOTICE, FINAL], ids=lambda p: p.code)
def test_stages_move_forward_only_but_results_and_judging_alternate(here, there):
    allowed = {
        (REVIEW, JUDGING),
        (JUDGING, JUDGING),
        (RESULTS, JUDGING),  # a round reopened, or a second round
        (JUDGING, RESULTS),
        (RESULTS, RESULTS),
        (RESULTS, NOTICE),
        (NOTICE, FINAL),
    }

    assert may_enter(here, there) == ((here, there) in allowed)


def test_contest_enter_stage_refuses_a_jump_with_a_chinese_message(contest):
    factories.close_submission(contest)

    with pytest.raises(errors.ContestError) as refused:
        services.contest_enter_stage(contest=contest, phase=NOTICE)

    assert refused.value.message == "大赛当前处于“资格审查与推荐”阶段，不能进入“入围公示”阶段。"
    contest.refresh_from_db()
    assert contest.stage == Contest.Stage.OPEN


# --- Entries freeze ---------------------------------------------------------------------------


def submitted_entry(contest, team=None):
    entry = factories.EntryFactory(contest=contest, submitted=True, **({"team": team} if team else {}))
    factories.add_photo(entry)
    return entry


@pytest.mark.parametrize("stage", [Contest.Stage.JUDGING, Contest.Stage.NOTICE, Contest.Stage.FINAL])
def test_entries_are_frozen_once_judging_began_even_inside_the_window(team, contest, stage):
    entry = submitted_entry(contest, team)
    Contest.objects.filter(pk=contest.pk).update(stage=stage)
    entry.refresh_from_db()

    with pytest.raises(errors.DeadlinePassed) as edit:
        services.entry_update(
            entry=entry,
            data={"title": "评审开始后的修改"},
            files=services.EntryFileChanges(),
            expected_version=entry.version,
            submit=False,
            by=team.user,
        )
    with pytest.raises(errors.DeadlinePassed):
        services.entry_withdraw(entry=entry, by=team.user)

    label = contest_phase(entry.contest).label
    assert edit.value.message == f"本届大赛已进入“{label}”阶段，参赛项目不能再修改；已保存的内容不受影响。"
    entry.refresh_from_db()
    assert (entry.title, entry.status) != ("评审开始后的修改", Entry.Status.WITHDRAWN)
    assert entry.status == Entry.Status.SUBMITTED


def test_a_featured_project_is_read_only_to_its_team_for_good(team, contest, team_client):
    entry = submitted_entry(contest, team)
    Contest.objects.filter(pk=contest.pk).update(stage=Contest.Stage.FINAL)

    detail = team_client.get(reverse("competition:entry_detail", args=[entry.public_id]))
    edit_page = team_client.get(reverse("competition:entry_edit", args=[entry.public_id]))
    withdraw = team_client.post(reverse("competition:entry_withdraw", args=[entry.public_id]), follow=True)

    assert "申报已截止，项目不能再修改。" in detail.text
    assert reverse("competition:entry_edit", args=[entry.public_id]) not in detail.text
    assert edit_page.status_code == 302
    assert "本届大赛已进入“优秀项目已公布”阶段，参赛项目不能再修改。" in withdraw.text
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_a_frozen_entry_keeps_what_the_team_typed_and_says_why(team, contest, team_client):
    entry = submitted_entry(contest, team)
    form = team_client.get(reverse("competition:entry_edit", args=[entry.public_id])).context["form"]
    Contest.objects.filter(pk=contest.pk).update(stage=Contest.Stage.JUDGING)
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        category=entry.category_id,
        started_on="2019-03-01",
        consent_publish="on",
        consent_guardians="on",
        owner=form["owner"].value(),
        title="截止后才写好的新标题",
    )

    response = team_client.post(reverse("competition:entry_edit", args=[entry.public_id]), data)

    assert response.status_code == 200
    assert "本届大赛已进入“评审中”阶段，参赛项目不能再修改；已保存的内容不受影响。" in response.text
    assert response.context["form"]["title"].value() == "截止后才写好的新标题"
    entry.refresh_from_db()
    assert entry.title != "截止后才写好的新标题"


# --- Eligibility and recommendation ----------------------------------------------------------------


def test_eligibility_and_recommendation_follow_the_phase(contest, organizer):
    entry = submitted_entry(contest)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    Contest.objects.filter(pk=contest.pk).update(stage=Contest.Stage.JUDGING)

    with pytest.raises(errors.EntryNotEditable) as recommend:
        services.entry_set_recommended(entry=entry, recommended=True, by=organizer)
    Contest.objects.filter(pk=contest.pk).update(stage=Contest.Stage.RESULTS)
    with pytest.raises(errors.EntryNotEditable) as review:
        services.entry_decide_eligibility(entry=entry, eligible=False, reason="迟到的异议", by=organizer)

    assert recommend.value.message == "本届大赛处于“评审中”阶段，推荐已经结束。"
    assert review.value.message == "本届大赛处于“确定入围名单”阶段，不能再进行资格审查。"
    entry.refresh_from_db()
    assert (entry.eligibility, entry.recommended) == (Entry.Eligibility.ELIGIBLE, False)


def test_the_review_page_asks_the_phase_and_shows_no_form_after_review(contest, organizer_client, organizer):
    entry = submitted_entry(contest)
    Contest.objects.filter(pk=contest.pk).update(stage=Contest.Stage.RESULTS)
    url = reverse("competition_entries:review", args=[entry.public_id])

    page = organizer_client.get(url)
    posted = organizer_client.post(url, {"decision": "ineligible", "reason": "材料不实"})

    assert "本届大赛处于“确定入围名单”阶段，不能再进行资格审查。" in page.text
    assert 'name="decision"' not in page.text
    assert posted.status_code == 200
    assert "本届大赛处于“确定入围名单”阶段，不能再进行资格审查。" in posted.text
    entry.refresh_from_db()
    assert entry.eligibility == Entry.Eligibility.PENDING


def test_a_change_after_an_eligibility_decision_is_reviewed_again(team, contest, organizer):
    entry = submitted_entry(contest, team)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    services.entry_set_recommended(entry=entry, recommended=True, by=organizer)
    entry.refresh_from_db()

    services.entry_update(
        entry=entry,
        data={"outcomes": "服务儿童五百余人次。"},
        files=services.EntryFileChanges(),
        expected_version=entry.version,
        submit=False,
        by=team.user,
    )

    entry.refresh_from_db()
    assert (entry.eligibility, entry.recommended, entry.eligibility_decided_by) == (
        Entry.Eligibility.PENDING,
        False,
        None,
    )
    saved = entry.events.filter(kind="saved").last()
    assert saved.changes["eligibility"] == ["eligible", "pending"]
    assert saved.changes["recommended"] == [True, False]


# --- A team's identity -------------------------------------------------------------------------------


def test_a_team_changes_its_name_freely_until_eligibility_is_decided(team, contest, organizer):
    other = factories.OrganizationFactory()
    submitted_entry(contest, team)
    assert phases.team_can_change_identity(team)

    services.team_update(
        team=team,
        name="新名字服务队",
        organization=other,
        contact_name="王芳",
        contact_phone="13900001111",
        members=[],
    )

    team.refresh_from_db()
    assert (team.name, team.organization) == ("新名字服务队", other)


def test_a_team_cannot_change_name_or_organization_once_eligibility_is_decided(team, contest, organizer):
    entry = submitted_entry(contest, team)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    name, organization = team.name, team.organization

    with pytest.raises(errors.TeamError) as renamed:
        services.team_update(
            team=team,
            name="换个名字服务队",
            organization=organization,
            contact_name="王芳",
            contact_phone="13900001111",
            members=[],
        )
    with pytest.raises(errors.TeamError):
        services.team_update(
            team=team,
            name=name,
            organization=factories.OrganizationFactory(),
            contact_name="王芳",
            contact_phone="13900001111",
            members=[],
        )
    # Contacts and members stay the team's to keep up to date.
    services.team_update(
        team=team,
        name=name,
        organization=organization,
        contact_name="王芳",
        contact_phone="13900001111",
        members=[],
    )

    assert renamed.value.message.startswith("资格审查已经开始，团队名称和所属文明实践阵地不能再由团队修改")
    team.refresh_from_db()
    assert (team.name, team.organization, team.contact_name) == (name, organization, "王芳")


def test_the_team_page_shows_name_and_organization_fixed_and_keeps_the_rest(
    team, contest, organizer, team_client
):
    entry = submitted_entry(contest, team)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    name = team.name

    response = team_client.post(
        reverse("competition:team"),
        {
            "name": "偷偷改名服务队",
            "organization": factories.OrganizationFactory().pk,
            "contact_name": "李明",
            "contact_phone": "13900002222",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.contact_name) == (name, "李明")
    page = team_client.get(reverse("competition:team"))
    assert page.context["form"].fields["name"].disabled
    assert "资格审查已经开始，不能再修改；如确需更正，请联系组委会。" in page.text


def test_an_organizer_corrects_a_team_with_a_reason_and_it_is_logged(team, contest, organizer):
    entry = submitted_entry(contest, team)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    old_county = team.organization.county.name
    station = factories.OrganizationFactory(
        name="上党区新时代文明实践中心", county=factories.CountyFactory(name="上党区")
    )

    with pytest.raises(errors.TeamError) as no_reason:
        services.team_change_identity(
            team=team, name=team.name, organization=station, reason=" ", by=organizer
        )
    services.team_change_identity(
        team=team, name="更正后的服务队", organization=station, reason="申报时选错了阵地", by=organizer
    )

    assert no_reason.value.message == "修改团队名称或所属阵地时，请填写修改原因（记入团队记录）。"
    event = TeamEvent.objects.get(team=team)
    assert (event.actor, event.note, event.before["county"], event.after) == (
        organizer,
        "申报时选错了阵地",
        old_county,
        {"name": "更正后的服务队", "organization": "上党区新时代文明实践中心", "county": "上党区"},
    )


def test_the_admin_team_editor_asks_for_a_reason_once_review_began(
    team, contest, organizer, organizer_client
):
    entry = submitted_entry(contest, team)
    services.entry_decide_eligibility(entry=entry, eligible=True, reason="", by=organizer)
    url = reverse("team:edit", args=[team.pk])
    data = {
        "name": "后台更正的服务队",
        "organization": team.organization_id,
        "contact_name": team.contact_name,
        "contact_phone": team.contact_phone,
    }

    refused = organizer_client.post(url, {**data, "reason": ""})
    saved = organizer_client.post(url, {**data, "reason": "队名有错别字"})

    assert refused.status_code == 200
    assert "资格审查已经开始，修改团队名称或所属阵地请写明原因。" in refused.text
    assert saved.status_code == 302
    team.refresh_from_db()
    assert team.name == "后台更正的服务队"
    assert TeamEvent.objects.get(team=team).note == "队名有错别字"
