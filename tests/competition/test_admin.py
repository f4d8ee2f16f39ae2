"""The back office (Wagtail admin under /admin/): roles, the entries list, eligibility review,
recommendation, phone masking, private files and who may reach any of it."""

import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from competition.models import Contest, Entry, EntryEvent
from tests import factories

pytestmark = pytest.mark.django_db

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
ENTRIES_URL = "/admin/competition/entries/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def review_url(entry) -> str:
    return f"/admin/competition/entries/review/{entry.public_id}/"


def without_csrf(html: bytes) -> str:
    return CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', html.decode())


@pytest.fixture
def world(db):
    """Two counties, a team in each, submitted entries in both and a draft in the first."""
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    contest = factories.ContestFactory()
    team_a = factories.TeamFactory(
        name="潞州红马甲队", organization__county=luzhou, contact_phone="13812341234"
    )
    team_b = factories.TeamFactory(
        name="上党助学队", organization__county=shangdang, contact_phone="13955556666"
    )
    return {
        "luzhou": luzhou,
        "shangdang": shangdang,
        "contest": contest,
        "team_a": team_a,
        "team_b": team_b,
        "entry_a": factories.EntryFactory(contest=contest, team=team_a, title="潞州银龄课堂", submitted=True),
        "draft_a": factories.EntryFactory(contest=contest, team=team_a, title="潞州草稿项目"),
        "entry_b": factories.EntryFactory(contest=contest, team=team_b, title="上党七彩课堂", submitted=True),
        "coordinator_a": factories.coordinator_for(luzhou),
        "coordinator_b": factories.coordinator_for(shangdang),
    }


# --- Who may enter the back office ---------------------------------------------------------------


@pytest.mark.parametrize("make_user", [factories.TeamFactory, factories.judge], ids=["team", "judge"])
def test_admin_team_or_judge_is_sent_to_login_without_a_redirect_loop(make_user):
    made = make_user()
    user = getattr(made, "user", made)
    client = client_for(user)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/accounts/login/?next=/admin/", 302)]
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/login.html"
    assert f"您已用账号“{user.username}”登录，但该账号无权访问所请求的页面。" in response.content.decode()


@pytest.mark.parametrize("make_user", [factories.TeamFactory, factories.judge], ids=["team", "judge"])
def test_admin_entries_team_or_judge_sees_no_entry(make_user, world):
    made = make_user()
    client = client_for(getattr(made, "user", made))

    listing = client.get(ENTRIES_URL, follow=True)
    review = client.get(review_url(world["entry_a"]), follow=True)

    assert listing.templates[0].name == "accounts/login.html"
    assert review.templates[0].name == "accounts/login.html"
    assert "潞州银龄课堂" not in listing.content.decode()
    assert "潞州银龄课堂" not in review.content.decode()


@pytest.mark.parametrize(
    "make_user",
    [factories.organizer, factories.supervisor, lambda: factories.coordinator_for(factories.CountyFactory())],
    ids=["organizer", "supervisor", "coordinator"],
)
def test_admin_dashboard_back_office_roles_get_in(make_user):
    response = client_for(make_user()).get("/admin/")

    assert response.status_code == 200


# --- Organizers manage the reference data and contests ------------------------------------------


def test_admin_organizer_opens_list_add_and_edit_screens(organizer_client, world):
    objects = {
        "contest": world["contest"],
        "county": world["luzhou"],
        "organization": world["team_a"].organization,
        "category": factories.category(),
        "team": world["team_a"],
        "coordinator": world["coordinator_a"].coordinator,
    }

    statuses = {
        name: [
            organizer_client.get(f"/admin/{name}/").status_code,
            organizer_client.get(f"/admin/{name}/new/").status_code,
            organizer_client.get(f"/admin/{name}/edit/{obj.pk}/").status_code,
        ]
        for name, obj in objects.items()
    }

    assert statuses == {name: [200, 200, 200] for name in objects}


