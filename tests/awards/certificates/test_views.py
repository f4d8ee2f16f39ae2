"""The public verification page, the team's download from its results page, and the
organizer's list with revocation."""

import pytest
from django.urls import reverse

from awards.certificates.services import certificate_revoke, certificates_issue
from awards.models import Certificate, GeneratedDocument
from competition.models import Team
from tests import factories
from tests.awards.certificates.conftest import enable_thank_you
from tests.judging.factories import client_for

pytestmark = pytest.mark.django_db


def verify_url(certificate) -> str:
    return reverse("certificate_verify", args=[certificate.code])


@pytest.fixture
def issued(finalized):
    contest, featured, entries = finalized
    certificates_issue(contest=contest)
    return Certificate.objects.select_related("entry__team").get(featured=featured[0])


def test_verify_page_shows_the_certificate_and_nothing_personal(issued, client):
    entry = issued.entry
    factories.TeamMemberFactory(team=entry.team, name="诸葛明远")
    Team.objects.filter(pk=entry.team_id).update(contact_name="欧阳清澜", contact_phone="13987654321")

    response = client.get(verify_url(issued))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        entry.title,
        entry.team.name,
        "优秀志愿服务项目",
        issued.serial,
        str(issued.contest.year),
        "有效",
        "志愿服务项目大赛组委会",
    ):
        assert text in html
    for personal in (
        "诸葛明远",
        "欧阳清澜",
        "13987654321",
        entry.team.user.username,
        entry.team.organization.contact_phone or "no-phone",
    ):
        assert personal not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "public, max-age=300"


def test_revoked_certificate_says_so_with_its_date(issued, client, organizer):
    certificate_revoke(certificate=issued, reason="材料不实", by=organizer)

    html = client.get(verify_url(issued)).content.decode()

    assert "已撤销" in html and "2027-01-01" in html  # Beijing date of the pinned instant
    assert "真实有效" not in html
    assert "材料不实" not in html  # the reason is the office's record, not the public's


