import pytest

from competition.models import Organization, Town
from tests import factories


def town(county, name: str) -> Town:
    return Town.objects.create(county=county, name=name)


def station(name: str, county, town=None, **kwargs) -> Organization:
    return factories.OrganizationFactory(name=name, county=county, town=town, **kwargs)


@pytest.fixture
def places(db):
    """Two counties: 西井镇 in 潞州区 with two stations, 东和乡 in 上党区 with one, and a proposed
    (unconfirmed) station in 西井镇."""
    luzhou = factories.CountyFactory(name="潞州区")
    shangdang = factories.CountyFactory(name="上党区")
    xijing = town(luzhou, "西井镇")
    donghe = town(shangdang, "东和乡")
    return {
        "luzhou": luzhou,
        "shangdang": shangdang,
        "xijing": xijing,
        "donghe": donghe,
        "dongcun": station("东村新时代文明实践站", luzhou, xijing),
        "xicun": station("西村新时代文明实践站", luzhou, xijing),
        "hecun": station("河村新时代文明实践站", shangdang, donghe),
        "proposed": station("北村新时代文明实践站", luzhou, xijing, confirmed=False),
    }
