"""Award tiers as services: setting them (validated, by the phase), assigned from the ranking
at commit and whenever they change, moving an entry with a reason, finalize copying them, and
the default single tier when a contest defines none."""

from datetime import timedelta

import pytest

from awards.errors import AwardsError
from awards.models import AwardTier, FeaturedProject, ShortlistEvent
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_add, shortlist_commit, shortlist_remove, shortlist_swap
from awards.tiers.services import TierSpec, tier_move, tiers_set
from tests.awards.factories import START

pytestmark = pytest.mark.django_db


def tiers_of(shortlist) -> list[tuple[int, str | None]]:
    return [
        (entry_id, name)
        for entry_id, name in shortlist.items.order_by("rank").values_list("entry_id", "tier__name")
    ]


def two_tiers(contest, organizer, *, first=2, second=2, **first_rules):
    return tiers_set(
        contest=contest,
        tiers=[TierSpec("一等奖", first, **first_rules), TierSpec("二等奖", second)],
        by=organizer,
    )


def test_without_tiers_everything_is_one_default_tier(in_notice, organizer):
    shortlist, _entries = in_notice

    featured = shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    assert not AwardTier.objects.exists()
    assert {item.tier_id for item in shortlist.items.all()} == {None}
    assert [f.tier_name for f in featured] == ["优秀志愿服务项目"] * 3


def test_tiers_set_before_the_shortlist_are_assigned_at_commit(contest, contest_results, organizer):
    round, entries, _counties = contest_results
    two_tiers(contest, organizer, first=1, second=3)

    shortlist = shortlist_commit(round=round, by=organizer, size=4)

    assert tiers_of(shortlist) == [
        (entries[0].pk, "一等奖"),
        (entries[1].pk, "二等奖"),
        (entries[2].pk, "二等奖"),
        (entries[3].pk, "二等奖"),
    ]


def test_each_tier_is_filled_under_its_own_constraints(contest, contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=4)

    # one per county in the first tier: 90 and 80 (85 shares 90's county)
    two_tiers(contest, organizer, county_cap=1)

    assert tiers_of(shortlist) == [
        (entries[0].pk, "一等奖"),
        (entries[1].pk, "二等奖"),
        (entries[2].pk, "一等奖"),
        (entries[3].pk, "二等奖"),
    ]
    event = shortlist.events.get(kind=ShortlistEvent.Kind.TIER)
    assert event.before == {"tiers": []}
    assert [t["name"] for t in event.after["tiers"]] == ["一等奖", "二等奖"]
    assert event.after["tiers"][0]["county_cap"] == 1


def test_infeasible_tiers_are_refused_naming_the_tier_and_nothing_changes(
    contest, contest_results, organizer
):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=4)
    two_tiers(contest, organizer)

    with pytest.raises(AwardsError) as error:
        tiers_set(
            contest=contest,
            tiers=[TierSpec("十佳", 1, category_min={"health": 1}), TierSpec("优秀", 3)],
            by=organizer,
        )

    assert error.value.message.startswith("无法评定“十佳”：“医疗健身”类要求至少 1 个，但最多只能评出 0 个")
    assert error.value.message.endswith("请调整该奖项的名额或条件。")
    assert list(AwardTier.objects.values_list("name", flat=True)) == ["一等奖", "二等奖"]
    assert {name for _e, name in tiers_of(shortlist)} == {"一等奖", "二等奖"}


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([TierSpec("一等奖", 2), TierSpec("一等奖 ", 2)], "奖项名称“一等奖”重复了，每个奖项的名称须不同。"),
        ([TierSpec("一等奖", 0), TierSpec("二等奖", 4)], "“一等奖”的名额至少为 1。"),
        ([TierSpec("  ", 2), TierSpec("二等奖", 2)], "第 1 个奖项没有名称。"),
        ([TierSpec("一等奖", 1), TierSpec("二等奖", 2)], "各奖项名额之和为 3，须等于入围数量 4。"),
        (
            [TierSpec("一等奖", 2, category_min={"nope": 1}), TierSpec("二等奖", 2)],
            "没有代码为“nope”的项目类别。",
        ),
        ([TierSpec("一" * 41, 4)], f"奖项名称“{'一' * 41}”太长，最多 40 个字。"),
    ],
)
def test_bad_tiers_are_refused_in_words(contest, contest_results, organizer, specs, message):
    round, _entries, _counties = contest_results
    shortlist_commit(round=round, by=organizer, size=4)

    with pytest.raises(AwardsError) as error:
        tiers_set(contest=contest, tiers=specs, by=organizer)

    assert error.value.message == message
    assert not AwardTier.objects.exists()


