"""Judge copies of PDFs (DESIGN §4.1): judges never receive a team's PDF bytes, only a
picture of each page with the identifying text blacked out, made in the background before the
round opens; organizers see what was blacked out and add boxes by hand."""

import io

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from common.storage import private_storage
from judging.masking.copies import copy_add_box, copy_make
from judging.masking.redact import Quality, judge_copy
from judging.masking.text import compile_terms, identifying_spans
from judging.models import BlindFile, JudgingEvent
from judging.phases import SCORING
from judging.rounds.services import round_open_refusal
from tests import factories
from tests.judging.factories import (
    JudgeFactory,
    RoundFactory,
    assign,
    client_for,
    eligible_entry,
    make_judge_copies,
    set_status,
    sync,
)
from tests.judging.masking.pdfs import pdf_with_text, with_carriers

pytestmark = pytest.mark.django_db

TEAM = "暖阳志愿服务队"
# A4 in points; the team's name drawn at 24 pt on page 2, with ordinary text beside it.
PAGES = [
    [("项目申报书", 72, 760, 24)],
    [(TEAM + "在社区开展课后辅导", 72, 700, 24), ("服务对象为留守儿童", 72, 600, 24)],
]


def page_image(content: bytes, page: int, scale: float = 1.0) -> Image.Image:
    document = pdfium.PdfDocument(content)
    return document[page - 1].render(scale=scale).to_pil().convert("L")


def dark_share(image: Image.Image, box_points, scale: float = 1.0, height: float = 842) -> float:
    """The share of near-black pixels inside a box given in points from the bottom left."""
    left, bottom, right, top = box_points
    region = image.crop(
        (int(left * scale), int((height - top) * scale), int(right * scale), int((height - bottom) * scale))
    )
    histogram = region.histogram()
    return sum(histogram[:40]) / sum(histogram)


# Where the name is drawn (seven 24 pt characters from x=72 on the baseline at y=700) and
# where the ordinary text of the next line is.
NAME_BOX = (74, 702, 72 + 7 * 24 - 2, 716)
OTHER_LINE = (72, 596, 72 + 9 * 24, 620)


def test_judge_copy_blacks_out_the_name_where_it_is_drawn_and_nothing_else():
    source = pdf_with_text(PAGES)
    terms = compile_terms([TEAM])

    copy = judge_copy(source, spans=lambda text: identifying_spans(text, terms))

    assert copy.pages == 2
    assert [(f.page, f.text) for f in copy.found] == [(2, TEAM)]
    image = page_image(copy.content, 2)
    assert dark_share(image, NAME_BOX) == 1.0
    # The unrelated line is drawn as text (some dark strokes), not blacked out.
    assert 0 < dark_share(image, OTHER_LINE) < 0.5


def test_judge_copy_has_no_text_layer_metadata_annotations_actions_or_attachments():
    source = with_carriers(pdf_with_text(PAGES), name=TEAM)
    assert TEAM in pdfium.PdfDocument(source)[1].get_textpage().get_text_range()  # the carrier exists

    copy = judge_copy(source, spans=lambda text: [])

    document = pdfium.PdfDocument(copy.content)
    assert [document[i].get_textpage().get_text_range() for i in range(len(document))] == ["", ""]
    reader = PdfReader(io.BytesIO(copy.content))
    assert set(reader.trailer.keys()) == {"/Size", "/Root"}
    assert set(reader.trailer["/Root"].keys()) == {"/Type", "/Pages"}
    for page in reader.pages:
        assert set(page.keys()) == {"/Type", "/Parent", "/MediaBox", "/Resources", "/Contents"}
    assert TEAM.encode("utf-16-be") not in copy.content
    assert b"JavaScript" not in copy.content and b"EmbeddedFile" not in copy.content


def test_judge_copy_stops_at_the_page_limit_and_says_how_many_the_original_had():
    source = pdf_with_text([[(f"第{n}页", 72, 700, 24)] for n in range(1, 6)])

    copy = judge_copy(source, spans=lambda text: [], quality=Quality(max_pages=3))

    assert (copy.pages, copy.source_pages, len(pdfium.PdfDocument(copy.content))) == (3, 5, 3)


@pytest.fixture
def setup_round():
    """A round in setup after submission closed, with one entry of the team 暖阳志愿服务队
    whose PDF names the team, and a judge assigned to it."""
    round = RoundFactory()
    factories.close_submission(round.contest)
    entry = eligible_entry(round.contest, team=factories.TeamFactory(name=TEAM))
    attachment = factories.add_attachment(entry, pdf_with_text(PAGES))
    [round_entry] = sync(round)
    judge = JudgeFactory()
    assign(round_entry, judge)
    return round, round_entry, judge, attachment


