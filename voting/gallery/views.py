"""The public gallery of a vote (/vote/<contest-slug>/): no log-in, phone first. The list with
category, county and text filters, one page per entry (texts, photos, share metadata for
WeChat), and the entry's photos. Only entries in the vote are reachable: any other code, a
forged one included, is a 404, as is every page of a contest without a vote."""

import secrets

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from common.renditions import SCREEN, WIDTHS, rendition_response
from tasking.mail import absolute_url

from ..ballots import counters
from ..tallies.selectors import shown_counts
from ..voters import session
from ..windows.selectors import gallery_window
from .selectors import gallery_entries, gallery_entry, gallery_filters, public_photos, voted_today

PER_PAGE = 24
SHARE_WIDTH = 640


def window_or_404(slug: str):
    window = gallery_window(slug=slug)
    if window is None:
        raise Http404
    return window


def public_entry_or_404(slug: str, code: str, *, for_page: bool = True):
    """(window, entry in the vote) of a gallery that is public now; 404 otherwise."""
    window = window_or_404(slug)
    item = gallery_entry(window=window, code=code, for_page=for_page) if window.phase.public else None
    if item is None:
        raise Http404
    return window, item


def voter_state(request, window) -> dict:
    """What the page says about this browser's voter: verified or not, voted today for which."""
    voter_id = session.voter_id(request, window=window)
    voted = voted_today(window=window, voter_id=voter_id, day=timezone.localdate())
    return {
        "verified": voter_id is not None,
        "voted": voted,
        "left_today": max(0, window.max_votes_per_day - len(voted)) if voter_id else window.max_votes_per_day,
    }


# The pages say what this browser's voter has voted for: kept by the browser only, and asked again.
@cache_control(private=True, no_cache=True)
@require_http_methods(["GET", "HEAD"])
def gallery(request, slug):
    window = window_or_404(slug)
    phase = window.phase
    context = {"window": window, "contest": window.contest, "phase": phase}
    if not phase.public:
        return render(request, "voting/not_open.html", context)
    chosen = {
        "category": request.GET.get("category", "")[:30],
        "county": request.GET.get("county", "")[:10],
        "q": request.GET.get("q", "")[:50],
    }
    rows = gallery_entries(
        window=window, category=chosen["category"], county=chosen["county"], query=chosen["q"]
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = shown_counts(window=window)
    state = voter_state(request, window)
    cards = [
        {
            "item": item,
            "votes": counts.get(item.pk, 0) if counts is not None else None,
            "voted": item.pk in state["voted"],
        }
        for item in page.object_list
    ]
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    context.update(
        page=page,
        cards=cards,
        chosen=chosen,
        query=query,
        show_counts=counts is not None,
        **gallery_filters(window=window),
        **state,
    )
    response = render(request, "voting/gallery.html", context)
    session.ensure_device(request, response)
    return response


@cache_control(private=True, no_cache=True)
@require_http_methods(["GET", "HEAD"])
def entry_page(request, slug, code):
    window, item = public_entry_or_404(slug, code)
    response = render(request, "voting/entry.html", entry_context(request, window, item))
    if request.method == "GET":
        counters.view_bump(window_id=window.pk, vote_entry_id=item.pk)
    session.ensure_device(request, response)
    return response


def verify_url(window, item) -> str:
    return (
        reverse("voting:verify", args=[window.contest.slug])
        + "?next="
        + reverse("voting:entry", args=[window.contest.slug, item.code])
    )


def entry_context(request, window, item, **extra) -> dict:
    """What an entry's page shows (the vote view renders it too, with the vote's answer)."""
    photos = public_photos(window=window, vote_entry=item)
    counts = shown_counts(window=window)
    share_image = (
        absolute_url("voting:photo", window.contest.slug, item.code, 1, SHARE_WIDTH) if photos else ""
    )
    return {
        "window": window,
        "contest": window.contest,
        "phase": window.phase,
        "item": item,
        "entry": item.entry,
        "photos": photos,
        "votes": counts.get(item.pk, 0) if counts is not None else None,
        "share_url": absolute_url("voting:entry", window.contest.slug, item.code),
        "share_image": share_image,
        "nonce": secrets.token_urlsafe(24),
        "verify_url": verify_url(window, item),
        **voter_state(request, window),
        **extra,
    }


@require_http_methods(["GET", "HEAD"])
def photo(request, slug, code, position, width):
    """A public photo of an entry in the vote, at one of the rendition widths (bare pixels)."""
    if width not in WIDTHS:
        raise Http404
    window, item = public_entry_or_404(slug, code)
    photos = public_photos(window=window, vote_entry=item)
    if not 1 <= position <= len(photos):
        raise Http404
    return rendition_response(request, photos[position - 1].file, min(width, SCREEN))
