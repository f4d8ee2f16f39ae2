"""Reads: the queries pages and other apps use. Each returns a queryset with what its page
needs already joined or prefetched, so that a page's query count does not grow with its data.
"""

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.roles import is_organizer, is_supervisor

from . import phases, rules
from .models import Category, Contest, County, CountyQuota, Entry, EntryEvent, EntryPhoto, Team


def open_contests(*, now=None) -> QuerySet[Contest]:
    return Contest.objects.filter(phases.submission_open_q(now=now or timezone.now()))


def current_contest(*, now=None) -> Contest | None:
    """The contest open for submission, else the most recent one (in one query: the public
    home page asks on every render)."""
    is_open = phases.submission_open_q(now=now or timezone.now())
    return (
        Contest.objects.annotate(open_now=Case(When(is_open, then=Value(0)), default=Value(1)))
        .order_by("open_now", *Contest._meta.ordering)
        .first()
    )


def contests_for_team_dashboard(*, team: Team, now=None) -> QuerySet[Contest]:
    now = now or timezone.now()
    return (
        Contest.objects.filter(phases.before_deadline_q(now=now))
        .annotate(
            team_entry_count=Count(
                "entries", filter=Q(entries__team=team) & ~Q(entries__status=Entry.Status.WITHDRAWN)
            )
        )
        .order_by("submission_closes")
    )


def entries_for_team(*, team: Team) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(team=team)
        .select_related("contest", "category")
        .annotate(photo_count=Count("photos", distinct=True))
        .order_by("-contest__year", "-updated_at")
    )


