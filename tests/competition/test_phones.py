"""Issue 11, phones: the same photo twice is refused; a retried upload saves once; the upload
script's JSON answers; screen-sized photos for the team, coordinators and organizers."""

import hashlib
import io
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from competition import errors, services
from competition.models import Entry, EntryPhoto
from competition.uploads import clean_photo, duplicate_photos
from tests import factories
from tests.competition.test_coordinator_pages import REVIEW_QUERIES
from tests.competition.test_entry_views import create_url, edit_url, entry_post, stored_files
from tests.competition.test_services import entry_data
from tests.files import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def jpeg_upload(name="活动现场.jpg", color=(200, 30, 40), width=64, height=48):
    return upload(name, jpeg_bytes(width, height, color), "image/jpeg")


def cleaned(name="活动现场.jpg", color=(200, 30, 40)):
    return clean_photo(jpeg_upload(name, color))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def update(entry, *, photos=(), delete=(), token=None):
    entry.refresh_from_db()
    return services.entry_update(
        entry=entry,
        data={},
        files=services.EntryFileChanges(new_photos=[(p, "") for p in photos], delete_photos=set(delete)),
        expected_version=entry.version,
        save_token=token,
        submit=False,
        by=entry.team.user,
    )


# --- The rule --------------------------------------------------------------------------------


def test_duplicate_photos_names_the_photo_already_there_and_the_one_chosen_twice():
    red, blue, green = cleaned("红.jpg"), cleaned("蓝.jpg", (20, 40, 220)), cleaned("绿.jpg", (20, 200, 40))
    again = cleaned("红-副本.jpg")
    blue_again = cleaned("蓝2.jpg", (20, 40, 220))

    problems = duplicate_photos([again, green, blue, blue_again], kept=["", red.sha256])

    assert problems == [
        "“红-副本.jpg”与本项目已有的第 2 张照片完全相同，不能重复上传。",
        "“蓝2.jpg”与本次选择的“蓝.jpg”是同一张照片，只需上传一次。",
    ]


def test_the_hash_is_of_the_stored_bytes_so_stored_photos_compare():
    photo = cleaned()

    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()
    assert cleaned("another-name.jpg").sha256 == photo.sha256


# --- Service ---------------------------------------------------------------------------------


