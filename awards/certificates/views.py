"""The public verification page of a certificate (/verify/<code>/), a team's download of its
own certificate or thank-you letter, and a judge's download of their own letter of thanks
(评审专家感谢状), with the panel that offers it on the judge's dashboard.

The verification page shows what the paper shows about the project — its title, the team's
name as printed, the tier, the contest and its year, the issuing body, the serial number — and
whether it stands or was revoked; never a person's name, phone or the team's contacts. For a
judge's letter it shows the kind, serial, contest, issuing body and status but not the judge:
the platform does not publish who judged a contest. It is not for search engines (noindex)
and is cached briefly (a revocation shows within minutes)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from awards.certificates.selectors import (
    certificate_by_code,
    entry_certificate,
    judge_letter,
    judge_letter_contests,
    judge_letters,
    team_document_kind,
)
from awards.certificates.services import certificates_issue
from awards.documents.certificates import build_certificate, certificate_document_stale
from awards.documents.context import base_context
from awards.documents.engine import engine_problem
from awards.documents.progress import document_build
from awards.models import Certificate, GeneratedDocument
from awards.outcomes.selectors import entry_featured
from competition import selectors as competition_selectors
from competition.selectors import contest_by_id, team_for_user
from judging.judges.selectors import judge_for_user

logger = logging.getLogger(__name__)

VERIFY_MAX_AGE = 300  # seconds

# The kind of generated document that is one team's certificate (subject: its serial).
TEAM_DOCUMENT_KIND = "certificate"


@require_safe
def verify(request, code):
    certificate = certificate_by_code(code)
    if certificate is None:
        raise Http404
    context = base_context(certificate.contest)
    response = render(
        request,
        "awards/certificate_verify.html",
        {
            "certificate": certificate,
            "entry": certificate.entry,
            "contest": certificate.contest,
            "issuing_body": context["issuing_body"],
            "revoked": certificate.revoked_at is not None,
        },
    )
    response["Cache-Control"] = f"public, max-age={VERIFY_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def team_certificate(*, entry) -> Certificate | None:
    """The entry's certificate or thank-you letter when its team may have one now (issued on
    first need), or None."""
    kind = team_document_kind(entry=entry, featured=entry_featured(entry=entry) is not None)
    if kind is None:
        return None
    certificate = entry_certificate(entry=entry, kind=kind)
    if certificate is None:
        certificates_issue(contest=entry.contest)
        certificate = entry_certificate(entry=entry, kind=kind)
    return certificate


@login_required
@require_safe
def team_certificate_download(request, public_id):
    team = team_for_user(request.user)
    entry = competition_selectors.entry_for_team(team=team, public_id=public_id)
    certificate = team_certificate(entry=entry)
    if certificate is None or certificate.revoked_at is not None:
        raise Http404
    back = redirect("team_results", public_id=entry.public_id)
    name = _("证书") if certificate.kind == Certificate.Kind.FEATURED else _("感谢信")
    return _certificate_file(request, certificate, name=name, back=back)


def _certificate_file(request, certificate: Certificate, *, name: str, back):
    """The certificate's PDF (made again when stale), or ``back`` with a message when it
    cannot be made now."""
    problem = engine_problem()
    if problem:
        messages.error(request, problem)
        return back
    document = GeneratedDocument.objects.filter(
        contest=certificate.contest, kind=TEAM_DOCUMENT_KIND, subject=certificate.serial
    ).first()
    if document is None or certificate_document_stale(document, certificate):
        try:
            document = document_build(
                contest=certificate.contest,
                kind=TEAM_DOCUMENT_KIND,
                subject=certificate.serial,
                make=lambda progress: build_certificate(certificate),
            )
        except Exception:  # e.g. an adjusted template that fails: recorded on the document
            logger.exception("certificate %s could not be made", certificate.serial)
            messages.error(request, _("证书暂时无法生成，组委会已收到记录。请稍后再试，或联系组委会。"))
            return back
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{name}-{certificate.serial}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def judge_letters_panel(request, judge) -> str:
    """On the judge's dashboard (``judging.extensions``): the letters of thanks of the contests
    whose list is final, to download (two queries, one when there is none)."""
    contests = judge_letter_contests(judge=judge)
    if not contests:
        return ""
    letters = judge_letters(judge=judge, contests=contests)
    rows = [(contest, letters.get(contest.pk)) for contest in contests]
    return render_to_string("awards/judge_letters_panel.html", {"rows": rows}, request=request)


@login_required
@require_safe
def judge_letter_download(request, contest_id):
    """The signed-in judge's own letter of thanks for the contest (issued on first need);
    404 for anyone else, and while the judge may not have one (list not final, no submitted
    sheet, letters turned off, revoked)."""
    judge = judge_for_user(request.user)
    contest = contest_by_id(contest_id)
    if judge is None or contest is None or contest not in judge_letter_contests(judge=judge):
        raise Http404
    certificate = judge_letter(judge=judge, contest=contest)
    if certificate is None:
        certificates_issue(contest=contest)
        certificate = judge_letter(judge=judge, contest=contest)
    if certificate is None or certificate.revoked_at is not None:
        raise Http404
    return _certificate_file(request, certificate, name=_("感谢状"), back=redirect("judging:dashboard"))
