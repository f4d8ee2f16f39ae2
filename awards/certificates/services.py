"""Issuing and revoking certificates. Issuing is idempotent (what is issued stays as it is;
only what is missing is added); revoking keeps the row and records who, when and why."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.documents.context import document_settings
from awards.errors import AwardsError
from awards.models import Certificate, FeaturedProject, Shortlist
from awards.phases import shortlist_phase
from competition.models import pinyin_key
from competition.selectors import submitted_entries
from judging.scoring.selectors import judges_with_submitted_sheets

# The short code in a serial number: 2026-YX-001 (优秀), 2026-GX-001 (感谢), 2026-ZJ-001 (专家).
SERIAL_CODES = {
    Certificate.Kind.FEATURED: "YX",
    Certificate.Kind.THANK_YOU: "GX",
    Certificate.Kind.JUDGE: "ZJ",
}


def serial_number(*, year: int, kind: str, number: int) -> str:
    return f"{year}-{SERIAL_CODES[kind]}-{number:03d}"


def new_code() -> str:
    """The unguessable part of a verification address (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


def _last_number(*, contest, kind: str) -> int:
    serials = Certificate.objects.filter(contest=contest, kind=kind).values_list("serial", flat=True)
    return max((int(serial.rsplit("-", 1)[1]) for serial in serials), default=0)


def _issue(*, contest, kind: str, rows: list[dict], now) -> list[Certificate]:
    start = _last_number(contest=contest, kind=kind)
    return Certificate.objects.bulk_create(
        Certificate(
            contest=contest,
            kind=kind,
            serial=serial_number(year=contest.year, kind=kind, number=start + n),
            code=new_code(),
            issued_at=now,
            **row,
        )
        for n, row in enumerate(rows, start=1)
    )


def certificates_issue(*, contest, now=None) -> list[Certificate]:
    """Issue what is missing for a finalized contest: a certificate for each featured project,
    numbered in rank order; when the organizer enabled them, a thank-you letter for each
    submitted entry that was not featured, numbered in the order the entries were made; and,
    unless the organizer turned them off, a letter of thanks (评审专家感谢状) for each judge
    who submitted at least one score sheet in the contest's rounds, numbered in the pinyin
    order of the judges' names (then by judge, for namesakes). Returns the newly issued ones
    (none the second time)."""
    now = now or timezone.now()
    with transaction.atomic():
        # One issuer at a time per contest (two would number the same serials).
        shortlist = Shortlist.objects.select_for_update().filter(contest=contest).first()
        if shortlist is None or not shortlist_phase(shortlist).final:
            raise AwardsError(_("入围名单正式公布后才能颁发证书。"))
        featured = list(
            FeaturedProject.objects.filter(contest=contest, certificate__isnull=True)
            .order_by("rank", "pk")
            .values_list("pk", "entry_id")
        )
        issued = _issue(
            contest=contest,
            kind=Certificate.Kind.FEATURED,
            rows=[{"featured_id": pk, "entry_id": entry_id} for pk, entry_id in featured],
            now=now,
        )
        settings = document_settings(contest)
        if settings.thank_you_letters:
            thanked = Certificate.objects.filter(contest=contest, kind=Certificate.Kind.THANK_YOU)
            entry_ids = (
                submitted_entries(contest=contest)
                .filter(featured__isnull=True)
                .exclude(pk__in=thanked.values("entry_id"))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            issued += _issue(
                contest=contest,
                kind=Certificate.Kind.THANK_YOU,
                rows=[{"entry_id": pk} for pk in entry_ids],
                now=now,
            )
        if settings.judge_letters:
            issued += _issue(
                contest=contest, kind=Certificate.Kind.JUDGE, rows=_judges_to_thank(contest), now=now
            )
    return issued


def _judges_to_thank(contest) -> list[dict]:
    thanked = Certificate.objects.filter(contest=contest, kind=Certificate.Kind.JUDGE).values("judge_id")
    judges = judges_with_submitted_sheets(contest=contest).exclude(pk__in=thanked).values_list("pk", "name")
    return [
        {"judge_id": pk} for pk, name in sorted(judges, key=lambda judge: (pinyin_key(judge[1]), judge[0]))
    ]


def certificate_revoke(*, certificate: Certificate, reason: str, by, now=None) -> Certificate:
    """Revoke a certificate (an organizer's decision, with its reason): the row stays, the
    verification page says 已撤销 with the date, and the team can no longer download it."""
    reason = (reason or "").strip()
    if not reason:
        raise AwardsError(_("请填写撤销理由。"))
    now = now or timezone.now()
    with transaction.atomic():
        current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if current.revoked_at is not None:
            raise AwardsError(
                _("证书 %(serial)s 已于 %(date)s 撤销。")
                % {"serial": current.serial, "date": timezone.localdate(current.revoked_at)}
            )
        current.revoked_at, current.revoked_reason, current.revoked_by = now, reason, by
        current.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return current
