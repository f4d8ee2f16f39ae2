"""Stations a team names, and their confirmation or merging by the county's coordinator."""

import pytest
from django.core import mail

from competition import services
from competition.errors import StationError, TeamError
from competition.models import Entry, Organization, Team, TeamEvent, Town
from competition.stations.search import search_stations
from competition.stations.services import StationProposal, station_confirm, station_merge, station_propose
from tests import factories


def proposal(county, name="南村新时代文明实践站", town_name="西井镇"):
    return StationProposal(county=county, town_name=town_name, name=name)


def test_a_proposed_station_is_unconfirmed_in_its_town_and_not_offered(places):
    user = factories.UserFactory()

    station = station_propose(proposal=proposal(places["luzhou"], name=" 南村  新时代文明实践站 "), by=user)

    assert (station.name, station.county, station.town, station.confirmed) == (
        "南村 新时代文明实践站",
        places["luzhou"],
        places["xijing"],
        False,
    )
    assert (station.proposed_by, station.proposed_town) == (user, "")
    assert station.proposed_at is not None
    assert search_stations(query="南村") == ([], False)


def test_a_town_not_in_the_list_is_kept_as_typed(places):
    station = station_propose(proposal=proposal(places["luzhou"], town_name="黄碾镇"))

    assert (station.town, station.proposed_town) == (None, "黄碾镇")
    assert not Town.objects.filter(name="黄碾镇").exists()


def test_a_name_already_in_the_list_is_refused(places):
    with pytest.raises(StationError, match="已在阵地列表中，请在上方搜索并直接选择它"):
        station_propose(proposal=proposal(places["luzhou"], name="东村新时代文明实践站"))


def test_a_name_taken_in_another_county_asks_for_a_distinguishing_name(places):
    with pytest.raises(
        StationError, match="上党区已有名为“河村新时代文明实践站”的阵地。请在名称前加上乡镇或村"
    ):
        station_propose(proposal=proposal(places["luzhou"], name="河村新时代文明实践站"))


def test_the_same_station_named_twice_is_one_proposal(places):
    first = station_propose(proposal=proposal(places["luzhou"]))
    second = station_propose(proposal=proposal(places["luzhou"]))

    assert first.pk == second.pk
    with pytest.raises(StationError, match="其他县（市、区）提出了同名阵地"):
        station_propose(proposal=proposal(places["shangdang"]))


def test_signup_with_a_proposal_attaches_the_team_to_it(places):
    team = services.team_signup(
        username="nancun",
        password="Volunteer-2021-sx",
        email="nancun@example.org",
        phone="13912345678",
        team_name="南村红马甲",
        organization=proposal(places["luzhou"]),
        contact_name="王小红",
    )

    assert team.organization.name == "南村新时代文明实践站"
    assert (team.organization.confirmed, team.organization.proposed_by) == (False, team.user)


def test_signup_of_a_known_address_proposes_nothing(places):
    factories.UserFactory(email="known@example.org")

    assert (
        services.team_signup(
            username="nancun",
            password="Volunteer-2021-sx",
            email="known@example.org",
            phone="13912345678",
            team_name="南村红马甲",
            organization=proposal(places["luzhou"]),
            contact_name="王小红",
        )
        is None
    )
    assert not Organization.objects.filter(name="南村新时代文明实践站").exists()
    assert len(mail.outbox) == 1


def test_a_refused_proposal_creates_no_account(places):
    with pytest.raises(StationError):
        services.team_signup(
            username="dongcun",
            password="Volunteer-2021-sx",
            email="dongcun@example.org",
            phone="13912345678",
            team_name="东村红马甲",
            organization=proposal(places["luzhou"], name="东村新时代文明实践站"),
            contact_name="王小红",
        )
    assert not Team.objects.exists()


def test_a_team_leaving_the_station_it_named_removes_the_proposal(places):
    team = factories.TeamFactory(organization=places["proposed"])

    services.team_update(
        team=team,
        name=team.name,
        organization=places["dongcun"],
        contact_name="王",
        contact_phone="13912345678",
        members=[],
    )

    assert not Organization.objects.filter(pk=places["proposed"].pk).exists()


def test_a_team_whose_identity_is_fixed_cannot_propose(places):
    team = factories.TeamFactory(organization=places["dongcun"])
    factories.EntryFactory(team=team, submitted=True, eligibility=Entry.Eligibility.ELIGIBLE)

    with pytest.raises(TeamError):
        services.team_update(
            team=team,
            name=team.name,
            organization=proposal(places["luzhou"]),
            contact_name="王",
            contact_phone="13912345678",
            members=[],
        )
    assert not Organization.objects.filter(name="南村新时代文明实践站").exists()


