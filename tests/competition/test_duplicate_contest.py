"""A new year from the last: ``contest_duplicate`` and ``manage.py duplicate_contest`` copy
settings, categories, quotas, rounds, rubrics and pages, move dates by whole years, and copy
nothing of the entries."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cms.models import ContestPage
from competition import errors, services
from competition.models import Contest, CountyQuota, Entry
from competition.years import shift_years
from judging.models import Criterion, Round, RoundEntry
from judging.rounds.services import round_add_default_rubric
from tests import factories
from tests.cms import factories as cms_factories

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


@pytest.fixture
def leap_year_contest(db):
    """2024's contest (a leap year: submission opens on 29 February), with a round, its rubric,
    a county quota, entries with a round entry, and its page."""
    contest = factories.ContestFactory(
        title="2024年长治市新时代文明实践志愿服务项目大赛",
        year=2024,
        slug="contest-2024",
        description="2024年度",
        submission_opens=beijing(2024, 2, 29, 9, 0),
        submission_closes=beijing(2024, 5, 31, 18, 0),
        recommendation_closes=beijing(2024, 6, 15, 18, 0),
        max_entries_per_team=2,
        recommendation_quota=4,
        categories=[factories.category("education"), factories.category("health")],
    )
    CountyQuota.objects.create(contest=contest, county=factories.CountyFactory(name="潞州区"), quota=7)
    first = Round.objects.create(
        contest=contest,
        name="初评",
        order=1,
        scoring_opens=beijing(2024, 6, 20, 9, 0),
        scoring_closes=beijing(2024, 7, 1, 18, 0),
        judges_per_entry=3,
        method=Round.Method.TRIMMED,
        stage_weight=Decimal("0.3"),
        entry_source=Round.Source.RECOMMENDED,
    )
    round_add_default_rubric(round=first)
    entry = factories.EntryFactory(contest=contest, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE)
    RoundEntry.objects.create(round=first, entry=entry, blind_code="ABC234")
    cms_factories.contest_page(
        contest, title="2024年大赛", slug="dasai-2024", expire_at=beijing(2025, 2, 1, 0, 0)
    )
    return contest


def test_shift_years_keeps_the_wall_clock_and_turns_feb_29_into_feb_28():
    assert shift_years(beijing(2024, 2, 29, 9, 0), 1) == beijing(2025, 2, 28, 9, 0)
    assert shift_years(beijing(2024, 2, 29, 9, 0), 4) == beijing(2028, 2, 29, 9, 0)
    assert shift_years(dt.date(2023, 3, 1), 1) == dt.date(2024, 3, 1)
    # Midnight on New Year's Day in Beijing is the previous day in UTC: still New Year's Day.
    assert shift_years(dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC), 1) == beijing(2027, 1, 1, 0, 0)
    assert shift_years(None, 1) is None


def test_duplicate_copies_settings_categories_and_quotas_with_dates_shifted(leap_year_contest):
    copy = services.contest_duplicate(source=leap_year_contest, year=2027)

    assert (copy.title, copy.year, copy.slug, copy.description) == (
        "2027年长治市新时代文明实践志愿服务项目大赛",
        2027,
        "contest-2027",
        "2027年度",
    )
    assert copy.submission_opens == beijing(2027, 2, 28, 9, 0)
    assert copy.submission_closes == beijing(2027, 5, 31, 18, 0)
    assert copy.recommendation_closes == beijing(2027, 6, 15, 18, 0)
    assert (copy.max_entries_per_team, copy.recommendation_quota) == (2, 4)
    assert sorted(copy.categories.values_list("code", flat=True)) == ["education", "health"]
    assert list(copy.county_quotas.values_list("county__name", "quota")) == [("潞州区", 7)]
    assert copy.stage == Contest.Stage.OPEN
    assert copy.phase.code == "draft"


def test_duplicate_copies_rounds_and_rubrics_but_nothing_of_the_entries(leap_year_contest):
    old_round = Round.objects.get(contest=leap_year_contest)

    copy = services.contest_duplicate(source=leap_year_contest, year=2027)

    new_round = Round.objects.get(contest=copy)
    assert (new_round.name, new_round.order, new_round.method, new_round.judges_per_entry) == (
        "初评",
        1,
        Round.Method.TRIMMED,
        3,
    )
    assert (new_round.stage_weight, new_round.entry_source) == (Decimal("0.3"), Round.Source.RECOMMENDED)
    assert new_round.status == Round.Status.SETUP
    assert new_round.code != old_round.code
    assert (new_round.scoring_opens, new_round.scoring_closes) == (
        beijing(2027, 6, 20, 9, 0),
        beijing(2027, 7, 1, 18, 0),
    )
    rubric = list(Criterion.objects.filter(round=new_round).values_list("name", "max_points", "weight"))
    assert rubric == list(
        Criterion.objects.filter(round=old_round).values_list("name", "max_points", "weight")
    )
    assert len(rubric) == 6
    assert not Entry.objects.filter(contest=copy).exists()
    assert not RoundEntry.objects.filter(round=new_round).exists()
    assert RoundEntry.objects.filter(round=old_round).count() == 1


def test_duplicate_copies_the_contest_page_as_a_draft(leap_year_contest):
    copy = services.contest_duplicate(source=leap_year_contest, year=2027)

    page = ContestPage.objects.get(contest=copy)
    old = ContestPage.objects.get(contest=leap_year_contest)
    assert (page.title, page.slug, page.live) == ("2027年大赛", "dasai-2027", False)
    assert page.get_parent().pk == old.get_parent().pk
    assert (page.intro, page.rules) == (old.intro, old.rules)
    assert page.expire_at == beijing(2028, 2, 1, 0, 0)
    assert old.live


def test_duplicate_for_a_year_that_has_a_contest_is_refused(leap_year_contest):
    services.contest_duplicate(source=leap_year_contest, year=2027)

    with pytest.raises(errors.ContestError) as refused:
        services.contest_duplicate(source=leap_year_contest, year=2027)

    assert refused.value.message == "2027 年度的大赛已经存在，不能再复制一届；请在“大赛设置”中修改它。"
    assert Contest.objects.filter(year=2027).count() == 1
    assert Round.objects.filter(contest__year=2027).count() == 1


def test_duplicate_into_a_year_whose_window_has_begun_is_refused(leap_year_contest):
    with pytest.raises(errors.ContestError, match="开始申报时间（2026-02-28 09:00）已经过去"):
        services.contest_duplicate(source=leap_year_contest, year=2026)

    assert not Contest.objects.filter(year=2026).exists()
    assert not ContestPage.objects.filter(slug="dasai-2026").exists()


def test_duplicate_contest_command(leap_year_contest, capsys):
    call_command("duplicate_contest", "--from", "2024", "--year", "2027")

    assert "已复制为“2027年长治市新时代文明实践志愿服务项目大赛”" in capsys.readouterr().out
    with pytest.raises(CommandError, match="2027 年度的大赛已经存在"):
        call_command("duplicate_contest", "--from", "2024", "--year", "2027")
    with pytest.raises(CommandError, match="没有 2019 年度的大赛。"):
        call_command("duplicate_contest", "--from", "2019", "--year", "2028")
    assert Contest.objects.filter(year=2027).count() == 1


# --- The back-office button ------------------------------------------------------------------------


def test_button_confirm_page_then_copy_for_organizers(leap_year_contest, organizer_client):
    url = f"/admin/contest/duplicate/{leap_year_contest.pk}/"

    listing = organizer_client.get("/admin/contest/").content.decode()
    confirm = organizer_client.get(url)
    made = organizer_client.post(url, {"year": "2027"})

    copy = Contest.objects.get(year=2027)
    assert url in listing
    assert confirm.status_code == 200
    assert 'value="2025"' in confirm.content.decode()
    assert "不会复制：参赛项目、团队的申报内容、评委分配、评分和结果。" in confirm.content.decode()
    assert made["Location"] == f"/admin/contest/edit/{copy.pk}/"


def test_button_refuses_an_existing_year_and_keeps_what_was_typed(leap_year_contest, organizer_client):
    url = f"/admin/contest/duplicate/{leap_year_contest.pk}/"
    services.contest_duplicate(source=leap_year_contest, year=2027)

    again = organizer_client.post(url, {"year": "2027"}).content.decode()
    earlier = organizer_client.post(url, {"year": "2023"}).content.decode()

    assert "2027 年度的大赛已经存在，不能再复制一届" in again
    assert 'value="2027"' in again
    assert "新一届的年度必须晚于 2024 年。" in earlier
    assert Contest.objects.filter(year=2027).count() == 1


@pytest.mark.parametrize(
    "make_user",
    [factories.supervisor, lambda: factories.coordinator_for(factories.CountyFactory())],
    ids=["supervisor", "coordinator"],
)
def test_button_is_for_organizers_only(leap_year_contest, make_user):
    client = Client()
    client.force_login(make_user())

    response = client.post(f"/admin/contest/duplicate/{leap_year_contest.pk}/", {"year": "2027"})

    assert response.status_code == 404
    assert not Contest.objects.filter(year=2027).exists()
