"""Reads for the public pages. Each function's query count is fixed, whatever the number of
projects and stories (tests/cms/test_query_counts.py holds them to it).

Three habits keep the counts small and fixed:

* images: a list's cover images come with its rows (``select_related``); the renditions of
  every image a page shows are then fetched in one query (``prefetch_renditions``), so a
  ``{% picture %}`` tag never queries;
* reference data that changes rarely (categories, counties, view restrictions, a showcase's
  years) is cached under the public cache's generation (``cms.cache.key``), which every change
  to it purges (see ``cms.cache_receivers``);
* view restrictions are read once per request (``public_q``), not once per ``.public()``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from awards.notice.selectors import current_notice
from awards.phases import takes_objections
from awards.shortlist.selectors import contest_shortlist
from competition import selectors as competition_selectors
from competition.models import Category, Contest, County
from competition.phases import DRAFT, FINAL, NOTICE, RESULTS, REVIEW, SUBMISSION, contest_phase
from judging.phases import round_step_state
from judging.rounds.selectors import contest_rounds
from voting.windows.selectors import vote_taking_votes

from . import cache as public_cache
from .models import ContestPage, ProjectPage, ShowcaseIndexPage, StoryIndexPage, StoryPage

SHOWCASE_PAGE_SIZE = 12
STORY_PAGE_SIZE = 10
FIGURES_CACHE_SECONDS = 10 * 60


# --- Visibility ---------------------------------------------------------------------------------


def restricted_paths() -> list[str]:
    """The tree paths of the pages with a view restriction (password, log-in, groups)."""
    return public_cache.remembered(
        "restricted-paths",
        lambda: sorted(PageViewRestriction.objects.values_list("page__path", flat=True).distinct()),
    )


def public_q() -> Q:
    """Pages outside every view restriction: Wagtail's ``.public()`` with the restrictions read
    from the cache instead of one query per call."""
    q = Q()
    for path in restricted_paths():
        q &= ~Q(path__startswith=path)
    return q


def live_projects():
    return ProjectPage.objects.live().filter(public_q()).select_related("category", "county", "cover_image")


def live_stories():
    return StoryPage.objects.live().filter(public_q()).select_related("cover_image")


def categories() -> list[Category]:
    return public_cache.remembered("categories", competition_selectors.categories_in_order)


def counties() -> list[County]:
    return public_cache.remembered("counties", lambda: list(competition_selectors.counties()))


# --- Images -------------------------------------------------------------------------------------


def prefetch_renditions(images) -> None:
    """One query for the renditions of all these images (skipping those that have them)."""
    wanted = [image for image in images if image is not None and not _has_renditions(image)]
    prefetch_related_objects(wanted, "renditions")


def _has_renditions(image) -> bool:
    return "renditions" in getattr(image, "_prefetched_objects_cache", {})


def stream_images(stream) -> list:
    """The images of a StreamField value (image, gallery and video poster blocks). Reading the
    value loads each block type's images in one query; the blocks keep those objects."""
    images = []
    for block in stream or []:
        value = block.value
        if block.block_type == "image":
            images.append(value.get("image"))
        elif block.block_type == "gallery":
            images.extend(item.get("image") for item in value.get("images") or [])
        elif block.block_type == "video":
            images.append(value.get("poster"))
    return [image for image in images if image is not None]


def load_images(owners) -> list:
    """Set the image of each ``(object, field)`` pair, loading those not already loaded (by
    ``select_related`` or an earlier call) in one query. Returns the images."""
    owners = list(owners)
    image_field = {}
    for obj, field in owners:
        image_field[(id(obj), field)] = type(obj)._meta.get_field(field)
    missing = {
        getattr(obj, f"{field}_id")
        for obj, field in owners
        if getattr(obj, f"{field}_id") is not None and not image_field[(id(obj), field)].is_cached(obj)
    }
    loaded = get_image_model().objects.in_bulk(missing) if missing else {}
    images = []
    for obj, field in owners:
        image_id = getattr(obj, f"{field}_id")
        if image_id is None:
            continue
        if image_id in loaded:
            setattr(obj, field, loaded[image_id])
        images.append(getattr(obj, field))
    return images


