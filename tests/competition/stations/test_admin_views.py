"""The back office's proposed stations: who sees them (in the menu, counted on the home page),
confirming with corrections, merging, and 404 for a coordinator of another county."""

import json

import pytest
from django.test import Client

from competition.models import Organization, Team, Town
from tests import factories

INDEX = "/admin/competition/proposed-stations/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_menu(label: str, page) -> bool:
    """The sidebar menu is JSON in the page, with its Chinese escaped."""
    return json.dumps(label)[1:-1] in page.text


def station_url(station) -> str:
    return f"{INDEX}{station.pk}/"


@pytest.fixture
def proposals(places):
    """The fixture's proposal in 潞州区 with a team, and one in 上党区."""
    factories.TeamFactory(name="北村红马甲", organization=places["proposed"])
    other = factories.OrganizationFactory(
        name="南河村新时代文明实践站", county=places["shangdang"], confirmed=False, proposed_town="南河镇"
    )
    return {**places, "other": other}


def test_a_coordinator_sees_their_county_s_proposals_counted_in_the_menu_and_home(proposals):
    client = client_for(factories.coordinator_for(proposals["luzhou"]))

    listing = client.get(INDEX)
    home = client.get("/admin/")

    assert listing.status_code == 200
    assert "北村新时代文明实践站" in listing.text and "南河村" not in listing.text
    assert in_menu("待确认阵地", home)
    assert "1 个阵地待确认" in home.text


def test_an_organizer_sees_every_county_s_proposals(proposals):
    client = client_for(factories.organizer())
    listing = client.get(INDEX)

    assert "北村新时代文明实践站" in listing.text and "南河村新时代文明实践站" in listing.text
    assert "2 个阵地待确认" in client.get("/admin/").text


def test_others_see_no_menu_and_get_404(proposals):
    supervisor = client_for(factories.supervisor())

    assert supervisor.get(INDEX).status_code == 404
    assert not in_menu("待确认阵地", supervisor.get("/admin/"))


def test_a_coordinator_of_another_county_gets_404(proposals):
    client = client_for(factories.coordinator_for(proposals["shangdang"]))

    assert client.get(station_url(proposals["proposed"])).status_code == 404
    assert client.post(station_url(proposals["proposed"]), {"name": "x", "confirm": "1"}).status_code == 404
    proposals["proposed"].refresh_from_db()
    assert (proposals["proposed"].name, proposals["proposed"].confirmed) == ("北村新时代文明实践站", False)


def test_confirming_with_a_corrected_name_and_a_new_town(proposals):
    client = client_for(factories.coordinator_for(proposals["shangdang"]))

    page = client.get(station_url(proposals["other"]))
    response = client.post(
        station_url(proposals["other"]),
        {"name": "南河村社区新时代文明实践站", "town": "", "new_town_name": "南河镇", "confirm": "1"},
    )

    assert 'value="南河镇"' in page.text  # the town the team typed, ready to create
    assert (response.status_code, response["Location"]) == (302, INDEX)
    station = Organization.objects.get(pk=proposals["other"].pk)
    assert (station.name, station.town.name, station.confirmed) == (
        "南河村社区新时代文明实践站",
        "南河镇",
        True,
    )
    assert Town.objects.filter(county=proposals["shangdang"], name="南河镇").count() == 1
    assert "0 个阵地待确认" in client.get("/admin/").text


def test_a_refused_confirmation_says_why_and_keeps_the_input(proposals):
    client = client_for(factories.coordinator_for(proposals["luzhou"]))

    response = client.post(
        station_url(proposals["proposed"]), {"name": "东村新时代文明实践站", "town": "", "confirm": "1"}
    )

    assert response.status_code == 200
    assert "已有名为“东村新时代文明实践站”的阵地。如果是同一个阵地，请选择“并入已有阵地”。" in response.text
    assert 'value="东村新时代文明实践站"' in response.text


def test_merging_moves_the_team(proposals):
    client = client_for(factories.coordinator_for(proposals["luzhou"]))

    response = client.post(
        station_url(proposals["proposed"]), {"into": proposals["dongcun"].pk, "merge": "1"}
    )

    assert response.status_code == 302
    assert Team.objects.get(name="北村红马甲").organization == proposals["dongcun"]
    assert not Organization.objects.filter(pk=proposals["proposed"].pk).exists()
    assert "0 个阵地待确认" in client.get("/admin/").text


def test_merge_targets_are_the_county_s_confirmed_stations(proposals):
    client = client_for(factories.coordinator_for(proposals["luzhou"]))

    page = client.get(station_url(proposals["proposed"]))
    refused = client.post(station_url(proposals["proposed"]), {"into": proposals["hecun"].pk, "merge": "1"})

    assert "东村新时代文明实践站" in page.text and "河村新时代文明实践站" not in page.text
    assert refused.status_code == 200
    assert Team.objects.get(name="北村红马甲").organization == proposals["proposed"]


@pytest.mark.parametrize("size", [1, 30])
def test_the_list_s_queries_do_not_grow_with_proposals(places, size, django_assert_max_num_queries):
    user = factories.organizer()
    for i in range(size):
        factories.TeamFactory(
            organization=factories.OrganizationFactory(
                name=f"新{i}村站", county=places["luzhou"], confirmed=False
            )
        )
    client = client_for(user)
    client.get(INDEX)

    with django_assert_max_num_queries(12):
        response = client.get(INDEX)

    assert response.text.count(f'href="{INDEX}') >= size


def test_the_organizer_s_team_edit_uses_the_picker_and_saves_a_pick(places):
    team = factories.TeamFactory(organization=places["proposed"], contact_phone="13912345678")
    client = client_for(factories.organizer())
    url = f"/admin/team/edit/{team.pk}/"

    page = client.get(url)
    response = client.post(
        url,
        {
            "name": team.name,
            "organization": places["xicun"].pk,
            "reason": "",
            "contact_name": team.contact_name,
            "contact_phone": team.contact_phone,
        },
    )

    assert "data-station-picker" in page.text
    assert f'name="organization" value="{places["proposed"].pk}" checked' in page.text  # its own, unconfirmed
    assert (
        "<select"
        not in page.text.split("data-station-picker", 1)[1].split("data-picker-results", 1)[1][:2000]
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.organization == places["xicun"]


def test_the_organizer_s_team_edit_refuses_another_team_s_proposal(places):
    team = factories.TeamFactory(organization=places["dongcun"], contact_phone="13912345678")
    client = client_for(factories.organizer())

    response = client.post(
        f"/admin/team/edit/{team.pk}/",
        {
            "name": team.name,
            "organization": places["proposed"].pk,
            "contact_name": team.contact_name,
            "contact_phone": team.contact_phone,
        },
    )

    assert response.status_code == 200
    team.refresh_from_db()
    assert team.organization == places["dongcun"]
