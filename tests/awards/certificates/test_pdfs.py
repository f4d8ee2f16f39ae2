"""The certificate PDFs: the text a reader sees, embedded fonts, a QR code that decodes to the
working verification address, all certificates in serial order, and names the fonts lack."""

import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from awards.certificates.services import certificate_revoke, certificates_issue
from awards.documents.certificates import build_all_certificates, build_certificate, certificates_unprintable
from awards.models import AwardTier, Certificate, FeaturedProject, Shortlist
from competition.models import Contest, Entry, Team
from tests import factories
from tests.awards.certificates.conftest import decoded_qr_codes, enable_thank_you, pdf_fonts, pdf_text
from tests.judging.factories import RoundFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, built, name="c.pdf"):
    path = tmp_path / name
    path.write_bytes(built.content)
    return path


def test_certificate_prints_its_text_with_embedded_fonts_and_a_qr_code_that_opens_its_page(
    finalized, tmp_path
):
    contest, featured, _entries = finalized
    certificates_issue(contest=contest)
    certificate = Certificate.objects.get(featured=featured[0])
    entry = featured[0].entry

    built = build_certificate(certificate)
    path = write(tmp_path, built)

    assert built.extension == "pdf" and len(PdfReader(path).pages) == 1
    text = "".join(pdf_text(path).split())
    for expected in (
        "荣誉证书",
        entry.team.name,
        entry.title,
        "优秀志愿服务项目",
        certificate.serial,
        contest.title,
    ):
        assert "".join(expected.split()) in text
    fonts = pdf_fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts)  # the "emb" column

    (url,) = decoded_qr_codes(path, tmp_path)
    assert url == f"{settings.SITE_URL}/verify/{certificate.code}/"
    response = Client().get(urlsplit(url).path)
    assert response.status_code == 200
    assert entry.title in response.content.decode()


def test_tier_name_is_printed(finalized, tmp_path):
    contest, featured, _entries = finalized
    tier = AwardTier.objects.create(contest=contest, position=1, name="十佳志愿服务项目", places=1)
    FeaturedProject.objects.filter(pk=featured[0].pk).update(tier=tier)
    certificates_issue(contest=contest)

    path = write(tmp_path, build_certificate(Certificate.objects.get(featured=featured[0])))

    assert "十佳志愿服务项目" in pdf_text(path)


def test_quotes_in_a_title_nest_inside_the_certificates_own(finalized, tmp_path):
    _contest, featured, _entries = finalized
    Entry.objects.filter(pk=featured[0].entry_id).update(title="“星空课堂”青少年科学启蒙")

    path = write(tmp_path, build_certificate(Certificate.objects.get(featured=featured[0])))

    text = "".join(pdf_text(path).split())
    assert "“‘星空课堂’青少年科学启蒙”" in text and "““" not in text


def test_thank_you_letter_prints_with_its_qr_code(finalized, tmp_path):
    contest, _featured, _entries = finalized
    enable_thank_you(contest)
    certificates_issue(contest=contest)
    letter = Certificate.objects.filter(kind=Certificate.Kind.THANK_YOU).first()

    path = write(tmp_path, build_certificate(letter))

    text = "".join(pdf_text(path).split())
    assert "感谢信" in text and letter.entry.title in text
    assert decoded_qr_codes(path, tmp_path) == [f"{settings.SITE_URL}/verify/{letter.code}/"]


def test_long_titles_emoji_and_rare_characters_print_or_are_reported(finalized, tmp_path):
    contest, featured, _entries = finalized
    Contest.objects.filter(pk=contest.pk).update(title="长" * 200)
    entry = featured[0].entry
    Team.objects.filter(pk=entry.team_id).update(name="𪚥字志愿服务队😀")
    Entry.objects.filter(pk=entry.pk).update(title="银龄互助 Mixed scripts ÀÉ Ω ☺ 龘" + "长" * 30)
    certificates_issue(contest=contest)
    certificate = Certificate.objects.get(featured=featured[0])

    path = write(tmp_path, build_certificate(certificate))

    assert len(PdfReader(path).pages) == 1  # the long names wrap, the page does not overflow
    assert "银龄互助" in pdf_text(path)
    reloaded = Certificate.objects.select_related("entry__team", "contest").get(pk=certificate.pk)
    assert certificates_unprintable([reloaded]) == ["𪚥", "😀", "☺"]  # reported, in first-seen order
    assert decoded_qr_codes(path, tmp_path) == [f"{settings.SITE_URL}/verify/{certificate.code}/"]


