"""The counties' review and recommendation: per-county quotas, the recommendation deadline,
the true review state of an entry and the bulk actions (services called directly)."""

import datetime as dt

import pytest
from django.utils import timezone

from competition import errors, phases, selectors, services
from competition.models import CountyQuota, Entry, EntryEvent
from tests import factories

pytestmark = pytest.mark.django_db


def eligible(contest, county, title="项目", **kwargs):
    return factories.EntryFactory(
        contest=contest,
        team__organization__county=county,
        title=title,
        submitted=True,
        eligibility=Entry.Eligibility.ELIGIBLE,
        **kwargs,
    )


# --- Quotas ------------------------------------------------------------------------------------


def test_county_quota_overrides_the_contest_quota_for_that_county_only(organizer):
    contest = factories.ContestFactory(recommendation_quota=1)
    big, small = factories.CountyFactory(name="潞州区"), factories.CountyFactory(name="黎城县")
    CountyQuota.objects.create(contest=contest, county=big, quota=2)
    big_entries = [eligible(contest, big, f"潞州{i}") for i in range(3)]
    small_entries = [eligible(contest, small, f"黎城{i}") for i in range(2)]

    for entry in big_entries[:2] + small_entries[:1]:
        services.entry_set_recommended(entry=entry, recommended=True, by=organizer)
    with pytest.raises(errors.EntryLimitReached) as big_full:
        services.entry_set_recommended(entry=big_entries[2], recommended=True, by=organizer)
    with pytest.raises(errors.EntryLimitReached) as small_full:
        services.entry_set_recommended(entry=small_entries[1], recommended=True, by=organizer)

    assert big_full.value.message == "本县（市、区）的推荐名额（2 个）已用完，请先取消其他项目的推荐。"
    assert small_full.value.message == "本县（市、区）的推荐名额（1 个）已用完，请先取消其他项目的推荐。"
    assert selectors.recommendation_remaining(contest=contest, county_id=big.pk) == 0


def test_county_quota_of_zero_refuses_any_recommendation(organizer):
    contest = factories.ContestFactory(recommendation_quota=None)
    county = factories.CountyFactory()
    CountyQuota.objects.create(contest=contest, county=county, quota=0)

    with pytest.raises(errors.EntryLimitReached):
        services.entry_set_recommended(entry=eligible(contest, county), recommended=True, by=organizer)


def test_quota_does_not_count_a_withdrawn_entrys_old_recommendation(organizer):
    contest = factories.ContestFactory(recommendation_quota=1)
    county = factories.CountyFactory()
    eligible(contest, county, "已撤回", recommended=True, status=Entry.Status.WITHDRAWN)

    services.entry_set_recommended(entry=eligible(contest, county, "新的"), recommended=True, by=organizer)

    assert selectors.recommended_count(contest=contest, county_id=county.pk) == 1


def test_withdrawn_entry_cannot_be_recommended(organizer):
    contest = factories.ContestFactory()
    entry = eligible(contest, factories.CountyFactory(), status=Entry.Status.WITHDRAWN)

    with pytest.raises(errors.EntryError, match="只有通过资格审查的项目才能推荐。"):
        services.entry_set_recommended(entry=entry, recommended=True, by=organizer)


def test_recommendation_reason_is_recorded_on_the_event(organizer):
    entry = eligible(factories.ContestFactory(), factories.CountyFactory())

    services.entry_set_recommended(entry=entry, recommended=True, by=organizer, reason="服务成效突出")

    assert EntryEvent.objects.get(entry=entry, kind=EntryEvent.Kind.RECOMMENDED).note == "服务成效突出"


# --- The recommendation deadline ---------------------------------------------------------------


@pytest.fixture
def past_deadline(db):
    """A contest whose submission closed and whose county deadline passed an hour ago."""
    now = timezone.now()
    return factories.ContestFactory(
        submission_opens=now - dt.timedelta(days=30),
        submission_closes=now - dt.timedelta(days=2),
        recommendation_closes=now - dt.timedelta(hours=1),
    )


