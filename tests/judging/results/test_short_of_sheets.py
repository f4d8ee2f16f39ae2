"""Entries with fewer submitted sheets than the round requires (``Round.required_sheets``: its
minimum, by default its judges per entry) are flagged on the ranking and in the export, listed
on the round's pages (those with no sheet at all too) and left out of automatic shortlisting."""

import pytest

from awards.shortlist.services import shortlist_commit, shortlist_preview
from judging.models import Assignment
from judging.phases import CLOSED
from judging.results.selectors import entries_short_of_sheets, ranked_entries, round_ranking
from judging.results.services import compute_round_results
from judging.spreadsheets.tables import ranking_table
from tests.judging.factories import set_status
from tests.judging.scored import scoring_round, submit

pytestmark = pytest.mark.django_db

ROUNDS = "/admin/judging/rounds/"


@pytest.fixture
def thin_round(db):
    """Three entries, two judges each (k = 2): the first has both sheets, the second (scored
    higher) one, the third none at all. Closed and computed."""
    round, panel, round_entries = scoring_round(entries=3, judges=2, titles=["两份", "一份", "零份"])
    criteria = list(round.criteria.all())
    for round_entry, judges, points in zip(round_entries, [panel, panel[:1], []], [5, 9, 0], strict=True):
        for judge in judges:
            submit(Assignment.objects.get(round_entry=round_entry, judge=judge), [points] * len(criteria))
    set_status(round, CLOSED)
    compute_round_results(round=round)
    return round, panel, round_entries


def test_entries_short_of_sheets_include_those_with_none(thin_round):
    round, _panel, (full, one, none) = thin_round

    short = entries_short_of_sheets(round=round)

    assert [(e.blind_code, e.submitted, e.needed) for e in short] == [
        (none.blind_code, 0, 2),
        (one.blind_code, 1, 2),
    ]


def test_round_minimum_overrides_the_judges_per_entry(thin_round):
    round, _panel, (_full, _one, none) = thin_round
    round.min_sheets = 1
    round.save()

    assert [e.blind_code for e in entries_short_of_sheets(round=round)] == [none.blind_code]


def test_ranking_flags_entries_short_of_sheets(thin_round):
    round, _panel, (full, one, _none) = thin_round

    flags = [(r.round_entry.blind_code, r.short) for r in round_ranking(round=round)]

    assert flags == [(one.blind_code, True), (full.blind_code, False)]


def test_automatic_candidates_leave_out_entries_short_of_sheets(thin_round):
    round, _panel, (full, _one, _none) = thin_round

    assert [row[0] for row in ranked_entries(round=round)] == [full.entry_id]


def test_shortlist_excludes_entries_short_of_sheets(thin_round, organizer):
    round, _panel, (full, _one, _none) = thin_round

    preview, _rules = shortlist_preview(round=round, size=1)
    shortlist = shortlist_commit(round=round, by=organizer, size=1)

    assert preview.selected == [full.entry_id]
    assert list(shortlist.items.values_list("entry_id", flat=True)) == [full.entry_id]


def test_shortlist_takes_the_entry_once_the_minimum_is_met(thin_round, organizer):
    round, _panel, (full, one, _none) = thin_round
    round.min_sheets = 1
    round.save()

    preview, _rules = shortlist_preview(round=round, size=1)

    assert preview.selected == [one.entry_id]


def test_ranking_export_flags_short_entries_and_lists_those_without_a_result(thin_round):
    round, _panel, (full, one, none) = thin_round

    table = ranking_table(round=round)

    rows = list(table.rows)
    column = table.headers.index("评分表不足")
    sheets = table.headers.index("评分表数")
    assert [(r[1], r[sheets], r[column]) for r in rows] == [
        (one.blind_code, 1, "是"),
        (full.blind_code, 2, "否"),
        (none.blind_code, 0, "是"),
    ]
    assert rows[2][0] is None  # no rank
    assert {len(r) for r in rows} == {len(table.headers)}
    assert table.size == 3


def test_results_page_flags_and_lists_entries_short_of_sheets(thin_round, organizer_client):
    round, _panel, (_full, one, none) = thin_round

    response = organizer_client.get(f"{ROUNDS}{round.pk}/results/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "2 个项目已提交的评分表少于 2 份" in body
    assert [(e.blind_code, e.submitted) for e in response.context["short"]] == [
        (none.blind_code, 0),
        (one.blind_code, 1),
    ]
    assert [r.short for r in response.context["results"]] == [True, False]
    assert "评分表不足" in body


def test_round_status_page_lists_entries_short_of_sheets_with_have_and_need(thin_round, organizer_client):
    round, _panel, (_full, one, none) = thin_round

    response = organizer_client.get(f"{ROUNDS}{round.pk}/status/")

    body = response.content.decode()
    assert [(e.blind_code, e.submitted, e.needed) for e in response.context["short"]] == [
        (none.blind_code, 0, 2),
        (one.blind_code, 1, 2),
    ]
    assert "零份" in body and "0 / 2" in body
    assert "一份" in body and "1 / 2" in body
