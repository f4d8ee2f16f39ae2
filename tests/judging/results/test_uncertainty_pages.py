"""How sure the ranking is, against the database: kept with the results by
compute_round_results, shown on the ranking (入选把握, 区间), the judge statistics (a judge far from
the others), the shortlist preview (expected misses), carried by the exports and the commands;
never shown to teams."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from judging.models import JudgeResult, RoundResult, RoundUncertainty
from judging.phases import PUBLISHED
from judging.results.selectors import list_uncertainty
from judging.results.services import compute_round_results
from judging.spreadsheets.tables import judges_table, ranking_table
from tests.judging.factories import JudgeFactory, client_for, set_status
from tests.judging.result_factories import entry_in, scored_round

pytestmark = pytest.mark.django_db

ROUNDS = "/admin/judging/rounds/"
SHORTLIST = "/admin/awards/shortlist/"

# Entries 0–5 scored by judges 0–4 (judge 4 about 25 points more lenient than the others, who
# differ by a point or so); entries 6 and 7 scored only by judge 5, who scored nothing else.
OFFSETS = [-1, 0, 1, 0, 25]
BASE = [70, 66, 62, 58, 54, 50]


def sheets() -> dict:
    totals = {}
    for e, base in enumerate(BASE):
        for j, offset in enumerate(OFFSETS):
            noise = ((e * 7 + j * 3) % 5) - 2  # a little disagreement, -2 … 2
            totals[(e, j)] = min(100, base + offset + noise)
    totals[(6, 5)] = 75
    totals[(7, 5)] = 52
    return totals


@pytest.fixture
def world(contest):
    for _ in range(8):
        entry_in(contest)
    judges = [JudgeFactory(name=f"评委{n}") for n in range(6)]
    round, round_entries = scored_round(contest, sheets(), judges=judges)
    return round, round_entries, judges


def test_compute_keeps_the_uncertainty_with_the_results(world):
    round, round_entries, judges = world

    compute_round_results(round=round, top=3)

    sure = RoundUncertainty.objects.get(round=round)
    assert sure.top == 3 and sure.draws == 200
    assert 0 <= sure.misses_low <= sure.expected_misses <= sure.misses_high <= 3
    results = list(RoundResult.objects.filter(round=round))
    assert len(results) == 8
    for result in results:
        assert 0 <= result.top_chance <= 1
        assert result.score_low <= result.score_high
    assert sum(r.top_chance for r in results) == pytest.approx(3)
    # Entries 6 and 7 cannot be compared with the rest, and the kept figures say so.
    assert sure.parts == [{"entries": [round_entries[6].pk, round_entries[7].pk], "judges": [judges[5].pk]}]
    far = dict(JudgeResult.objects.filter(round=round).values_list("judge_id", "far"))
    assert far[judges[4].pk] > 2
    assert all(far[j.pk] is None for j in judges[:4])


def test_recomputing_gives_the_same_figures(world):
    round, _round_entries, _judges = world
    compute_round_results(round=round)
    first = list(
        RoundResult.objects.filter(round=round).order_by("pk").values_list("top_chance", "score_low")
    )
    misses = RoundUncertainty.objects.get(round=round).expected_misses

    compute_round_results(round=round)

    again = list(
        RoundResult.objects.filter(round=round).order_by("pk").values_list("top_chance", "score_low")
    )
    assert again == first
    assert RoundUncertainty.objects.get(round=round).expected_misses == misses


def test_a_list_of_any_size_is_judged_from_the_kept_simulations(world):
    round, round_entries, _judges = world
    compute_round_results(round=round)
    best = [re.entry_id for re in round_entries[:2]]

    sure = list_uncertainty(round_id=round.pk, entry_ids=best)

    assert sure.misses.size == 2
    assert 0 <= sure.misses.expected <= 2
    assert set(sure.chance) == set(best)
    assert all(0 <= p <= 1 for p in sure.chance.values())
    # An entry that is not in the round always counts as a miss.
    assert list_uncertainty(round_id=round.pk, entry_ids=[*best, 10**9]).misses.low >= 1


def test_ranking_page_shows_the_chance_the_interval_and_the_parts(world, organizer_client):
    round, round_entries, _judges = world
    compute_round_results(round=round, top=3)

    html = organizer_client.get(f"{ROUNDS}{round.pk}/results/").content.decode()

    assert "入选把握" in html
    assert "<meter" in html
    assert "区间 " in html
    assert "按总成绩排在前 3 名的项目中，预计约" in html
    assert "2 个项目（" in html and round_entries[6].blind_code in html
    assert "这些评委没有评过其他项目" in html


def test_ranking_sorts_by_the_chance(world, organizer_client):
    round, _round_entries, _judges = world
    compute_round_results(round=round, top=3)

    response = organizer_client.get(f"{ROUNDS}{round.pk}/results/?sort=top_chance")

    chances = [r.top_chance for r in response.context["results"]]
    assert chances == sorted(chances, reverse=True)


def test_judge_statistics_note_a_judge_far_from_the_others(world, organizer_client):
    round, _round_entries, _judges = world
    compute_round_results(round=round)

    html = organizer_client.get(f"{ROUNDS}{round.pk}/judge-stats/").content.decode()

    assert "有 1 位评委的宽严与其他评委差得远" in html
    assert html.count("与其他评委差得远（约") == 1


def test_shortlist_preview_says_how_many_may_differ_from_the_true_top(world, organizer_client):
    round, _round_entries, _judges = world
    compute_round_results(round=round)

    response = organizer_client.get(f"{SHORTLIST}{round.contest_id}/preview/?round={round.pk}&size=3")

    html = response.content.decode()
    assert "这份名单中预计约" in html and "个与真实前 3 名不同，区间" in html
    assert response.context["misses"].size == 3
    assert all(row["chance"] is not None for row in response.context["rows"])


def test_exports_carry_the_figures(world):
    round, _round_entries, judges = world
    compute_round_results(round=round, top=3)

    ranking = ranking_table(round=round)
    rows = list(ranking.rows)
    assert ranking.headers[-3:] == [
        "校准分区间下限",
        "校准分区间上限",
        "入选把握（进入真实前 3 名的可能性，%）",
    ]
    assert all(0 <= row[-1] <= 100 and row[-3] <= row[-2] for row in rows)
    table = judges_table(round=round)
    assert table.headers[-1] == "与其他评委差得远（标准差倍数）"
    far = [row[-1] for row in table.rows]
    assert sum(value is not None for value in far) == 1


def test_compute_results_command_prints_the_expected_misses(world):
    round, _round_entries, _judges = world
    out = io.StringIO()

    call_command("compute_results", "--round", str(round.pk), "--top", "2", stdout=out)

    text = out.getvalue()
    assert "top 2: expected" in text and "not in the true top 2" in text
    assert "not comparable with the rest: 2 entries" in text
    assert RoundUncertainty.objects.get(round=round).top == 2


def test_teams_never_see_the_figures(world):
    round, round_entries, _judges = world
    compute_round_results(round=round)
    set_status(round, PUBLISHED)
    entry = round_entries[0].entry

    html = client_for(entry.team.user).get(reverse("team_results", args=[entry.public_id])).content.decode()

    for text in ("入选把握", "真实前", "<meter", "差得远"):
        assert text not in html
    assert not re.search(r"区间 \d", html)  # (成绩区间 is the team's band, "前 30%")


def test_the_figures_read_in_english(world, organizer_client, settings):
    round, _round_entries, _judges = world
    compute_round_results(round=round, top=3)
    organizer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    results = organizer_client.get(f"{ROUNDS}{round.pk}/results/").content.decode()
    judges = organizer_client.get(f"{ROUNDS}{round.pk}/judge-stats/").content.decode()
    preview = organizer_client.get(
        f"{SHORTLIST}{round.contest_id}/preview/?round={round.pk}&size=3"
    ).content.decode()

    assert "Chance of selection" in results and "How reliable the ranking is" in results
    assert "who scored no other entry" in results
    assert "1 judge is far from the others" in judges and "far from the other judges (about" in judges
    assert "entries of this list are expected not to be in the true top 3" in preview
    for html in (results, judges, preview):
        for chinese in ("入选把握", "区间", "差得远", "真实前"):
            assert chinese not in html


def test_advance_preview_says_how_sure_the_rule_is(world, organizer_client):
    round, round_entries, _judges = world
    compute_round_results(round=round)
    url = f"{ROUNDS}{round.pk}/advance/"

    by_top = organizer_client.get(url, {"mode": "top", "top": "3"})
    code = round_entries[0].entry.category.code
    by_category = organizer_client.get(url, {"mode": "category", f"quota_{code}": "20"})

    assert "个与真实前 3 名不同，区间" in by_top.content.decode()
    assert by_top.context["misses"].size == 3
    # Every entry is in one category with 20 places for 8 entries: all certain.
    assert "个的真实水平排不进本类别的名额之内" in by_category.content.decode()
    assert by_category.context["misses"].expected == 0
