"""The organizer drops entries from the recommendation before creating the second round:
the service takes the chosen round entries and refuses others in words; the results page
offers a ticked checkbox per listed entry."""

import re

import pytest

from judging.errors import JudgingError
from judging.models import JudgingEvent, Round, RoundEntry, RoundUncertainty, chance_text
from judging.results.services import compute_round_results, create_next_round, recommend_next_round
from tests.judging.result_factories import entry_in, scored_round
from tests.judging.results.test_next_round import ROUNDS, first, judges  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def recommended(round):
    return recommend_next_round(round=round, budget=10, target=0)


def test_only_the_chosen_entries_go_on_with_their_judges(first, admin_user):  # noqa: F811
    round, round_entries = first
    plan = recommended(round)
    advice = plan.recommendation
    dropped = max(advice.extra, key=lambda pk: advice.extra[pk])
    assert advice.extra[dropped] > 0
    chosen = [pk for pk in advice.carried if pk != dropped]

    made = create_next_round(round=round, by=admin_user, budget=10, target=0, entry_ids=chosen)

    entry_of = {re.pk: re.entry_id for re in round_entries}
    got = dict(RoundEntry.objects.filter(round=made).values_list("entry_id", "judges_needed"))
    assert got == {entry_of[pk]: advice.extra.get(pk, 0) for pk in chosen}
    assert entry_of[dropped] not in got
    advanced = set(RoundEntry.objects.filter(round=round, advanced=True).values_list("pk", flat=True))
    assert advanced == set(chosen)
    event = JudgingEvent.objects.get(round=round, kind=JudgingEvent.Kind.ADVANCED)
    assert event.after["dropped"] == [plan.codes[dropped]]
    assert event.after["sheets"] == advice.sheets - advice.extra[dropped]


def test_ids_as_strings_from_a_form_are_taken(first, admin_user):  # noqa: F811
    round, _ = first
    carried = recommended(round).recommendation.carried
    made = create_next_round(
        round=round, by=admin_user, budget=10, target=0, entry_ids=[str(pk) for pk in carried]
    )
    assert made.round_entries.count() == len(carried)


def test_an_entry_outside_the_recommendation_is_refused_by_its_code(first, admin_user):  # noqa: F811
    round, round_entries = first
    advice = recommended(round).recommendation
    outside = advice.settled_out[0]
    code = next(re.blind_code for re in round_entries if re.pk == outside)

    with pytest.raises(JudgingError, match=re.escape(f"{code} 不在本次复评建议中")):
        create_next_round(
            round=round, by=admin_user, budget=10, target=0, entry_ids=[*advice.carried, outside]
        )
    assert Round.objects.filter(contest=round.contest).count() == 1
    assert not RoundEntry.objects.filter(round=round, advanced=True).exists()


@pytest.mark.parametrize(
    ("ids", "message"),
    [([], "请至少选择一个进入复评的项目。"), (["abc"], "所选项目有误"), ([999999], "所选项目不属于本轮")],
)
def test_empty_garbled_or_foreign_choices_are_refused(first, admin_user, ids, message):  # noqa: F811
    round, _ = first
    with pytest.raises(JudgingError, match=message):
        create_next_round(round=round, by=admin_user, budget=10, target=0, entry_ids=ids)
    assert Round.objects.filter(contest=round.contest).count() == 1


def test_the_page_ticks_every_listed_entry_and_carries_the_rest(first, organizer_client):  # noqa: F811
    round, _ = first
    advice = recommended(round).recommendation
    html = organizer_client.get(
        f"{ROUNDS}{round.pk}/results/", {"budget": "10", "target": "0"}
    ).content.decode()
    ticked = {
        int(pk) for pk in re.findall(r'name="entry" value="(\d+)" form="next-round-create"[^>]*checked', html)
    }
    hidden = {int(pk) for pk in re.findall(r'type="hidden" name="entry" value="(\d+)"', html)}
    assert ticked == set(advice.extra)  # every boundary entry is listed here (fewer than 30)
    assert hidden == set(advice.settled_in)
    assert 'name="choose" value="1"' in html


