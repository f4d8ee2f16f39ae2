"""The public search (``/search/``): live, public project and story pages found through Wagtail
search with the query segmented by ``cms.search``.

Every term must match; when nothing does and the query has several terms, the search is
repeated for any of them and the page says so. Projects come first (most relevant first),
then stories. The number of queries does not depend on how many pages match: two counts (four
when loosened), at most one slice of each kind, and a few fixed reads (categories, years, the
showcase, the view restrictions).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.utils.html import strip_tags
from wagtail.models import Page

from competition.models import Category

from . import cache as public_cache
from . import search, selectors
from .models import ProjectPage, ShowcaseIndexPage, StoryPage

PAGE_SIZE = 10
KINDS = ("project", "story")
# Offered on the empty search page and when nothing is found: words that find something in
# a typical year's projects (service areas and the groups served).
POPULAR_SEARCHES = ("助学", "养老", "环保", "文化", "关爱老人", "留守儿童", "社区", "义诊")
EXCERPT_LENGTH = 110


@dataclass
class Hit:
    """One result: the page (a ProjectPage or a StoryPage) and the text shown for it."""

    kind: str
    page: object
    excerpt: str


@dataclass
class SearchOutcome:
    query: str = ""
    terms: list[str] = field(default_factory=list)
    # The query was longer than search.MAX_QUERY_LENGTH and was cut.
    truncated: bool = False
    # A search ran (the query had at least one searchable word).
    searched: bool = False
    # Nothing matched every term, so these results match any of them.
    loosened: bool = False
    kind: str = ""
    category: Category | None = None
    year: int | None = None
    categories: list[Category] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"project": 0, "story": 0})
    total: int = 0
    page_obj: PaginatorPage | None = None
    hits: list[Hit] = field(default_factory=list)
    showcase_url: str = ""
    popular: tuple = POPULAR_SEARCHES

    @property
    def filtered(self) -> bool:
        return bool(self.category or self.year)

    def url(self, **changes) -> str:
        """This search's query string with some parameters changed (None drops one); the page
        number is dropped unless given."""
        params = {
            "q": self.query,
            "type": self.kind,
            "category": self.category.code if self.category else "",
            "year": self.year or "",
        }
        params.update(changes)
        return "?" + urlencode({name: value for name, value in params.items() if value not in ("", None)})

    def tabs(self) -> list[dict]:
        return [
            {"kind": kind, "count": count, "url": self.url(type=kind), "active": self.kind == kind}
            for kind, count in (
                ("", self.counts["project"] + self.counts["story"]),
                ("project", self.counts["project"]),
                ("story", self.counts["story"]),
            )
        ]

    @property
    def previous_url(self) -> str:
        if self.page_obj is None or not self.page_obj.has_previous():
            return ""
        number = self.page_obj.previous_page_number()
        return self.url(page=number if number > 1 else None)

    @property
    def next_url(self) -> str:
        if self.page_obj is None or not self.page_obj.has_next():
            return ""
        return self.url(page=self.page_obj.next_page_number())

    @property
    def popular_links(self) -> list[tuple[str, str]]:
        return [(word, "?" + urlencode({"q": word})) for word in self.popular]

    def clear_filters_url(self) -> str:
        return self.url(category=None, year=None)


class _Chained:
    """Search results of several kinds one after another, for a Paginator: counted from the
    counts already made, sliced by fetching only the part of each kind that falls in the
    slice."""

    def __init__(self, parts):
        self.parts = parts  # [(results, count)]

    def count(self) -> int:
        return sum(count for _results, count in self.parts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("only slices")
        start = item.start or 0
        stop = self.count() if item.stop is None else item.stop
        rows, offset = [], 0
        for results, count in self.parts:
            low, high = max(start - offset, 0), min(stop - offset, count)
            if low < high:
                rows.extend(results[low:high])
            offset += count
        return rows


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _param(params, name) -> str:
    value = params.get(name, "")
    return value if isinstance(value, str) else ""


def _years() -> list[int]:
    project_years = set(
        ProjectPage.objects.live().exclude(year=None).values_list("year", flat=True).distinct()
    )
    story_years = {day.year for day in StoryPage.objects.live().dates("date", "year")}
    return sorted(project_years | story_years, reverse=True)


def _projects(category, year, private):
    pages = ProjectPage.objects.live().exclude(private).select_related("category", "county")
    if category:
        pages = pages.filter(category_id=category.pk)
    if year:
        pages = pages.filter(year=year)
    return pages


def _stories(category, year, private):
    pages = StoryPage.objects.live().exclude(private).prefetch_related("categories")
    if category:
        tagged = StoryPage.categories.through.objects.filter(category_id=category.pk)
        pages = pages.filter(id__in=tagged.values("storypage_id"))
    if year:
        pages = pages.filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    return pages


def _raw_stream_text(stream) -> str:
    """The readable text of a StreamField value from its stored data: unlike iterating the
    value, this loads no images or documents, so excerpts cost no queries."""
    parts = []
    for block in getattr(stream, "raw_data", None) or []:
        value = block.get("value")
        if block.get("type") == "paragraph" and isinstance(value, str):
            parts.append(strip_tags(value))
        elif block.get("type") == "quote" and isinstance(value, dict):
            parts.append(str(value.get("text") or ""))
        elif isinstance(value, dict):
            parts.append(str(value.get("caption") or value.get("title") or ""))
    return " ".join(part for part in parts if part)


def _hit(page, terms) -> Hit:
    if isinstance(page, ProjectPage):
        kind, lead = "project", page.summary
    else:
        kind, lead = "story", page.intro
    # No space after Chinese full stops and the like: Chinese runs on without spaces.
    separator = "" if lead.rstrip().endswith(tuple("。！？；…”」")) else " "
    text = f"{lead.rstrip()}{separator}{_raw_stream_text(page.body)}"
    return Hit(kind=kind, page=page, excerpt=search.excerpt(text, terms, EXCERPT_LENGTH))


def _search(terms, operator, category, year):
    query = " ".join(terms)
    # What .public() excludes (pages under a view restriction), read once for both kinds.
    private = Page.objects.all().private_q()
    return {
        "project": _projects(category, year, private).search(query, operator=operator),
        "story": _stories(category, year, private).search(query, operator=operator),
    }


def _fixed_reads() -> tuple[list, list[int], str]:
    """The categories, the years and the showcase's address: the same for every search, so
    read once per site generation."""

    def showcase_url():
        showcase = ShowcaseIndexPage.objects.live().first()
        return showcase.url if showcase else ""

    return (
        selectors.categories(),
        public_cache.remembered("search:years", _years),
        public_cache.remembered("search:showcase-url", showcase_url),
    )


class _Known:
    """One page of results already found (their pages loaded), for the Paginator: the total
    is known, and the only slice asked for is that page's."""

    def __init__(self, total, rows):
        self.total, self.rows = total, rows

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, item):
        return self.rows


