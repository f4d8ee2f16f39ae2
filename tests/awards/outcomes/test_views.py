"""The team's own results: the page at /my/results/<public_id>/ and the panel on its entry page.
Figures and feedback after publication, never a judge's identity; nothing before; 404 for
anyone else's entry; a constant number of queries."""

import pytest
from django.urls import reverse

from judging.models import Judge
from judging.phases import CLOSED, PUBLISHED, SCORING
from judging.results.services import compute_round_results
from tests import factories
from tests.judging.factories import JudgeFactory, client_for, set_status, sync
from tests.judging.result_factories import entry_in, rubric_round, save_sheet

pytestmark = pytest.mark.django_db

# Judges whose names, log-in names and ids would be easy to spot in a page.
JUDGES = [
    ("诸葛明远", "zhuge_mingyuan", 8765431, 7654321),
    ("欧阳清澜", "ouyang_qinglan", 8765432, 7654322),
]
FEEDBACK = ["建议补充服务对象回访记录。", "团队分工清楚，成效数据翔实。"]


def distinctive_judge(name, username, user_id, judge_id) -> Judge:
    judge = JudgeFactory(name=name, user=factories.UserFactory(id=user_id, username=username))
    Judge.objects.filter(pk=judge.pk).update(id=judge_id)  # nothing refers to it yet
    return Judge.objects.get(pk=judge_id)


def results_round(contest, judges, ours, *, order=1, publish=True, feedback=FEEDBACK, splits=None):
    """A round of the contest's entries, each scored by every judge; ``ours`` gets the sheets
    split (45, 39) and (40, 37): totals 84 and 77 (mean 80.5), criterion means 42.5 and 38.
    The other entries get lower totals. Computed, then published unless ``publish`` is False."""
    round = rubric_round(contest, order=order)
    round_entries = sync(round)
    set_status(round, SCORING)
    splits = splits or [(45, 39), (40, 37)]
    for round_entry in round_entries:
        for n, judge in enumerate(judges):
            if round_entry.entry_id == ours.pk:
                split = splits[n % len(splits)]
                save_sheet(round_entry, judge, None, split=split, feedback=feedback[n % len(feedback)])
            else:
                save_sheet(round_entry, judge, 60 - 2 * n)
    set_status(round, CLOSED)
    compute_round_results(round=round)
    if publish:
        set_status(round, PUBLISHED)
    return round


@pytest.fixture
def ours(contest, team):
    entry = entry_in(contest, team=team)
    for _ in range(3):
        entry_in(contest)
    return entry


@pytest.fixture
def judges():
    return [distinctive_judge(*judge) for judge in JUDGES]


def results_url(entry) -> str:
    return reverse("team_results", args=[entry.public_id])


def test_results_page_shows_the_figures_band_and_feedback(contest, team, ours, judges):
    results_round(contest, judges, ours)

    response = client_for(team.user).get(results_url(ours))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    # criterion means 42.5 and (39 + 37)/2 = 38; calibrated = mean = 80.5 (both judges scored
    # every entry, so the offsets cancel); rank 1 of 4: share 0.25 → "前 30%"
    for text in ("服务成效", "42.5", "创新性", "38.0", "80.5", "前 30%", "（共 4 个项目参评）", *FEEDBACK):
        assert text in html
    assert "评审结果尚未公布" not in html


def test_results_page_never_shows_who_judged(contest, team, ours, judges):
    results_round(contest, judges, ours)

    html = client_for(team.user).get(results_url(ours)).content.decode()

    for name, username, user_id, judge_id in JUDGES:
        for identity in (name, name[:2], username, str(user_id), str(judge_id)):
            assert identity not in html


def test_results_page_before_publication_shows_nothing_but_the_notice(contest, team, ours, judges):
    results_round(contest, judges, ours, publish=False)

    response = client_for(team.user).get(results_url(ours))

    html = response.content.decode()
    assert response.status_code == 200
    assert "评审结果尚未公布" in html
    for text in ("80.5", "42.5", "前 30%", *FEEDBACK):
        assert text not in html


def test_results_page_is_404_for_another_team(contest, ours, judges):
    results_round(contest, judges, ours)
    other = factories.TeamFactory()

    response = client_for(other.user).get(results_url(ours))

    assert response.status_code == 404


def test_results_page_needs_a_login(contest, ours, judges):
    results_round(contest, judges, ours)

    response = client_for(factories.UserFactory()).get(results_url(ours))
    anonymous = client_for(factories.UserFactory())
    anonymous.logout()

    assert response.status_code == 404  # a user without a team
    assert anonymous.get(results_url(ours)).status_code == 302


def test_entry_page_shows_the_results_panel_only_after_publication(contest, team, ours, judges):
    round = results_round(contest, judges, ours, publish=False)
    client = client_for(team.user)
    entry_page = reverse("competition:entry_detail", args=[ours.public_id])

    before = client.get(entry_page).content.decode()
    set_status(round, PUBLISHED)
    after = client.get(entry_page).content.decode()

    assert "查看评审结果" not in before
    assert "查看评审结果" in after
    assert results_url(ours) in after


def build_results(contest, ours, *, rounds: int, judges: int):
    team_judges = [distinctive_judge(*JUDGES[0])] + [JudgeFactory() for _ in range(judges - 1)]
    for order in range(1, rounds + 1):
        results_round(contest, team_judges, ours, order=order)


# The same number of queries whatever the number of rounds and sheets: session, user, team,
# entry (with its photos and attachments, which the shared selector prefetches), the entry's
# published rounds with their results, criteria, entries ranked per round, feedback, featured,
# and the contest's shortlist (is the list final: then a certificate to download).
@pytest.mark.parametrize(("rounds", "judges"), [(1, 1), (3, 3)])
def test_results_page_query_count_does_not_grow(
    contest, team, ours, rounds, judges, django_assert_num_queries
):
    build_results(contest, ours, rounds=rounds, judges=judges)
    client = client_for(team.user)

    with django_assert_num_queries(12):
        response = client.get(results_url(ours))

    assert response.content.decode().count("评委反馈") == rounds
