"""Named reads of certificates: by verification code (public), a team's own, a judge's own,
a contest's."""

from awards.documents.context import document_settings
from awards.models import Certificate, Shortlist
from awards.phases import final_q, shortlist_phase
from competition.models import Contest
from judging.scoring.selectors import judge_scored_contest_ids

CERTIFICATE_RELATED = ("contest", "entry__team", "featured__tier")


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a verification address names (one query), or None."""
    return Certificate.objects.select_related(*CERTIFICATE_RELATED).filter(code=code).first()


def entry_certificate(*, entry, kind: str) -> Certificate | None:
    return Certificate.objects.select_related(*CERTIFICATE_RELATED).filter(entry=entry, kind=kind).first()


def team_document_kind(*, entry, featured: bool) -> str | None:
    """What the entry's team may download from its results page: the certificate when the
    entry was featured, a thank-you letter when it was submitted, not featured, and the
    organizer enabled letters, once the contest's list is final; otherwise None."""
    shortlist = Shortlist.objects.filter(contest_id=entry.contest_id).only("status").first()
    if shortlist is None or not shortlist_phase(shortlist).final:
        return None
    if featured:
        return Certificate.Kind.FEATURED
    if entry.status == entry.Status.SUBMITTED and document_settings(entry.contest).thank_you_letters:
        return Certificate.Kind.THANK_YOU
    return None


def contest_certificates(*, contest, kind: str | None = None):
    """A contest's certificates in issuing order, with what a list of them shows."""
    found = Certificate.objects.filter(contest=contest).select_related(*CERTIFICATE_RELATED, "revoked_by")
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("kind", "pk")


def judge_letter_contests(*, judge) -> list[Contest]:
    """The contests whose letter of thanks the judge may have now: the judge submitted at least
    one score sheet in its rounds, its list is final, and the organizer did not turn the
    letters off (one query), newest first."""
    return list(
        Contest.objects.filter(final_q("shortlist__"), pk__in=judge_scored_contest_ids(judge=judge))
        .exclude(document_settings__judge_letters=False)
        .order_by("-year", "-pk")
    )


def judge_letters(*, judge, contests) -> dict[int, Certificate]:
    """The judge's letters of thanks in these contests, by contest id (one query)."""
    found = Certificate.objects.filter(kind=Certificate.Kind.JUDGE, judge_id=judge.pk, contest__in=contests)
    return {certificate.contest_id: certificate for certificate in found}


def judge_letter(*, judge, contest) -> Certificate | None:
    return (
        Certificate.objects.select_related("contest")
        .filter(kind=Certificate.Kind.JUDGE, judge_id=judge.pk, contest=contest)
        .first()
    )
