"""A finalized contest with featured projects, made directly (cheap: no scoring, no notice):
what the documents are made from."""

from datetime import timedelta

import pytest
from django.utils import timezone

from awards.models import AwardTier, FeaturedProject, Shortlist
from tests import factories
from tests.judging.factories import RoundFactory

CATEGORIES = ("theory", "culture", "education", "health")
COUNTIES = ("潞州区", "上党区", "屯留区")


def featured(contest, titles, *, categories=CATEGORIES, tiers=(), final=True):
    """One featured project per title, ranked in the given order, the categories taken in turn;
    with ``tiers`` ((name, places), …) the first places go to the first tier, and so on. The
    shortlist is finalized (or, with ``final=False``, on notice)."""
    now = timezone.now()
    shortlist = Shortlist.objects.create(
        contest=contest,
        round=RoundFactory(contest=contest),
        size=len(titles),
        status=Shortlist.Status.FINALIZED if final else Shortlist.Status.NOTICE,
        notice_starts_at=now - timedelta(days=10),
        notice_ends_at=now - timedelta(days=5),
        finalized_at=now if final else None,
    )
    places = []
    for position, (name, count) in enumerate(tiers, start=1):
        tier = AwardTier.objects.create(contest=contest, position=position, name=name, places=count)
        places += [tier] * count
    counties = [factories.CountyFactory(name=name) for name in COUNTIES]
    projects = []
    for rank, title in enumerate(titles, start=1):
        team = factories.TeamFactory(
            name=f"志愿服务队{rank:03d}",
            organization=factories.OrganizationFactory(county=counties[rank % len(counties)]),
        )
        entry = factories.EntryFactory(
            contest=contest,
            team=team,
            title=title,
            category=factories.category(categories[rank % len(categories)]),
            submitted=True,
        )
        if final:
            projects.append(
                FeaturedProject.objects.create(
                    contest=contest,
                    entry=entry,
                    rank=rank,
                    score=100 - rank / 10,
                    tier=places[rank - 1] if rank <= len(places) else None,
                )
            )
    return shortlist, projects


@pytest.fixture
def six_featured(contest):
    titles = [
        "七彩课堂留守儿童助学",
        "银龄助老暖心行动",
        "红马甲法律明白人",
        "乡村少年科学营",
        "清河守护环保队",
        "康乐健身进社区",
    ]
    return featured(contest, titles)