def test_admin_organizer_creates_contest_through_the_form(organizer_client):
    categories = [factories.category("education"), factories.category("health")]
    county = factories.CountyFactory(name="潞州区")

    response = organizer_client.post(
        "/admin/contest/new/",
        {
            "title": "2027年新时代文明实践志愿服务项目大赛",
            "year": "2027",
            "slug": "contest-2027",
            "description": "",
            "submission_opens": "2027-03-01 09:00",
            "submission_closes": "2027-05-31 18:00",
            "max_entries_per_team": "2",
            "recommendation_quota": "5",
            "recommendation_closes": "2027-06-15 18:00",
            "categories": [c.pk for c in categories],
            "county_quotas-TOTAL_FORMS": "1",
            "county_quotas-INITIAL_FORMS": "0",
            "county_quotas-MIN_NUM_FORMS": "0",
            "county_quotas-MAX_NUM_FORMS": "1000",
            "county_quotas-0-id": "",
            "county_quotas-0-county": str(county.pk),
            "county_quotas-0-quota": "8",
        },
    )

    contest = Contest.objects.get(slug="contest-2027")
    assert list(contest.county_quotas.values_list("county__name", "quota")) == [("潞州区", 8)]
    assert timezone.localtime(contest.recommendation_closes).strftime("%m-%d %H:%M") == "06-15 18:00"
    assert response.status_code == 302
    assert (contest.title, contest.year, contest.max_entries_per_team, contest.recommendation_quota) == (
        "2027年新时代文明实践志愿服务项目大赛",
        2027,
        2,
        5,
    )
    assert set(contest.categories.all()) == set(categories)