def copies_of(round_entry) -> list[BlindFile]:
    return list(BlindFile.objects.filter(round_entry=round_entry, kind=BlindFile.Kind.ATTACHMENT))


def test_entries_joining_a_round_after_submission_closed_get_their_copy_in_the_background(
    django_capture_on_commit_callbacks,
):
    round = RoundFactory()
    factories.close_submission(round.contest)
    entry = eligible_entry(round.contest, team=factories.TeamFactory(name=TEAM))
    factories.add_attachment(entry, pdf_with_text(PAGES))

    with django_capture_on_commit_callbacks(execute=True):
        [round_entry] = sync(round)

    [blind] = copies_of(round_entry)
    assert (blind.status, blind.pages) == (BlindFile.Status.READY, 2)
    assert [(item["page"], item["text"]) for item in blind.redactions] == [(2, TEAM)]


def test_round_does_not_open_while_a_copy_is_missing_or_failed(setup_round, organizer):
    round, round_entry, judge, attachment = setup_round
    [blind] = copies_of(round_entry)  # queued, not made yet (the task runs after commit)
    assert blind.status == BlindFile.Status.PENDING

    assert "匿名副本" in round_open_refusal(round)
    BlindFile.objects.filter(pk=blind.pk).update(status=BlindFile.Status.FAILED)
    assert "1 份生成失败" in round_open_refusal(round)

    copy_make(blind_file_id=blind.pk)
    assert round_open_refusal(round) is None


def test_judge_downloads_only_the_copy_and_never_the_original(setup_round):
    round, round_entry, judge, attachment = setup_round
    make_judge_copies(round)
    set_status(round, SCORING)
    client = client_for(judge.user)

    response = client.get(reverse("judging:attachment", args=[round.code, round_entry.blind_code, 1]))

    content = b"".join(response.streaming_content)
    with attachment.file.open("rb") as original:
        assert content != original.read()
    document = pdfium.PdfDocument(content)
    assert document[1].get_textpage().get_text_range() == ""
    assert dark_share(page_image(content, 2), NAME_BOX) == 1.0
    # The organizers' URL of the original is not the judge's.
    original_url = reverse("judging_rounds:copy_original", args=[round.pk, round_entry.blind_code, 1])
    assert client.get(original_url).status_code in (302, 404)
    assert (
        original_url
        not in client.get(
            reverse("judging:score", args=[round.code, round_entry.blind_code])
        ).content.decode()
    )


def test_judge_is_told_the_copy_is_being_made_and_gets_no_file(setup_round):
    round, round_entry, judge, attachment = setup_round
    make_judge_copies(round)
    set_status(round, SCORING)
    # As for an entry that joins a round already open: its copy is still being made.
    BlindFile.objects.filter(round_entry=round_entry).filter(kind=BlindFile.Kind.ATTACHMENT).update(
        status=BlindFile.Status.PENDING
    )
    client = client_for(judge.user)

    page = client.get(reverse("judging:score", args=[round.code, round_entry.blind_code]))
    response = client.get(
        reverse("judging:attachment", args=[round.code, round_entry.blind_code, 1]), follow=True
    )

    assert "正在生成匿名副本" in page.content.decode()
    assert (
        reverse("judging:attachment", args=[round.code, round_entry.blind_code, 1])
        not in page.content.decode()
    )
    assert response.redirect_chain[-1][1] == 302
    assert response["Content-Type"].startswith("text/html")
    assert "正在生成匿名副本" in response.content.decode()


