"""Reads for the station picker. Only confirmed organizations are ever offered, and only what
anyone may see: name, kind, town and county (never the address or the contact).

The county and town lists are small (13 and about 150 rows) and read on every keystroke, so
they are cached (and dropped whenever a county or town is saved); the stations themselves are
one query with a limit, whatever their number."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When

from ..models import County, Organization, Town, pinyin_search_key

SEARCH_LIMIT = 20
QUERY_MAX_LENGTH = 40
TOKENS_MAX = 4
PLACES_CACHE_KEY = "stations:places:v1"
PLACES_CACHE_SECONDS = 10 * 60
# Type-ahead sends a request per pause in typing: a person types far fewer than this.
SEARCHES_PER_MINUTE = 120


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    key: str  # pinyin_search_key: name, full pinyin, initials
    county_id: int


@dataclass(frozen=True)
class Places:
    counties: tuple[Place, ...]
    towns: tuple[Place, ...]

    def county_name(self, county_id) -> str:
        return next((c.name for c in self.counties if c.id == county_id), "")

    def town_name(self, town_id) -> str:
        return next((t.name for t in self.towns if t.id == town_id), "")

    def towns_of(self, county_id) -> tuple[Place, ...]:
        return tuple(t for t in self.towns if t.county_id == county_id)

    def has_county(self, county_id) -> bool:
        return any(c.id == county_id for c in self.counties)

    def town_in_county(self, town_id, county_id) -> bool:
        return any(t.id == town_id and t.county_id == county_id for t in self.towns)


def places() -> Places:
    """Every county and town, in official and pinyin order (cached)."""
    cached = cache.get(PLACES_CACHE_KEY)
    if cached is not None:
        return cached
    counties = tuple(
        Place(pk, name, pinyin_search_key(name), pk) for pk, name in County.objects.values_list("pk", "name")
    )
    towns = tuple(
        Place(pk, name, key, county_id)
        for pk, name, key, county_id in Town.objects.values_list("pk", "name", "search_key", "county_id")
    )
    value = Places(counties=counties, towns=towns)
    cache.set(PLACES_CACHE_KEY, value, PLACES_CACHE_SECONDS)
    return value


def forget_places(**kwargs) -> None:
    """Signal receiver: a county or town changed."""
    cache.delete(PLACES_CACHE_KEY)


@dataclass(frozen=True)
class StationHit:
    id: int
    name: str
    kind: str
    town: str
    county: str

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "town": self.town, "county": self.county}


def tokens_of(query: str) -> list[str]:
    """What a query matches on: lower-case words (a search key is lower-case pinyin or Chinese)."""
    words = (query or "")[:QUERY_MAX_LENGTH].lower().split()
    return [word for word in words if word][:TOKENS_MAX]


def search_stations(
    *, query: str = "", county_id: int | None = None, town_id: int | None = None, limit: int = SEARCH_LIMIT
) -> tuple[list[StationHit], bool]:
    """Confirmed organizations matching every word of ``query`` (in their own name, full
    pinyin or initials, or their town's or county's), within the county and town if given.
    Name matches come first (a name, pinyin or initials starting with the first word first of
    all), then pinyin
    order. Returns at most ``limit`` hits and whether there were more. One query."""
    tokens = tokens_of(query)
    if not tokens and county_id is None and town_id is None:
        return [], False
    lists = places()
    stations = Organization.objects.filter(confirmed=True)
    if county_id is not None:
        stations = stations.filter(county_id=county_id)
    if town_id is not None:
        stations = stations.filter(town_id=town_id)
    for token in tokens:
        # "xjz" finds 西井镇: the stations of matching towns (and counties) match too; which
        # towns match is answered from the cached list, so the query needs no join.
        match = Q(search_key__contains=token)
        towns = [t.id for t in lists.towns if token in t.key]
        counties = [c.id for c in lists.counties if token in c.key]
        if towns:
            match |= Q(town_id__in=towns)
        if counties:
            match |= Q(county_id__in=counties)
        stations = stations.filter(match)
    if tokens:
        stations = stations.annotate(
            rank=Case(
                # The name, its pinyin or its initials start with the word.
                When(
                    Q(search_key__startswith=tokens[0]) | Q(search_key__contains=f" {tokens[0]}"),
                    then=Value(0),
                ),
                When(search_key__contains=tokens[0], then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("rank", "sort_key")
    else:
        stations = stations.order_by("sort_key")
    rows = list(stations.values_list("pk", "name", "kind", "town_id", "county_id")[: limit + 1])
    kinds = dict(Organization.Kind.choices)
    hits = [
        StationHit(pk, name, str(kinds.get(kind, "")), lists.town_name(town_id), lists.county_name(county_id))
        for pk, name, kind, town_id, county_id in rows[:limit]
    ]
    return hits, len(rows) > limit


def station_hit(organization_id, *, own_id=None) -> StationHit | None:
    """One organization as the picker shows it (the chosen one): a confirmed one, or the team's
    own (``own_id``) even unconfirmed: a team attached to a station it named still sees it."""
    row = (
        Organization.objects.filter(Q(confirmed=True) | Q(pk=own_id or 0), pk=organization_id)
        .values_list("pk", "name", "kind", "town_id", "county_id", "proposed_town")
        .first()
    )
    if row is None:
        return None
    pk, name, kind, town_id, county_id, proposed_town = row
    lists = places()
    kinds = dict(Organization.Kind.choices)
    town = lists.town_name(town_id) or proposed_town
    return StationHit(pk, name, str(kinds.get(kind, "")), town, lists.county_name(county_id))


def search_allowed(address: str) -> bool:
    """A per-address budget of searches per minute, counted in the cache (a database write per
    keystroke would cost more than the search). Fails open when the cache is down."""
    window = int(time.time()) // 60
    key = f"stations:rate:{address}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        return True
    return count is None or count <= SEARCHES_PER_MINUTE
