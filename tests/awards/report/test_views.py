"""The county report page and its xlsx file: who sees what, the chart, and a query count that
does not grow with the number of counties."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from tests.admin_crawl import sidebar
from tests.judging.factories import eligible_entry

URL = reverse("awards_report:index")
EXPORT = reverse("awards_report:export")
SVG = "{http://www.w3.org/2000/svg}"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chart(html: str) -> ET.Element:
    start = html.index("<svg", html.index('class="results-chart"'))
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])  # noqa: S314 (our own output)


def sheet_rows(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_organizers_see_every_county_a_chart_and_the_xlsx(world, contest, organizer_client):
    html = organizer_client.get(URL, {"contest": contest.pk}).content.decode()
    for name in ("潞州区", "上党区", "屯留区", "全市合计", "全市平均"):
        assert name in html
    svg = chart(html)  # well-formed, or this raises
    assert svg.tag == f"{SVG}svg"
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "潞州区" in labels and "全市平均" in labels
    response = organizer_client.get(EXPORT, {"contest": contest.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    by_label = {row[0]: row for row in rows[2:]}
    assert by_label["潞州区"][1:8] == [2, 3, 2, 1, 1, 1, 1]
    assert by_label["全市合计"][1:8] == [3, 5, 3, 2, 2, 2, 2]


def test_the_current_contest_is_the_default(world, contest, organizer_client):
    response = organizer_client.get(URL)
    assert response.status_code == 200
    assert response.context["contest"] == contest


def test_a_coordinator_sees_their_county_against_the_average_only(world, contest):
    luzhou = world["counties"][0]
    client = client_for(factories.coordinator_for(luzhou))
    html = client.get(URL, {"contest": contest.pk}).content.decode()
    assert "潞州区" in html and "全市平均" in html
    assert "上党区" not in html and "屯留区" not in html and "全市合计" not in html
    chart(html)
    rows = sheet_rows(client.get(EXPORT, {"contest": contest.pk}))
    labels = [row[0] for row in rows[2:]]
    assert labels == ["潞州区", "全市平均"]
    assert "上党区" not in str(rows)


@pytest.mark.parametrize("who", ["team", "judge", "anonymous"])
def test_others_are_turned_away(world, contest, who):
    client = Client()
    if who == "team":
        client.force_login(factories.TeamFactory().user)
    elif who == "judge":
        client.force_login(factories.judge())
    for url in (URL, EXPORT):
        response = client.get(url, {"contest": contest.pk})
        assert response.status_code in (302, 404)
        assert "潞州区".encode() not in response.content


def test_a_supervisor_reads_the_report(world, contest):
    response = client_for(factories.supervisor()).get(URL, {"contest": contest.pk})
    assert response.status_code == 200 and "上党区" in response.content.decode()


def counties_with_entries(contest, count: int):
    for n in range(count):
        county = factories.CountyFactory(name=f"测试县{n}")
        team = factories.TeamFactory(organization=factories.OrganizationFactory(county=county))
        eligible_entry(contest, team=team)


def page_queries(client, contest) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"contest": contest.pk}).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_counties(contest, organizer_client):
    counties_with_entries(contest, 2)
    page_queries(organizer_client, contest)  # warm the session and caches
    two = page_queries(organizer_client, contest)
    counties_with_entries(contest, 4)
    assert two > 0
    assert page_queries(organizer_client, contest) == two


def test_coordinators_find_the_report_under_the_menu_they_see(world):
    coordinator = factories.coordinator_for(factories.CountyFactory(name="襄垣县"))
    menu = sidebar(client_for(coordinator).get("/admin/").content.decode())["labels"]
    assert {"大赛管理", "县区统计"} <= menu
    assert "评审管理" not in menu
