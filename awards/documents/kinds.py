"""The kinds of document the office generates: what builds each one, its label, its content
type and the name its file is given (download, ``manage.py build_documents``).

``group`` is what ``build_documents --only`` names (list, certificates, compendium); a group
may have several kinds (the list as PDF and as xlsx). A kind that ``needs_engine`` is a PDF:
it is not queued while the engine cannot run here (``engine.engine_problem``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from awards.certificates.selectors import contest_certificates
from awards.documents import certificates, compendium, official_list
from awards.documents.context import document_settings
from awards.documents.progress import Built
from awards.models import DocumentTemplate
from judging.scoring.selectors import judges_with_submitted_sheets

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class DocumentKind:
    code: str  # GeneratedDocument.kind
    group: str  # build_documents --only
    label: str
    content_type: str
    extension: str
    file_name_pattern: str  # %(year)s, %(slug)s
    build: Callable[..., Built]  # (contest, progress) -> Built
    needs_engine: bool
    # Texts of the document no font can print: (text, characters), shown before printing.
    missing: Callable[..., list[tuple[str, list[str]]]] | None = None
    # Whether the contest has this document at all (thank-you letters only when enabled).
    applies: Callable[..., bool] | None = None

    def applies_to(self, contest) -> bool:
        return self.applies is None or self.applies(contest)

    def file_name(self, contest) -> str:
        return f"{self.file_name_pattern % {'year': contest.year, 'slug': contest.slug}}.{self.extension}"


def _certificates_missing(contest) -> list[tuple[str, list[str]]]:
    missing = certificates.certificates_unprintable(contest_certificates(contest=contest))
    return [(str(_("证书上的名称")), missing)] if missing else []


def _thank_you_enabled(contest) -> bool:
    return document_settings(contest).thank_you_letters


def _judge_letters_enabled(contest) -> bool:
    """Unless the organizer turned them off, and only when some judge scored (a contest whose
    results were entered without judging on the platform has no judges to thank)."""
    return document_settings(contest).judge_letters and judges_with_submitted_sheets(contest=contest).exists()


def _list_missing(contest) -> list[tuple[str, list[str]]]:
    return official_list.list_missing_characters(contest=contest)


KINDS: dict[str, DocumentKind] = {
    kind.code: kind
    for kind in (
        DocumentKind(
            "list_pdf", "list", _("获奖名单（PDF）"), PDF, "pdf", _("%(year)s年获奖名单"),
            official_list.build_list_pdf, needs_engine=True, missing=_list_missing,
        ),
        DocumentKind(
            "list_xlsx", "list", _("获奖名单（Excel）"), XLSX, "xlsx", _("%(year)s年获奖名单"),
            official_list.build_list_xlsx, needs_engine=False,
        ),
        DocumentKind(
            "certificates", "certificates", _("优秀项目证书（全部）"), PDF, "pdf",
            _("%(year)s年优秀项目证书"),
            certificates.build_all_certificates, needs_engine=True, missing=_certificates_missing,
        ),
        DocumentKind(
            "thank_you_letters", "certificates", _("感谢信（全部）"), PDF, "pdf", _("%(year)s年感谢信"),
            certificates.build_all_thank_you_letters, needs_engine=True, applies=_thank_you_enabled,
        ),
        DocumentKind(
            "judge_letters", "certificates", _("评审专家感谢状（全部）"), PDF, "pdf",
            _("%(year)s年评审专家感谢状"),
            certificates.build_all_judge_letters, needs_engine=True, applies=_judge_letters_enabled,
        ),
        DocumentKind(
            "compendium", "compendium", _("优秀项目汇编"), PDF, "pdf", _("%(year)s年优秀项目汇编"),
            compendium.build_compendium, needs_engine=True,
        ),
    )
}  # fmt: skip

# For checking an organizer's adjusted template before it is saved: a context like the real
# one, per template kind (DocumentTemplate.Kind); kinds without one get the shared context.
TEMPLATE_SAMPLES: dict[str, Callable[..., dict]] = {
    DocumentTemplate.Kind.LIST: official_list.sample_list_context,
    DocumentTemplate.Kind.CERTIFICATE: certificates.sample_certificate_context,
    DocumentTemplate.Kind.THANK_YOU: certificates.sample_thank_you_context,
    DocumentTemplate.Kind.COMPENDIUM: compendium.sample_compendium_context,
    DocumentTemplate.Kind.JUDGE_THANKS: certificates.sample_judge_thanks_context,
}


MISSING_SECONDS = 15 * 60


def _missing_key(contest, kind: DocumentKind) -> str:
    return f"awards:documents:missing:{contest.pk}:{kind.code}"


def missing_for_page(contest, kind: DocumentKind, *, reuse: bool = False) -> list[tuple[str, list[str]]]:
    """What of ``kind`` no font can print, as the 文书 page shows it. Computed from the
    contest's texts (their queries and a pass over every character) and kept in the cache;
    with ``reuse`` (the page refreshing itself every 3 seconds while a document is made) the
    kept answer is shown again, computed only when there is none. A page the organizer loads
    computes it afresh, so what they changed meanwhile is seen at once."""
    if kind.missing is None:
        return []
    key = _missing_key(contest, kind)
    if reuse:
        kept = cache.get(key)
        if kept is not None:
            return [(text, list(chars)) for text, chars in kept]
    found = kind.missing(contest)
    cache.set(key, found, MISSING_SECONDS)
    return found


def kinds_of_group(group: str | None, contest=None) -> list[DocumentKind]:
    """The kinds of a group (all without one), and of those only what ``contest`` has."""
    return [
        kind
        for kind in KINDS.values()
        if (group is None or kind.group == group) and (contest is None or kind.applies_to(contest))
    ]


def groups() -> list[str]:
    return list(dict.fromkeys(kind.group for kind in KINDS.values()))