def _load(rows) -> list:
    """The pages named by ``[(kind, pk), ...]``, in that order (two queries at most)."""
    wanted = {name: [pk for kind, pk in rows if kind == name] for name in KINDS}
    found = {}
    if wanted["project"]:
        found["project"] = ProjectPage.objects.select_related("category", "county").in_bulk(wanted["project"])
    if wanted["story"]:
        found["story"] = StoryPage.objects.prefetch_related("categories").in_bulk(wanted["story"])
    return [found[kind][pk] for kind, pk in rows if pk in found.get(kind, {})]


def run(params) -> SearchOutcome:
    """Search for ``params["q"]`` with the optional filters ``type`` (project or story),
    ``category`` (a category code) and ``year``; ``page`` is the page of results. Anything
    malformed in *params* is ignored rather than refused.

    What a search finds (the counts and which pages are on the page asked for) is kept until
    the site's next change, like the pages themselves: the full-text queries are most of a
    search's cost, and readers repeat the popular searches."""
    raw = _param(params, "q")
    query = search.clean_query(raw)
    categories, years, showcase_url = _fixed_reads()
    kind = _param(params, "type")
    year = _int_or_none(_param(params, "year"))
    outcome = SearchOutcome(
        query=query,
        terms=search.query_terms(query),
        truncated=len(" ".join(raw.split())) > search.MAX_QUERY_LENGTH,
        kind=kind if kind in KINDS else "",
        category=next((c for c in categories if c.code == _param(params, "category")), None),
        year=year if year in years else None,
        categories=categories,
        years=years,
        showcase_url=showcase_url,
    )
    if not outcome.terms:
        return outcome

    outcome.searched = True
    kinds = [outcome.kind] if outcome.kind else list(KINDS)
    number = _param(params, "page")
    signature = json.dumps(
        [outcome.terms, outcome.category.code if outcome.category else "", outcome.year, kinds, number]
    )
    key = public_cache.key("search:" + hashlib.sha256(signature.encode()).hexdigest())
    found = cache.get(key)
    if found is None:
        results = _search(outcome.terms, "and", outcome.category, outcome.year)
        counts = {name: results[name].count() for name in KINDS}
        loosened = False
        if len(outcome.terms) > 1 and not any(counts.values()):
            results = _search(outcome.terms, "or", outcome.category, outcome.year)
            counts = {name: results[name].count() for name in KINDS}
            loosened = any(counts.values())
        chained = _Chained([(results[name], counts[name]) for name in kinds])
        page_obj = Paginator(chained, PAGE_SIZE).get_page(number)
        pages = list(page_obj.object_list)
        rows = [("project" if isinstance(page, ProjectPage) else "story", page.pk) for page in pages]
        cache.set(key, (counts, loosened, rows), public_cache.PAGE_SECONDS)
    else:
        counts, loosened, rows = found
        pages = _load(rows)
    outcome.counts, outcome.loosened = counts, loosened
    outcome.total = sum(counts[name] for name in kinds)
    outcome.page_obj = Paginator(_Known(outcome.total, pages), PAGE_SIZE).get_page(number)
    outcome.hits = [_hit(page, outcome.terms) for page in pages]
    return outcome
