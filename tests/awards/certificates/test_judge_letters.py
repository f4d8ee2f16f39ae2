"""Letters of thanks to the judges (评审专家感谢状, issue 12): issued on finalizing to each judge
who submitted a score sheet in the contest's rounds, numbered in the pinyin order of their
names, only while the organizer has not turned them off; printed with the judge's name and a
QR code to the public verification page, which does not name the judge; downloaded by that
judge alone from the judging dashboard; listed and revocable in the back office."""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from awards.certificates.services import certificate_revoke, certificates_issue
from awards.documents.certificates import build_certificate
from awards.documents.services import document_template_save
from awards.models import Certificate, DocumentSettings, DocumentTemplate
from awards.notice.services import notice_publish
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_commit
from judging.models import Judge
from judging.phases import CLOSED
from tests import factories
from tests.awards.certificates.conftest import decoded_qr_codes, pdf_text
from tests.awards.factories import START
from tests.judging.factories import client_for, make_judge, set_status
from tests.judging.result_factories import save_sheet, scored_round

pytestmark = pytest.mark.django_db

JUDGE = Certificate.Kind.JUDGE


@pytest.fixture
def judges(contest_results, organizer):
    """Besides the ranked round's judge (评委NNN, who scored every entry): a second round in which
    张伟 and 李娜 submitted sheets, 王芳 only saved a draft; 赵敏 was never assigned. Made in
    the order 张伟, 李娜, 王芳, 赵敏, so ids and pinyin order differ. Then the shortlist, on
    notice (finalizing is the test's)."""
    ranked_round, _entries, _counties = contest_results
    contest = ranked_round.contest
    college = factories.OrganizationFactory(name="长治学院", county=factories.CountyFactory(name="平顺县"))
    zhang = make_judge(name="张伟", title="教授", organization=college)
    li = make_judge(name="李娜")
    wang = make_judge(name="王芳")
    zhao = make_judge(name="赵敏")
    round, round_entries = scored_round(
        contest, {(0, 0): 80, (1, 1): 70}, judges=[zhang, li], close=False, order=2
    )
    save_sheet(round_entries[2], wang, 60, submit=False)
    set_status(round, CLOSED)
    ranked = Judge.objects.exclude(pk__in=[zhang.pk, li.pk, wang.pk, zhao.pk]).get()
    shortlist = shortlist_commit(round=ranked_round, by=organizer, size=3)
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)
    return shortlist, {"zhang": zhang, "li": li, "wang": wang, "zhao": zhao, "ranked": ranked}


def finalize(shortlist, organizer):
    shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=6))
    return shortlist.contest


def letters(contest):
    return list(
        Certificate.objects.filter(contest=contest, kind=JUDGE)
        .order_by("serial")
        .values_list("serial", "judge_id")
    )


# --- Issuing --------------------------------------------------------------------------------


def test_finalizing_thanks_each_judge_with_a_submitted_sheet_in_pinyin_order(judges, organizer):
    shortlist, j = judges

    contest = finalize(shortlist, organizer)

    year = contest.year
    # li na < ping wei (评委NNN) < zhang wei; 王芳 saved only a draft, 赵敏 judged nothing.
    assert letters(contest) == [
        (f"{year}-ZJ-001", j["li"].pk),
        (f"{year}-ZJ-002", j["ranked"].pk),
        (f"{year}-ZJ-003", j["zhang"].pk),
    ]
    assert all(c.entry_id is None and c.featured_id is None for c in Certificate.objects.filter(kind=JUDGE))


def test_issuing_judges_letters_again_changes_nothing_and_a_late_judge_is_numbered_next(judges, organizer):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    before = list(Certificate.objects.filter(kind=JUDGE).order_by("pk").values_list("pk", "serial", "code"))

    assert certificates_issue(contest=contest) == []
    assert (
        list(Certificate.objects.filter(kind=JUDGE).order_by("pk").values_list("pk", "serial", "code"))
        == before
    )

    # 王芳's sheet submitted after all (an organizer reopened it): she is thanked, numbered next.
    sheet = j["wang"].assignments.get().sheet
    sheet.status, sheet.submitted_at, sheet.total = "submitted", START, 60
    sheet.save()
    (issued,) = certificates_issue(contest=contest)
    assert (issued.kind, issued.judge_id, issued.serial) == (JUDGE, j["wang"].pk, f"{contest.year}-ZJ-004")


