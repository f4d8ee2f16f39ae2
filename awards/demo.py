"""Demo stage ``published``: the shortlist committed under constraints, a five-day notice that
has ended with its objections answered, and the featured projects finalized."""

from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from awards.notice.services import notice_publish, objection_answer, objection_file
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_commit, shortlist_preview
from competition import demo as competition_demo
from competition.models import Category, Contest
from judging.models import Round


def build_published(context: competition_demo.DemoContext) -> None:
    """The shortlist committed under constraints, a five-day notice that has ended with its
    objections answered, and the featured projects finalized."""
    round = (
        context.extra.get("round") or Round.objects.filter(contest=context.contest).order_by("order").first()
    )
    organizer = get_user_model().objects.get(username="organizer")
    size = min(100, round.results.count())
    codes = list(Category.objects.values_list("code", flat=True))
    minimum = max(0, min(8, size // (2 * len(codes))))
    ranked = Counter(round.results.values_list("round_entry__entry__category__code", flat=True))
    # A minimum per category (no more than it has) and a county cap, loosened until the
    # constraints can be met: with few entries the shortlist may have to take them all.
    category_min = {code: min(minimum, ranked[code]) for code in codes if ranked[code]}
    county_cap = max(1, size // 6)
    while not shortlist_preview(round=round, size=size, county_cap=county_cap, category_min=category_min)[
        0
    ].feasible:
        county_cap += 1
    # By now submission and scoring are over: the contest page's timeline reads its real dates.
    now = timezone.now()
    Contest.objects.filter(pk=round.contest_id).update(
        submission_opens=now - timedelta(days=75), submission_closes=now - timedelta(days=45)
    )
    Round.objects.filter(pk=round.pk).update(
        scoring_opens=now - timedelta(days=40), scoring_closes=now - timedelta(days=15)
    )
    round.refresh_from_db()
    started = now - timedelta(days=6)
    shortlist = shortlist_commit(
        round=round,
        by=organizer,
        size=size,
        county_cap=county_cap,
        category_min=category_min,
        now=started - timedelta(days=1),
    )
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5, now=started)
    items = list(shortlist.items.select_related("entry")[:2])
    for n, item in enumerate(items):
        objection = objection_file(
            shortlist=shortlist,
            entry=item.entry,
            name=competition_demo._person(context.rng),
            phone="13900000000",
            reason="该项目的服务时长数据是否属实，请组委会核实。",
            address=f"198.51.100.{n + 1}",
            now=started + timedelta(days=1 + n),
        )
        objection_answer(
            objection=objection,
            answer="经核实，项目服务时长数据有活动记录和志愿服务信息系统数据佐证，异议不成立。",
            by=organizer,
            now=started + timedelta(days=1 + n, hours=3),
        )
    featured = shortlist_finalize(shortlist=shortlist, by=organizer)
    context.log(f"  shortlist of {len(featured)} finalized as featured projects")


def register() -> None:
    """Called from ``AwardsConfig.ready()``: the demo's last stage."""
    competition_demo.register_stage("published", build_published)