def test_admin_contest_closing_before_opening_is_refused_in_chinese(organizer_client):
    response = organizer_client.post(
        "/admin/contest/new/",
        {
            "title": "时间颠倒的大赛",
            "year": "2027",
            "slug": "backwards",
            "submission_opens": "2027-05-31 18:00",
            "submission_closes": "2027-03-01 09:00",
            "max_entries_per_team": "2",
            "categories": [factories.category().pk],
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"submission_closes": ["截止申报时间必须晚于开始申报时间。"]}
    assert "contest_closes_after_opens" not in response.content.decode()
    assert Contest.objects.filter(slug="backwards").count() == 0


@pytest.mark.parametrize(
    "make_user",
    [factories.supervisor, lambda: factories.coordinator_for(factories.CountyFactory())],
    ids=["supervisor", "coordinator"],
)
def test_admin_contest_add_non_organizer_cannot_create(make_user):
    client = client_for(make_user())

    response = client.post(
        "/admin/contest/new/",
        {
            "title": "不该创建的大赛",
            "year": "2027",
            "slug": "not-allowed",
            "submission_opens": "2027-03-01 09:00",
            "submission_closes": "2027-05-31 18:00",
            "max_entries_per_team": "2",
            "categories": [factories.category().pk],
        },
    )

    assert response.status_code == 302
    assert Contest.objects.filter(slug="not-allowed").count() == 0


# --- Phone numbers in the team list --------------------------------------------------------------


def test_admin_team_list_organizer_sees_whole_phone(organizer_client, world):
    response = organizer_client.get("/admin/team/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "13812341234" in body
    assert "13955556666" in body


def test_admin_team_list_supervisor_sees_masked_phone(world):
    client = client_for(factories.supervisor())

    response = client.get("/admin/team/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "138****1234" in body
    assert "139****6666" in body
    assert "13812341234" not in body
    assert "13955556666" not in body


def test_admin_team_results_supervisor_sees_masked_phone(world):
    client = client_for(factories.supervisor())

    response = client.get("/admin/team/results/", {"q": "潞州"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "138****1234" in body
    assert "13812341234" not in body


def test_admin_team_edit_supervisor_cannot_open_it(world):
    client = client_for(factories.supervisor())

    response = client.get(f"/admin/team/edit/{world['team_a'].pk}/")

    assert response.status_code == 302
    assert "13812341234" not in response.content.decode()


def test_admin_team_list_coordinator_cannot_open_it(world):
    response = client_for(world["coordinator_a"]).get("/admin/team/")

    assert response.status_code == 302
    assert "13812341234" not in response.content.decode()


@pytest.mark.parametrize("role", ["supervisor", "coordinator_a"])
def test_admin_review_page_non_organizer_sees_masked_phone(role, world):
    user = factories.supervisor() if role == "supervisor" else world[role]

    response = client_for(user).get(review_url(world["entry_a"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "138****1234" in body
    assert "13812341234" not in body


def test_admin_review_page_organizer_sees_whole_phone(organizer_client, world):
    response = organizer_client.get(review_url(world["entry_a"]))

    assert response.status_code == 200
    assert "13812341234" in response.content.decode()


# --- The entries list ----------------------------------------------------------------------------


def listed_titles(response) -> set[str]:
    return {entry.title for entry in response.context["object_list"]}


def test_admin_entries_coordinator_sees_only_own_county_submitted(world):
    response = client_for(world["coordinator_a"]).get(ENTRIES_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert listed_titles(response) == {"潞州银龄课堂"}
    assert "上党七彩课堂" not in body
    assert "潞州草稿项目" not in body


def test_admin_entries_organizer_sees_all_submitted_but_no_drafts(organizer_client, world):
    response = organizer_client.get(ENTRIES_URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert listed_titles(response) == {"潞州银龄课堂", "上党七彩课堂"}
    assert "潞州草稿项目" not in body


def test_admin_entries_supervisor_sees_all_submitted(world):
    response = client_for(factories.supervisor()).get(ENTRIES_URL)

    assert response.status_code == 200
    assert listed_titles(response) == {"潞州银龄课堂", "上党七彩课堂"}


def test_admin_entries_coordinator_search_does_not_reach_other_county(world):
    response = client_for(world["coordinator_a"]).get(ENTRIES_URL, {"q": "上党"})

    assert response.status_code == 200
    assert listed_titles(response) == set()
    assert "上党七彩课堂" not in response.content.decode()


def test_admin_entries_organizer_search_finds_by_title(organizer_client, world):
    response = organizer_client.get(ENTRIES_URL, {"q": "上党"})

    assert response.status_code == 200
    assert listed_titles(response) == {"上党七彩课堂"}


def test_admin_entries_results_coordinator_sees_only_own_county(world):
    response = client_for(world["coordinator_a"]).get(f"{ENTRIES_URL}results/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "潞州银龄课堂" in body
    assert "上党七彩课堂" not in body


def test_admin_entries_has_no_add_edit_or_delete_screens(organizer_client, world):
    entry = world["entry_a"]

    statuses = [
        organizer_client.get(f"{ENTRIES_URL}new/").status_code,
        organizer_client.get(f"{ENTRIES_URL}edit/{entry.pk}/").status_code,
        organizer_client.get(f"{ENTRIES_URL}delete/{entry.pk}/").status_code,
    ]

    assert statuses == [404, 404, 404]


# Session, user, permissions (2), profile, groups, count, locale, page and collection
# permissions, the filter choice lists (contest, category; county for organizers), the page of
# entries, the contest the quota panel is about and the user's county; a coordinator's quota
# and recommendations counted.
@pytest.mark.parametrize(("role", "expected"), [("organizer", 17), ("coordinator", 18)])
def test_admin_entries_list_query_count_is_constant(role, expected, django_assert_num_queries):
    county = factories.CountyFactory()
    user = factories.organizer() if role == "organizer" else factories.coordinator_for(county)
    contest = factories.ContestFactory()
    factories.EntryFactory(contest=contest, team__organization__county=county, submitted=True)
    client = client_for(user)
    client.get(ENTRIES_URL)  # warm up the per-process caches (content types, site root)

    with django_assert_num_queries(expected):
        one = client.get(ENTRIES_URL)
    factories.EntryFactory.create_batch(2, contest=contest, team__organization__county=county, submitted=True)
    with django_assert_num_queries(expected):
        three = client.get(ENTRIES_URL)

    assert len(one.context["object_list"]) == 1
    assert len(three.context["object_list"]) == 3


# --- Eligibility review --------------------------------------------------------------------------


def test_admin_review_other_county_coordinator_and_random_id_get_identical_404(world):
    client = client_for(world["coordinator_b"])

    hidden = client.get(review_url(world["entry_a"]))
    missing = client.get(f"/admin/competition/entries/review/{uuid.uuid4()}/")

    assert hidden.status_code == missing.status_code == 404
    assert without_csrf(hidden.content) == without_csrf(missing.content)
    assert "潞州银龄课堂" not in hidden.content.decode()


def test_admin_review_draft_is_404_even_for_organizer(organizer_client, world):
    response = organizer_client.get(review_url(world["draft_a"]))

    assert response.status_code == 404


def test_admin_review_organizer_records_eligible_with_event(organizer, world):
    entry = world["entry_a"]

    response = client_for(organizer).post(review_url(entry), {"decision": "eligible", "reason": ""})

    entry.refresh_from_db()
    event = EntryEvent.objects.get(entry=entry, kind=EntryEvent.Kind.ELIGIBILITY)
    assert response.status_code == 302
    assert response["Location"] == review_url(entry)
    assert (entry.eligibility, entry.eligibility_decided_by) == (Entry.Eligibility.ELIGIBLE, organizer)
    assert event.actor == organizer
    assert event.changes == {"eligibility": ["pending", "eligible"], "eligibility_reason": ["", ""]}


def test_admin_review_county_coordinator_records_ineligible_reason_team_sees_it(world):
    entry = world["entry_a"]
    coordinator = world["coordinator_a"]
    reason = "项目启动时间不满一年，不符合申报条件。"

    response = client_for(coordinator).post(review_url(entry), {"decision": "ineligible", "reason": reason})
    team_page = client_for(world["team_a"].user).get(f"/my/entries/{entry.public_id}/")

    entry.refresh_from_db()
    event = EntryEvent.objects.get(entry=entry, kind=EntryEvent.Kind.ELIGIBILITY)
    assert response.status_code == 302
    assert (entry.eligibility, entry.eligibility_reason) == (Entry.Eligibility.INELIGIBLE, reason)
    assert event.actor == coordinator
    assert event.changes == {"eligibility": ["pending", "ineligible"], "eligibility_reason": ["", reason]}
    assert team_page.status_code == 200
    assert reason in team_page.content.decode()


def test_admin_review_ineligible_without_reason_is_refused_in_chinese(organizer_client, world):
    entry = world["entry_a"]

    response = organizer_client.post(review_url(entry), {"decision": "ineligible", "reason": "  "})

    entry.refresh_from_db()
    assert response.status_code == 200
    assert "判定为不符合资格时，请填写理由。" in response.content.decode()
    assert entry.eligibility == Entry.Eligibility.PENDING
    assert EntryEvent.objects.filter(entry=entry, kind=EntryEvent.Kind.ELIGIBILITY).count() == 0


def test_admin_review_other_county_coordinator_post_is_404_and_changes_nothing(world):
    entry = world["entry_a"]

    response = client_for(world["coordinator_b"]).post(
        review_url(entry), {"decision": "ineligible", "reason": "越权"}
    )

    entry.refresh_from_db()
    assert response.status_code == 404
    assert entry.eligibility == Entry.Eligibility.PENDING
    assert EntryEvent.objects.filter(entry=entry, kind=EntryEvent.Kind.ELIGIBILITY).count() == 0


def test_admin_review_supervisor_reads_but_post_is_404_and_changes_nothing(world):
    entry = world["entry_a"]
    client = client_for(factories.supervisor())

    page = client.get(review_url(entry))
    post = client.post(review_url(entry), {"decision": "ineligible", "reason": "监委不能改"})
    recommend = client.post(review_url(entry), {"recommend": "1"})

    entry.refresh_from_db()
    assert page.status_code == 200
    assert "潞州银龄课堂" in page.content.decode()
    assert page.context["can_review"] is False
    assert (post.status_code, recommend.status_code) == (404, 404)
    assert (entry.eligibility, entry.recommended) == (Entry.Eligibility.PENDING, False)
    assert EntryEvent.objects.filter(entry=entry).exclude(kind=EntryEvent.Kind.SUBMITTED).count() == 0


# --- Recommendation within the county quota -----------------------------------------------------


def eligible_entry(contest, team, title, **kwargs):
    return factories.EntryFactory(
        contest=contest,
        team=team,
        title=title,
        submitted=True,
        eligibility=Entry.Eligibility.ELIGIBLE,
        **kwargs,
    )


def test_admin_recommend_within_quota_then_quota_is_full(world):
    contest = factories.ContestFactory(recommendation_quota=1)
    first = eligible_entry(contest, world["team_a"], "第一个推荐")
    second = eligible_entry(contest, factories.TeamFactory(organization__county=world["luzhou"]), "第二个")
    client = client_for(world["coordinator_a"])

    accepted = client.post(review_url(first), {"recommend": "1"})
    refused = client.post(review_url(second), {"recommend": "1"}, follow=True)

    first.refresh_from_db()
    second.refresh_from_db()
    event = EntryEvent.objects.get(entry=first, kind=EntryEvent.Kind.RECOMMENDED)
    assert accepted.status_code == 302
    assert (first.recommended, second.recommended) == (True, False)
    assert event.changes == {"recommended": [False, True]}
    assert "本县（市、区）的推荐名额（1 个）已用完，请先取消其他项目的推荐。" in refused.content.decode()


def test_admin_recommend_quota_is_per_county(world):
    contest = factories.ContestFactory(recommendation_quota=1)
    eligible_entry(contest, world["team_a"], "潞州已推荐", recommended=True)
    other_county = eligible_entry(contest, world["team_b"], "上党待推荐")

    response = client_for(world["coordinator_b"]).post(review_url(other_county), {"recommend": "1"})

    other_county.refresh_from_db()
    assert response.status_code == 302
    assert other_county.recommended is True


def test_admin_recommend_pending_entry_is_refused(organizer_client, world):
    entry = world["entry_a"]

    response = organizer_client.post(review_url(entry), {"recommend": "1"}, follow=True)

    entry.refresh_from_db()
    assert "只有通过资格审查的项目才能推荐。" in response.content.decode()
    assert entry.recommended is False


def test_admin_unrecommend_frees_the_quota(world):
    contest = factories.ContestFactory(recommendation_quota=1)
    first = eligible_entry(contest, world["team_a"], "先推荐")
    second = eligible_entry(contest, world["team_a"], "后推荐")
    client = client_for(world["coordinator_a"])
    client.post(review_url(first), {"recommend": "1"})

    client.post(review_url(first), {"unrecommend": "1"})
    client.post(review_url(second), {"recommend": "1"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.recommended, second.recommended) == (False, True)


# --- Private files -------------------------------------------------------------------------------


@pytest.fixture
def files(world):
    entry = world["entry_a"]
    return {
        "photo": f"/my/files/photos/{factories.add_photo(entry).public_id}/",
        "attachment": f"/my/files/attachments/{factories.add_attachment(entry).public_id}/",
    }


@pytest.mark.parametrize("kind", ["photo", "attachment"])
@pytest.mark.parametrize("who", ["owner", "organizer", "supervisor", "coordinator_a"])
def test_private_file_allowed_roles_get_the_file(kind, who, world, files):
    users = {
        "owner": world["team_a"].user,
        "organizer": factories.organizer(),
        "supervisor": factories.supervisor(),
        "coordinator_a": world["coordinator_a"],
    }

    response = client_for(users[who]).get(files[kind])

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert len(b"".join(response.streaming_content)) > 0


@pytest.mark.parametrize("kind", ["photo", "attachment"])
@pytest.mark.parametrize("who", ["coordinator_b", "other_team", "judge"])
def test_private_file_others_get_404(kind, who, world, files):
    users = {
        "coordinator_b": world["coordinator_b"],
        "other_team": world["team_b"].user,
        "judge": factories.judge(),
    }

    response = client_for(users[who]).get(files[kind])

    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["photo", "attachment"])
def test_private_file_anonymous_is_sent_to_login(kind, files):
    response = Client().get(files[kind])

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={files[kind]}"


def test_private_file_attachment_name_only_for_owner(world, files):
    owner = client_for(world["team_a"].user).get(files["attachment"])
    organizer = client_for(factories.organizer()).get(files["attachment"])

    assert "filename*=utf-8''%E7%94%B3%E6%8A%A5%E6%9D%90%E6%96%99.pdf" in owner["Content-Disposition"]
    assert organizer["Content-Disposition"] == 'inline; filename="attachment.pdf"'


# --- Appointing coordinators --------------------------------------------------------------------


def test_admin_appointing_a_coordinator_puts_the_user_in_the_group(world):
    organizer_client = client_for(factories.organizer())
    user = factories.UserFactory(username="lichengxian", is_staff=True)
    lichengxian = factories.CountyFactory(name="黎城县")

    response = organizer_client.post("/admin/coordinator/new/", {"user": user.pk, "county": lichengxian.pk})

    assert response.status_code == 302
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == ["县区管理员"]
    assert client_for(user).get(ENTRIES_URL).status_code == 200


def test_admin_removing_a_coordinator_takes_the_user_out_of_the_group(world):
    organizer_client = client_for(factories.organizer())
    user = world["coordinator_a"]
    coordinator = user.coordinator

    response = organizer_client.post(f"/admin/coordinator/delete/{coordinator.pk}/")

    assert response.status_code == 302
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == []
    assert client_for(user).get(ENTRIES_URL).status_code == 302