def test_no_judges_letters_when_the_organizer_turned_them_off(judges, organizer):
    shortlist, _j = judges
    DocumentSettings.objects.create(contest=shortlist.contest, judge_letters=False)

    contest = finalize(shortlist, organizer)

    assert letters(contest) == []
    assert Certificate.objects.filter(contest=contest, kind=Certificate.Kind.FEATURED).count() == 3
    assert certificates_issue(contest=contest) == []


def test_judges_letters_are_on_by_default():
    assert DocumentSettings().judge_letters is True


def test_one_letter_per_judge_and_contest_is_held_by_the_database(judges, organizer):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(contest=contest, kind=JUDGE, judge_id=j["li"].pk, serial="x", code="x")


# --- The PDF --------------------------------------------------------------------------------


def test_the_letter_prints_the_judge_and_a_qr_code_that_opens_its_page(judges, organizer, tmp_path):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    letter = Certificate.objects.get(kind=JUDGE, judge_id=j["zhang"].pk)

    built = build_certificate(letter)
    path = tmp_path / "letter.pdf"
    path.write_bytes(built.content)

    assert len(PdfReader(path).pages) == 1
    text = "".join(pdf_text(path).split())
    for expected in (
        "感谢状",
        "张伟",
        "教授",
        "长治学院",
        contest.title,
        letter.serial,
        "志愿服务项目大赛组委会",
    ):
        assert "".join(expected.split()) in text
    (url,) = decoded_qr_codes(path, tmp_path)
    assert url == f"{settings.SITE_URL}/verify/{letter.code}/"
    assert Client().get(urlsplit(url).path).status_code == 200


def test_an_adjusted_judges_letter_template_is_checked_against_a_sample_and_used(judges, organizer, tmp_path):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    html = "{% for c in certificates %}<p>致{{ c.judge_name }}：{{ c.serial }}</p>{% endfor %}"

    document_template_save(contest=contest, kind="judge_thanks", html=html, by=organizer)

    assert DocumentTemplate.objects.get(contest=contest).kind == DocumentTemplate.Kind.JUDGE_THANKS
    letter = Certificate.objects.get(kind=JUDGE, judge_id=j["li"].pk)
    path = tmp_path / "adjusted.pdf"
    path.write_bytes(build_certificate(letter).content)
    assert f"致李娜：{letter.serial}" in "".join(pdf_text(path).split())


def test_build_documents_writes_the_judges_letters_with_the_certificates(judges, organizer, tmp_path):
    shortlist, _j = judges
    finalize(shortlist, organizer)
    out = io.StringIO()

    call_command(
        "build_documents", "--contest", "2026", "--out", str(tmp_path), "--only", "certificates", stdout=out
    )

    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["2026年优秀项目证书.pdf", "2026年评审专家感谢状.pdf"]
    assert len(PdfReader(tmp_path / "2026年评审专家感谢状.pdf").pages) == 3
    assert "judge_letters: 3/3" in out.getvalue()


# --- The verification page ------------------------------------------------------------------


def test_the_verify_page_of_a_judges_letter_does_not_name_the_judge(judges, organizer, client):
    """Need-to-know: the page is public and the platform does not publish who judged a contest,
    so the page confirms the letter (kind, serial, contest, issuing body, status) without the
    judge's name, title or organization."""
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    letter = Certificate.objects.get(kind=JUDGE, judge_id=j["zhang"].pk)

    html = client.get(reverse("certificate_verify", args=[letter.code])).content.decode()

    for shown in ("评审专家感谢状", letter.serial, contest.title, "志愿服务项目大赛组委会", "有效"):
        assert shown in html
    for hidden in ("张伟", "教授", "长治学院", j["zhang"].user.username):
        assert hidden not in html


# --- The judge's download and dashboard panel -------------------------------------------------


def letter_url(contest):
    return reverse("judge_letter", args=[contest.pk])


def test_the_judge_downloads_their_own_letter_from_the_dashboard(judges, organizer, tmp_path):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    client = client_for(j["zhang"].user)
    letter = Certificate.objects.get(kind=JUDGE, judge_id=j["zhang"].pk)

    dashboard = client.get(reverse("judging:dashboard")).content.decode()
    assert "评审专家感谢状" in dashboard and letter_url(contest) in dashboard and letter.serial in dashboard

    response = client.get(letter_url(contest))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert letter.serial in response["Content-Disposition"]
    path = tmp_path / "mine.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    assert "张伟" in pdf_text(path)