def test_all_certificates_in_serial_order_without_the_revoked(finalized, organizer, tmp_path):
    contest, featured, _entries = finalized
    certificates_issue(contest=contest)
    revoked = Certificate.objects.get(featured=featured[1])
    certificate_revoke(certificate=revoked, reason="材料不实", by=organizer)
    seen = []

    path = write(tmp_path, build_all_certificates(contest, lambda done, total: seen.append((done, total))))

    text = pdf_text(path)
    first, last = (Certificate.objects.get(featured=featured[n]).serial for n in (0, 2))
    assert len(PdfReader(path).pages) == 2
    assert text.index(first) < text.index(last) and revoked.serial not in text
    assert seen[-1] == (2, 2)


def hundred_featured() -> Contest:
    """A finalized contest with 100 featured projects (rows made directly: this is about the
    documents, not about how the list came to be)."""
    contest = factories.ContestFactory(title="2026年度志愿服务项目大赛")
    round = RoundFactory(contest=contest)
    Shortlist.objects.create(
        contest=contest, round=round, status=Shortlist.Status.FINALIZED, finalized_at=timezone.now()
    )
    organization = factories.OrganizationFactory()
    users = factories.UserFactory._meta.model.objects.bulk_create(
        factories.UserFactory._meta.model(username=f"bench-team-{n}") for n in range(100)
    )
    teams = Team.objects.bulk_create(
        Team(
            user=user,
            name=f"第{n + 1}志愿服务队",
            organization=organization,
            contact_name="张",
            contact_phone="13812341234",
        )
        for n, user in enumerate(users)
    )
    now = timezone.now()
    entries = Entry.objects.bulk_create(
        Entry(
            contest=contest,
            team=team,
            title=f"第{n + 1:03d}号银龄互助项目",
            status=Entry.Status.SUBMITTED,
            submitted_at=now,
        )
        for n, team in enumerate(teams)
    )
    FeaturedProject.objects.bulk_create(
        FeaturedProject(contest=contest, entry=entry, rank=n, score=100 - n / 10)
        for n, entry in enumerate(entries, start=1)
    )
    return contest


def test_hundred_certificates_in_one_file_in_order(tmp_path):
    contest = hundred_featured()
    seen = []

    started = time.perf_counter()
    built = build_all_certificates(contest, lambda done, total: seen.append((done, total)))
    elapsed = time.perf_counter() - started
    path = write(tmp_path, built)

    print(f"\n100 certificates: {elapsed:.1f} s, {len(built.content) / 1e6:.2f} MB")  # noqa: T201
    assert len(PdfReader(path).pages) == 100
    text = pdf_text(path)
    positions = [text.index(f"{contest.year}-YX-{n:03d}") for n in range(1, 101)]
    assert positions == sorted(positions)
    titles = [text.replace("\n", "").index(f"第{n:03d}号银龄互助项目") for n in range(1, 101)]
    assert titles == sorted(titles)
    assert seen[-1] == (100, 100) and len(seen) > 1
    assert all(row[-5] == "yes" for row in pdf_fonts(path))
    last = Certificate.objects.get(serial=f"{contest.year}-YX-100")
    assert decoded_qr_codes(path, tmp_path, page=100) == [f"{settings.SITE_URL}/verify/{last.code}/"]


def test_the_seal_is_printed(finalized, tmp_path):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from awards.models import DocumentSettings

    contest, featured, _entries = finalized
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 0, 0, 128)).save(buffer, "PNG")
    settings_row = DocumentSettings.objects.create(contest=contest, issuing_body="长治市志愿服务联合会")
    settings_row.seal.save("seal.png", ContentFile(buffer.getvalue()))
    certificates_issue(contest=contest)

    path = write(tmp_path, build_certificate(Certificate.objects.get(featured=featured[0])))

    assert "长治市志愿服务联合会" in pdf_text(path)
    assert len(PdfReader(path).pages[0].images) == 1  # the seal (the QR code is vector)
