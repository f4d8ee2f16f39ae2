"""Reads of the public gallery: the entries in a vote (filtered, a page at a time, in a fixed
number of queries), one entry, its public photos, and what a voter has voted for today."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from competition.models import Category, County
from competition.selectors import entry_photo_count, entry_photos
from judging.masking.selectors import frozen_photo_count, frozen_photos

from ..models import Vote, VoteEntry, VotingWindow

MAX_QUERY = 50


@dataclass(frozen=True)
class PublicPhoto:
    position: int
    caption: str
    file: object  # the FieldFile the renditions are made from


def _in_vote(window: VotingWindow) -> QuerySet[VoteEntry]:
    # Consent is asked again here: a team that withdrew it leaves the gallery at once.
    return VoteEntry.objects.filter(window=window, included=True, entry__consent_publish=True)


def gallery_entries(
    *, window: VotingWindow, category: str = "", county: str = "", query: str = ""
) -> QuerySet[VoteEntry]:
    """The entries in the vote with their category, team and county, and how many public photos
    each has, in the order of their random public code (no entry is always first)."""
    photo_count = (
        frozen_photo_count(round_id=window.round_id, entry_ref="entry_id")
        if window.round_id
        else entry_photo_count(entry_ref="entry_id")
    )
    rows = (
        _in_vote(window)
        .select_related("entry__category", "entry__team__organization__county")
        .annotate(photo_count=photo_count)
        .order_by("code")
    )
    if category:
        rows = rows.filter(entry__category__code=category)
    if county.isdigit():
        rows = rows.filter(entry__team__organization__county_id=int(county))
    query = " ".join((query or "").split())[:MAX_QUERY]
    if query:
        rows = rows.filter(
            Q(entry__title__icontains=query)
            | Q(entry__team__name__icontains=query)
            | Q(entry__summary__icontains=query)
        )
    return rows


def gallery_filters(*, window: VotingWindow) -> dict:
    """The categories and counties that have entries in the vote (two queries)."""
    entries = _in_vote(window)
    return {
        "categories": list(Category.objects.filter(pk__in=entries.values("entry__category_id"))),
        "counties": list(
            County.objects.filter(pk__in=entries.values("entry__team__organization__county_id"))
        ),
    }


def gallery_entry(*, window: VotingWindow, code: str, for_page: bool = True) -> VoteEntry | None:
    """One entry in the vote by its public code (None for any other code), with what its page
    shows (category, team, county) unless not ``for_page`` (a vote answered in JSON)."""
    if not code or len(code) > 12:
        return None
    found = _in_vote(window)
    if for_page:
        found = found.select_related("entry__category", "entry__team__organization__county")
    # By its unique code: no ordering (the default one joins the window to sort one row).
    return found.filter(code=code).order_by().first()


def public_photos(*, window: VotingWindow, vote_entry: VoteEntry) -> list[PublicPhoto]:
    """The photos the public may see: the copies frozen for the round's judges (re-encoded
    without metadata) or, for a vote without a round, the entry's own cleaned photos; none
    without the guardians' consent (minors may appear in them)."""
    entry = vote_entry.entry
    if not entry.consent_guardians:
        return []
    if window.round_id:
        return [
            PublicPhoto(n, blind.caption, blind.file)
            for n, blind in enumerate(frozen_photos(round_id=window.round_id, entry_id=entry.pk), start=1)
        ]
    return [
        PublicPhoto(n, photo.caption, photo.file)
        for n, photo in enumerate(entry_photos(entry_id=entry.pk), start=1)
    ]


def voted_today(*, window: VotingWindow, voter_id: int | None, day) -> set[int]:
    """The ids of the entries in the vote the voter has voted for on ``day`` (one query)."""
    if voter_id is None:
        return set()
    return set(
        Vote.objects.filter(window=window, voter_id=voter_id, day=day).values_list("vote_entry_id", flat=True)
    )
