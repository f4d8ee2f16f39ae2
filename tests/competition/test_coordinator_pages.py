"""The back-office entry list and review page as coordinators and organizers use them: the
state column, filters, bulk actions, the export and "next entry"."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from competition.models import CountyQuota, Entry
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/admin/competition/entries/"
RESULTS = "/admin/competition/entries/results/"
BULK = "/admin/competition/entries/bulk/"
EXPORT = "/admin/competition/entries/export/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def review_url(entry) -> str:
    return f"/admin/competition/entries/review/{entry.public_id}/"


@pytest.fixture
def county_world(db):
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    contest = factories.ContestFactory(recommendation_quota=3)
    CountyQuota.objects.create(contest=contest, county=luzhou, quota=2)
    team = factories.TeamFactory(
        name="潞州红马甲队", organization__county=luzhou, contact_phone="13812341234"
    )
    other_team = factories.TeamFactory(name="上党助学队", organization__county=shangdang)
    now = timezone.now()
    pending = factories.EntryFactory(
        contest=contest, team=team, title="银龄课堂", submitted=True, submitted_at=now - dt.timedelta(hours=2)
    )
    withdrawn = factories.EntryFactory(  # recommended before it was withdrawn: no longer
        contest=contest,
        team=team,
        title="撤回的草稿",
        status=Entry.Status.WITHDRAWN,
        eligibility=Entry.Eligibility.ELIGIBLE,
        recommended=True,
        volunteers=None,
        beneficiaries=None,
    )
    recommended = factories.EntryFactory(
        contest=contest,
        team=factories.TeamFactory(name="潞州助残队", organization__county=luzhou),
        title="=助残行动",
        category=factories.category("health"),
        submitted=True,
        submitted_at=now - dt.timedelta(hours=1),
        eligibility=Entry.Eligibility.ELIGIBLE,
        recommended=True,
    )
    theirs = factories.EntryFactory(contest=contest, team=other_team, title="上党七彩课堂", submitted=True)
    return {
        "contest": contest,
        "luzhou": luzhou,
        "shangdang": shangdang,
        "pending": pending,
        "withdrawn": withdrawn,
        "recommended": recommended,
        "theirs": theirs,
        "coordinator": factories.coordinator_for(luzhou),
        "other_coordinator": factories.coordinator_for(shangdang),
    }


def titles(response) -> list[str]:
    return sorted(entry.title for entry in response.context["object_list"])


def row_of(html: str, title: str) -> str:
    start = html.index(title)
    return html[start : html.index("</tr>", start)]


# --- The list -------------------------------------------------------------------------------------


def test_list_shows_the_true_state_and_yes_no_for_recommended(county_world):
    html = client_for(county_world["coordinator"]).get(LIST).content.decode()

    withdrawn, pending, recommended = (row_of(html, t) for t in ("撤回的草稿", "银龄课堂", "=助残行动"))
    assert "已撤回" in withdrawn and "待审查" not in withdrawn
    assert ">否<" in withdrawn.replace(" ", "").replace("\n", "")
    assert "待审查" in pending and ">否<" in pending.replace(" ", "").replace("\n", "")
    assert "已推荐" in recommended and ">是<" in recommended.replace(" ", "").replace("\n", "")
    assert "True" not in html and "False" not in html
    assert "上党七彩课堂" not in html


def test_list_shows_the_coordinators_quota_and_deadline(county_world):
    contest = county_world["contest"]
    contest.recommendation_closes = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
    contest.save()

    html = client_for(county_world["coordinator"]).get(LIST + f"?contest={contest.pk}").content.decode()

    assert "资格审查与推荐截止时间：2027-03-01 18:00（北京时间）。" in html
    assert "推荐名额 2 个，已推荐 1 个，还剩 1 个。" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=withdrawn", ["撤回的草稿"]),
        ("state=pending", ["银龄课堂"]),
        ("state=recommended", ["=助残行动"]),
        ("recommended=0", ["撤回的草稿", "银龄课堂"]),
        ("eligibility=eligible", ["=助残行动", "撤回的草稿"]),
        ("recommended=1", ["=助残行动"]),
        ("category=health", ["=助残行动"]),
        ("q=助残队", ["=助残行动"]),
        ("q=银龄", ["银龄课堂"]),
    ],
)
def test_list_filters_for_a_coordinator(county_world, query, expected):
    if query.startswith("category="):
        query = f"category={factories.category('health').pk}"

    response = client_for(county_world["coordinator"]).get(f"{RESULTS}?{query}")

    assert titles(response) == sorted(expected)


def test_list_county_filter_for_organizers_only(county_world, organizer):
    shangdang = county_world["shangdang"].pk

    organizer_sees = client_for(organizer).get(f"{RESULTS}?county={shangdang}")
    coordinator_sees = client_for(county_world["coordinator"]).get(f"{RESULTS}?county={shangdang}")
    coordinator_page = client_for(county_world["coordinator"]).get(LIST).content.decode()

    assert titles(organizer_sees) == ["上党七彩课堂"]
    assert "上党七彩课堂" not in titles(coordinator_sees)
    assert 'name="county"' not in coordinator_page


def test_list_organizer_filters_by_county_category_and_state_together(county_world, organizer):
    luzhou, health = county_world["luzhou"].pk, factories.category("health").pk

    response = client_for(organizer).get(f"{RESULTS}?county={luzhou}&category={health}&state=recommended")

    assert titles(response) == ["=助残行动"]


# --- Bulk actions -----------------------------------------------------------------------------------


def test_bulk_recommend_reports_each_refusal_by_title(county_world):
    contest = county_world["contest"]
    extra = [
        factories.EntryFactory(
            contest=contest,
            team__organization__county=county_world["luzhou"],
            title=f"推荐候选{i}",
            submitted=True,
            eligibility=Entry.Eligibility.ELIGIBLE,
            submitted_at=timezone.now() - dt.timedelta(minutes=10 - i),
        )
        for i in range(2)
    ]
    ids = [str(e.public_id) for e in [*extra, county_world["pending"]]]

    response = client_for(county_world["coordinator"]).post(
        BULK, {"action": "recommend", "reason": "县级推荐", "entries": ids, "next": LIST}, follow=True
    )

    html = response.content.decode()
    assert [Entry.objects.get(pk=e.pk).recommended for e in extra] == [True, False]
    assert "已处理 1 个项目。" in html
    assert "“推荐候选1”未处理：本县（市、区）的推荐名额（2 个）已用完" in html
    assert "“银龄课堂”未处理：只有通过资格审查的项目才能推荐。" in html


def test_bulk_action_on_another_countys_entries_is_refused(county_world):
    theirs = county_world["theirs"]

    response = client_for(county_world["coordinator"]).post(
        BULK,
        {"action": "ineligible", "reason": "不符合", "entries": [str(theirs.public_id)], "next": LIST},
        follow=True,
    )

    html = response.content.decode()
    theirs.refresh_from_db()
    assert theirs.eligibility == Entry.Eligibility.PENDING
    assert "1 个项目不存在或不在您的审查范围内，未处理。" in html
    assert "上党七彩课堂" not in html


def test_bulk_decide_eligible_for_the_ticked_entries(county_world):
    pending = county_world["pending"]

    client_for(county_world["coordinator"]).post(
        BULK, {"action": "eligible", "reason": "", "entries": [str(pending.public_id)]}
    )

    pending.refresh_from_db()
    assert (pending.eligibility, pending.eligibility_decided_by) == (
        Entry.Eligibility.ELIGIBLE,
        county_world["coordinator"],
    )


def test_bulk_ineligible_without_reason_changes_nothing_and_says_why(county_world):
    pending = county_world["pending"]

    response = client_for(county_world["coordinator"]).post(
        BULK, {"action": "ineligible", "reason": "", "entries": [str(pending.public_id)]}, follow=True
    )

    pending.refresh_from_db()
    assert pending.eligibility == Entry.Eligibility.PENDING
    assert "判定为不符合资格时，请填写理由。" in response.content.decode()


def test_bulk_is_refused_to_supervisors_and_get(county_world):
    supervisor = factories.supervisor()
    ids = [str(county_world["pending"].public_id)]

    refused = client_for(supervisor).post(BULK, {"action": "eligible", "entries": ids})
    get = client_for(county_world["coordinator"]).get(BULK)

    assert refused.status_code == 404
    assert Entry.objects.get(pk=county_world["pending"].pk).eligibility == Entry.Eligibility.PENDING
    assert get.status_code == 405


def test_bulk_next_outside_the_site_goes_back_to_the_list(county_world):
    response = client_for(county_world["coordinator"]).post(
        BULK,
        {
            "action": "eligible",
            "entries": [str(county_world["pending"].public_id)],
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == LIST


# --- Export ------------------------------------------------------------------------------------------


def test_export_is_the_coordinators_county_as_xlsx(county_world):
    response = client_for(county_world["coordinator"]).get(EXPORT)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], sorted(rows[1:], key=lambda r: r[0])
    by_title = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_title) == {"银龄课堂", "撤回的草稿", "=助残行动"}
    assert by_title["撤回的草稿"]["状态"] == "已撤回"
    assert by_title["撤回的草稿"]["志愿者人数"] is None
    assert by_title["撤回的草稿"]["推荐"] == "否"
    assert by_title["=助残行动"]["推荐"] == "是"
    assert by_title["银龄课堂"]["联系电话"] == "138****1234"
    assert by_title["银龄课堂"]["县（市、区）"] == "潞州区"
    # A title starting with "=" stays text, never a formula.
    formula_cell = next(c for c in sheet["A"] if c.value == "=助残行动")
    assert formula_cell.data_type == "s"


def test_export_link_in_filtered_results_carries_the_filters(county_world):
    html = client_for(county_world["coordinator"]).get(f"{RESULTS}?state=pending").content.decode()

    assert f'href="{EXPORT}?state=pending"' in html


def test_export_follows_the_filters_and_gives_organizers_whole_phones(county_world, organizer):
    response = client_for(organizer).get(f"{EXPORT}?state=pending&county={county_world['luzhou'].pk}")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["银龄课堂"]
    assert rows[1][6] == "13812341234"


def test_export_query_count_is_constant(county_world):
    client = client_for(county_world["coordinator"])
    client.get(EXPORT)
    with CaptureQueriesContext(connection) as few:
        client.get(EXPORT)
    factories.EntryFactory.create_batch(
        5, contest=county_world["contest"], team__organization__county=county_world["luzhou"], submitted=True
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(EXPORT)

    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 1 + 8


# --- Review page -----------------------------------------------------------------------------------


def test_review_page_offers_the_next_pending_entry_and_blank_figures(county_world):
    contest = county_world["contest"]
    later = factories.EntryFactory(
        contest=contest, team__organization__county=county_world["luzhou"], title="下一个项目", submitted=True
    )
    client = client_for(county_world["coordinator"])

    first = client.get(review_url(county_world["pending"])).content.decode()
    withdrawn = client.get(review_url(county_world["withdrawn"])).content.decode()
    saved = client.post(
        review_url(county_world["pending"]), {"decision": "eligible", "reason": "", "next": "1"}
    )

    assert "下一个待审项目：下一个项目" in first
    assert "推荐名额 2 个，已推荐 1 个，还剩 1 个。" in first
    assert "志愿者人数 None" not in withdrawn and "服务对象人数 None" not in withdrawn
    assert "志愿者人数  ·" in withdrawn
    assert "已撤回" in withdrawn
    assert saved["Location"] == review_url(later)


def test_list_after_the_deadline_offers_no_bulk_form_to_a_coordinator(county_world, organizer):
    contest = county_world["contest"]
    contest.recommendation_closes = timezone.now() - dt.timedelta(minutes=1)
    contest.save()

    coordinator_page = client_for(county_world["coordinator"]).get(LIST).content.decode()
    organizer_page = client_for(organizer).get(LIST).content.decode()

    assert "资格审查与推荐已于" in coordinator_page
    assert 'id="entry-bulk"' not in coordinator_page
    assert 'id="entry-bulk"' in organizer_page


@pytest.mark.parametrize("make_user", [factories.TeamFactory, factories.judge], ids=["team", "judge"])
def test_export_is_refused_to_teams_and_judges(county_world, make_user):
    made = make_user()

    response = client_for(getattr(made, "user", made)).get(EXPORT)

    assert response.status_code == 302
    assert "spreadsheetml" not in response.get("Content-Type", "")


def test_review_page_after_the_deadline_offers_no_decision_to_a_coordinator(county_world):
    contest = county_world["contest"]
    contest.recommendation_closes = timezone.now() - dt.timedelta(minutes=1)
    contest.save()

    html = client_for(county_world["coordinator"]).get(review_url(county_world["pending"])).content.decode()

    assert "资格审查与推荐已截止；如需更正，请联系组委会。" in html
    assert "保存审查结论" not in html


@pytest.mark.parametrize("extra", [0, 4])
def test_review_page_query_count_is_constant(county_world, extra, django_assert_num_queries):
    factories.EntryFactory.create_batch(
        extra,
        contest=county_world["contest"],
        team__organization__county=county_world["luzhou"],
        submitted=True,
    )
    client = client_for(county_world["coordinator"])
    client.get(review_url(county_world["pending"]))

    with django_assert_num_queries(REVIEW_QUERIES):
        client.get(review_url(county_world["pending"]))


# Session, user, permissions, profile, groups, locale, page and collection permissions, the
# entry with its photos and attachments, the user's county, the contest's quota and count, the
# history and the next pending entry.
REVIEW_QUERIES = 19