def test_the_organizer_unticks_an_entry_and_creates_the_round(first, organizer_client):  # noqa: F811
    round, _ = first
    advice = recommended(round).recommendation
    dropped = sorted(advice.extra)[0]
    chosen = [pk for pk in advice.carried if pk != dropped]
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {"action": "create_next_round", "budget": "10", "target": "0", "choose": "1", "entry": chosen},
    )
    made = Round.objects.get(contest=round.contest, order=round.order + 1)
    assert response.status_code == 302
    assert set(made.round_entries.values_list("entry_id", flat=True)) == set(
        RoundEntry.objects.filter(pk__in=chosen).values_list("entry_id", flat=True)
    )


def test_a_page_post_with_nothing_ticked_says_why_and_keeps_the_budget(first, organizer_client):  # noqa: F811
    round, _ = first
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {"action": "create_next_round", "budget": "10", "target": "0", "choose": "1"},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请至少选择一个进入复评的项目。" in html
    assert 'value="10"' in html  # the budget asked for is still in the form
    assert Round.objects.filter(contest=round.contest).count() == 1


def test_a_post_of_an_entry_not_recommended_creates_nothing(first, organizer_client):  # noqa: F811
    round, _ = first
    advice = recommended(round).recommendation
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {
            "action": "create_next_round",
            "budget": "10",
            "target": "0",
            "choose": "1",
            "entry": [*advice.carried, advice.settled_out[0]],
        },
        follow=True,
    )
    assert "不在本次复评建议中" in response.content.decode()
    assert Round.objects.filter(contest=round.contest).count() == 1


# --- The N of 入选把握 chosen when computing from the page --------------------------------------


def test_the_page_computes_with_the_places_typed_and_offers_them_next_time(first, organizer_client):  # noqa: F811
    round, _ = first
    html = organizer_client.get(f"{ROUNDS}{round.pk}/results/").content.decode()
    assert 'name="top" value="4"' in html  # the N the last computation used

    organizer_client.post(f"{ROUNDS}{round.pk}/results/", {"action": "compute", "top": "6"})

    assert RoundUncertainty.objects.get(round=round).top == 6
    html = organizer_client.get(f"{ROUNDS}{round.pk}/results/").content.decode()
    assert 'name="top" value="6"' in html


def test_a_later_round_offers_the_earlier_rounds_places(first, admin_user, organizer_client):  # noqa: F811
    round, _ = first
    made = create_next_round(round=round, by=admin_user, budget=10, target=0)
    html = organizer_client.get(f"{ROUNDS}{made.pk}/results/").content.decode()
    assert 'name="top" value="4"' in html


@pytest.mark.parametrize("typed", ["0", "十", "-3", "100001"])
def test_bad_places_are_refused_in_words_and_kept(first, organizer_client, typed):  # noqa: F811
    round, _ = first
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/", {"action": "compute", "top": typed}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“入选名额”请填写 1 到 100000 之间的整数" in html
    assert f'name="top" value="{typed}"' in html
    assert RoundUncertainty.objects.get(round=round).top == 4


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (0.0, "<1%"),
        (0.004, "<1%"),
        (0.005, "1%"),
        (0.42, "42%"),
        (0.995, "99%"),
        (0.996, ">99%"),
    ],
)
def test_a_chance_between_the_ends_never_reads_0_or_100_percent(value, text):
    assert chance_text(value) == text