def test_phase_county_deadline_answers_before_and_after(past_deadline):
    closes = past_deadline.recommendation_closes

    before = closes - dt.timedelta(seconds=1)
    assert phases.may_recommend(past_deadline, organizer=False, now=before)
    assert phases.may_decide_eligibility(past_deadline, organizer=False, now=before)
    assert not phases.may_recommend(past_deadline, organizer=False, now=closes)
    assert not phases.may_decide_eligibility(past_deadline, organizer=False, now=closes)
    assert phases.may_recommend(past_deadline, organizer=True, now=closes)
    assert phases.may_decide_eligibility(past_deadline, organizer=True, now=closes)


def test_phase_without_deadline_follows_the_contest_phase_only():
    contest = factories.ContestFactory(recommendation_closes=None)

    assert phases.may_recommend(contest, organizer=False)
    assert not phases.county_deadline_passed(contest)


def test_coordinator_is_refused_after_the_deadline_with_the_time_in_beijing(past_deadline):
    county = factories.CountyFactory()
    coordinator = factories.coordinator_for(county)
    pending = factories.EntryFactory(contest=past_deadline, team__organization__county=county, submitted=True)
    ready = eligible(past_deadline, county)
    closes = timezone.localtime(past_deadline.recommendation_closes).strftime("%Y-%m-%d %H:%M")

    with pytest.raises(errors.EntryNotEditable) as decided:
        services.entry_decide_eligibility(entry=pending, eligible=True, reason="", by=coordinator)
    with pytest.raises(errors.EntryNotEditable) as recommended:
        services.entry_set_recommended(entry=ready, recommended=True, by=coordinator)

    expected = f"资格审查与推荐已于 {closes}（北京时间）截止，县区管理员不能再修改；如需更正，请联系组委会。"
    assert decided.value.message == recommended.value.message == expected
    assert Entry.objects.get(pk=pending.pk).eligibility == Entry.Eligibility.PENDING
    assert not Entry.objects.get(pk=ready.pk).recommended


def test_organizer_may_still_correct_after_the_deadline(past_deadline, organizer):
    county = factories.CountyFactory()
    pending = factories.EntryFactory(contest=past_deadline, team__organization__county=county, submitted=True)

    services.entry_decide_eligibility(entry=pending, eligible=True, reason="", by=organizer)
    services.entry_set_recommended(entry=pending, recommended=True, by=organizer)

    pending.refresh_from_db()
    assert (pending.eligibility, pending.recommended) == (Entry.Eligibility.ELIGIBLE, True)


# --- The true state ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "eligibility", "recommended", "label"),
    [
        (Entry.Status.WITHDRAWN, Entry.Eligibility.PENDING, False, "已撤回"),
        (Entry.Status.WITHDRAWN, Entry.Eligibility.ELIGIBLE, True, "已撤回"),
        (Entry.Status.DRAFT, Entry.Eligibility.PENDING, False, "草稿"),
        (Entry.Status.SUBMITTED, Entry.Eligibility.PENDING, False, "待审查"),
        (Entry.Status.SUBMITTED, Entry.Eligibility.ELIGIBLE, False, "资格审查通过"),
        (Entry.Status.SUBMITTED, Entry.Eligibility.ELIGIBLE, True, "已推荐"),
        (Entry.Status.SUBMITTED, Entry.Eligibility.INELIGIBLE, False, "资格审查未通过"),
    ],
)
def test_entry_state_and_its_filter_agree(status, eligibility, recommended, label):
    entry = factories.EntryFactory(
        submitted=status != Entry.Status.DRAFT,
        status=status,
        eligibility=eligibility,
        eligibility_reason="理由" if eligibility == Entry.Eligibility.INELIGIBLE else "",
        recommended=recommended,
    )

    state = phases.entry_state(entry)

    assert str(state.label) == label
    assert list(Entry.objects.filter(phases.entry_state_q(state.code))) == [entry]


# --- Bulk actions ----------------------------------------------------------------------------------


