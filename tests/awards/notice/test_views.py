"""The public notice page (公示): the shortlisted projects and the objection form, with no
log-in. Before the notice it does not exist; after it, it says so (and, once finalized, lists
the featured projects)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from awards.errors import AwardsError
from awards.models import Objection, ShortlistEvent
from awards.notice.services import address_hash, notice_publish, objection_file
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_commit
from tests import factories
from tests.judging.scored import end_notice, scored_round, shortlist_in_notice

pytestmark = pytest.mark.django_db

ADDRESS = "127.0.0.1"  # the test client's REMOTE_ADDR


def url(shortlist_or_contest) -> str:
    contest = getattr(shortlist_or_contest, "contest", shortlist_or_contest)
    return f"/notice/{contest.slug}/"


def form_data(**overrides) -> dict:
    data = {
        "name": "王志强",
        "phone": "13912345678",
        "entry": "",
        "reason": "该项目申报的服务时长与实际开展的活动次数明显不符，请组委会核实。",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def shortlist(db):
    return shortlist_in_notice(entries=3)


# --- Listing -------------------------------------------------------------------------------------


def test_notice_lists_shortlisted_projects_with_their_public_data(time_machine):
    # Published at 2026-12-31 16:30 UTC for five days: 2027-01-01 00:30 to 01-06 00:30 in Beijing.
    time_machine.move_to(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), tick=False)
    shortlist = shortlist_in_notice(entries=3)
    items = list(shortlist.items.select_related("entry__team__organization__county", "entry__category"))

    response = Client().get(url(shortlist))

    assert response.status_code == 200
    body = response.content.decode()
    for item in items:
        entry = item.entry
        assert entry.title in body
        assert entry.team.name in body
        assert entry.team.organization.name in body
        assert entry.team.organization.county.name in body
        assert entry.category.name in body
    assert "入围名单公示" in body
    assert '<time datetime="2027-01-01T00:30:00+08:00">2027-01-01 00:30</time>' in body
    assert '<time datetime="2027-01-06T00:30:00+08:00">2027-01-06 00:30</time>（北京时间）' in body


def test_notice_shows_no_scores_contacts_or_people(shortlist):
    entry = shortlist.items.select_related("entry__team").first().entry

    body = Client().get(url(shortlist)).content.decode()

    assert entry.team.contact_phone not in body
    assert entry.team.contact_name not in body
    assert f"{shortlist.items.first().score:.1f}" not in body


def test_notice_page_has_a_strict_csp_and_nothing_inline(shortlist):
    response = Client().get(url(shortlist))

    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    body = response.content.decode()
    assert " style=" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert not re.search(r"\son[a-z]+=", body)


@pytest.mark.parametrize("entries", [1, 3])
def test_notice_query_count_is_constant(entries, django_assert_num_queries):
    shortlist = shortlist_in_notice(entries=entries)
    page, client = url(shortlist), Client()

    with django_assert_num_queries(2):
        response = client.get(page)

    assert response.status_code == 200


# --- Not there yet, or over ----------------------------------------------------------------------


def test_notice_before_any_shortlist_is_404(contest):
    assert Client().get(url(contest)).status_code == 404


def test_notice_of_a_committed_shortlist_is_404():
    round, _panel, _entries = scored_round(entries=2)
    shortlist = shortlist_commit(round=round, by=None, size=2)

    response = Client().get(url(shortlist))

    assert response.status_code == 404
    assert shortlist.items.first().entry.title not in response.content.decode()


def test_notice_of_an_unknown_contest_is_404(db):
    assert Client().get("/notice/no-such-contest/").status_code == 404


def test_notice_after_the_period_says_it_ended_and_takes_no_objection(shortlist):
    end_notice(shortlist)
    client = Client()

    page = client.get(url(shortlist)).content.decode()
    response = client.post(url(shortlist), form_data())

    assert "公示期已于" in page
    assert 'name="reason"' not in page
    assert shortlist.items.first().entry.title not in page  # not finalized: no list
    assert response.status_code == 200
    assert Objection.objects.count() == 0


def test_notice_after_finalization_lists_the_featured_projects(shortlist):
    end_notice(shortlist)
    shortlist_finalize(shortlist=shortlist, by=None)
    titles = [item.entry.title for item in shortlist.items.select_related("entry")]

    body = Client().get(url(shortlist)).content.decode()

    assert "公示期已于" in body
    assert "优秀志愿服务项目名单" in body
    for title in titles:
        assert title in body


# --- Objections ----------------------------------------------------------------------------------


def test_objection_is_filed_with_the_project_and_a_hash_of_the_address(shortlist):
    entry = shortlist.items.select_related("entry").first().entry

    response = Client().post(url(shortlist), form_data(entry=str(entry.public_id)), follow=True)

    objection = Objection.objects.get()
    assert response.redirect_chain == [(url(shortlist) + "?sent=1#objection", 302)]
    assert "您的异议已提交" in response.content.decode()
    assert (objection.name, objection.phone, objection.entry_id) == ("王志强", "13912345678", entry.pk)
    assert objection.address_hash == address_hash(ADDRESS)
    assert ADDRESS not in objection.address_hash
    assert ShortlistEvent.objects.filter(shortlist=shortlist, kind=ShortlistEvent.Kind.OBJECTION).count() == 1


def test_objection_without_a_project_and_with_a_landline_is_accepted(shortlist):
    response = Client().post(url(shortlist), form_data(phone="0355-2023456"))

    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.entry_id, objection.phone) == (None, "0355-2023456")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "必需字段"),
        ("phone", "12345", "请输入 11 位手机号码"),
        ("phone", "1391234567a", "请输入 11 位手机号码"),
        ("reason", "太短了", "异议内容至少 10 个字"),
        ("reason", "很" * 2001, "异议内容最多 2000 个字"),
        ("entry", "00000000-0000-0000-0000-000000000000", "选择一个有效的选项"),
    ],
)
def test_objection_with_bad_input_keeps_what_was_typed_and_says_why_in_chinese(
    shortlist, field, value, message
):
    data = form_data(**{field: value})

    response = Client().post(url(shortlist), data)

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "异议未提交" in body
    assert Objection.objects.count() == 0
    if field != "reason":
        assert data["reason"] in body
    if field != "name":
        assert 'value="王志强"' in body
    if field != "phone":
        assert 'value="13912345678"' in body


def test_objection_honeypot_stores_nothing_and_says_the_same(shortlist):
    response = Client().post(url(shortlist), form_data(website="http://spam.example"), follow=True)

    assert "您的异议已提交" in response.content.decode()
    assert Objection.objects.count() == 0
    assert ShortlistEvent.objects.filter(kind=ShortlistEvent.Kind.OBJECTION).count() == 0


def test_objection_honeypot_is_hidden_from_people(shortlist):
    body = Client().get(url(shortlist)).content.decode()

    trap = re.search(r'<div class="notice-trap" aria-hidden="true">(.*?)</div>\s*</div>', body, re.S)
    assert trap is not None
    assert 'name="website"' in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)


def test_objection_flood_is_refused_with_the_typed_text_kept(shortlist):
    now = timezone.now()
    for minutes in (5, 10, 15):
        Objection.objects.create(
            shortlist=shortlist,
            name="甲",
            phone="13900000000",
            reason="重复提交的异议内容，测试限流。",
            address_hash=address_hash(ADDRESS),
            created_at=now - timedelta(minutes=minutes),
        )

    response = Client().post(url(shortlist), form_data())

    body = response.content.decode()
    assert response.status_code == 200
    assert "提交过于频繁，请稍后再试。" in body
    assert form_data()["reason"] in body
    assert Objection.objects.count() == 3


def test_objection_limit_is_per_address(shortlist):
    now = timezone.now()
    for minutes in (5, 10, 15):
        Objection.objects.create(
            shortlist=shortlist,
            name="甲",
            phone="13900000000",
            reason="另一个地址提交的异议内容。",
            address_hash=address_hash("198.51.100.7"),
            created_at=now - timedelta(minutes=minutes),
        )

    response = Client().post(url(shortlist), form_data())

    assert response.status_code == 302
    assert Objection.objects.count() == 4


def test_objection_limit_through_the_service_clock(shortlist):
    """The service's ``now`` argument: three within an hour, then refused, then allowed again."""
    start = shortlist.notice_starts_at + timedelta(hours=1)

    def file(at):
        return objection_file(
            shortlist=shortlist,
            entry=None,
            name="乙",
            phone="13900000001",
            reason="x" * 12,
            address="10.0.0.9",
            now=at,
        )

    for minutes in (0, 10, 20):
        file(start + timedelta(minutes=minutes))
    with pytest.raises(AwardsError, match="提交过于频繁"):
        file(start + timedelta(minutes=30))
    file(start + timedelta(minutes=90))

    assert Objection.objects.count() == 4