def key_figures(contest: Contest | None) -> dict | None:
    """Entries, volunteers, beneficiaries and service hours of the contest's submitted entries,
    cached: the sums scan every entry."""
    if contest is None:
        return None
    key = f"cms:figures:{contest.pk}"
    figures = cache.get(key)
    if figures is None:
        figures = competition_selectors.submitted_entries(contest=contest).aggregate(
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
    counted = Category.objects.annotate(project_count=Count("project_pages", filter=live))
    return list(counted.order_by("sort_order", "code"))


# --- The home page ------------------------------------------------------------------------------


def home_context(page) -> dict:
    """The current contest with its page and figures, the categories with their counts, the
    latest featured projects and stories, the showcase and story index to link to, and the
    shortlist on notice (公示) now, if any, for the banner that leads readers to its list."""
    contest = competition_selectors.current_contest()
    # The sections and the contest's page in one query (plain pages: only their URLs are shown).
    wanted = Q(content_type__in=_content_types(ShowcaseIndexPage, StoryIndexPage))
    if contest is not None:
        wanted |= Q(pk__in=ContestPage.objects.filter(contest=contest).values("pk"))
    children = list(page.get_children().live().filter(public_q()).filter(wanted))
    projects = list(live_projects().order_by("-year", "featured__rank", "pk")[:6])
    stories = list(live_stories().order_by("-date", "-pk")[:3])
    images = load_images([(page, "hero_image"), (page, "share_image")])
    prefetch_renditions(images)  # the cards load their own covers (cms_tags.cards)
    by_class = {}
    for child in children:
        by_class.setdefault(child.specific_class, child)
    return {
        "contest": contest,
        "contest_page": by_class.get(ContestPage),
        "submission_open": bool(contest and contest_phase(contest).can_submit),
        "figures": key_figures(contest),
        "categories": category_counts(),
        "projects": projects,
        "stories": stories,
        "showcase": by_class.get(ShowcaseIndexPage),
        "story_index": by_class.get(StoryIndexPage),
        "notice": current_notice(),
        "vote": vote_taking_votes(),
    }


def _content_types(*models) -> list[int]:
    from django.contrib.contenttypes.models import ContentType

    return [content_type.pk for content_type in ContentType.objects.get_for_models(*models).values()]


def _page_images(page, *, fields=("share_image",), others=(), stream=None, extra=()) -> None:
    """Load a page's own images (and ``others``) and prefetch the renditions of all of them,
    its StreamField's images and ``extra`` images, in one query."""
    images = load_images([(page, field) for field in fields] + list(others))
    images += stream_images(stream) if stream is not None else []
    prefetch_renditions(images + list(extra))


# --- The contest page ---------------------------------------------------------------------------


@dataclass
class Milestone:
    label: str
    starts: datetime | None
    ends: datetime | None
    state: str  # "done", "current" or "upcoming"


def contest_timeline(contest: Contest, *, phase, rounds, shortlist) -> list[Milestone]:
    """The contest's stages with their dates. Whether each is done, current or to come is
    read from the contest's phase (``competition.phases``) and its rounds' phases, the objects
    that decide what may happen: at most one stage is ever current, whatever the dates say."""
    steps = [
        Milestone(
            _("项目申报"), contest.submission_opens, contest.submission_closes, phase.step_state(SUBMISSION)
        ),
        Milestone(_("资格审查"), contest.submission_closes, None, phase.step_state(REVIEW)),
    ]
    steps += [
        Milestone(
            round.name,
            round.scoring_opens,
            round.scoring_closes,
            round_step_state(contest_phase=phase, round=round),
        )
        for round in rounds
    ]
    steps += [
        Milestone(
            _("确定入围名单"), shortlist.committed_at if shortlist else None, None, phase.step_state(RESULTS)
        ),
        Milestone(
            _("入围公示"),
            shortlist.notice_starts_at if shortlist else None,
            shortlist.notice_ends_at if shortlist else None,
            phase.step_state(NOTICE),
        ),
        Milestone(
            _("公布优秀项目"), shortlist.finalized_at if shortlist else None, None, phase.step_state(FINAL)
        ),
    ]
    return steps


def contest_context(contest: Contest, page=None) -> dict:
    phase = contest_phase(contest)
    rounds = contest_rounds(contest=contest)
    shortlist = contest_shortlist(contest=contest)
    projects = []
    if phase.final:
        projects = list(live_projects().filter(featured__contest=contest).order_by("featured__rank")[:6])
    if page is not None:
        _page_images(page)
    timeline = contest_timeline(contest, phase=phase, rounds=rounds, shortlist=shortlist)
    return {
        "contest": contest,
        "phase": phase,
        "timeline": timeline,
        "current_stage": next((step for step in timeline if step.state == "current"), None),
        "categories": [category for category in categories() if category.pk in _category_ids(contest)],
        "submission_open": phase.can_submit,
        "submission_upcoming": phase is DRAFT,
        "shortlist": shortlist,
        "in_notice": bool(shortlist and takes_objections(shortlist)),
        "vote": vote_taking_votes(contest=contest),
        "finalized": phase.final,
        "projects": projects,
        "showcase": ShowcaseIndexPage.objects.live().filter(public_q()).first() if projects else None,
    }


def _category_ids(contest: Contest) -> set[int]:
    return public_cache.remembered(
        f"contest-categories:{contest.pk}", lambda: set(contest.categories.values_list("pk", flat=True))
    )


# --- The showcase -----------------------------------------------------------------------------


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _page_range(page_obj) -> list:
    """Page numbers around the current one, with the paginator's ellipsis between (1 … 4 5 6 … 9)."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1))


def showcase_facets(page) -> dict:
    """The years (newest first) and awards (best tier first) that the showcase's live projects
    have, for its filters: one query, then cached until the next publish."""

    def compute():
        rows = (
            ProjectPage.objects.live()
            .child_of(page)
            .order_by()
            .values_list("year", "award", "featured__tier__position")
            .distinct()
        )
        years: set[int] = set()
        awards: dict[str, int] = {}
        for year, award, position in rows:
            if year is not None:
                years.add(year)
            if award:
                rank = position if position is not None else 1_000
                awards[award] = min(awards.get(award, rank), rank)
        return {
            "years": sorted(years, reverse=True),
            "awards": sorted(awards, key=lambda name: (awards[name], name)),
        }

    return public_cache.remembered(f"showcase-facets:{page.pk}", compute)


def showcase_years(page) -> list[int]:
    return showcase_facets(page)["years"]


def showcase_context(page, params) -> dict:
    """The showcase's filters (category code, county id, year, award) and one page of project
    cards. Values that match nothing are ignored, not errors; the page links keep the valid
    ones. The award filter is offered only when the showcase has more than one award."""
    all_categories = categories()
    all_counties = counties()
    facets = showcase_facets(page)
    years = facets["years"]
    awards = facets["awards"] if len(facets["awards"]) > 1 else []
    year = _int_or_none(params.get("year"))
    chosen = {
        "category": next((c for c in all_categories if c.code == params.get("category")), None),
        "county": next((c for c in all_counties if c.pk == _int_or_none(params.get("county"))), None),
        "year": year if year in years else None,
        "award": params.get("award") if params.get("award") in awards else None,
    }
    projects = live_projects().child_of(page)
    if chosen["category"]:
        projects = projects.filter(category=chosen["category"])
    if chosen["county"]:
        projects = projects.filter(county=chosen["county"])
    if chosen["year"]:
        projects = projects.filter(year=chosen["year"])
    if chosen["award"]:
        projects = projects.filter(award=chosen["award"])
    projects = projects.order_by("-year", "featured__rank", "pk")
    paginator = Paginator(projects, SHOWCASE_PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    cards = list(page_obj.object_list)
    _page_images(page)
    query = {
        "category": chosen["category"].code if chosen["category"] else None,
        "county": str(chosen["county"].pk) if chosen["county"] else None,
        "year": str(chosen["year"]) if chosen["year"] else None,
        "award": chosen["award"],
    }
    return {
        "categories": all_categories,
        "counties": all_counties,
        "years": years,
        "awards": awards,
        "chosen": chosen,
        "filtered": any(chosen.values()),
        "filter_query": {name: value for name, value in query.items() if value},
        "page_obj": page_obj,
        "page_range": _page_range(page_obj),
        "projects": cards,
    }


# --- Stories ----------------------------------------------------------------------------------


def story_index_context(page, params) -> dict:
    all_categories = categories()
    chosen = next((c for c in all_categories if c.code == params.get("category")), None)
    stories = live_stories().child_of(page)
    if chosen:
        stories = stories.filter(categories=chosen)
    paginator = Paginator(stories.order_by("-date", "-pk"), STORY_PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    cards = list(page_obj.object_list)
    _page_images(page)
    return {
        "categories": all_categories,
        "chosen_category": chosen,
        "filter_query": {"category": chosen.code} if chosen else {},
        "page_obj": page_obj,
        "page_range": _page_range(page_obj),
        "stories": cards,
    }


def story_context(page) -> dict:
    """A story's images, categories and related featured projects (a fixed number of queries)."""
    related = list(live_projects().filter(stories=page).order_by("-year", "featured__rank", "pk")[:6])
    story_categories = list(page.categories.all())
    _page_images(page, fields=("cover_image", "share_image"), stream=page.body)
    return {
        "story_categories": story_categories,
        "related_projects": related,
        "story_index": page.get_parent(),
    }


# --- Project and standard pages ----------------------------------------------------------------


def project_context(page) -> dict:
    """A project page's photos, related stories and images, loaded in a fixed number of queries."""
    photos = list(page.photos.all())
    stories = list(
        StoryPage.objects.live().filter(public_q()).filter(related_projects=page).order_by("-date", "-pk")[:4]
    )
    _page_images(
        page,
        fields=("cover_image", "share_image"),
        # The stories' covers load with the photos (one query); their cards get the renditions.
        others=[(photo, "image") for photo in photos] + [(story, "cover_image") for story in stories],
        stream=page.body,
    )
    figures = [
        (label, value)
        for label, value in [
            (_("志愿者人数"), page.volunteers),
            (_("服务对象人数"), page.beneficiaries),
            (_("服务时长（小时）"), page.service_hours),
            (_("开展活动次数"), page.activities),
        ]
        if value is not None
    ]
    return {
        "photos": photos,
        "related_stories": stories,
        "project_figures": figures,
        # Routing left the parent on the page: no query.
        "showcase": page.get_parent(),
    }


def standard_context(page) -> dict:
    _page_images(page, stream=page.body)
    return {"subpages": list(page.get_children().live().filter(public_q()).in_menu().order_by("path"))}
