"""The shortlist services: committing from the what-if, recommitting, overrides with reasons."""

import pytest

from awards.errors import AwardsError
from awards.models import Shortlist
from awards.notice.services import notice_publish
from awards.shortlist.services import (
    shortlist_add,
    shortlist_commit,
    shortlist_preview,
    shortlist_remove,
    shortlist_swap,
)
from tests.awards.factories import shortlist_items
from tests.judging.result_factories import entry_in

pytestmark = pytest.mark.django_db


def test_commit_refuses_infeasible_constraints(contest_results, organizer):
    round, _entries, _counties = contest_results

    with pytest.raises(AwardsError) as error:
        shortlist_commit(round=round, by=organizer, size=4, county_cap=1)

    assert error.value.message == "这些条件无法同时满足，请调整后再确定。"
    assert not Shortlist.objects.exists()


def test_commit_and_recommit_keep_the_whole_log(contest_results, organizer):
    round, entries, _counties = contest_results
    preview, _rules = shortlist_preview(round=round, size=3, county_cap=1)

    shortlist = shortlist_commit(round=round, by=organizer, size=3, county_cap=1)

    # one per county: 90, 80, 70 (85 and 75 are displaced by the county cap)
    assert preview.selected == [entries[0].pk, entries[2].pk, entries[4].pk]
    assert shortlist_items(shortlist) == [
        (entries[0].pk, 1, "computed"),
        (entries[2].pk, 3, "computed"),
        (entries[4].pk, 5, "computed"),
    ]
    assert shortlist.report["displaced"][0] == {
        "entry": entries[1].pk,
        "reason": "county_cap",
        "group": entries[1].team.organization.county_id,
        "replaced_by": entries[4].pk,
    }
    shortlist_add(shortlist=shortlist, entry=entries[5], reason="补充基层项目", by=organizer)

    again = shortlist_commit(round=round, by=organizer, size=2)

    assert again.pk == shortlist.pk
    assert shortlist_items(again) == [(entries[0].pk, 1, "computed"), (entries[1].pk, 2, "computed")]
    events = list(again.events.order_by("pk").values_list("kind", "before", "after"))
    assert [kind for kind, _b, _a in events] == ["committed", "added", "committed"]
    assert events[0][1] == {"entries": []}
    assert events[2][1] == {"entries": sorted([entries[0].pk, entries[2].pk, entries[4].pk, entries[5].pk])}
    assert events[2][2] == {
        "entries": sorted([entries[0].pk, entries[1].pk]),
        "size": 2,
        "county_cap": None,
        "category_min": {},
        "category_max": {},
    }


def test_commit_is_refused_once_the_notice_is_published(contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    notice_publish(shortlist=shortlist, by=organizer)

    with pytest.raises(AwardsError) as error:
        shortlist_commit(round=round, by=organizer, size=2)

    assert error.value.message == "入围名单已经公示，不能再重新生成；如需调整，请逐项调入调出并写明理由。"
    assert shortlist.items.count() == 3


@pytest.mark.parametrize("reason", ["", "   "])
def test_overrides_without_a_reason_are_refused(contest_results, organizer, reason):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    refusals = []
    for override in (
        lambda: shortlist_add(shortlist=shortlist, entry=entries[4], reason=reason, by=organizer),
        lambda: shortlist_remove(shortlist=shortlist, entry=entries[0], reason=reason, by=organizer),
        lambda: shortlist_swap(
            shortlist=shortlist, out_entry=entries[0], in_entry=entries[4], reason=reason, by=organizer
        ),
    ):
        with pytest.raises(AwardsError) as error:
            override()
        refusals.append(error.value.message)

    assert refusals == ["调整入围名单必须写明理由。"] * 3
    assert sorted(shortlist.items.values_list("entry_id", flat=True)) == [e.pk for e in entries[:3]]
    assert list(shortlist.events.values_list("kind", flat=True)) == ["committed"]


def test_overrides_record_who_why_before_and_after(contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)

    shortlist_add(shortlist=shortlist, entry=entries[5], reason="群众反映突出", by=organizer)
    shortlist_remove(shortlist=shortlist, entry=entries[1], reason="材料不实", by=organizer)
    shortlist_swap(
        shortlist=shortlist, out_entry=entries[2], in_entry=entries[3], reason="同分项目复核", by=organizer
    )

    assert shortlist_items(shortlist) == [
        (entries[0].pk, 1, "computed"),
        (entries[3].pk, 4, "override"),
        (entries[5].pk, 6, "override"),
    ]
    events = list(shortlist.events.order_by("pk").values_list("kind", "actor", "reason", "before", "after"))
    assert events[1:] == [
        (
            "added",
            organizer.pk,
            "群众反映突出",
            {},
            {"entry": entries[5].pk, "title": entries[5].title, "rank": 6},
        ),
        (
            "removed",
            organizer.pk,
            "材料不实",
            {"entry": entries[1].pk, "title": entries[1].title, "rank": 2, "via": "computed"},
            {},
        ),
        (
            "removed",
            organizer.pk,
            "同分项目复核",
            {"entry": entries[2].pk, "title": entries[2].title, "rank": 3, "via": "computed"},
            {},
        ),
        (
            "added",
            organizer.pk,
            "同分项目复核",
            {},
            {"entry": entries[3].pk, "title": entries[3].title, "rank": 4},
        ),
        ("swapped", organizer.pk, "同分项目复核", {"entry": entries[2].pk}, {"entry": entries[3].pk}),
    ]


def test_overrides_refuse_entries_off_the_results_or_already_placed(contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=3)
    stranger = entry_in(round.contest)  # no result in the round

    messages = []
    for override in (
        lambda: shortlist_add(shortlist=shortlist, entry=stranger, reason="理由", by=organizer),
        lambda: shortlist_add(shortlist=shortlist, entry=entries[0], reason="理由", by=organizer),
        lambda: shortlist_remove(shortlist=shortlist, entry=entries[5], reason="理由", by=organizer),
        lambda: shortlist_swap(
            shortlist=shortlist, out_entry=entries[1], in_entry=entries[0], reason="理由", by=organizer
        ),
    ):
        with pytest.raises(AwardsError) as error:
            override()
        messages.append(error.value.message)

    assert messages == [
        "该项目没有本轮成绩，不能调入。",
        "该项目已在入围名单中。",
        "该项目不在入围名单中。",
        "该项目已在入围名单中。",
    ]
    # the failed swap took nothing out
    assert sorted(shortlist.items.values_list("entry_id", flat=True)) == [e.pk for e in entries[:3]]
