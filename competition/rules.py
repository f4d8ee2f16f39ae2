"""Who may see and review entries: plain predicates. Views name them; hidden objects become
404s. The roles themselves are ``accounts.roles``."""

from accounts.roles import is_organizer, is_supervisor

from .models import Entry


def coordinator_county_id(user) -> int | None:
    """The county a coordinator answers for, or None."""
    if not (user.is_authenticated and user.is_active):
        return None
    if not hasattr(user, "_coordinator_county_id"):
        from .models import Coordinator

        user._coordinator_county_id = (
            Coordinator.objects.filter(user=user).values_list("county_id", flat=True).first()
        )
    return user._coordinator_county_id


def team_id_of(user) -> int | None:
    if not (user.is_authenticated and user.is_active):
        return None
    if not hasattr(user, "_team_id"):
        from .models import Team

        user._team_id = Team.objects.filter(user=user).values_list("pk", flat=True).first()
    return user._team_id


def owns_entry(user, entry: Entry) -> bool:
    team_id = team_id_of(user)
    return team_id is not None and entry.team_id == team_id


def can_view_entry(user, entry: Entry) -> bool:
    """Its team, organizers, supervisors and the coordinator of its county."""
    if owns_entry(user, entry) or is_organizer(user) or is_supervisor(user):
        return True
    county_id = coordinator_county_id(user)
    return county_id is not None and entry.team.organization.county_id == county_id


def reviews_county_of(user, entry: Entry) -> bool:
    """Organizers review every county; a coordinator only their own."""
    if is_organizer(user):
        return True
    county_id = coordinator_county_id(user)
    return county_id is not None and entry.team.organization.county_id == county_id


def can_review_eligibility(user, entry: Entry) -> bool:
    return entry.status == Entry.Status.SUBMITTED and reviews_county_of(user, entry)


def can_confirm_station(user, organization) -> bool:
    """Organizers, and the coordinator of the station's county (stations teams named)."""
    if user is None or not (user.is_authenticated and user.is_active):
        return False
    if is_organizer(user):
        return True
    county_id = coordinator_county_id(user)
    return county_id is not None and organization.county_id == county_id
