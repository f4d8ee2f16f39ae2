"""The picker's search: what finds what, and only confirmed stations with public fields."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competition.models import Organization
from competition.stations.search import search_stations

from .conftest import station, town


def names(query="", **kwargs) -> list[str]:
    hits, _more = search_stations(query=query, **kwargs)
    return [hit.name for hit in hits]


def test_initials_of_the_town_find_the_town_s_stations(places):
    assert names("xjz") == ["东村新时代文明实践站", "西村新时代文明实践站"]


def test_full_pinyin_and_chinese_fragments_find_a_station(places):
    assert names("dongcun") == ["东村新时代文明实践站"]
    assert names("东村") == ["东村新时代文明实践站"]
    assert names("DongCun") == ["东村新时代文明实践站"]
    assert names("hcxsd") == ["河村新时代文明实践站"]  # its own initials


def test_several_words_must_all_match_across_town_and_station(places):
    assert names("xjz xicun") == ["西村新时代文明实践站"]
    assert names("西井 河村") == []


def test_a_county_name_finds_its_stations(places):
    assert names("上党") == ["河村新时代文明实践站"]


def test_county_and_town_filter_and_list_without_a_query(places):
    assert names(county_id=places["shangdang"].pk) == ["河村新时代文明实践站"]
    assert names(town_id=places["xijing"].pk) == ["东村新时代文明实践站", "西村新时代文明实践站"]
    assert names("cun", county_id=places["luzhou"].pk) == ["东村新时代文明实践站", "西村新时代文明实践站"]


def test_unconfirmed_stations_are_never_offered(places):
    assert names("北村") == []
    assert names(town_id=places["xijing"].pk) == ["东村新时代文明实践站", "西村新时代文明实践站"]


def test_name_matches_come_before_matches_through_the_town(places):
    # "xi" is in 西井镇 (so every station there matches) and in 西村's own name: 西村 first.
    assert names("xi")[0] == "西村新时代文明实践站"


def test_like_wildcards_are_plain_characters(places):
    assert names("%") == [] and names("_") == [] and names("\\") == []


def test_nothing_asked_finds_nothing(places):
    assert search_stations() == ([], False)
    assert names("   ") == []


def test_results_are_limited_and_say_there_are_more(places):
    for i in range(25):
        station(f"南{i}村新时代文明实践站", places["luzhou"], places["xijing"])

    hits, more = search_stations(query="xjz", limit=20)

    assert (len(hits), more) == (20, True)
    assert search_stations(query="dongcun", limit=20)[1] is False


def test_a_hit_carries_only_public_fields(places):
    hits, _ = search_stations(query="dongcun")

    assert hits[0].as_json() == {
        "id": places["dongcun"].pk,
        "name": "东村新时代文明实践站",
        "kind": "新时代文明实践站",
        "town": "西井镇",
        "county": "潞州区",
    }


@pytest.mark.parametrize("size", [10, 200])
def test_one_query_per_search_whatever_the_number_of_stations(places, size):
    county = places["luzhou"]
    towns = [town(county, f"第{t}镇") for t in range(5)]
    Organization.objects.bulk_create(
        Organization(
            name=f"第{i}站",
            kind="station",
            county=county,
            town=towns[i % 5],
            search_key=f"第{i}站 di{i}zhan d{i}z",
        )
        for i in range(size)
    )
    search_stations(query="warm")  # the county and town lists, cached from here on

    with CaptureQueriesContext(connection) as queries:
        search_stations(query="di1")
        search_stations(query="xjz", county_id=county.pk)

    assert len(queries) == 2


def test_a_new_town_is_searchable_at_once(places):
    names("xjz")  # lists cached
    new = town(places["luzhou"], "黄碾镇")
    station("黄村新时代文明实践站", places["luzhou"], new)

    assert names("hnz") == ["黄村新时代文明实践站"]