# --- Text stays text -----------------------------------------------------------------------------


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_notice_escapes_a_title_that_carries_markup():
    shortlist = shortlist_in_notice(entries=1, titles=[XSS[:60]])

    body = Client().get(url(shortlist)).content.decode()

    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_objection_with_markup_is_stored_as_text_and_escaped_when_shown_again(shortlist):
    reason = f"异议内容包含标记：{XSS}"
    client = Client()

    client.post(url(shortlist), form_data(reason=reason, name="<b>张三</b>"))
    refused = client.post(url(shortlist), form_data(reason=reason, phone="bad"))

    objection = Objection.objects.get()
    assert objection.reason == reason
    assert objection.name == "<b>张三</b>"
    body = refused.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


# --- Language ------------------------------------------------------------------------------------


def test_notice_in_english_has_no_chinese_wording(db):
    county = factories.CountyFactory(name="Luzhou District", short_name="Luzhou")
    organization = factories.OrganizationFactory(name="Riverside Station", county=county)
    team = factories.TeamFactory(name="Red Vest Team", organization=organization, contact_name="Zhang")
    contest = factories.ContestFactory(title="2026 Contest")
    round, _panel, _entries = scored_round(entries=1, contest=contest, judge_names=["Judge A", "Judge B"])
    round.round_entries.first().entry.__class__.objects.filter(contest=contest).update(
        title="Rainbow Classroom", team=team
    )
    shortlist = shortlist_commit(round=round, by=None, size=1)
    shortlist = notice_publish(shortlist=shortlist, by=None)
    client = Client()
    client.cookies["django_language"] = "en"

    body = client.post(url(shortlist), form_data(name="Wang", reason="Too short")).content.decode()

    found = set(re.findall(r".{0,20}[\u4e00-\u9fff]+.{0,20}", body.replace("简体中文", "")))
    # The category's Chinese name is data (its English name is shown when it has one).
    assert not {f for f in found if "教育" not in f and "助学" not in f}, found
    assert "Rainbow Classroom" in body