def test_a_photo_identical_to_one_on_the_entry_is_refused_and_nothing_saved(team, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    update(entry, photos=[cleaned("现场.jpg")])
    files_before = stored_files()

    with pytest.raises(errors.DuplicatePhoto) as refused:
        update(entry, photos=[cleaned("green.jpg", (20, 200, 40)), cleaned("现场-2.jpg")])

    assert refused.value.problems == ["“现场-2.jpg”与本项目已有的第 1 张照片完全相同，不能重复上传。"]
    assert (entry.photos.count(), stored_files()) == (1, files_before)


def test_the_same_photo_twice_in_one_save_is_refused(team, contest):
    entry = factories.EntryFactory(team=team, contest=contest)

    with pytest.raises(errors.DuplicatePhoto):
        update(entry, photos=[cleaned("a.jpg"), cleaned("b.jpg")])

    assert entry.photos.count() == 0


def test_a_photo_removed_in_the_same_save_may_come_back(team, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    first = update(entry, photos=[cleaned()]).photos.get()

    update(entry, photos=[cleaned()], delete=[str(first.public_id)])

    assert list(entry.photos.values_list("sha256", flat=True)) == [first.sha256]


def test_an_edit_posted_twice_with_one_save_token_saves_once(team, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    token = uuid.uuid4()
    version = entry.version

    first = update(entry, photos=[cleaned()], token=token)
    # The answer never reached the phone; the same post again (same version, same token).
    entry.version = version
    second = services.entry_update(
        entry=entry,
        data={},
        files=services.EntryFileChanges(new_photos=[(cleaned(), "")]),
        expected_version=version,
        save_token=token,
        submit=False,
        by=team.user,
    )

    assert (second.pk, second.version) == (first.pk, version + 1)
    assert entry.photos.count() == 1
    assert entry.events.filter(kind="saved").count() == 1


def test_a_create_posted_twice_with_its_token_makes_one_entry_with_one_photo(team, contest):
    token = uuid.uuid4()

    def create():
        return services.entry_create(
            team=team,
            contest=contest,
            data=entry_data(),
            files=services.EntryFileChanges(new_photos=[(cleaned(), "现场")]),
            creation_token=token,
            submit=False,
            by=team.user,
        )

    first, second = create(), create()

    assert first.pk == second.pk
    assert (Entry.objects.count(), EntryPhoto.objects.count()) == (1, 1)


# --- Views -----------------------------------------------------------------------------------


def test_edit_page_refuses_a_duplicate_photo_and_keeps_what_was_typed(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    update(entry, photos=[cleaned()])
    entry.refresh_from_db()

    response = team_client.post(
        edit_url(entry),
        entry_post(version=str(entry.version), new_photos=[jpeg_upload("IMG_0001.jpg")]),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "“IMG_0001.jpg”与本项目已有的第 1 张照片完全相同，不能重复上传。" in html
    assert "社区老人不会用手机挂号、缴费。" in html
    assert entry.photos.count() == 1


def test_create_page_refuses_the_same_photo_chosen_twice(team_client, contest):
    response = team_client.post(
        create_url(contest), entry_post(new_photos=[jpeg_upload("一.jpg"), jpeg_upload("二.jpg")])
    )

    assert "“二.jpg”与本次选择的“一.jpg”是同一张照片，只需上传一次。" in response.content.decode()
    assert Entry.objects.count() == 0


def test_edit_form_posted_again_after_a_lost_answer_saves_once(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)
    form = team_client.get(edit_url(entry)).content.decode()
    token = re.search(r'name="save_token" value="([^"]+)"', form).group(1)
    post = entry_post(version=str(entry.version), save_token=token)

    first = team_client.post(edit_url(entry), {**post, "new_photos": [jpeg_upload()]}, **XHR)
    second = team_client.post(edit_url(entry), {**post, "new_photos": [jpeg_upload()]}, **XHR)

    assert first.json() == second.json() == {"ok": True, "redirect": edit_url(entry)}
    assert entry.photos.count() == 1


def test_create_form_posted_again_after_a_lost_answer_makes_one_entry(team_client, contest):
    post = entry_post(creation_token=str(uuid.uuid4()))

    first = team_client.post(create_url(contest), {**post, "new_photos": [jpeg_upload()]}, **XHR)
    second = team_client.post(create_url(contest), {**post, "new_photos": [jpeg_upload()]}, **XHR)

    entry = Entry.objects.get()
    assert first.json() == second.json() == {"ok": True, "redirect": edit_url(entry)}
    assert entry.photos.count() == 1


def test_upload_script_gets_the_refusal_as_json_with_the_version(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)

    response = team_client.post(
        edit_url(entry),
        entry_post(version=str(entry.version), title="", new_photos=[upload("x.jpg", b"not a photo")]),
        **XHR,
    )

    answer = response.json()
    assert (response.status_code, answer["ok"], answer["version"]) == (400, False, str(entry.version))
    assert any(message.startswith("项目名称：") for message in answer["errors"])
    assert any("“x.jpg”" in message for message in answer["errors"])
    assert set(answer["fields"]) == {"title", "new_photos"}
    assert answer["summary"] == "有几处需要修改，请查看下方标红的内容。您填写的文字都还在。"


def test_the_form_without_javascript_still_redirects(team, team_client, contest):
    response = team_client.post(create_url(contest), entry_post(new_photos=[jpeg_upload()]))

    assert response.status_code == 302
    assert EntryPhoto.objects.count() == 1


def test_entry_form_carries_the_progress_texts_and_a_save_token(team, team_client, contest):
    entry = factories.EntryFactory(team=team, contest=contest)

    html = team_client.get(edit_url(entry)).content.decode()

    assert 'data-upload-sending="正在上传：{sent} / {total}（{percent}）"' in html
    assert re.search(r'name="save_token" value="[0-9a-f-]{36}"', html)
    assert "data-upload-progress" in html and "重试上传" in html


# --- Screen-sized photos for the team, coordinators and organizers ----------------------------


@pytest.fixture
def photographed():
    county, other_county = factories.CountyFactory(), factories.CountyFactory()
    entry = factories.EntryFactory(team__organization__county=county, submitted=True)
    photo = factories.add_photo(entry, jpeg_bytes(1600, 1200, (30, 120, 200)))
    return {
        "entry": entry,
        "photo": photo,
        "team": entry.team.user,
        "coordinator": factories.coordinator_for(county),
        "other_coordinator": factories.coordinator_for(other_county),
        "organizer": factories.organizer(),
        "other_team": factories.TeamFactory().user,
    }


def rendition_url(photo, width=320) -> str:
    return reverse("competition:photo_rendition", args=[photo.public_id, width])


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("team", 200),
        ("coordinator", 200),
        ("organizer", 200),
        ("other_coordinator", 404),
        ("other_team", 404),
    ],
)
def test_photo_renditions_follow_who_may_see_the_entry(photographed, who, status):
    response = client_for(photographed[who]).get(rendition_url(photographed["photo"]))

    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content)
        image = Image.open(io.BytesIO(body))
        assert (image.format, image.size, response["Cache-Control"]) == (
            "JPEG",
            (320, 240),
            "private, no-cache",
        )
        assert response["ETag"]


def test_photo_rendition_needs_a_log_in_and_a_known_width(photographed):
    assert Client().get(rendition_url(photographed["photo"])).status_code == 302
    assert client_for(photographed["team"]).get(rendition_url(photographed["photo"], 300)).status_code == 404


@pytest.mark.parametrize("photos", [1, 9])
def test_coordinator_review_page_shows_thumbnails_in_constant_queries(django_assert_num_queries, photos):
    county = factories.CountyFactory()
    entry = factories.EntryFactory(team__organization__county=county, submitted=True)
    for n in range(photos):
        factories.add_photo(entry, jpeg_bytes(80, 60, (n * 25, 60, 60)))
    client = client_for(factories.coordinator_for(county))
    url = f"/admin/competition/entries/review/{entry.public_id}/"
    client.get(url)

    # As many queries for nine photos as for one: the photos are one query, the thumbnails none.
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(url)

    html = response.content.decode()
    assert len(re.findall(r'<img [^>]*src="/my/files/photos/[0-9a-f-]+/320/"', html)) == photos
    assert re.search(r'<img [^>]*src="/my/files/photos/[0-9a-f-]+/"', html) is None


# --- The backfill of the content hashes (migration competition 0005) ---------------------------


def test_the_migration_hashes_stored_photos_and_leaves_a_missing_file_blank():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("competition.migrations.0007_phones_photo_hash_save_token")
    entry = factories.EntryFactory()
    content = jpeg_bytes(80, 60, (10, 200, 90))
    kept = factories.add_photo(entry, content)
    lost = factories.add_photo(entry, jpeg_bytes(80, 60, (200, 10, 90)))
    lost.file.storage.delete(lost.file.name)
    EntryPhoto.objects.update(sha256="")

    migration.hash_stored_photos(apps, None)

    assert dict(EntryPhoto.objects.values_list("pk", "sha256")) == {
        kept.pk: hashlib.sha256(content).hexdigest(),
        lost.pk: "",
    }
