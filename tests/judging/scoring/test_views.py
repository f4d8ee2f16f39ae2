"""Judge pages under /judging/: need to know (DESIGN §4.2), side channels, scoring, query counts."""

import re
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse

from competition.models import Entry
from judging.conflicts.services import conflict_set
from judging.models import Assignment, Conflict, Judge, JudgingEvent, Score, ScoreSheet
from judging.phases import CLOSED, SCORING, SETUP
from judging.scoring.services import sheet_reopen
from tests import factories
from tests.judging.factories import (
    JudgeFactory,
    RoundFactory,
    assign,
    client_for,
    eligible_entry,
    open_round,
    set_status,
    sync,
)

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"
ENTRY_URLS = ["score", "photo", "attachment", "conflict", "next", "score-post", "conflict-post"]
FULL_MARKS = [15, 15, 20, 25, 10, 15]


def scores(values) -> dict:
    return {f"score-{n}": str(v) for n, v in enumerate(values, start=1)}


def url_of(name, round, round_entry=None, n=1) -> str:
    code = round.code if hasattr(round, "code") else round
    blind = getattr(round_entry, "blind_code", round_entry)
    if name == "next":
        return reverse("judging:next", args=[code])
    if name in ("photo", "attachment"):
        return reverse(f"judging:{name}", args=[code, blind, n])
    view = {"score": "score", "conflict": "declare_conflict"}[name]
    return reverse(f"judging:{view}", args=[code, blind])


def request(client, kind, round, round_entry):
    """One request of the kind a judge page receives."""
    if kind == "score-post":
        return client.post(url_of("score", round, round_entry), {"version": 0, "save": "1", **scores([10])})
    if kind == "conflict-post":
        return client.post(url_of("conflict", round, round_entry), {"reason": "认识负责人"})
    if kind == "next":
        return client.post(url_of("next", round))
    return client.get(url_of(kind, round, round_entry))