def test_the_county_coordinator_confirms_with_a_corrected_name_and_a_new_town(places):
    coordinator = factories.coordinator_for(places["luzhou"])

    station = station_confirm(
        organization=places["proposed"],
        name="北村社区新时代文明实践站",
        new_town_name="黄碾镇",
        by=coordinator,
    )

    station.refresh_from_db()
    assert (station.name, station.town.name, station.town.county, station.confirmed) == (
        "北村社区新时代文明实践站",
        "黄碾镇",
        places["luzhou"],
        True,
    )
    assert [hit.name for hit in search_stations(query="hnz")[0]] == ["北村社区新时代文明实践站"]


def test_an_organizer_confirms_in_any_county(places):
    station = station_confirm(
        organization=places["proposed"],
        name="北村新时代文明实践站",
        town=places["xijing"],
        by=factories.organizer(),
    )

    assert station.confirmed is True


def test_a_coordinator_of_another_county_cannot_confirm_or_merge(places):
    other = factories.coordinator_for(places["shangdang"])

    with pytest.raises(StationError, match="只有该县（市、区）的县区管理员或组委会可以确认"):
        station_confirm(organization=places["proposed"], name="北村", by=other)
    with pytest.raises(StationError):
        station_merge(organization=places["proposed"], into=places["dongcun"], by=other)
    places["proposed"].refresh_from_db()
    assert places["proposed"].confirmed is False


def test_a_town_of_another_county_and_a_taken_name_are_refused(places):
    coordinator = factories.coordinator_for(places["luzhou"])

    with pytest.raises(StationError, match="不在该阵地所属的县"):
        station_confirm(organization=places["proposed"], name="北村", town=places["donghe"], by=coordinator)
    with pytest.raises(StationError, match="并入已有阵地"):
        station_confirm(organization=places["proposed"], name="东村新时代文明实践站", by=coordinator)


def test_confirming_twice_is_refused(places):
    coordinator = factories.coordinator_for(places["luzhou"])
    station_confirm(organization=places["proposed"], name="北村新时代文明实践站", by=coordinator)

    with pytest.raises(StationError, match="已经确认过了"):
        station_confirm(organization=places["proposed"], name="北村新时代文明实践站", by=coordinator)


def test_merging_moves_the_teams_with_a_record_and_removes_the_proposal(places):
    coordinator = factories.coordinator_for(places["luzhou"])
    teams = factories.TeamFactory.create_batch(2, organization=places["proposed"])

    station_merge(organization=places["proposed"], into=places["dongcun"], by=coordinator)

    assert {team.organization_id for team in Team.objects.filter(pk__in=[t.pk for t in teams])} == {
        places["dongcun"].pk
    }
    assert not Organization.objects.filter(pk=places["proposed"].pk).exists()
    event = TeamEvent.objects.get(team=teams[0])
    assert (event.actor, event.before["organization"], event.after["organization"]) == (
        coordinator,
        "北村新时代文明实践站",
        "东村新时代文明实践站",
    )


def test_a_coordinator_merges_only_into_their_own_county(places):
    coordinator = factories.coordinator_for(places["luzhou"])

    with pytest.raises(StationError, match="只能并入本县"):
        station_merge(organization=places["proposed"], into=places["hecun"], by=coordinator)


def test_the_county_coordinators_are_asked_to_confirm_and_no_one_else(
    places, django_capture_on_commit_callbacks
):
    from messaging.models import Message

    coordinator = factories.coordinator_for(places["luzhou"])
    elsewhere = factories.coordinator_for(factories.CountyFactory(name="上党区"))

    with django_capture_on_commit_callbacks(execute=True):
        station = station_propose(proposal=proposal(places["luzhou"], town_name="黄碾镇"))
        station_propose(
            proposal=proposal(places["luzhou"], town_name="黄碾镇")
        )  # a second team: no second message

    inbox = Message.objects.filter(kind="competition.station_proposed", channel="inbox")
    assert [m.user for m in inbox] == [coordinator]
    (message,) = inbox
    assert "黄碾镇南村新时代文明实践站" in message.body
    assert message.link.endswith(f"/admin/competition/proposed-stations/{station.pk}/")
    assert not Message.objects.filter(user=elsewhere).exists()
