"""A small world for the county report, built through the services where a rule applies:
entries in every state in two counties (a third has none), recommendations, a round where two
entries have submitted sheets and one only a draft, a shortlist of two, finalized."""

from datetime import timedelta

import pytest

from awards.notice.services import notice_publish
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_commit
from competition.models import Entry
from judging.models import RoundEntry
from judging.phases import CLOSED, SCORING
from judging.results.services import compute_round_results
from tests import factories
from tests.awards.factories import START
from tests.judging.factories import JudgeFactory, assign, eligible_entry, set_status, sync
from tests.judging.result_factories import rubric_round, save_sheet


def team_in(county):
    return factories.TeamFactory(organization=factories.OrganizationFactory(county=county))


@pytest.fixture
def world(contest, organizer):
    a, b, c = (
        factories.CountyFactory(name=name, sort_order=n)
        for n, name in enumerate(("潞州区", "上党区", "屯留区"))
    )
    education, legal = factories.category("education"), factories.category("legal")
    ta1, ta2, ta3, tb1 = team_in(a), team_in(a), team_in(a), team_in(b)
    e1 = eligible_entry(contest, team=ta1, category=education)
    e2 = eligible_entry(contest, team=ta1, category=legal)
    e3 = factories.EntryFactory(
        contest=contest, team=ta2, category=education, submitted=True
    )  # pending review
    factories.EntryFactory(contest=contest, team=ta2)  # a draft
    factories.EntryFactory(contest=contest, team=ta3)  # a team with only a draft
    e6 = eligible_entry(contest, team=tb1, category=education)
    factories.EntryFactory(
        contest=contest,
        team=tb1,
        category=education,
        submitted=True,
        eligibility=Entry.Eligibility.INELIGIBLE,
        eligibility_reason="材料不全",
    )
    factories.EntryFactory(contest=contest, team=tb1, status=Entry.Status.WITHDRAWN)
    Entry.objects.filter(pk__in=[e1.pk, e6.pk]).update(recommended=True)
    judge = JudgeFactory()
    round = rubric_round(contest, order=1)
    sync(round)
    by_entry = {re.entry_id: re for re in RoundEntry.objects.filter(round=round)}
    for entry in (e1, e2, e6):
        assign(by_entry[entry.pk], judge)
    set_status(round, SCORING)
    save_sheet(by_entry[e1.pk], judge, 90)
    save_sheet(by_entry[e6.pk], judge, 80)
    save_sheet(by_entry[e2.pk], judge, 70, submit=False)  # a draft sheet: not scored
    set_status(round, CLOSED)
    compute_round_results(round=round)
    shortlist = shortlist_commit(round=round, by=organizer, size=2)
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=5))
    return {"counties": (a, b, c), "round": round, "entries": (e1, e2, e3, e6)}
