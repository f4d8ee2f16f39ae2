"""A vote: POST with the page's nonce. The answer is the entry's page with the thank-you (and
what is left today) or the reason in Chinese; a replayed POST (same nonce) gets the same
answer and writes nothing. ``Accept: application/json`` gets the answer as JSON."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from common.http import client_address

from ..defences import Client, RateLimited, guarded_vote_cast
from ..errors import VoteRefused
from ..gallery.views import entry_context, public_entry_or_404, verify_url
from ..voters import session


@never_cache
@require_POST
def vote(request, slug, code):
    wants_json = "application/json" in request.headers.get("Accept", "")
    window, item = public_entry_or_404(slug, code, for_page=not wants_json)
    voter_id = session.voter_id(request, window=window)
    if voter_id is None and not wants_json and window.phase.takes_votes:
        return redirect(verify_url(window, item))
    try:
        ballot = guarded_vote_cast(
            window=window,
            code=code,
            voter_id=voter_id,
            nonce=request.POST.get("nonce", ""),
            client=Client(address=client_address(request), device_id=session.device_id(request)),
            vote_entry=item,
        )
    except VoteRefused as error:
        status = 429 if isinstance(error, RateLimited) else 409  # 429: too many requests
        if wants_json:
            return JsonResponse({"ok": False, "message": error.message}, status=status)
        context = entry_context(request, window, item, refusal=error.message)
        return render(request, "voting/entry.html", context, status=status)
    if wants_json:
        return JsonResponse(
            {
                "ok": True,
                "vote": ballot.vote.nonce,
                "replay": not ballot.created,
                "left_today": ballot.left_today,
            }
        )
    context = entry_context(request, window, item, thanks=ballot)
    return render(request, "voting/entry.html", context)