def test_no_add_a_judge_button_once_scoring_has_closed(contest, judges, organizer_client):  # noqa: F811
    """A flagged entry of a closed round: the page says to reopen scoring, and offers no
    button that would only be refused."""
    for _ in range(3):
        entry_in(contest)
    round, _ = scored_round(
        contest, {(0, 0): 90, (0, 1): 40, (1, 0): 70, (1, 1): 72, (2, 2): 60}, judges=judges
    )
    compute_round_results(round=round, top=2)
    html = organizer_client.get(f"{ROUNDS}{round.pk}/results/").content.decode()
    assert 'class="results-flagged"' in html
    assert "加派评委需要本轮处于评分中" in html
    assert "加派一位评委" not in html


# --- Category places ---------------------------------------------------------------------------


@pytest.fixture
def by_category(contest, judges):  # noqa: F811
    """Twelve entries in two categories (alternating), scored as ``first``; results computed."""
    from tests.judging.results.test_next_round import ENTRIES, first_sheets

    for n in range(ENTRIES):
        entry_in(contest, category=("education", "health")[n % 2])
    round, round_entries = scored_round(contest, first_sheets(), judges=judges)
    compute_round_results(round=round, top=4)
    return round, round_entries


def test_with_category_places_the_chances_are_of_each_categorys_places(by_category):
    round, round_entries = by_category
    plan = recommend_next_round(round=round, budget=10, target=0, per_category={"education": 2, "health": 2})
    assert plan.top == 4 and plan.per_category == {"education": 2, "health": 2}
    # Within each category the chances add up to its places (every entry has a result).
    category = {re.pk: re.entry.category.code for re in round_entries}
    for code in ("education", "health"):
        assert sum(c for pk, c in plan.chance.items() if category[pk] == code) == pytest.approx(2)
    plain = recommend_next_round(round=round, budget=10, target=0)
    assert plain.per_category == {}
    assert plan.chance != plain.chance
    # A category without places: its entries have no chance and are not carried.
    only = recommend_next_round(round=round, budget=10, target=0, per_category={"education": 3, "health": 0})
    assert only.top == 3
    for pk in only.recommendation.carried:
        assert category[pk] == "education"


def test_negative_category_places_are_refused(by_category):
    round, _ = by_category
    with pytest.raises(JudgingError, match="类别名额不能为负数"):
        recommend_next_round(round=round, budget=10, per_category={"education": -1})


def test_the_round_is_created_for_category_places(by_category, admin_user):
    round, _ = by_category
    places = {"education": 2, "health": 2}
    advice = recommend_next_round(round=round, budget=10, target=0, per_category=places).recommendation
    made = create_next_round(round=round, by=admin_user, budget=10, target=0, per_category=places)
    assert made.round_entries.count() == len(advice.carried)
    event = JudgingEvent.objects.get(round=round, kind=JudgingEvent.Kind.ADVANCED)
    assert event.after["per_category"] == places


def test_the_page_takes_category_places_and_carries_them_into_the_creation(by_category, organizer_client):
    round, _ = by_category
    html = organizer_client.get(
        f"{ROUNDS}{round.pk}/results/",
        {"budget": "10", "target": "0", "places_education": "2", "places_health": "2"},
    ).content.decode()
    assert "按类别名额选出的 4 个项目中" in html
    assert 'type="hidden" name="places_education" value="2"' in html
    response = organizer_client.post(
        f"{ROUNDS}{round.pk}/results/",
        {
            "action": "create_next_round",
            "budget": "10",
            "target": "0",
            "places_education": "2",
            "places_health": "2",
        },
    )
    assert response.status_code == 302
    event = JudgingEvent.objects.get(round=round, kind=JudgingEvent.Kind.ADVANCED)
    assert event.after["per_category"] == {"education": 2, "health": 2}


def test_bad_category_places_on_the_page_are_said_and_kept(by_category, organizer_client):
    round, _ = by_category
    response = organizer_client.get(
        f"{ROUNDS}{round.pk}/results/", {"budget": "10", "target": "0", "places_education": "两个"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写整数名额。" in html and 'value="两个"' in html
    assert "按此建议新建复评轮次" not in html