def entry_for_team(*, team: Team | None, public_id) -> Entry:
    """The team's own entry, or 404 (another team's entry is indistinguishable from none)."""
    if team is None:
        raise Http404
    entry = (
        Entry.objects.filter(team=team, public_id=public_id)
        .select_related("contest", "category", "team__organization__county")
        .prefetch_related("photos", "attachments")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def entry_history(*, entry: Entry) -> QuerySet[EntryEvent]:
    return entry.events.select_related("actor__team").order_by("at", "pk")


def entries_visible_to(user) -> QuerySet[Entry]:
    """Entries a back-office user may see: all for organizers and supervisors, one county for
    a coordinator, none otherwise. Drafts are the team's own business and never listed."""
    entries = Entry.objects.exclude(status=Entry.Status.DRAFT).select_related(
        "contest", "category", "team__organization__county"
    )
    if is_organizer(user) or is_supervisor(user):
        return entries
    county_id = rules.coordinator_county_id(user)
    if county_id is not None:
        return entries.filter(team__organization__county_id=county_id)
    return entries.none()


def coordinator_county_id(user) -> int | None:
    """The county a coordinator answers for (None for anyone else), for other apps' pages."""
    return rules.coordinator_county_id(user)


def counties() -> QuerySet[County]:
    return County.objects.all()


def entry_with_files(*, public_id) -> Entry | None:
    """An entry with everything its pages show, for views that check permission themselves."""
    return (
        Entry.objects.filter(public_id=public_id)
        .select_related("contest", "category", "team__organization__county")
        .prefetch_related(Prefetch("photos"), Prefetch("attachments"))
        .first()
    )


def submitted_entries(*, contest: Contest) -> QuerySet[Entry]:
    """The contest's entries that are in (submitted, not drafts and not withdrawn): the one
    rule for counts, exports, review, judging and messages to teams."""
    return Entry.objects.filter(contest=contest, status=Entry.Status.SUBMITTED)


def submitted_entries_with_teams() -> QuerySet[Entry]:
    """Every contest's submitted entries with their teams, by title (to choose one by name)."""
    return Entry.objects.filter(status=Entry.Status.SUBMITTED).select_related("team").order_by("title", "pk")


def eligible_entries(*, contest: Contest) -> QuerySet[Entry]:
    """Submitted entries that passed the eligibility review."""
    return submitted_entries(contest=contest).filter(eligibility=Entry.Eligibility.ELIGIBLE)


def recommended_entries(*, contest: Contest) -> QuerySet[Entry]:
    """Eligible entries that their county recommended to the city round."""
    return eligible_entries(contest=contest).filter(recommended=True)


def entries_with_identity(*, ids) -> QuerySet[Entry]:
    """Entries with everything that identifies them (team, organization, county, people) and
    their files: what blind review must hide, loaded in a constant number of queries."""
    return (
        Entry.objects.filter(pk__in=ids)
        .select_related("category", "team__organization__county")
        .prefetch_related("team__members", "photos", "attachments")
        .order_by("pk")
    )


ENTRY_FIGURES = ("volunteers", "beneficiaries", "service_hours", "activities", "started_on")


def entry_figures(*, entry_id: int) -> dict:
    """The entry's figures alone (nothing that identifies it): what blind review may show."""
    return Entry.objects.filter(pk=entry_id).values(*ENTRY_FIGURES).first() or {}


def counties_named(*, ids) -> dict[int, County]:
    return County.objects.in_bulk(list(ids))


def categories_named(*, ids) -> dict[int, Category]:
    return Category.objects.in_bulk(list(ids))


def contest_categories(*, contest: Contest) -> list[Category]:
    return list(contest.categories.order_by("sort_order", "code"))


def contest_by_id(pk) -> Contest | None:
    """The contest as stored now (one query); None for an unknown id."""
    try:
        return Contest.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def contests_newest_first() -> QuerySet[Contest]:
    return Contest.objects.order_by("-year", "-submission_opens", "pk")


def team_for_user(user) -> Team | None:
    return Team.objects.filter(user=user).first() if user.is_authenticated else None


def categories_in_order() -> list[Category]:
    return list(Category.objects.order_by("sort_order", "code"))


def category_codes() -> dict[int, str]:
    """Each category's code by its id (one query)."""
    return dict(Category.objects.values_list("pk", "code"))


def recommendation_quota(*, contest: Contest, county_id: int) -> int | None:
    """The county's own quota if the contest gives it one, else the contest's (None: no limit)."""
    own = (
        CountyQuota.objects.filter(contest=contest, county_id=county_id)
        .values_list("quota", flat=True)
        .first()
    )
    return own if own is not None else contest.recommendation_quota


def recommended_count(*, contest: Contest, county_id: int) -> int:
    """Recommendations that count against a county's quota (a withdrawn entry's do not)."""
    return recommended_entries(contest=contest).filter(team__organization__county_id=county_id).count()


def recommendation_remaining(*, contest: Contest, county_id: int) -> int | None:
    quota = recommendation_quota(contest=contest, county_id=county_id)
    if quota is None:
        return None
    return max(quota - recommended_count(contest=contest, county_id=county_id), 0)


def next_pending_entry(*, user, contest: Contest, after: Entry) -> Entry | None:
    """The next submitted entry still awaiting review that ``user`` may see, in submission
    order after ``after`` and then from the start (None when nothing else waits)."""
    waiting = (
        entries_visible_to(user)
        .filter(phases.entry_state_q(phases.PENDING.code), contest=contest)
        .exclude(pk=after.pk)
        .order_by("submitted_at", "pk")
    )
    if after.submitted_at is None:
        return waiting.first()
    later = Q(submitted_at__gt=after.submitted_at) | Q(submitted_at=after.submitted_at, pk__gt=after.pk)
    # One query either way: the later ones first, then from the start.
    return (
        waiting.annotate(wraps=Case(When(later, then=Value(0)), default=Value(1)))
        .order_by("wraps", "submitted_at", "pk")
        .first()
    )


def contest_of_year(*, year: int) -> Contest | None:
    """The contest of a year (the latest one opened, should a year have two)."""
    return Contest.objects.filter(year=year).order_by("-submission_opens", "-pk").first()


def entry_titles(*, ids) -> dict[int, str]:
    """Entries' titles by id, for naming them in audit records (one query)."""
    ids = {pk for pk in ids if isinstance(pk, int)}
    return dict(Entry.objects.filter(pk__in=ids).values_list("pk", "title")) if ids else {}


def entry_photos(*, entry_id: int) -> list[EntryPhoto]:
    """An entry's stored photos (cleaned of metadata when uploaded), in order."""
    return list(EntryPhoto.objects.filter(entry_id=entry_id).order_by("sort_order", "pk"))


def entry_photo_count(*, entry_ref: str = "entry_id"):
    """For annotating rows that name an entry (``entry_ref``): its number of photos (0 for
    none), as one subquery."""
    counts = (
        EntryPhoto.objects.filter(entry_id=OuterRef(entry_ref))
        .order_by()
        .values("entry")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