def test_organizer_sees_what_was_blacked_out_on_which_page_and_the_page_preview(
    setup_round, organizer_client
):
    round, round_entry, judge, attachment = setup_round
    make_judge_copies(round)

    page = organizer_client.get(
        reverse("judging_rounds:masked_edit", args=[round.pk, round_entry.blind_code])
    )
    preview = organizer_client.get(
        reverse("judging_rounds:copy_page", args=[round.pk, round_entry.blind_code, 1, 2])
    )
    original = organizer_client.get(
        reverse("judging_rounds:copy_original", args=[round.pk, round_entry.blind_code, 1])
    )

    html = page.content.decode()
    rows = [row for row in html.split("<tr>") if "查看评委看到的这一页" in row]
    assert [TEAM in row for row in rows] == [False, True]
    assert preview["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(preview.content)).size == (992, 1404)  # A4 at 120 dpi
    with attachment.file.open("rb") as stored:
        assert b"".join(original.streaming_content) == stored.read()
    progress = organizer_client.get(reverse("judging_rounds:masked", args=[round.pk])).content.decode()
    assert "已生成 1 份" in progress


def test_manual_box_blacks_out_that_region_replaces_the_copy_and_is_logged(
    setup_round, organizer, django_capture_on_commit_callbacks
):
    contest_round, round_entry, judge, attachment = setup_round
    make_judge_copies(contest_round)
    [blind] = copies_of(round_entry)
    old = blind.file.name
    # The ordinary line on page 2, in fractions of the page from the top left.
    box = (72 / 595, (842 - 620) / 842, (72 + 9 * 24) / 595, (842 - 596) / 842)

    with django_capture_on_commit_callbacks(execute=True):
        copy_add_box(blind_file=blind, page=2, box=box, by=organizer)

    blind.refresh_from_db()
    assert blind.status == BlindFile.Status.READY
    assert blind.manual_boxes == [{"page": 2, "box": [round(v, 4) for v in box]}]
    with blind.file.open("rb") as stored:
        image = page_image(stored.read(), 2)
    assert dark_share(image, (74, 598, 72 + 9 * 24 - 2, 618)) == 1.0
    assert not private_storage().exists(old)
    event = JudgingEvent.objects.get(kind=JudgingEvent.Kind.COPY_REDACTED)
    assert (event.actor, event.round_entry, event.after["page"]) == (organizer, round_entry, 2)


def test_manual_box_through_the_page_keeps_what_was_typed_when_refused(setup_round, organizer_client):
    round, round_entry, judge, attachment = setup_round
    make_judge_copies(round)
    url = reverse("judging_rounds:copy_box", args=[round.pk, round_entry.blind_code, 1])

    response = organizer_client.post(url, {"page": 9, "left": 10, "top": 10, "right": 50, "bottom": 20})

    assert response.status_code == 200
    assert "没有第 9 页" in response.content.decode()
    assert 'name="page" step="1" min="1" max="2" value="9"' in response.content.decode()
    assert BlindFile.objects.get(round_entry=round_entry).manual_boxes == []


def test_manual_box_refused_once_scoring_started(setup_round, organizer):
    from judging.errors import JudgingError

    round, round_entry, judge, attachment = setup_round
    make_judge_copies(round)
    set_status(round, SCORING)
    [blind] = copies_of(round_entry)

    with pytest.raises(JudgingError):
        copy_add_box(blind_file=blind, page=1, box=(0.1, 0.1, 0.2, 0.2), by=organizer)


def test_photos_stay_re_encoded_copies_of_the_upload(setup_round):
    round, round_entry, judge, attachment = setup_round
    factories.add_photo(round_entry.entry)
    make_judge_copies(round)

    set_status(round, SCORING)

    [photo] = BlindFile.objects.filter(round_entry=round_entry, kind=BlindFile.Kind.PHOTO)
    assert photo.file.name == round_entry.entry.photos.get().file.name
    assert photo.status == BlindFile.Status.READY


def test_make_judge_copies_command_replaces_rows_that_point_at_the_original(setup_round):
    """Rows frozen before judge copies existed pointed at the team's file; the migration marks
    them pending and the command makes their copies."""
    from django.core.management import call_command

    round, round_entry, judge, attachment = setup_round
    BlindFile.objects.filter(round_entry=round_entry).delete()
    BlindFile.objects.create(
        round_entry=round_entry,
        kind=BlindFile.Kind.ATTACHMENT,
        position=1,
        file="",
        size=0,
        content_type="application/pdf",
        status=BlindFile.Status.PENDING,
    )

    call_command("make_judge_copies", stdout=io.StringIO())
    for pk in BlindFile.objects.filter(status=BlindFile.Status.PENDING).values_list("pk", flat=True):
        copy_make(blind_file_id=pk)  # the queued tasks (they run after commit)

    [blind] = copies_of(round_entry)
    assert (blind.status, blind.attachment, blind.pages) == (BlindFile.Status.READY, attachment, 2)
    assert blind.file.name != attachment.file.name


# The same page as tests/judging/masking/test_admin_views.py measures with captions.
QUERIES_MASKED_EDIT = 15


@pytest.mark.parametrize("pdfs", [1, 3])
def test_masked_edit_page_query_count_does_not_grow_with_pdfs(
    pdfs, organizer_client, django_assert_num_queries
):
    round = RoundFactory()
    factories.close_submission(round.contest)
    entry = eligible_entry(round.contest, team=factories.TeamFactory(name=TEAM))
    for _ in range(pdfs):
        factories.add_attachment(entry, pdf_with_text(PAGES))
    [round_entry] = sync(round)
    make_judge_copies(round)
    url = reverse("judging_rounds:masked_edit", args=[round.pk, round_entry.blind_code])
    organizer_client.get(url)  # warm caches (session, permissions)

    with django_assert_num_queries(QUERIES_MASKED_EDIT):
        response = organizer_client.get(url)

    assert response.content.decode().count("查看评委看到的这一页") == 2 * pdfs
