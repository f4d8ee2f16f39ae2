"""Issuing certificates: only for a finalized contest, numbered in rank order, idempotent,
thank-you letters only when enabled; revoking needs a reason and keeps the row."""

import pytest

from awards.certificates.services import certificate_revoke, certificates_issue
from awards.errors import AwardsError
from awards.models import Certificate
from tests.awards.certificates.conftest import enable_thank_you

pytestmark = pytest.mark.django_db


def test_issuing_waits_for_the_final_list(in_notice):
    shortlist, _entries = in_notice

    with pytest.raises(AwardsError) as error:
        certificates_issue(contest=shortlist.contest)

    assert error.value.message == "入围名单正式公布后才能颁发证书。"
    assert not Certificate.objects.exists()


def test_finalizing_issues_the_certificates_in_rank_order_with_unguessable_codes(finalized):
    contest, featured, _entries = finalized

    assert certificates_issue(contest=contest) == []  # finalizing already issued them
    issued = list(Certificate.objects.exclude(kind=Certificate.Kind.JUDGE))  # judges': see test_judge_letters

    rows = list(
        Certificate.objects.exclude(kind=Certificate.Kind.JUDGE)
        .order_by("serial")
        .values_list("serial", "featured__rank", "entry_id", "code")
    )
    year = contest.year
    assert [(serial, rank, entry) for serial, rank, entry, _code in rows] == [
        (f"{year}-YX-001", 1, featured[0].entry_id),
        (f"{year}-YX-002", 2, featured[1].entry_id),
        (f"{year}-YX-003", 3, featured[2].entry_id),
    ]
    codes = [code for *_rest, code in rows]
    assert len(set(codes)) == 3 and all(len(code) >= 16 for code in codes)
    assert {c.kind for c in issued} == {Certificate.Kind.FEATURED}


def test_issuing_again_changes_nothing(finalized):
    contest, _featured, _entries = finalized
    certificates_issue(contest=contest)
    before = list(Certificate.objects.order_by("pk").values_list("pk", "serial", "code", "issued_at"))

    again = certificates_issue(contest=contest)

    assert again == []
    assert list(Certificate.objects.order_by("pk").values_list("pk", "serial", "code", "issued_at")) == before


def test_thank_you_letters_only_when_enabled_and_only_for_entries_not_featured(finalized):
    contest, featured, entries = finalized
    certificates_issue(contest=contest)
    assert not Certificate.objects.filter(kind=Certificate.Kind.THANK_YOU).exists()

    enable_thank_you(contest)
    issued = certificates_issue(contest=contest)

    letters = list(
        Certificate.objects.filter(kind=Certificate.Kind.THANK_YOU)
        .order_by("pk")
        .values_list("serial", "entry_id")
    )
    featured_ids = {f.entry_id for f in featured}
    others = sorted(e.pk for e in entries if e.pk not in featured_ids)
    assert letters == [(f"{contest.year}-GX-{n:03d}", pk) for n, pk in enumerate(others, start=1)]
    assert len(issued) == len(others)
    assert certificates_issue(contest=contest) == []


def test_finalizing_issues_the_certificates(in_notice, organizer, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from awards.outcomes.services import shortlist_finalize
    from tests.awards.factories import START

    shortlist, _entries = in_notice
    with django_capture_on_commit_callbacks(execute=True):
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))

    assert Certificate.objects.filter(kind=Certificate.Kind.FEATURED).count() == 3


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_revoking_needs_a_reason(finalized, organizer, reason):
    contest, _featured, _entries = finalized
    certificate = Certificate.objects.order_by("pk").first()

    with pytest.raises(AwardsError) as error:
        certificate_revoke(certificate=certificate, reason=reason, by=organizer)

    assert error.value.message == "请填写撤销理由。"
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None


def test_revoking_records_who_when_why_and_keeps_the_row(finalized, organizer):
    contest, _featured, _entries = finalized
    certificate = Certificate.objects.order_by("pk").first()
    count = Certificate.objects.count()

    revoked = certificate_revoke(certificate=certificate, reason=" 项目材料造假，经核实撤销。 ", by=organizer)

    assert revoked.revoked_at is not None
    assert (revoked.revoked_reason, revoked.revoked_by) == ("项目材料造假，经核实撤销。", organizer)
    assert Certificate.objects.count() == count
    with pytest.raises(AwardsError) as error:
        certificate_revoke(certificate=certificate, reason="再次撤销", by=organizer)
    assert "已于" in error.value.message
    assert Certificate.objects.get(pk=certificate.pk).revoked_reason == "项目材料造假，经核实撤销。"
