"""Certificates and letters as PDFs: one for a team or a judge (``build_certificate``) and one
file of all a contest's certificates of a kind in serial order (``build_all_certificates``).

Each page carries the serial number and a QR code to the public verification page
(``/verify/<code>/``, at the site's public address). The template — the organizer's adjusted
one or the built-in ``awards/documents/certificate.html`` (``thank_you.html`` for the teams'
letters, ``judge_thanks.html`` for the judges') —
is given ``certificates``, a list of ``CertificatePage`` (one page each), besides the shared
``base_context``; it is rendered in chunks of ``CHUNK`` pages whose laid-out pages are joined
into one PDF, so that a hundred certificates are a few renders, with progress after each.
"""

from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from awards.certificates.services import certificates_issue
from awards.documents.context import base_context, document_template
from awards.documents.engine import missing_characters, render_pages
from awards.documents.progress import Built, Progress
from awards.errors import AwardsError
from awards.models import (
    DEFAULT_TIER_NAME,
    Certificate,
    DocumentSettings,
    DocumentTemplate,
    GeneratedDocument,
)
from judging.judges.selectors import judges_named
from tasking.mail import absolute_url

# Certificates laid out per render: large enough that rendering costs little per page, small
# enough that progress moves (and memory stays small) for a few hundred.
CHUNK = 25

# The template kind (DocumentTemplate.Kind) of each kind of certificate.
TEMPLATE_KINDS = {
    Certificate.Kind.FEATURED: "certificate",
    Certificate.Kind.THANK_YOU: "thank_you",
    Certificate.Kind.JUDGE: "judge_thanks",
}


@dataclass(frozen=True)
class CertificatePage:
    """What one certificate's page says (the names a template uses)."""

    serial: str
    kind: str
    team_name: str
    project_title: str
    tier_name: str
    contest_title: str
    contest_year: int
    issued_on: object  # date
    verify_url: str
    qr: str  # data: URL of the QR code (SVG)
    density: str  # "", "long" or "longest": smaller type for long names, so the page holds them
    # A judge's letter of thanks: whom it thanks (empty on the teams' papers).
    judge_name: str = ""
    judge_title: str = ""
    judge_organization: str = ""


# Characters of the team's name, the project's and the contest's title up to which the normal
# type fits a page; beyond them, smaller type ("long", then "longest": up to the fields' maxima).
LONG, LONGEST = 110, 200


def nested_quotes(title: str) -> str:
    """A title as printed inside the certificate's own quotation marks: its double quotes become
    single ones (“‘星空课堂’青少年科学启蒙”, not ““星空课堂”青少年科学启蒙”), as Chinese
    typesetting nests them."""
    return title.translate(str.maketrans({"“": "‘", "”": "’", '"': "'"}))


def density(*texts: str) -> str:
    length = sum(len(text) for text in texts)
    return "longest" if length > LONGEST else "long" if length > LONG else ""


def verify_url(certificate: Certificate) -> str:
    """The absolute address of the certificate's public verification page."""
    return absolute_url("certificate_verify", certificate.code)


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URL (vector: sharp at any print size)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=1, border=2, nl=False)


def judges_of(certificates) -> dict:
    """The judges the certificates thank, by id (one query; none without judges' letters)."""
    ids = {c.judge_id for c in certificates if c.judge_id is not None}
    return judges_named(ids=ids) if ids else {}


def judge_words(judge) -> tuple[str, str, str]:
    """What a letter prints about its judge: name, title, organization ("" where unknown)."""
    if judge is None:
        return "", "", ""
    return judge.name, judge.title, judge.organization.name if judge.organization_id else ""


def certificate_page(certificate: Certificate, judge=None) -> CertificatePage:
    entry = certificate.entry
    featured = certificate.featured
    url = verify_url(certificate)
    judge_name, judge_title, judge_organization = judge_words(judge)
    return CertificatePage(
        serial=certificate.serial,
        kind=certificate.kind,
        team_name=entry.team.name if entry else "",
        project_title=nested_quotes(entry.title) if entry else "",
        tier_name=featured.tier_name if featured else "",
        contest_title=certificate.contest.title,
        contest_year=certificate.contest.year,
        issued_on=timezone.localdate(certificate.issued_at),
        verify_url=url,
        qr=qr_data_uri(url),
        density=density(
            entry.team.name if entry else "",
            entry.title if entry else "",
            certificate.contest.title,
            judge_title,
            judge_organization,
        ),
        judge_name=judge_name,
        judge_title=judge_title,
        judge_organization=judge_organization,
    )


def printed_names(certificate: Certificate, judge=None) -> list[str]:
    """The names and titles a certificate prints (the rest is the template's own text)."""
    entry, featured = certificate.entry, certificate.featured
    names = [certificate.contest.title]
    if entry is not None:
        names += [entry.team.name, entry.title]
    if featured is not None:
        names.append(featured.tier_name)
    names += [word for word in judge_words(judge) if word]
    return names


