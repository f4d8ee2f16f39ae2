"""The public notice page (公示) of a contest's shortlist, with the objection form.

No log-in. Before the notice is published the page does not exist (404); during the notice it
lists the shortlisted projects and takes objections; afterwards it says the notice has ended
and, once finalized, lists the featured projects.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from awards.documents.context import document_words
from awards.documents.official_list import list_groups, list_rows
from awards.notice.forms import ObjectionForm
from awards.notice.selectors import notice_items, shortlist_for_notice
from awards.notice.services import objection_file
from awards.outcomes.selectors import featured_projects
from awards.phases import takes_objections
from awards.tiers.selectors import by_tier
from common.errors import DomainError
from common.http import client_address

# After an objection: back to the form, which says it was received (and is empty again).
SENT = "{path}?sent=1#objection"


@require_http_methods(["GET", "HEAD", "POST"])
def notice(request, slug):
    shortlist = shortlist_for_notice(slug=slug)
    now = timezone.now()
    if shortlist is None or now < shortlist.notice_starts_at:
        raise Http404
    context = {"shortlist": shortlist, "contest": shortlist.contest}
    if not takes_objections(shortlist, now=now):
        finalized = shortlist.phase.final
        context["featured"] = featured_projects(contest=shortlist.contest) if finalized else []
        context["tier_groups"] = by_tier(context["featured"])
        context["finalized"] = finalized
        return render(request, "awards/notice_ended.html", context)

    items = notice_items(shortlist=shortlist)
    form = ObjectionForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST":
        if form.is_spam():
            # Told the same as a person, so that a robot learns nothing; nothing is stored.
            return redirect(SENT.format(path=request.path))
        if form.is_valid():
            try:
                objection_file(
                    shortlist=shortlist,
                    entry=form.cleaned_data["entry"],
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    reason=form.cleaned_data["reason"],
                    address=client_address(request),
                    now=now,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect(SENT.format(path=request.path))
    context.update(
        items=items,
        tier_groups=by_tier(items),
        form=form,
        sent=request.method == "GET" and "sent" in request.GET,
    )
    return render(request, "awards/notice.html", context)


@require_http_methods(["GET", "HEAD"])
def featured_list(request, slug):
    """The official list of the featured projects (获奖名单), once the shortlist is finalized;
    before that the page does not exist (404)."""
    shortlist = shortlist_for_notice(slug=slug)
    if shortlist is None or not shortlist.phase.final:
        raise Http404
    contest = shortlist.contest
    rows = list_rows(contest=contest)
    context = {
        "shortlist": shortlist,
        "contest": contest,
        **document_words(contest),
        "groups": list_groups(rows),
        "count": len(rows),
    }
    return render(request, "awards/featured_list.html", context)
