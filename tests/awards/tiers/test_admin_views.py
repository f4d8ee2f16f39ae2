"""Award tiers on the shortlist page: the tiers form (bad input kept and explained), the tier
column, moving an entry with a reason, and supervisors who only read."""

import pytest
from django.test import Client

from awards.models import AwardTier, ShortlistEvent
from awards.shortlist.services import shortlist_commit
from awards.tiers.services import TierSpec, tiers_set
from tests import factories

pytestmark = pytest.mark.django_db


def page(contest) -> str:
    return f"/admin/awards/shortlist/{contest.pk}/"


def tiers_post(rows, *, total=None) -> dict:
    data = {
        "action": "tiers",
        "tiers-TOTAL_FORMS": str(total or len(rows)),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "10",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"tiers-{n}-{key}"] = value
    return data


@pytest.fixture
def committed(contest, contest_results, organizer):
    round, entries, _counties = contest_results
    return shortlist_commit(round=round, by=organizer, size=4), entries


def test_the_page_shows_the_default_tier_and_the_tiers_form(committed, contest, organizer_client):
    body = organizer_client.get(page(contest)).content.decode()

    assert "本届只设一个奖项：所有入选项目均为“优秀志愿服务项目”" in body
    assert body.count('<td class="w-whitespace-nowrap">优秀志愿服务项目</td>') == 4
    assert "保存奖项等次" in body
    assert "调整奖项等次</button>" not in body  # nothing to move between with one tier


def test_organizer_sets_tiers_and_sees_them_per_entry(committed, contest, organizer_client):
    shortlist, entries = committed
    data = tiers_post(
        [{"name": "十佳", "places": "1", "min_education": "1"}, {"name": "优秀", "places": "3"}, {}], total=3
    )

    response = organizer_client.post(page(contest), data)
    body = organizer_client.get(page(contest)).content.decode()

    assert response.status_code == 302
    assert list(AwardTier.objects.values_list("name", "places", "category_min")) == [
        ("十佳", 1, {"education": 1}),
        ("优秀", 3, {}),
    ]
    assert body.count('<td class="w-whitespace-nowrap">十佳</td>') == 1
    assert body.count('<td class="w-whitespace-nowrap">优秀</td>') == 3
    assert "助学支教至少 1" in body
    assert "调整奖项等次</button>" in body


def test_bad_tiers_are_explained_and_what_was_typed_is_kept(committed, contest, organizer_client):
    data = tiers_post([{"name": "十佳", "places": "1"}, {"name": "优秀", "places": "2"}])

    response = organizer_client.post(page(contest), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "各奖项名额之和为 3，须等于入围数量 4。" in body
    assert 'value="十佳"' in body and 'value="优秀"' in body
    assert not AwardTier.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"places": "2"}, "请填写奖项名称；不要的奖项请把整行清空。"),
        ({"name": "十佳"}, "请填写名额。"),
        ({"name": "十佳", "places": "abc"}, "输入整数。"),
        ({"name": "十佳", "places": "0"}, "确保该值大于或等于1。"),
    ],
)
def test_nasty_rows_never_500(committed, contest, organizer_client, row, message):
    response = organizer_client.post(page(contest), tiers_post([row, {"name": "优秀", "places": "3"}]))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AwardTier.objects.exists()


def test_a_broken_management_form_is_not_a_500(committed, contest, organizer_client):
    response = organizer_client.post(page(contest), {"action": "tiers"})

    assert response.status_code == 200
    assert not AwardTier.objects.exists()


def test_organizer_moves_an_entry_with_a_reason(committed, contest, organizer, organizer_client):
    shortlist, entries = committed
    first, _second = tiers_set(
        contest=contest, tiers=[TierSpec("一等奖", 2), TierSpec("二等奖", 2)], by=organizer
    )
    move = {"action": "tier", "tier-entry": str(entries[3].pk), "tier-tier": str(first.pk)}

    without = organizer_client.post(page(contest), {**move, "tier-reason": ""})
    done = organizer_client.post(page(contest), {**move, "tier-reason": "服务成效突出"})
    events = organizer_client.get(page(contest) + "events/").content.decode()

    assert "调整奖项等次必须写明理由。" in without.content.decode()
    assert done.status_code == 302
    assert shortlist.items.get(entry=entries[3]).tier == first
    assert "调整奖项等次" in events and "服务成效突出" in events
    assert "奖项等次：二等奖 → 一等奖" in events


def test_supervisor_reads_tiers_and_cannot_change_them(committed, contest, organizer):
    shortlist, entries = committed
    first, _second = tiers_set(
        contest=contest, tiers=[TierSpec("一等奖", 2), TierSpec("二等奖", 2)], by=organizer
    )
    client = Client()
    client.force_login(factories.supervisor())
    before = ShortlistEvent.objects.count()

    body = client.get(page(contest)).content.decode()
    posts = [
        client.post(page(contest), tiers_post([{"name": "一等奖", "places": "4"}])).status_code,
        client.post(
            page(contest),
            {"action": "tier", "tier-entry": entries[3].pk, "tier-tier": first.pk, "tier-reason": "监委"},
        ).status_code,
    ]

    assert "一等奖" in body and "保存奖项等次" not in body and "调整奖项等次</button>" not in body
    assert posts == [404, 404]
    assert ShortlistEvent.objects.count() == before
    assert AwardTier.objects.count() == 2
