"""Media in S3-compatible object storage (MEDIA_S3_*), tested against a real S3 server: moto's
standalone server started as a subprocess on 127.0.0.1, spoken to over HTTP by boto3 and by
plain HTTP requests (nothing in the client is mocked).

What is checked: a team's upload lands in the bucket's private/ tree under a random name,
cannot be read anonymously, and reaches only the people allowed to see it, through our own
views (the bytes are streamed; no bucket address is ever handed out); Wagtail images and
renditions land in public/; an export file lands in private/.
"""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from common.storage import private_storage
from competition.models import Entry
from config.settings.s3 import public_media_origins, s3_storages
from judging.models import ExportJob
from judging.spreadsheets.exports import export_run
from tests import factories
from tests.cms import factories as cms_factories
from tests.files import jpeg_bytes, pdf_bytes, upload
from tests.judging.factories import JudgeFactory, client_for, eligible_entry, open_round

pytestmark = pytest.mark.django_db

KEYS = {"aws_access_key_id": "vc-test", "aws_secret_access_key": "vc-test-secret"}
RANDOM_PHOTO = re.compile(r"photos/[0-9a-f]{4}/[0-9a-f]{32}\.jpg")
RANDOM_PDF = re.compile(r"attachments/[0-9a-f]{4}/[0-9a-f]{32}\.pdf")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3-compatible server in its own process, for the whole test session."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto server did not start")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    """STORAGES as the MEDIA_S3_* variables make them, on a fresh bucket of the server."""
    bucket = f"vc-media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=bucket)
    for name, value in {
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "MEDIA_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "MEDIA_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(name, value)
    # Through the settings fixture, so that Django's storages and our private_storage handle
    # forget the local storages now and again when the test ends.
    settings.STORAGES = {**settings.STORAGES, **s3_storages()}

    def keys() -> list[str]:
        listing = client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def body(key: str) -> bytes:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    return SimpleNamespace(client=client, bucket=bucket, url=s3_server, keys=keys, body=body)


def anonymous_get(url: str) -> int:
    """Status of a plain GET without any signature (what anyone on the internet could do)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http to our own test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Entry files -------------------------------------------------------------------------------


@pytest.mark.slow
def test_team_upload_lands_privately_under_a_random_name_and_only_allowed_users_get_it(
    s3, team, team_client, other_team, contest
):
    photo_content = jpeg_bytes(color=(12, 34, 56))
    response = team_client.post(
        reverse("competition:entry_create", args=[contest.slug]),
        {
            "category": str(factories.category("education").pk),
            "title": "银龄课堂",
            "summary": "教老人用手机。",
            "save": "1",
            "new_photos": [upload("张建国团队-活动现场.jpg", photo_content, "image/jpeg")],
            "new_attachments": [upload("红马甲志愿服务队申报书.pdf", pdf_bytes(), "application/pdf")],
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    photo, attachment = entry.photos.get(), entry.attachments.get()

    # In the bucket's private tree, under random names that say nothing about the team.
    assert RANDOM_PHOTO.fullmatch(photo.file.name) and RANDOM_PDF.fullmatch(attachment.file.name)
    assert s3.keys() == sorted(["private/" + photo.file.name, "private/" + attachment.file.name])
    head = s3.client.head_object(Bucket=s3.bucket, Key="private/" + photo.file.name)
    assert (head["ContentType"], head["Metadata"], head.get("ContentDisposition")) == ("image/jpeg", {}, None)
    grants = s3.client.get_object_acl(Bucket=s3.bucket, Key="private/" + photo.file.name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]

    # Nobody reads it from the bucket without a signature.
    assert anonymous_get(f"{s3.url}/{s3.bucket}/private/{photo.file.name}") == 403
    assert anonymous_get(f"{s3.url}/{s3.bucket}/private/{attachment.file.name}") == 403

    # The team gets its bytes through our view: streamed, with our headers, no bucket address.
    photo_url = reverse("competition:photo_file", args=[photo.public_id])
    own = team_client.get(photo_url)
    assert own.status_code == 200
    assert body_of(own) == s3.body("private/" + photo.file.name)
    assert (own["Content-Type"], own["Content-Length"]) == (
        "image/jpeg",
        str(len(s3.body("private/" + photo.file.name))),
    )
    assert (own["Cache-Control"], own["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    pdf = team_client.get(reverse("competition:attachment_file", args=[attachment.public_id]))
    assert (pdf.status_code, body_of(pdf)[:5]) == (200, b"%PDF-")

    # Others get 404, the anonymous are sent to log in.
    other = Client()
    other.force_login(other_team.user)
    assert other.get(photo_url).status_code == 404
    assert Client().get(photo_url).status_code == 302

    # No page of the team's carries the bucket's address or an object key.
    page = team_client.get(reverse("competition:entry_edit", args=[entry.public_id])).content.decode()
    assert s3.url not in page and photo.file.name not in page and s3.bucket not in page


@pytest.mark.slow
def test_judge_gets_entry_files_streamed_from_the_bucket_and_nothing_identifying(s3):
    round, judge, (round_entry,) = open_round(entries=1, files=True)
    photo = round_entry.entry.photos.get()
    attachment = round_entry.entry.attachments.get()
    judge_client = client_for(judge.user)
    photo_url = reverse("judging:photo", args=[round.code, round_entry.blind_code, 1])
    pdf_url = reverse("judging:attachment", args=[round.code, round_entry.blind_code, 1])

    got_photo, got_pdf = judge_client.get(photo_url), judge_client.get(pdf_url)

    # The PDF judges get is its judge copy (issue 10), stored beside the team's original.
    copy = round_entry.blind_files.get(kind="attachment").file.name
    assert s3.keys() == sorted(["private/" + name for name in (photo.file.name, attachment.file.name, copy)])
    assert (got_photo.status_code, got_pdf.status_code) == (200, 200)
    assert not got_photo.has_header("Location")
    assert body_of(got_photo) == s3.body("private/" + photo.file.name)
    assert body_of(got_pdf) == s3.body("private/" + copy) != s3.body("private/" + attachment.file.name)
    assert got_pdf["Content-Disposition"] == 'inline; filename="attachment-1.pdf"'
    score_page = judge_client.get(reverse("judging:score", args=[round.code, round_entry.blind_code]))
    html = score_page.content.decode()
    assert s3.url not in html and s3.bucket not in html and photo.file.name not in html

    outsider = client_for(JudgeFactory().user)
    assert (outsider.get(photo_url).status_code, outsider.get(pdf_url).status_code) == (404, 404)


@pytest.mark.slow
def test_private_storage_gives_no_url_and_its_signed_url_is_short_lived(s3, settings):
    storage = private_storage()
    name = storage.save("photos/abcd/" + "0" * 32 + ".jpg", ContentFile(jpeg_bytes()))

    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)
    signed = storage.signed_url(name)
    query = parse_qs(urlsplit(signed).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert anonymous_get(signed) == 200
    # (moto does not enforce the expiry of signed URLs, so that part is checked on the URL.)
    assert anonymous_get(f"{s3.url}/{s3.bucket}/private/{name}") == 403


@pytest.mark.slow
def test_missing_object_is_file_not_found(s3):
    with pytest.raises(FileNotFoundError):
        private_storage().open_stream("photos/abcd/" + "f" * 32 + ".jpg")


# --- Public images and exports ------------------------------------------------------------------


@pytest.mark.slow
def test_wagtail_image_and_rendition_land_in_the_public_tree_and_their_urls_work(s3):
    image = cms_factories.image(width=320, height=240)
    rendition = image.get_rendition("fill-100x100")

    keys = s3.keys()
    assert "public/" + image.file.name in keys and "public/" + rendition.file.name in keys
    assert all(key.startswith("public/") for key in keys)
    # Without MEDIA_S3_PUBLIC_URL the bucket stays closed and the URLs are signed.
    assert anonymous_get(f"{s3.url}/{s3.bucket}/public/{rendition.file.name}") == 403
    with urllib.request.urlopen(rendition.url, timeout=5) as response:  # noqa: S310 (our own test server)
        assert response.status == 200
        assert response.read() == s3.body("public/" + rendition.file.name)


@pytest.mark.slow
def test_export_file_lands_in_the_private_tree_and_downloads_through_the_view(s3, organizer):
    contest = factories.ContestFactory()
    eligible_entry(contest)
    job = ExportJob.objects.create(kind="entries", format="csv", contest=contest, requested_by=organizer)

    export_run(job=job)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert s3.keys() == ["private/" + job.file.name]
    assert re.fullmatch(r"exports/[0-9a-f]{4}/[0-9a-f]{32}\.csv", job.file.name)
    assert anonymous_get(f"{s3.url}/{s3.bucket}/private/{job.file.name}") == 403
    download = client_for(organizer).get(f"/admin/judging/spreadsheets/{job.pk}/download/")
    assert download.status_code == 200
    assert body_of(download) == s3.body("private/" + job.file.name)


# --- Settings ----------------------------------------------------------------------------------


def test_without_bucket_storages_stay_local(monkeypatch):
    monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    assert s3_storages() is None


def test_public_url_gives_plain_public_urls_but_never_to_private_files(monkeypatch):
    monkeypatch.setenv("MEDIA_S3_BUCKET", "media")
    monkeypatch.setenv("MEDIA_S3_PRIVATE_BUCKET", "media-private")
    monkeypatch.setenv("MEDIA_S3_PUBLIC_URL", "https://media.example.org/")
    monkeypatch.setenv("MEDIA_S3_SIGNED_SECONDS", "60")

    storages = s3_storages()
    public, private = storages["default"]["OPTIONS"], storages["private"]["OPTIONS"]

    assert (public["custom_domain"], public["url_protocol"], public["querystring_auth"]) == (
        "media.example.org",
        "https:",
        False,
    )
    assert (public["bucket_name"], public["location"]) == ("media", "public")
    assert (private["bucket_name"], private["location"], private["default_acl"]) == (
        "media-private",
        "private",
        "private",
    )
    assert (private["custom_domain"], private["querystring_auth"], private["querystring_expire"]) == (
        None,
        True,
        60,
    )
    assert private["file_overwrite"] is False and public["file_overwrite"] is False
    assert public_media_origins(storages) == ["https://media.example.org"]


def test_public_media_origins_follow_the_endpoint(monkeypatch):
    monkeypatch.setenv("MEDIA_S3_BUCKET", "media")
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://s3.example.org:9000")
    monkeypatch.setenv("MEDIA_S3_ADDRESSING_STYLE", "path")
    assert public_media_origins(s3_storages()) == ["https://s3.example.org:9000"]
    assert public_media_origins(None) == []


def test_public_image_url_with_public_url_is_plain(monkeypatch, settings):
    monkeypatch.setenv("MEDIA_S3_BUCKET", "media")
    monkeypatch.setenv("MEDIA_S3_PUBLIC_URL", "https://media.example.org")
    settings.STORAGES = {**settings.STORAGES, **s3_storages()}
    from django.core.files.storage import default_storage

    assert default_storage.url("images/a.jpg") == "https://media.example.org/public/images/a.jpg"
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url("photos/abcd/x.jpg")