def certificates_unprintable(certificates) -> list[str]:
    """Characters of the certificates' names and titles that no document font can draw
    (reported to the organizer before printing; the rest of the page prints)."""
    certificates = list(certificates)
    judges = judges_of(certificates)
    return missing_characters(
        " ".join(name for c in certificates for name in printed_names(c, judges.get(c.judge_id)))
    )


def render_certificates(
    contest, kind: str, certificates: list[Certificate], progress: Progress | None = None
) -> Built:
    """The certificates (all of one kind, of one contest) as one PDF, in the given order."""
    if not certificates:
        raise AwardsError(_("没有可打印的证书：请先颁发证书。"))
    # Official papers are in the site's language whoever asks for them.
    with translation.override(settings.LANGUAGE_CODE):
        template = document_template(contest, TEMPLATE_KINDS[kind])
        context = base_context(contest)
        total = len(certificates)
        documents = []
        for start in range(0, total, CHUNK):
            part = certificates[start : start + CHUNK]
            judges = judges_of(part)
            chunk = [certificate_page(c, judges.get(c.judge_id)) for c in part]
            html = template.render({**context, "certificates": chunk})
            documents.append(render_pages(html))
            if progress is not None:
                progress(min(start + CHUNK, total), total)
    pages = [page for document in documents for page in document.pages]
    return Built(documents[0].copy(pages).write_pdf(), "pdf")


def certificates_in_order(queryset):
    """In issuing order, which is serial order (serials are numbered as they are issued; by the
    row, since "2026-GX-1000" would sort before "2026-GX-101" as text)."""
    return list(queryset.select_related("contest", "entry__team", "featured__tier").order_by("pk"))


def build_certificate(certificate: Certificate) -> Built:
    """One team's certificate (or thank-you letter), or one judge's letter, as a one-page PDF."""
    (certificate,) = certificates_in_order(Certificate.objects.filter(pk=certificate.pk))
    return render_certificates(certificate.contest, certificate.kind, [certificate])


def build_all_certificates(contest, progress: Progress, *, kind: str = Certificate.Kind.FEATURED) -> Built:
    """All the contest's certificates of ``kind`` that are not revoked, in serial order, as one
    PDF; ``progress(done, total)`` after each chunk of pages. Issues what is missing first
    (``certificates_issue`` is idempotent)."""
    certificates_issue(contest=contest)
    certificates = certificates_in_order(
        Certificate.objects.filter(contest=contest, kind=kind, revoked_at__isnull=True)
    )
    return render_certificates(contest, kind, certificates, progress)


def build_all_thank_you_letters(contest, progress: Progress) -> Built:
    return build_all_certificates(contest, progress, kind=Certificate.Kind.THANK_YOU)


def build_all_judge_letters(contest, progress: Progress) -> Built:
    return build_all_certificates(contest, progress, kind=Certificate.Kind.JUDGE)


def certificate_document_stale(document: GeneratedDocument, certificate: Certificate) -> bool:
    """Must a stored one-certificate PDF be made again: not ready, or older than the
    contest's document settings or the organizer's template for it."""
    if document.status != GeneratedDocument.Status.READY or not document.file or document.finished_at is None:
        return True
    changed = [
        *DocumentSettings.objects.filter(contest_id=document.contest_id).values_list("updated_at", flat=True),
        *DocumentTemplate.objects.filter(
            contest_id=document.contest_id, kind=TEMPLATE_KINDS[certificate.kind]
        ).values_list("updated_at", flat=True),
    ]
    return any(at > document.finished_at for at in changed)


def _sample_context(contest, kind: str) -> dict:
    """For checking an adjusted template before it is saved: one made-up page (never printed,
    so not translated) besides the shared context."""
    url = absolute_url("certificate_verify", "SAMPLE-CODE")
    judge = kind == Certificate.Kind.JUDGE
    with translation.override(settings.LANGUAGE_CODE):  # in the made-up page's language
        default_tier = str(DEFAULT_TIER_NAME)
    page = CertificatePage(
        serial=f"{contest.year}-{'ZJ' if judge else 'YX'}-001",
        kind=kind,
        team_name="暖阳助老服务队",
        project_title="银龄助老暖心行动",
        tier_name=default_tier,
        contest_title=contest.title,
        contest_year=contest.year,
        issued_on=timezone.localdate(),
        verify_url=url,
        qr=qr_data_uri(url),
        density="",
        judge_name="王建国" if judge else "",
        judge_title="教授" if judge else "",
        judge_organization="潞州区新时代文明实践中心" if judge else "",
    )
    return {**base_context(contest), "certificates": [page]}


def sample_certificate_context(contest) -> dict:
    return _sample_context(contest, Certificate.Kind.FEATURED)


def sample_thank_you_context(contest) -> dict:
    return _sample_context(contest, Certificate.Kind.THANK_YOU)


def sample_judge_thanks_context(contest) -> dict:
    return _sample_context(contest, Certificate.Kind.JUDGE)