def normalized(response) -> str:
    """The body without what differs per request anyway: the CSRF token and the echoed path."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    path = response.wsgi_request.get_full_path()
    return body.replace(quote_plus(path), "<path>").replace(path, "<path>")  # the language link's next=


def nothing_saved() -> tuple[int, int, int]:
    return (
        ScoreSheet.objects.count(),
        Conflict.objects.count(),
        JudgingEvent.objects.exclude(
            kind__in=[JudgingEvent.Kind.ASSIGNED, JudgingEvent.Kind.ROUND_STATUS]
        ).count(),
    )


@pytest.fixture
def scoring():
    """One entry (with a photo and a PDF) assigned to one judge, the round open for scoring."""
    round, judge, (round_entry,) = open_round(entries=1, files=True)
    return round, judge, round_entry


# --- Need to know ----------------------------------------------------------------------------


EXPECTED_FOR_ASSIGNED = {
    "score": 200,
    "photo": 200,
    "attachment": 200,
    "conflict": 200,
    "next": 302,
    "score-post": 302,
    "conflict-post": 302,
}


@pytest.mark.parametrize("kind", ENTRY_URLS)
def test_judge_urls_assigned_judge_gets_the_page(scoring, kind):
    round, judge, round_entry = scoring

    response = request(client_for(judge.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (EXPECTED_FOR_ASSIGNED[kind], PRIVATE)


@pytest.mark.parametrize("kind", ENTRY_URLS)
def test_judge_urls_unassigned_judge_gets_404(scoring, kind):
    round, _judge, round_entry = scoring
    other = JudgeFactory()

    response = request(client_for(other.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)
    assert nothing_saved() == (0, 0, 0)


@pytest.mark.parametrize("source", [Conflict.Source.DECLARED, Conflict.Source.ORGANIZER])
@pytest.mark.parametrize("kind", ENTRY_URLS)
def test_judge_urls_conflicted_judge_gets_404_although_assignment_row_remains(scoring, kind, source):
    round, judge, round_entry = scoring
    # A conflict recorded while the assignment row is still there (e.g. a failed clean-up).
    Conflict.objects.create(judge=judge, entry=round_entry.entry, source=source)

    response = request(client_for(judge.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)
    assert Assignment.objects.filter(judge=judge).count() == 1
    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize("field", ["county", "organization"])
@pytest.mark.parametrize("kind", ENTRY_URLS)
def test_judge_urls_judge_moved_to_entrys_county_or_organization_gets_404(scoring, kind, field):
    round, judge, round_entry = scoring
    organization = round_entry.entry.team.organization
    value = organization.county if field == "county" else organization
    Judge.objects.filter(pk=judge.pk).update(**{field: value})

    response = request(client_for(judge.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)


def non_judge(who, entry: Entry):
    if who == "team":
        return entry.team.user
    if who == "coordinator":
        return factories.coordinator_for(entry.team.organization.county)
    if who == "organizer":
        return factories.organizer()
    if who == "superuser":
        return factories.UserFactory(is_superuser=True, is_staff=True)
    return factories.judge()  # in the judges' group but without a judge profile


@pytest.mark.parametrize("who", ["team", "coordinator", "organizer", "superuser", "group-only"])
@pytest.mark.parametrize("kind", ENTRY_URLS)
def test_judge_urls_users_who_are_not_judges_get_404(scoring, kind, who):
    round, _judge, round_entry = scoring
    user = non_judge(who, round_entry.entry)

    response = request(client_for(user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)
    assert nothing_saved() == (0, 0, 0)


@pytest.mark.parametrize("who", ["team", "coordinator", "organizer", "superuser"])
def test_dashboard_users_who_are_not_judges_get_404(scoring, who):
    _round, _judge, round_entry = scoring
    user = non_judge(who, round_entry.entry)

    response = client_for(user).get(reverse("judging:dashboard"))

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)


@pytest.mark.parametrize("kind", ["dashboard", *ENTRY_URLS])
def test_judge_urls_anonymous_is_sent_to_log_in(client, scoring, kind):
    round, _judge, round_entry = scoring

    if kind == "dashboard":
        response = client.get(reverse("judging:dashboard"))
    else:
        response = request(client, kind, round, round_entry)

    assert response.status_code == 302
    assert response["Location"].split("?")[0] == reverse("accounts:login")
    assert nothing_saved() == (0, 0, 0)


@pytest.mark.parametrize("kind", ENTRY_URLS)
def test_judge_urls_round_in_setup_is_404_for_the_assigned_judge(kind):
    round, judge, (round_entry,) = open_round(entries=1, files=True, status=SETUP)

    response = request(client_for(judge.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)


def test_dashboard_round_in_setup_lists_nothing():
    round, judge, (round_entry,) = open_round(entries=1, status=SETUP)

    response = client_for(judge.user).get(reverse("judging:dashboard"))

    assert response.status_code == 200
    assert list(response.context["assignments"]) == []
    assert response.context["rounds"] == []
    assert round_entry.blind_code not in response.content.decode()
    assert round.code not in response.content.decode()


def test_dashboard_unassigned_judge_sees_no_entry(scoring):
    round, _judge, round_entry = scoring
    other = JudgeFactory()

    response = client_for(other.user).get(reverse("judging:dashboard"))

    assert list(response.context["assignments"]) == []
    assert round_entry.blind_code not in response.content.decode()


@pytest.mark.parametrize("kind", ["score", "photo", "attachment"])
def test_judge_urls_inactive_judge_gets_404(scoring, kind):
    round, judge, round_entry = scoring
    Judge.objects.filter(pk=judge.pk).update(active=False)

    response = request(client_for(judge.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (404, PRIVATE)


# --- After the round closes ------------------------------------------------------------------


def submit_full_marks(judge, round, round_entry):
    return client_for(judge.user).post(
        url_of("score", round, round_entry), {"version": 0, "submit": "1", **scores(FULL_MARKS)}
    )


@pytest.mark.parametrize("kind", ["score", "photo", "attachment"])
def test_judge_urls_closed_round_still_readable(scoring, kind):
    round, judge, round_entry = scoring
    set_status(round, CLOSED)

    response = request(client_for(judge.user), kind, round, round_entry)

    assert (response.status_code, response["Cache-Control"]) == (200, PRIVATE)


def test_score_page_closed_round_shows_read_only_sheet(scoring):
    round, judge, round_entry = scoring
    submit_full_marks(judge, round, round_entry)
    set_status(round, CLOSED)

    response = client_for(judge.user).get(url_of("score", round, round_entry))

    body = response.content.decode()
    assert "本轮评分已截止，评分表只能查看。" in body
    assert body.count(" disabled") == 6
    assert 'name="submit"' not in body


def test_score_page_closed_round_refuses_save_with_message_and_no_change(scoring):
    round, judge, round_entry = scoring
    submit_full_marks(judge, round, round_entry)
    set_status(round, CLOSED)
    sheet = ScoreSheet.objects.get()

    response = client_for(judge.user).post(
        url_of("score", round, round_entry), {"version": sheet.version, "submit": "1", **scores([1] * 6)}
    )

    assert response.status_code == 200
    assert "本轮评分已截止，不能再修改评分。" in response.content.decode()
    assert (
        list(Score.objects.order_by("criterion__sort_order").values_list("points", flat=True)) == FULL_MARKS
    )
    assert ScoreSheet.objects.get().version == sheet.version


def test_score_page_reopened_sheet_can_be_saved_after_close(scoring, organizer):
    round, judge, round_entry = scoring
    submit_full_marks(judge, round, round_entry)
    set_status(round, CLOSED)
    sheet = sheet_reopen(sheet=ScoreSheet.objects.get(), reason="评委申请更正", by=organizer)
    page = client_for(judge.user).get(url_of("score", round, round_entry))

    response = client_for(judge.user).post(
        url_of("score", round, round_entry),
        {"version": sheet.version, "submit": "1", **scores([10, 10, 10, 10, 10, 10])},
    )

    assert 'name="submit"' in page.content.decode()
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.total, sheet.reopened) == (ScoreSheet.Status.SUBMITTED, 60, False)


def test_declare_conflict_closed_round_is_refused_with_message(scoring):
    round, judge, round_entry = scoring
    set_status(round, CLOSED)
    client = client_for(judge.user)

    response = client.post(url_of("conflict", round, round_entry), {"reason": "认识"}, follow=True)

    assert "本轮评分已截止，如需回避请联系组委会。" in response.content.decode()
    assert (Conflict.objects.count(), Assignment.objects.filter(judge=judge).count()) == (0, 1)


# --- Side channels ---------------------------------------------------------------------------


def search(client, query):
    return client.get(reverse("judging:dashboard"), {"q": query})


def without_query(response, query) -> str:
    return normalized(response).replace(quote(query), "<q>").replace(query, "<q>")


@pytest.fixture
def two_counties():
    """A judge with two entries from two named counties and organizations."""
    judge = JudgeFactory()
    round = RoundFactory()
    for county_name, org_name, team_name in [
        ("襄垣县", "襄垣县古韩镇侯堡村新时代文明实践站", "侯堡巾帼志愿服务队"),
        ("屯留区", "屯留区麟绛街道康庄社区新时代文明实践站", "康庄银发志愿服务队"),
    ]:
        county = factories.CountyFactory(name=county_name, short_name=county_name[:-1])
        team = factories.TeamFactory(
            name=team_name,
            contact_name="端木青松",
            organization=factories.OrganizationFactory(name=org_name, county=county),
        )
        eligible_entry(round.contest, team=team, title=f"{team_name}：智能手机帮学")
    for round_entry in sync(round):
        assign(round_entry, judge)
    set_status(round, SCORING)
    return round, judge


@pytest.mark.parametrize(
    "query",
    [
        "侯堡巾帼志愿服务队",
        "侯堡巾帼",
        "襄垣县古韩镇侯堡村新时代文明实践站",
        "古韩镇",
        "襄垣",
        "屯留区",
        "端木青松",
    ],
)
def test_dashboard_search_for_hidden_names_finds_nothing(two_counties, query):
    _round, judge = two_counties
    client = client_for(judge.user)
    baseline = search(client, "无关词语")

    response = search(client, query)

    assert list(response.context["assignments"]) == []
    assert without_query(response, query) == without_query(baseline, "无关词语")


def test_dashboard_search_by_blind_code_and_masked_title_finds_the_entry(two_counties):
    round, judge = two_counties
    client = client_for(judge.user)
    code = round.round_entries.order_by("blind_code").first().blind_code

    by_code = search(client, code.lower())
    by_title = search(client, "智能手机")

    assert [a.round_entry.blind_code for a in by_code.context["assignments"]] == [code]
    assert len(by_title.context["assignments"]) == 2


def test_dashboard_counts_only_per_round_never_per_county_or_organization(two_counties):
    round, judge = two_counties

    response = client_for(judge.user).get(reverse("judging:dashboard"))

    body = response.content.decode()
    assert {tuple(sorted(row)) for row in response.context["counts"].values()} == {
        ("draft", "round_id", "submitted", "total")
    }
    assert [name in body for name in ("襄垣", "屯留", "侯堡", "康庄", "古韩", "麟绛")] == [False] * 6
    assert body.count("已提交 <strong>0</strong> / 2") == 1


@pytest.mark.parametrize("kind", ["score", "photo", "attachment", "conflict"])
def test_404_body_is_the_same_for_someone_elses_entry_a_missing_code_and_a_missing_round(kind):
    round, judge, other = RoundFactory(), JudgeFactory(), JudgeFactory()
    for _ in range(2):
        entry = eligible_entry(round.contest)
        factories.add_photo(entry)
        factories.add_attachment(entry)
    mine, theirs = sync(round)
    assign(mine, judge)
    assign(theirs, other)
    set_status(round, SCORING)
    client = client_for(judge.user)

    responses = [
        client.get(url_of(kind, round, theirs)),  # assigned to someone else
        client.get(url_of(kind, round, "ZZ9ZZ9")),  # a code that does not exist
        client.get(url_of(kind, "ZZ9ZZ9ZZ", mine)),  # a round code that does not exist
    ]

    assert [(r.status_code, r["Cache-Control"]) for r in responses] == [(404, PRIVATE)] * 3
    assert len({normalized(r) for r in responses}) == 1
    assert client.get(url_of(kind, round, mine)).status_code == 200


def test_404_body_is_the_same_for_a_conflicted_entry_and_a_missing_one(scoring):
    round, judge, round_entry = scoring
    Conflict.objects.create(judge=judge, entry=round_entry.entry, source=Conflict.Source.DECLARED)
    client = client_for(judge.user)

    conflicted = client.get(url_of("score", round, round_entry))
    missing = client.get(url_of("score", round, "ZZ9ZZ9"))

    assert normalized(conflicted) == normalized(missing)


# --- Scoring ---------------------------------------------------------------------------------


def version_on(page) -> int:
    return int(page.context["form"]["version"].value())


def test_score_page_shows_masked_text_and_rubric(scoring):
    round, judge, round_entry = scoring

    response = client_for(judge.user).get(url_of("score", round, round_entry))

    body = response.content.decode()
    assert round_entry.blind_code in body
    assert round_entry.entry.team.name not in body
    assert [c.name in body for c in round.criteria.all()] == [True] * 6
    assert body.count('class="form-control score-input"') == 6


def test_score_page_two_tabs_second_save_gets_conflict_message_and_nothing_saved(scoring):
    round, judge, round_entry = scoring
    tab_a, tab_b = client_for(judge.user), client_for(judge.user)
    page_a = tab_a.get(url_of("score", round, round_entry))
    page_b = tab_b.get(url_of("score", round, round_entry))

    saved = tab_a.post(
        url_of("score", round, round_entry), {"version": version_on(page_a), "save": "1", **scores([10, 11])}
    )
    refused = tab_b.post(
        url_of("score", round, round_entry), {"version": version_on(page_b), "save": "1", **scores([1, 2, 3])}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "这份评分表已在其他窗口保存过" in refused.content.decode()
    assert "为避免覆盖，本次没有保存。请刷新页面核对后再保存。" in refused.content.decode()
    sheet = ScoreSheet.objects.get()
    assert sorted(sheet.scores.values_list("points", flat=True)) == [10, 11]
    assert sheet.version == 1
    assert JudgingEvent.objects.filter(kind=JudgingEvent.Kind.SHEET_SAVED).count() == 1


def test_score_page_two_tabs_after_reload_second_tab_saves(scoring):
    round, judge, round_entry = scoring
    tab_a, tab_b = client_for(judge.user), client_for(judge.user)
    tab_a.post(url_of("score", round, round_entry), {"version": 0, "save": "1", **scores([10])})
    reloaded = tab_b.get(url_of("score", round, round_entry))

    response = tab_b.post(
        url_of("score", round, round_entry), {"version": version_on(reloaded), "save": "1", **scores([12])}
    )

    assert response.status_code == 302
    assert list(ScoreSheet.objects.get().scores.values_list("points", flat=True)) == [12]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([15, 15, 20, 25, 10, ""], "“可持续与示范带动”还没有打分。"),
        ([16, 15, 20, 25, 10, 15], "“思想引领与目标明确”的分数应在 0 到 15 之间。"),
        ([-1, 15, 20, 25, 10, 15], "“思想引领与目标明确”的分数应在 0 到 15 之间。"),
        (["十", 15, 20, 25, 10, 15], "“思想引领与目标明确”的分数不是数字。"),
        ([12.25, 15, 20, 25, 10, 15], "“思想引领与目标明确”的分数最多精确到 0.5 分。"),
    ],
)
def test_score_page_submit_bad_scores_get_chinese_message_and_nothing_saved(scoring, values, message):
    round, judge, round_entry = scoring

    response = client_for(judge.user).post(
        url_of("score", round, round_entry), {"version": 0, "submit": "1", **scores(values)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ScoreSheet.objects.count() == 0
    assert response.context["form"]["score-2"].value() == "15"  # what the judge typed stays


def test_score_page_draft_may_leave_scores_empty(scoring):
    round, judge, round_entry = scoring

    response = client_for(judge.user).post(
        url_of("score", round, round_entry), {"version": 0, "save": "1", **scores([12, "", 17])}
    )

    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert (sheet.status, sheet.total, sheet.scores.count()) == (ScoreSheet.Status.DRAFT, None, 2)


def three_assignments():
    round, judge, round_entries = open_round(entries=3)
    return round, judge, sorted(round_entries, key=lambda r: r.blind_code)


def test_score_page_submit_goes_to_next_unscored_in_code_order_then_dashboard():
    round, judge, (first, second, third) = three_assignments()
    client = client_for(judge.user)

    locations = [
        client.post(url_of("score", round, round_entry), {"version": 0, "submit": "1", **scores(FULL_MARKS)})[
            "Location"
        ]
        for round_entry in (first, second, third)
    ]

    assert locations == [
        url_of("score", round, second),
        url_of("score", round, third),
        reverse("judging:dashboard"),
    ]
    dashboard = client.get(reverse("judging:dashboard"))
    assert "本轮分配给您的项目都已评完，感谢您的辛勤工作！" in dashboard.content.decode()


def test_score_page_submit_from_the_middle_wraps_to_the_first_unscored():
    round, judge, (first, second, third) = three_assignments()
    client = client_for(judge.user)
    client.post(url_of("score", round, first), {"version": 0, "save": "1", **scores([1])})  # a draft

    to_third = client.post(
        url_of("score", round, second), {"version": 0, "submit": "1", **scores(FULL_MARKS)}
    )
    to_first = client.post(url_of("score", round, third), {"version": 0, "submit": "1", **scores(FULL_MARKS)})

    assert [to_third["Location"], to_first["Location"]] == [
        url_of("score", round, third),
        url_of("score", round, first),
    ]


def test_next_button_opens_first_unscored_then_dashboard_when_all_submitted():
    round, judge, (first, second, third) = three_assignments()
    client = client_for(judge.user)
    client.post(url_of("score", round, first), {"version": 0, "submit": "1", **scores(FULL_MARKS)})

    to_second = client.post(url_of("next", round))
    for round_entry in (second, third):
        client.post(url_of("score", round, round_entry), {"version": 0, "submit": "1", **scores(FULL_MARKS)})
    done = client.post(url_of("next", round))

    assert to_second["Location"] == url_of("score", round, second)
    assert done["Location"] == reverse("judging:dashboard")


def test_next_button_get_is_not_allowed(scoring):
    round, judge, _round_entry = scoring

    response = client_for(judge.user).get(url_of("next", round))

    assert (response.status_code, response["Cache-Control"]) == (405, PRIVATE)


def test_declare_conflict_page_removes_assignment_and_assigns_a_replacement(
    django_capture_on_commit_callbacks,
):
    round, judge, (round_entry,) = open_round(entries=1, files=True)
    entry = round_entry.entry
    same_county = JudgeFactory(county=entry.team.organization.county)
    set_by_organizer = JudgeFactory()
    conflict_set(judge=set_by_organizer, entry=entry, reason="亲属", by=None)
    replacement = JudgeFactory()
    client = client_for(judge.user)
    client.post(url_of("score", round, round_entry), {"version": 0, "save": "1", **scores([10])})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of("conflict", round, round_entry), {"reason": "项目负责人是我以前的同事"})

    assert response["Location"] == reverse("judging:dashboard")
    assert list(Assignment.objects.filter(round=round).values_list("judge_id", flat=True)) == [replacement.pk]
    conflict = Conflict.objects.get(judge=judge)
    assert (conflict.entry_id, conflict.source, conflict.reason) == (
        entry.pk,
        Conflict.Source.DECLARED,
        "项目负责人是我以前的同事",
    )
    assert ScoreSheet.objects.count() == 0
    assert list(
        JudgingEvent.objects.filter(judge=judge, kind=JudgingEvent.Kind.CONFLICT).values_list(
            "note", flat=True
        )
    ) == ["项目负责人是我以前的同事"]
    assert same_county.assignments.count() == 0
    assert client.get(url_of("score", round, round_entry)).status_code == 404


def test_declare_conflict_page_submitted_sheet_is_refused(scoring):
    round, judge, round_entry = scoring
    submit_full_marks(judge, round, round_entry)
    client = client_for(judge.user)

    response = client.post(url_of("conflict", round, round_entry), {"reason": "认识"})
    page = client.get(response["Location"])

    assert response["Location"] == url_of("score", round, round_entry)
    assert "评分表已提交，如需回避请联系组委会。" in page.content.decode()
    assert (Conflict.objects.count(), Assignment.objects.filter(judge=judge).count()) == (0, 1)
    assert ScoreSheet.objects.get().status == ScoreSheet.Status.SUBMITTED


def test_declare_conflict_link_hidden_once_submitted(scoring):
    round, judge, round_entry = scoring
    client = client_for(judge.user)
    before = client.get(url_of("score", round, round_entry)).content.decode()
    submit_full_marks(judge, round, round_entry)

    after = client.get(url_of("score", round, round_entry)).content.decode()

    conflict_url = url_of("conflict", round, round_entry)
    assert [conflict_url in before, conflict_url in after] == [True, False]


# --- Query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
def test_dashboard_query_count_is_constant(django_assert_num_queries, n):
    _round, judge, _round_entries = open_round(entries=n, files=True)
    client = client_for(judge.user)
    client.get(reverse("judging:dashboard"))
    # 9: the page, the inbox link's unread count (messaging) since issue 11, and the letters of
    # thanks panel's contests (awards, through judging.extensions) since issue 12.

    with django_assert_num_queries(9):
        response = client.get(reverse("judging:dashboard"))

    assert len(response.context["assignments"]) == n


def test_dashboard_lists_forty_assignments_a_page(django_assert_num_queries):
    _round, judge, _round_entries = open_round(entries=45)
    client = client_for(judge.user)

    first = client.get(reverse("judging:dashboard"))
    with django_assert_num_queries(9):
        second = client.get(reverse("judging:dashboard"), {"page": 2})

    assert (len(first.context["assignments"]), len(second.context["assignments"])) == (40, 5)
    assert "第 2 / 2 页" in second.text


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("position", [0, -1])
def test_score_page_query_count_is_constant(django_assert_num_queries, n, position):
    round, judge, round_entries = open_round(entries=n, files=True)
    target = sorted(round_entries, key=lambda r: r.blind_code)[position]
    client = client_for(judge.user)
    client.get(reverse("judging:dashboard"))

    # Photos and PDFs are the round entry's frozen blind files, read in one query.
    with django_assert_num_queries(8):
        response = client.get(url_of("score", round, target))

    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 3])
def test_score_page_with_sheet_query_count_is_constant(django_assert_num_queries, n):
    round, judge, round_entries = open_round(entries=n, files=True)
    client = client_for(judge.user)
    for round_entry in round_entries:
        client.post(url_of("score", round, round_entry), {"version": 0, "save": "1", **scores([10, 10])})

    with django_assert_num_queries(9):
        response = client.get(url_of("score", round, round_entries[0]))

    assert response.context["form"]["score-1"].value() == 10
