"""The search endpoint, the picker on the sign-up and team pages (with and without JavaScript:
the no-script path is plain GET round trips), and proposing a missing station there."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from competition.models import Organization, Team
from competition.stations.search import SEARCHES_PER_MINUTE
from tests import factories

from .conftest import station

SEARCH = "/places/stations/"
SIGNUP = "/accounts/signup/"


def signup_data(**overrides):
    data = {
        "username": "nancun",
        "password1": "Volunteer-2021-sx",
        "password2": "Volunteer-2021-sx",
        "email": "nancun@example.org",
        "phone": "13912345678",
        "team_name": "南村红马甲志愿服务队",
        "contact_name": "王小红",
        "organization": "",
    }
    data.update(overrides)
    return data


def listed(page) -> list[int]:
    """The stations offered as radio buttons."""
    return [int(pk) for pk in re.findall(r'type="radio" name="organization" value="(\d+)"', page.text)]


# --- The endpoint ------------------------------------------------------------------------------


def test_search_answers_json_with_public_fields_of_confirmed_stations(places):
    places["dongcun"].address = "东村村委会二楼"
    places["dongcun"].contact_phone = "13900001111"
    places["dongcun"].save()

    response = Client().get(SEARCH, {"q": "xjz"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "id": places["dongcun"].pk,
                "name": "东村新时代文明实践站",
                "kind": "新时代文明实践站",
                "town": "西井镇",
                "county": "潞州区",
            },
            {
                "id": places["xicun"].pk,
                "name": "西村新时代文明实践站",
                "kind": "新时代文明实践站",
                "town": "西井镇",
                "county": "潞州区",
            },
        ],
        "more": False,
    }
    assert "东村村委会" not in response.text and "13900001111" not in response.text


def test_search_filters_by_county_and_town_and_ignores_a_town_of_another_county(places):
    by_county = Client().get(SEARCH, {"county": places["shangdang"].pk}).json()
    by_town = Client().get(SEARCH, {"county": places["luzhou"].pk, "town": places["xijing"].pk}).json()
    mismatched = Client().get(SEARCH, {"county": places["shangdang"].pk, "town": places["xijing"].pk}).json()

    assert [hit["name"] for hit in by_county["results"]] == ["河村新时代文明实践站"]
    assert [hit["name"] for hit in by_town["results"]] == ["东村新时代文明实践站", "西村新时代文明实践站"]
    assert [hit["name"] for hit in mismatched["results"]] == ["河村新时代文明实践站"]


def test_search_ignores_nonsense_parameters(places):
    response = Client().get(SEARCH, {"county": "abc", "town": "1;drop", "q": "x" * 500})

    assert response.status_code == 200
    assert response.json() == {"results": [], "more": False}


def test_search_is_limited_to_twenty_and_says_there_are_more(places):
    for i in range(30):
        station(f"南{i}村新时代文明实践站", places["luzhou"], places["xijing"])

    body = Client().get(SEARCH, {"q": "xjz"}).json()

    assert (len(body["results"]), body["more"]) == (20, True)


def test_search_is_rate_limited_per_address(places):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(SEARCHES_PER_MINUTE):
        assert client.get(SEARCH, {"q": "x"}).status_code == 200

    refused = client.get(SEARCH, {"q": "x"})

    assert refused.status_code == 429
    assert refused.json()["error"] == "搜索太频繁，请稍等一分钟再试。"
    assert Client(REMOTE_ADDR="10.0.0.10").get(SEARCH, {"q": "x"}).status_code == 200


@pytest.mark.parametrize("size", [5, 150])
def test_search_costs_one_query_whatever_the_number_of_stations(places, size, django_assert_num_queries):
    for i in range(size):
        station(f"第{i}站", places["luzhou"], places["xijing"] if i % 2 else None)
    client = Client()
    client.get(SEARCH, {"q": "warm"})

    with django_assert_num_queries(1):
        client.get(SEARCH, {"q": "xjz", "county": places["luzhou"].pk})


# --- The sign-up page ---------------------------------------------------------------------------


def test_without_javascript_county_then_town_then_search_are_get_round_trips(places):
    page = Client().get(SIGNUP)
    assert 'form="station-find"' in page.text
    assert '<form id="station-find" method="get"' in page.text
    assert not listed(page)  # nothing asked, nothing listed

    county = Client().get(SIGNUP, {"county": places["luzhou"].pk, "town": "", "q": ""})
    assert f'<option value="{places["xijing"].pk}">西井镇</option>' in county.text
    assert "东和乡" not in county.text  # only the county's towns
    assert listed(county) == [places["dongcun"].pk, places["xicun"].pk]

    found = Client().get(SIGNUP, {"county": "", "town": "", "q": "hcx"})
    assert listed(found) == [places["hecun"].pk]
    assert 'value="hcx"' in found.text

    nothing = Client().get(SIGNUP, {"q": "zzzz"})
    assert "没有找到匹配的阵地" in nothing.text


def test_signup_with_a_station_picked_from_the_results(places):
    response = Client().post(SIGNUP, signup_data(organization=places["xicun"].pk))

    assert response.status_code == 302
    assert Team.objects.get(name="南村红马甲志愿服务队").organization == places["xicun"]


def test_an_unconfirmed_station_cannot_be_picked_by_another_team(places):
    response = Client().post(SIGNUP, signup_data(organization=places["proposed"].pk))

    assert response.status_code == 200
    assert not Team.objects.exists()
    assert "北村新时代文明实践站" not in response.text  # not even named back


def test_signup_naming_a_missing_station(places):
    response = Client().post(
        SIGNUP,
        signup_data(
            new_station_county=places["luzhou"].pk,
            new_station_town="西井镇",
            new_station_name="南村新时代文明实践站",
        ),
    )

    assert response.status_code == 302
    team = Team.objects.select_related("organization").get(name="南村红马甲志愿服务队")
    assert (team.organization.name, team.organization.town, team.organization.confirmed) == (
        "南村新时代文明实践站",
        places["xijing"],
        False,
    )
    assert team.organization.proposed_by == team.user


def test_signup_with_neither_a_pick_nor_a_name_says_what_to_do_and_keeps_the_rest(places):
    response = Client().post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert "请搜索并选择所属阵地；列表中没有的，请在下方“找不到所属阵地”处填写。" in response.text
    assert 'value="南村红马甲志愿服务队"' in response.text and 'value="王小红"' in response.text


def test_signup_with_both_a_pick_and_a_name_is_refused(places):
    response = Client().post(
        SIGNUP,
        signup_data(
            organization=places["dongcun"].pk,
            new_station_county=places["luzhou"].pk,
            new_station_name="南村站",
        ),
    )

    assert "请选择“列表中没有”，或者清空新阵地名称" in response.text
    # The pick stays checked and the typed name stays, so nothing has to be done again.
    assert f'name="organization" value="{places["dongcun"].pk}" checked' in response.text
    assert 'value="南村站"' in response.text
    assert not Team.objects.exists()


def test_a_proposal_without_county_or_with_a_listed_name_is_refused_and_kept(places):
    no_county = Client().post(SIGNUP, signup_data(new_station_name="南村站"))
    listed = Client().post(
        SIGNUP,
        signup_data(new_station_county=places["luzhou"].pk, new_station_name="东村新时代文明实践站"),
    )

    assert "请选择新阵地所属的县（市、区）。" in no_county.text
    assert "“东村新时代文明实践站”已在阵地列表中，请在上方搜索并直接选择它。" in listed.text
    assert '<details class="station-new mb-3" open>' in listed.text
    assert 'value="东村新时代文明实践站"' in listed.text
    assert not Team.objects.exists()
    assert Organization.objects.filter(confirmed=False).count() == 1  # the fixture's only


@pytest.mark.parametrize("size", [5, 300])
def test_signup_page_queries_do_not_grow_with_stations(places, size, django_assert_max_num_queries):
    for i in range(size):
        station(f"第{i}站", places["luzhou"], places["xijing"])
    client = Client()
    client.get(SIGNUP)

    with django_assert_max_num_queries(3):
        page = client.get(SIGNUP, {"town": places["xijing"].pk, "county": places["luzhou"].pk})

    assert page.status_code == 200
    assert len(listed(page)) == min(size + 2, 20)  # the town's stations, at most 20


# --- The team page ------------------------------------------------------------------------------


def profile_data(team, **overrides):
    data = {
        "name": team.name,
        "organization": team.organization_id,
        "contact_name": team.contact_name,
        "contact_phone": team.contact_phone,
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_a_team_on_a_proposed_station_keeps_it_and_sees_it_pending(places):
    team = factories.TeamFactory(organization=places["proposed"])
    client = Client()
    client.force_login(team.user)

    page = client.get(reverse("competition:team"))
    saved = client.post(reverse("competition:team"), profile_data(team, contact_name="李明"))

    assert "您填写的阵地“北村新时代文明实践站”正在等待县区管理员确认" in page.text
    assert f'value="{places["proposed"].pk}" checked' in page.text
    assert saved.status_code == 302
    team.refresh_from_db()
    assert (team.organization, team.contact_name) == (places["proposed"], "李明")


def test_a_team_names_its_missing_station_in_its_profile(places):
    team = factories.TeamFactory(organization=places["dongcun"])
    client = Client()
    client.force_login(team.user)

    response = client.post(
        reverse("competition:team"),
        profile_data(
            team,
            organization="",
            new_station_county=places["shangdang"].pk,
            new_station_town="东和乡",
            new_station_name="南河村新时代文明实践站",
        ),
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.organization.name, team.organization.county, team.organization.confirmed) == (
        "南河村新时代文明实践站",
        places["shangdang"],
        False,
    )


def test_the_team_page_searches_without_javascript_too(places):
    team = factories.TeamFactory(organization=places["dongcun"])
    client = Client()
    client.force_login(team.user)

    page = client.get(reverse("competition:team"), {"q": "河村"})

    assert f'value="{places["dongcun"].pk}" checked' in page.text  # the team's own stays chosen
    assert listed(page) == [places["dongcun"].pk, places["hecun"].pk]
