"""Reads for the public pages. Each function's query count is fixed, whatever the number of
projects and stories (tests/cms/test_query_counts.py holds them to it)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition import selectors as competition_selectors
from competition.models import Category, Contest, County, Entry
from judging.models import Round, Shortlist

from .models import ProjectPage, StoryPage

SHOWCASE_PAGE_SIZE = 12
STORY_PAGE_SIZE = 10
FIGURES_CACHE_SECONDS = 10 * 60


def live_projects():
    return ProjectPage.objects.live().public().select_related("category", "county", "cover_image")


def live_stories():
    return StoryPage.objects.live().public().select_related("cover_image")


def key_figures(contest: Contest | None) -> dict | None:
    """Entries, volunteers, beneficiaries and service hours of the contest's submitted entries,
    cached: the sums scan every entry."""
    if contest is None:
        return None
    key = f"cms:figures:{contest.pk}"
    figures = cache.get(key)
    if figures is None:
        figures = Entry.objects.filter(contest=contest, status=Entry.Status.SUBMITTED).aggregate(
            entries=Count("pk"),
            volunteers=Sum("volunteers"),
            beneficiaries=Sum("beneficiaries"),
            service_hours=Sum("service_hours"),
        )
        figures = {name: value or 0 for name, value in figures.items()}
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def category_counts() -> list[Category]:
    """The categories with how many live featured projects each has (one query)."""
    live = Q(project_pages__live=True)
    return list(
        Category.objects.annotate(project_count=Count("project_pages", filter=live)).order_by("sort_order", "code")
    )


def home_context(page) -> dict:
    contest = competition_selectors.current_contest()
    return {
        "contest": contest,
        "contest_page": getattr(contest, "page", None) if contest else None,
        "figures": key_figures(contest),
        "categories": category_counts(),
        "projects": list(live_projects().order_by("-year", "featured__rank", "pk")[:6]),
        "stories": list(live_stories().order_by("-date", "-pk")[:3]),
        "showcase": page.get_children().type(_showcase_type()).live().first(),
        "story_index": page.get_children().type(_story_index_type()).live().first(),
    }


def _showcase_type():
    from .models import ShowcaseIndexPage

    return ShowcaseIndexPage


def _story_index_type():
    from .models import StoryIndexPage

    return StoryIndexPage


# --- The contest page ---------------------------------------------------------------------------


@dataclass
class Milestone:
    label: str
    starts: datetime | None
    ends: datetime | None
    state: str  # "done", "current" or "upcoming"


def _state(starts, ends, now) -> str:
    if ends and ends <= now:
        return "done"
    if starts and starts <= now:
        return "current"
    return "upcoming"


def contest_timeline(contest: Contest, *, rounds, shortlist, now=None) -> list[Milestone]:
    """The contest's stages from its real dates: submission, each judging round, the public
    notice and the announcement of the featured projects."""
    now = now or timezone.now()
    steps = [
        Milestone(_("项目申报"), contest.submission_opens, contest.submission_closes, ""),
    ]
    for round in rounds:
        steps.append(Milestone(round.name, round.scoring_opens, round.scoring_closes, ""))
    notice_starts = shortlist.notice_starts_at if shortlist else None
    notice_ends = shortlist.notice_ends_at if shortlist else None
    steps.append(Milestone(_("入围公示"), notice_starts, notice_ends, ""))
    finalized = shortlist.finalized_at if shortlist else None
    steps.append(Milestone(_("公布优秀项目"), finalized, None, ""))
    for step in steps:
        step.state = _state(step.starts, step.ends, now)
    if finalized:
        steps[-1].state = "current"
    # Only one stage is "current": the latest one that has started.
    current = [step for step in steps if step.state == "current"]
    for step in current[:-1]:
        step.state = "done"
    return steps


def contest_context(contest: Contest) -> dict:
    now = timezone.now()
    rounds = list(Round.objects.filter(contest=contest).order_by("order"))
    shortlist = Shortlist.objects.filter(contest=contest).first()
    in_notice = bool(shortlist and shortlist.in_notice(now))
    projects = []
    if shortlist and shortlist.finalized_at:
        projects = list(live_projects().filter(featured__contest=contest).order_by("featured__rank")[:12])
    return {
        "contest": contest,
        "timeline": contest_timeline(contest, rounds=rounds, shortlist=shortlist, now=now),
        "categories": list(contest.categories.order_by("sort_order", "code")),
        "submission_open": contest.is_open(now),
        "shortlist": shortlist,
        "in_notice": in_notice,
        "projects": projects,
    }


# --- The showcase -----------------------------------------------------------------------------


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def showcase_context(page, params) -> dict:
    """The showcase's filters (category code, county id, year) and one page of project cards."""
    categories = list(Category.objects.order_by("sort_order", "code"))
    counties = list(County.objects.order_by("sort_order", "name"))
    years = sorted(
        {year for year in ProjectPage.objects.live().values_list("year", flat=True).distinct() if year},
        reverse=True,
    )
    chosen = {
        "category": next((c for c in categories if c.code == params.get("category")), None),
        "county": next((c for c in counties if c.pk == _int_or_none(params.get("county"))), None),
        "year": _int_or_none(params.get("year")) if _int_or_none(params.get("year")) in years else None,
    }
    projects = live_projects().child_of(page)
    if chosen["category"]:
        projects = projects.filter(category=chosen["category"])
    if chosen["county"]:
        projects = projects.filter(county=chosen["county"])
    if chosen["year"]:
        projects = projects.filter(year=chosen["year"])
    projects = projects.order_by("-year", "featured__rank", "pk")
    paginator = Paginator(projects, SHOWCASE_PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    query = {name: params.get(name) for name in ("category", "county", "year") if chosen[name]}
    return {
        "categories": categories,
        "counties": counties,
        "years": years,
        "chosen": chosen,
        "filter_query": query,
        "page_obj": page_obj,
        "projects": list(page_obj.object_list),
    }


def story_index_context(page, params) -> dict:
    categories = list(Category.objects.order_by("sort_order", "code"))
    chosen = next((c for c in categories if c.code == params.get("category")), None)
    stories = live_stories().child_of(page)
    if chosen:
        stories = stories.filter(categories=chosen)
    paginator = Paginator(stories.order_by("-date", "-pk"), STORY_PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    return {
        "categories": categories,
        "chosen_category": chosen,
        "page_obj": page_obj,
        "stories": list(page_obj.object_list),
    }
