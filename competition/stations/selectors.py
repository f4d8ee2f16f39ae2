"""Reads for the back office: the stations teams named, as far as the user answers for them."""

from django.core.cache import cache
from django.db.models import Count, QuerySet

from accounts.roles import is_organizer

from .. import rules
from ..models import Organization


def _scope(user) -> QuerySet[Organization]:
    """Unconfirmed organizations the user may confirm: all for organizers, their county's for a
    coordinator, none for anyone else."""
    stations = Organization.objects.filter(confirmed=False)
    if is_organizer(user):
        return stations
    county_id = rules.coordinator_county_id(user)
    return stations.none() if county_id is None else stations.filter(county_id=county_id)


def proposed_stations_for(user) -> QuerySet[Organization]:
    """The proposals the user may confirm, oldest first, with their teams counted."""
    return (
        _scope(user)
        .select_related("county", "town", "proposed_by")
        .annotate(team_count=Count("teams"))
        .order_by("proposed_at", "pk")
    )


PROPOSED_COUNTS_KEY = "stations:proposed-counts"


def proposed_station_count(user) -> int:
    """The number in the back office's menu, on every page: kept in the cache per county (and
    for organizers), dropped whenever an organization changes (``forget_proposed_counts``)."""
    if is_organizer(user):
        scope = "all"
    else:
        county_id = rules.coordinator_county_id(user)
        if county_id is None:
            return 0
        scope = str(county_id)
    counts = cache.get(PROPOSED_COUNTS_KEY) or {}
    if scope not in counts:
        counts[scope] = _scope(user).count()
        cache.set(PROPOSED_COUNTS_KEY, counts, 5 * 60)
    return counts[scope]


def forget_proposed_counts(instance=None, **kwargs) -> None:
    """Signal receiver (an unconfirmed organization was saved or deleted), and called by
    ``services.station_confirm``. Confirmed ones do not change the count."""
    if instance is None or not instance.confirmed:
        cache.delete(PROPOSED_COUNTS_KEY)


def merge_targets(organization: Organization) -> QuerySet[Organization]:
    """The confirmed stations of the proposal's county, for "merge into"."""
    return Organization.objects.filter(confirmed=True, county_id=organization.county_id).order_by("sort_key")