def test_bulk_eligibility_decides_each_and_reports_the_refused_ones():
    contest = factories.ContestFactory()
    county, other = factories.CountyFactory(), factories.CountyFactory()
    coordinator = factories.coordinator_for(county)
    mine = [
        factories.EntryFactory(contest=contest, team__organization__county=county, submitted=True)
        for _ in range(2)
    ]
    withdrawn = factories.EntryFactory(
        contest=contest, team__organization__county=county, submitted=True, status=Entry.Status.WITHDRAWN
    )
    theirs = factories.EntryFactory(contest=contest, team__organization__county=other, submitted=True)

    outcome = services.entries_decide_eligibility(
        entries=[*mine, withdrawn, theirs], eligible=False, reason="材料不全", by=coordinator
    )

    assert outcome.done == mine
    assert [(entry, why) for entry, why in outcome.failed] == [
        (withdrawn, "只有已提交的项目才能进行资格审查。"),
        (theirs, "您无权审查这个项目。"),
    ]
    states = dict(Entry.objects.values_list("pk", "eligibility"))
    assert [states[e.pk] for e in [*mine, withdrawn, theirs]] == [
        "ineligible",
        "ineligible",
        "pending",
        "pending",
    ]
    assert set(
        Entry.objects.filter(pk__in=[e.pk for e in mine]).values_list("eligibility_reason", flat=True)
    ) == {"材料不全"}


def test_bulk_ineligible_without_reason_refuses_every_entry():
    county = factories.CountyFactory()
    coordinator = factories.coordinator_for(county)
    entries = [factories.EntryFactory(team__organization__county=county, submitted=True) for _ in range(2)]

    outcome = services.entries_decide_eligibility(entries=entries, eligible=False, reason=" ", by=coordinator)

    assert outcome.done == []
    assert len(outcome.failed) == 2
    assert not Entry.objects.exclude(eligibility=Entry.Eligibility.PENDING).exists()


def test_bulk_recommend_fills_the_quota_in_order_and_names_the_rest():
    contest = factories.ContestFactory(recommendation_quota=2)
    county = factories.CountyFactory()
    coordinator = factories.coordinator_for(county)
    entries = [eligible(contest, county, f"第{i}个") for i in range(3)]

    outcome = services.entries_set_recommended(
        entries=entries, recommended=True, reason="县级评审前两名", by=coordinator
    )

    assert outcome.done == entries[:2]
    assert [(entry.title, why) for entry, why in outcome.failed] == [
        ("第2个", "本县（市、区）的推荐名额（2 个）已用完，请先取消其他项目的推荐。")
    ]
    assert set(
        EntryEvent.objects.filter(kind=EntryEvent.Kind.RECOMMENDED).values_list("note", flat=True)
    ) == {"县级评审前两名"}


def test_bulk_unrecommend_frees_the_quota():
    contest = factories.ContestFactory(recommendation_quota=1)
    county = factories.CountyFactory()
    coordinator = factories.coordinator_for(county)
    entry = eligible(contest, county, recommended=True)

    outcome = services.entries_set_recommended(entries=[entry], recommended=False, by=coordinator)

    assert outcome.done == [entry]
    assert selectors.recommendation_remaining(contest=contest, county_id=county.pk) == 1


# --- Next entry -------------------------------------------------------------------------------------


def test_next_pending_entry_follows_submission_order_and_wraps_round():
    contest = factories.ContestFactory()
    county = factories.CountyFactory()
    coordinator = factories.coordinator_for(county)
    now = timezone.now()
    first, second, third = (
        factories.EntryFactory(
            contest=contest,
            team__organization__county=county,
            submitted=True,
            submitted_at=now - dt.timedelta(hours=3 - i),
        )
        for i in range(3)
    )
    eligible(contest, county, "已审查")
    factories.EntryFactory(contest=contest, submitted=True)  # another county's

    assert selectors.next_pending_entry(user=coordinator, contest=contest, after=first) == second
    assert selectors.next_pending_entry(user=coordinator, contest=contest, after=third) == first
