"""The team's own results page (after publication) and the panel on its entry page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string

from awards.certificates.selectors import entry_certificate, team_document_kind
from awards.outcomes.selectors import entry_featured, entry_outcomes
from competition import selectors as competition_selectors
from competition.selectors import team_for_user
from judging.results.selectors import has_published_results


@login_required
def team_results(request, public_id):
    team = team_for_user(request.user)
    entry = competition_selectors.entry_for_team(team=team, public_id=public_id)
    outcomes, featured = entry_outcomes(entry=entry)
    # The certificate (or thank-you letter) to download, once the list is final.
    document_kind = team_document_kind(entry=entry, featured=featured is not None)
    certificate = entry_certificate(entry=entry, kind=document_kind) if document_kind else None
    response = render(
        request,
        "awards/team_results.html",
        {
            "entry": entry,
            "outcomes": outcomes,
            "featured": featured,
            "document_kind": document_kind,
            "certificate": certificate,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def entry_results_panel(request, entry) -> str:
    """On the team's entry page: a link to the results once a round is published (one query
    when nothing is published yet, two when it is)."""
    if not has_published_results(entry=entry):
        return ""
    featured = entry_featured(entry=entry)
    return render_to_string(
        "awards/team_results_panel.html", {"entry": entry, "featured": featured}, request=request
    )
