"""Reads for the back office: the stations teams named, as far as the user answers for them."""

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


def proposed_station_count(user) -> int:
    return _scope(user).count()


def merge_targets(organization: Organization) -> QuerySet[Organization]:
    """The confirmed stations of the proposal's county, for "merge into"."""
    return Organization.objects.filter(confirmed=True, county_id=organization.county_id).order_by("sort_key")