def test_an_empty_list_goes_back_to_the_default_tier(contest, contest_results, organizer):
    round, _entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=4)
    two_tiers(contest, organizer)

    tiers_set(contest=contest, tiers=[], by=organizer)

    assert not AwardTier.objects.exists()
    assert {name for _e, name in tiers_of(shortlist)} == {None}


def test_moving_an_entry_needs_a_reason_and_is_logged(contest, contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=4)
    first, _second = two_tiers(contest, organizer)

    with pytest.raises(AwardsError) as error:
        tier_move(shortlist=shortlist, entry=entries[3], tier=first, reason="  ", by=organizer)
    tier_move(shortlist=shortlist, entry=entries[3], tier=first, reason="服务成效突出", by=organizer)
    with pytest.raises(AwardsError) as again:
        tier_move(shortlist=shortlist, entry=entries[3], tier=first, reason="再调一次", by=organizer)

    assert error.value.message == "调整奖项等次必须写明理由。"
    assert again.value.message == "该项目已经是“一等奖”。"
    assert dict(tiers_of(shortlist))[entries[3].pk] == "一等奖"
    event = shortlist.events.filter(kind=ShortlistEvent.Kind.TIER).latest("pk")
    assert (event.before["tier"], event.after["tier"], event.reason, event.actor) == (
        "二等奖",
        "一等奖",
        "服务成效突出",
        organizer,
    )


def test_overrides_keep_tiers_added_entries_start_in_the_last(contest, contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=4)
    two_tiers(contest, organizer)

    shortlist_swap(
        shortlist=shortlist, out_entry=entries[0], in_entry=entries[5], reason="复核", by=organizer
    )
    shortlist_remove(shortlist=shortlist, entry=entries[3], reason="材料不实", by=organizer)
    shortlist_add(shortlist=shortlist, entry=entries[4], reason="补充", by=organizer)

    assert dict(tiers_of(shortlist)) == {
        entries[1].pk: "一等奖",
        entries[2].pk: "二等奖",
        entries[4].pk: "二等奖",
        entries[5].pk: "一等奖",  # took the place (and tier) of entries[0]
    }


def test_a_recommit_assigns_the_tiers_afresh(contest, contest_results, organizer):
    round, entries, _counties = contest_results
    shortlist = shortlist_commit(round=round, by=organizer, size=4)
    first, _second = two_tiers(contest, organizer)
    tier_move(shortlist=shortlist, entry=entries[3], tier=first, reason="服务成效突出", by=organizer)

    shortlist = shortlist_commit(round=round, by=organizer, size=4)

    assert [name for _e, name in tiers_of(shortlist)] == ["一等奖", "一等奖", "二等奖", "二等奖"]


def test_finalize_copies_the_tiers_and_then_they_are_fixed(contest, in_notice, organizer, contest_results):
    shortlist, entries = in_notice
    first, second = tiers_set(contest=contest, tiers=[TierSpec("十佳", 1), TierSpec("优秀", 2)], by=organizer)
    featured = shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    with pytest.raises(AwardsError) as refused_set:
        tiers_set(contest=contest, tiers=[TierSpec("一等奖", 3)], by=organizer)
    with pytest.raises(AwardsError) as refused_move:
        tier_move(shortlist=shortlist, entry=entries[1], tier=first, reason="晚了", by=organizer)

    assert [(f.entry_id, f.tier_name) for f in FeaturedProject.objects.order_by("rank")] == [
        (entries[0].pk, "十佳"),
        (entries[1].pk, "优秀"),
        (entries[2].pk, "优秀"),
    ]
    assert len(featured) == 3
    assert (
        refused_set.value.message == refused_move.value.message == "入围名单已正式公布，不能再调整奖项等次。"
    )
    assert list(AwardTier.objects.values_list("name", flat=True)) == ["十佳", "优秀"]


def test_a_commit_whose_tiers_cannot_be_filled_is_refused(contest, contest_results, organizer):
    round, _entries, _counties = contest_results
    two_tiers(contest, organizer, first=3, second=1)

    with pytest.raises(AwardsError) as error:
        shortlist_commit(round=round, by=organizer, size=2)

    assert (
        error.value.message
        == "无法评定“一等奖”：名单上只剩 2 个项目，不够 3 个名额。请调整该奖项的名额或条件。"
    )