def test_others_get_404_for_a_judges_letter(judges, organizer):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    url = letter_url(contest)

    # 王芳 (a draft only) and 赵敏 (nothing) have no letter, and never anyone else's.
    assert client_for(j["wang"].user).get(url).status_code == 404
    assert client_for(j["zhao"].user).get(url).status_code == 404
    team_user = Certificate.objects.filter(kind=Certificate.Kind.FEATURED).first().entry.team.user
    assert client_for(team_user).get(url).status_code == 404
    assert client_for(j["li"].user).get(reverse("judge_letter", args=[999999])).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in page
    assert (
        "评审专家感谢状" not in client_for(j["zhao"].user).get(reverse("judging:dashboard")).content.decode()
    )


def test_no_letter_before_the_list_is_final(judges):
    shortlist, j = judges
    client = client_for(j["zhang"].user)

    assert "评审专家感谢状" not in client.get(reverse("judging:dashboard")).content.decode()
    assert client.get(letter_url(shortlist.contest)).status_code == 404
    assert not Certificate.objects.exists()


def test_a_revoked_letter_is_not_downloaded_and_the_panel_says_so(judges, organizer):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    letter = Certificate.objects.get(kind=JUDGE, judge_id=j["li"].pk)
    certificate_revoke(certificate=letter, reason="重复颁发", by=organizer)
    client = client_for(j["li"].user)

    assert client.get(letter_url(contest)).status_code == 404
    assert "该感谢状已于 2027-01-01 撤销" in client.get(reverse("judging:dashboard")).content.decode()


def test_letters_turned_on_after_finalizing_are_issued_on_first_download(judges, organizer):
    shortlist, j = judges
    DocumentSettings.objects.create(contest=shortlist.contest, judge_letters=False)
    contest = finalize(shortlist, organizer)
    client = client_for(j["zhang"].user)
    assert "评审专家感谢状" not in client.get(reverse("judging:dashboard")).content.decode()
    assert client.get(letter_url(contest)).status_code == 404

    DocumentSettings.objects.filter(contest=contest).update(judge_letters=True)

    assert client.get(letter_url(contest)).status_code == 200
    assert len(letters(contest)) == 3


# --- The back office ------------------------------------------------------------------------


def test_organizers_list_filters_judges_letters_and_revokes_one(judges, organizer, organizer_client):
    shortlist, j = judges
    contest = finalize(shortlist, organizer)
    url = reverse("awards_certificates:contest", args=[contest.pk])

    only_judges = organizer_client.get(url, {"kind": "judge"}).content.decode()
    assert "张伟" in only_judges and f"{contest.year}-ZJ-001" in only_judges
    assert f"{contest.year}-YX-001" not in only_judges
    everything = organizer_client.get(url).content.decode()
    assert f"{contest.year}-YX-001" in everything and "李娜" in everything
    assert organizer_client.get(url, {"kind": "nonsense"}).status_code == 200  # shows all

    letter = Certificate.objects.get(kind=JUDGE, judge_id=j["li"].pk)
    response = organizer_client.post(
        reverse("awards_certificates:revoke", args=[contest.pk, letter.pk]), {"reason": "重复颁发"}
    )
    assert response.status_code == 302
    assert Certificate.objects.get(pk=letter.pk).revoked_at is not None


def test_the_organizers_list_reads_the_judges_in_one_query(judges, organizer, organizer_client):
    shortlist, _j = judges
    contest = finalize(shortlist, organizer)
    url = reverse("awards_certificates:contest", args=[contest.pk])
    organizer_client.get(url)
    with CaptureQueriesContext(connection) as three:
        organizer_client.get(url)
    for n in range(3):
        judge = make_judge(name=f"新评委{n}")
        Certificate.objects.create(
            contest=contest, kind=JUDGE, judge_id=judge.pk, serial=f"x-{n}", code=f"c{n}"
        )

    with CaptureQueriesContext(connection) as six:
        html = organizer_client.get(url).content.decode()

    assert "新评委2" in html
    assert len(six.captured_queries) == len(three.captured_queries)