def test_unknown_code_is_a_chinese_404(client):
    response = client.get("/verify/not-a-real-code-1234567/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def download_url(entry) -> str:
    return reverse("team_certificate", args=[entry.public_id])


def test_featured_team_downloads_its_certificate_once_made(issued):
    entry = issued.entry
    client = client_for(entry.team.user)

    page = client.get(reverse("team_results", args=[entry.public_id])).content.decode()
    response = client.get(download_url(entry))

    assert "下载证书" in page and download_url(entry) in page and issued.serial in page
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    document = GeneratedDocument.objects.get(kind="certificate", subject=issued.serial)
    name = document.file.name

    again = client.get(download_url(entry))
    assert again.status_code == 200
    assert GeneratedDocument.objects.get(pk=document.pk).file.name == name  # served from the stored file


def test_certificate_download_is_404_for_another_team_and_after_revocation(issued, organizer):
    entry = issued.entry
    other = factories.TeamFactory()

    assert client_for(other.user).get(download_url(entry)).status_code == 404
    certificate_revoke(certificate=issued, reason="材料不实", by=organizer)
    response = client_for(entry.team.user).get(download_url(entry))
    page = client_for(entry.team.user).get(reverse("team_results", args=[entry.public_id])).content.decode()

    assert response.status_code == 404
    assert "已于 2027-01-01 撤销" in page and download_url(entry) not in page


def test_thank_you_letter_only_when_enabled(finalized):
    contest, featured, entries = finalized
    featured_ids = {f.entry_id for f in featured}
    other = next(e for e in entries if e.pk not in featured_ids)
    client = client_for(other.team.user)
    results = reverse("team_results", args=[other.public_id])

    assert "下载感谢信" not in client.get(results).content.decode()
    assert client.get(download_url(other)).status_code == 404

    enable_thank_you(contest)
    page = client.get(results).content.decode()
    response = client.get(download_url(other))

    assert "下载感谢信" in page and "下载证书" not in page
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert Certificate.objects.get(entry=other).kind == Certificate.Kind.THANK_YOU


def test_nothing_to_download_before_the_list_is_final(in_notice):
    _shortlist, entries = in_notice

    assert client_for(entries[0].team.user).get(download_url(entries[0])).status_code == 404


def admin_url(contest) -> str:
    return reverse("awards_certificates:contest", args=[contest.pk])


def revoke_url(certificate) -> str:
    return reverse("awards_certificates:revoke", args=[certificate.contest_id, certificate.pk])


def test_organizer_lists_and_revokes_with_a_reason(issued, organizer_client, organizer):
    page = organizer_client.get(admin_url(issued.contest)).content.decode()
    assert issued.serial in page and revoke_url(issued) in page

    empty = organizer_client.post(revoke_url(issued), {"reason": "  "})
    assert empty.status_code == 200 and "请填写撤销理由。" in empty.content.decode()
    assert Certificate.objects.get(pk=issued.pk).revoked_at is None

    done = organizer_client.post(revoke_url(issued), {"reason": "获奖材料经核实不实"})
    assert done.status_code == 302
    revoked = Certificate.objects.get(pk=issued.pk)
    assert (revoked.revoked_reason, revoked.revoked_by) == ("获奖材料经核实不实", organizer)
    assert "获奖材料经核实不实" in organizer_client.get(admin_url(issued.contest)).content.decode()


def test_organizer_issues_missing_certificates_from_the_list(finalized, organizer_client):
    contest, _featured, _entries = finalized
    enable_thank_you(contest)

    response = organizer_client.post(admin_url(contest))

    assert response.status_code == 302
    # Three certificates, three thank-you letters (and the judge's letter issued on finalizing).
    assert Certificate.objects.filter(contest=contest).exclude(kind=Certificate.Kind.JUDGE).count() == 6


def test_supervisor_reads_but_cannot_revoke_and_others_get_404(issued):
    supervisor = client_for(factories.supervisor())
    assert supervisor.get(admin_url(issued.contest)).status_code == 200
    assert supervisor.post(revoke_url(issued), {"reason": "x"}).status_code == 404
    assert client_for(issued.entry.team.user).get(admin_url(issued.contest)).status_code in (302, 404)
    assert Certificate.objects.get(pk=issued.pk).revoked_at is None


def test_certificate_list_queries_do_not_grow_with_rows(
    finalized, organizer_client, django_assert_max_num_queries
):
    contest, _featured, _entries = finalized
    certificates_issue(contest=contest)
    with django_assert_max_num_queries(30) as few:
        organizer_client.get(admin_url(contest))
    enable_thank_you(contest)
    certificates_issue(contest=contest)
    with django_assert_max_num_queries(len(few.captured_queries)):
        organizer_client.get(admin_url(contest))


def test_list_reports_characters_no_font_can_print(issued, organizer_client):
    Team.objects.filter(pk=issued.entry.team_id).update(name="𪚥字志愿服务队")

    html = organizer_client.get(admin_url(issued.contest)).content.decode()

    assert "字体无法打印的字符：𪚥" in html


def test_a_broken_template_gives_a_message_not_a_500(issued):
    from awards.models import DocumentTemplate

    DocumentTemplate.objects.create(
        contest=issued.contest, kind="certificate", html="{% for c in certificates %}"
    )
    entry = issued.entry
    client = client_for(entry.team.user)

    response = client.get(download_url(entry), follow=True)

    assert response.status_code == 200
    assert "证书暂时无法生成" in response.content.decode()
    document = GeneratedDocument.objects.get(kind="certificate", subject=issued.serial)
    assert document.status == GeneratedDocument.Status.FAILED and document.error


def test_pages_in_english(issued, organizer):
    from django.conf import settings

    certificate_revoke(certificate=issued, reason="材料不实", by=organizer)
    client = client_for(issued.entry.team.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    verify = client.get(verify_url(issued)).content.decode()
    results = client.get(reverse("team_results", args=[issued.entry.public_id])).content.decode()

    assert "This certificate has been revoked" in verify and "Revoked: the issuing body" in verify
    assert "This certificate was revoked on 2027-01-01" in results
