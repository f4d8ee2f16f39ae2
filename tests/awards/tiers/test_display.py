"""Award tiers where people read them: the notice and the final list (grouped by tier only when
there is more than one), the team's results, the shortlist export, the project pages drafted
from the featured projects and the showcase's award filter."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from awards.exports import shortlist_table
from awards.models import AwardTier, FeaturedProject
from awards.outcomes.services import shortlist_finalize
from awards.tiers.services import TierSpec, tiers_set
from cms import services as cms_services
from cms.models import ProjectPage
from tests.awards.factories import START
from tests.cms import factories as cms_factories
from tests.cms.test_query_counts import render_queries
from tests.judging.factories import client_for

pytestmark = pytest.mark.django_db


def notice_url(shortlist) -> str:
    return f"/notice/{shortlist.contest.slug}/"


@pytest.fixture
def tiered(in_notice, contest, organizer):
    """The shared notice (three entries: 90, 85, 80) with 十佳 (1) and 优秀 (2)."""
    shortlist, entries = in_notice
    tiers_set(contest=contest, tiers=[TierSpec("十佳", 1), TierSpec("优秀", 2)], by=organizer)
    return shortlist, entries


def headings(body: str) -> list[str]:
    return [re.sub(r"\s+", " ", h).strip() for h in re.findall(r'<h2 id="tier-\d+">([^<]*)', body)]


def test_notice_groups_by_tier_with_a_constant_query_count(tiered, time_machine, django_assert_num_queries):
    shortlist, entries = tiered
    client = Client()
    time_machine.move_to(START + timedelta(hours=1))

    with django_assert_num_queries(2):
        body = client.get(notice_url(shortlist)).content.decode()

    assert headings(body) == ["十佳", "优秀"]
    assert body.index(entries[0].title) < body.index('<h2 id="tier-2">') < body.index(entries[1].title)


def test_notice_with_one_tier_lists_by_category_as_before(in_notice, time_machine):
    shortlist, _entries = in_notice
    time_machine.move_to(START + timedelta(hours=1))

    body = Client().get(notice_url(shortlist)).content.decode()

    assert headings(body) == []
    assert '<h2 id="group-1">' in body


def test_final_list_groups_by_tier(tiered, organizer):
    shortlist, entries = tiered
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    body = Client().get(notice_url(shortlist)).content.decode()

    assert "优秀志愿服务项目名单" in body
    assert headings(body) == ["十佳", "优秀"]


def test_team_results_name_the_award(tiered, organizer):
    shortlist, entries = tiered
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))
    top, other = entries[0], entries[1]

    top_body = client_for(top.team.user).get(f"/my/results/{top.public_id}/").content.decode()
    other_body = client_for(other.team.user).get(f"/my/results/{other.public_id}/").content.decode()

    assert "荣获“十佳”" in top_body
    assert "荣获“优秀”" in other_body


def test_export_has_the_tier_of_each_entry(tiered):
    shortlist, _entries = tiered

    headers, rows, _size = shortlist_table(contest=shortlist.contest)

    assert headers[-1] == "奖项等次"
    assert [row[-1] for row in rows] == ["十佳", "优秀", "优秀"]


def test_project_drafts_carry_the_award(tiered, organizer):
    shortlist, _entries = tiered
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    cms_services.create_project_drafts(shortlist.contest)

    awards = {page.featured.entry_id: page.award for page in ProjectPage.objects.select_related("featured")}
    assert awards == {f.entry_id: f.tier_name for f in FeaturedProject.objects.select_related("tier")}
    assert sorted(awards.values()) == ["优秀", "优秀", "十佳"]


def test_project_drafts_without_tiers_carry_the_default_award(in_notice, organizer):
    shortlist, _entries = in_notice
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    cms_services.create_project_drafts(shortlist.contest)

    assert set(ProjectPage.objects.values_list("award", flat=True)) == {"优秀志愿服务项目"}
    assert not AwardTier.objects.exists()


def award_options(client, url: str) -> list[str]:
    body = client.get(url).content.decode()
    select = re.search(r'<select[^>]*id="filter-award".*?</select>', body, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(0)) if select else []


def test_showcase_offers_the_award_filter_only_with_more_than_one_award(client):
    cms_factories.project(title="甲", award="优秀志愿服务项目")
    cms_factories.project(title="乙", award="优秀志愿服务项目")
    url = cms_factories.showcase().url

    assert award_options(client, url) == []

    cms_factories.project(title="丙", award="十佳")
    # a new publish purges the cache; the list offers both
    options = award_options(client, url)
    filtered = client.get(url + "?award=十佳").content.decode()
    ignored = client.get(url + "?award=不存在").content.decode()

    assert sorted(options) == ["", "优秀志愿服务项目", "十佳"]
    assert "丙" in filtered and "七彩" not in filtered and ">甲<" not in filtered
    assert "共 1 个项目" in filtered
    assert "共 3 个项目" in ignored


def test_showcase_award_filter_keeps_the_query_count(client):
    for n in range(3):
        cms_factories.project(photos=1, award="十佳" if n == 0 else "优秀")
    url = cms_factories.showcase().url
    few = render_queries(client, url + "?award=十佳")

    for n in range(12):
        cms_factories.project(photos=1, award="优秀" if n % 2 else "十佳")
    many = render_queries(client, url + "?award=十佳")

    assert many == few
