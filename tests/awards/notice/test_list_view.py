"""The public official list under the contest (/notice/<slug>/list/): nothing before the
shortlist is finalized, then every featured project by tier and category, in a constant
number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from awards.models import Shortlist
from tests.awards.documents.conftest import featured

pytestmark = pytest.mark.django_db


def url(contest):
    return reverse("notice:list", args=[contest.slug])


def test_no_list_before_the_shortlist_is_finalized(contest):
    assert Client().get(url(contest)).status_code == 404
    featured(contest, ["银龄助老暖心行动"], final=False)
    assert Client().get(url(contest)).status_code == 404


def test_the_list_shows_every_project_by_tier_and_category(contest):
    titles = ["银龄助老暖心行动", "七彩课堂留守儿童助学", "红马甲法律明白人", "乡村少年科学营"]
    featured(contest, titles, tiers=[("十佳志愿服务项目", 1)])

    response = Client().get(url(contest))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{contest.title}优秀志愿服务项目名单" in page
    tier_1, tier_2 = page.index('id="tier-1"'), page.index('id="tier-2"')
    assert tier_1 < page.index("十佳志愿服务项目") < page.index("银龄助老暖心行动") < tier_2
    assert tier_2 < page.index("优秀志愿服务项目", tier_2) < page.index("七彩课堂留守儿童助学")
    for title in titles:
        assert title in page
    assert "志愿服务队001" in page and "上党区" in page
    assert " style=" not in page


def test_the_notice_links_to_the_list_once_final(contest):
    shortlist, _projects = featured(contest, ["银龄助老暖心行动"])
    page = Client().get(reverse("notice:notice", args=[contest.slug])).content.decode()
    assert url(contest) in page
    Shortlist.objects.filter(pk=shortlist.pk).update(status=Shortlist.Status.NOTICE)
    assert url(contest) not in Client().get(reverse("notice:notice", args=[contest.slug])).content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_the_query_count_is_constant(contest, count, django_assert_num_queries):
    featured(contest, [f"助老行动{n}" for n in range(count)], tiers=[("十佳", 1)])
    client = Client()

    with django_assert_num_queries(3):  # the shortlist, the settings, the rows
        response = client.get(url(contest))

    assert response.status_code == 200 and response.content.decode().count('class="featured-number"') == count
