"""Judges' photos at screen size (issue 11, phones): made from the round's frozen blind copies,
never from the team's files; bare JPEGs of the asked width; need to know as for the photo
itself; kept by the browser only with a check at every use; the score page's thumbnails."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from common.storage import private_storage
from judging.models import BlindFile
from judging.phases import SCORING
from tests.files import gps_exif, jpeg_bytes
from tests.judging.factories import (
    JudgeFactory,
    RoundFactory,
    assign,
    client_for,
    eligible_entry,
    set_status,
    sync,
)

pytestmark = pytest.mark.django_db

RED, BLUE, GREEN = (220, 20, 30), (20, 40, 220), (20, 200, 40)


def rendition_url(round, round_entry, n, width) -> str:
    return reverse("judging:photo_rendition", args=[round.code, round_entry.blind_code, n, width])


def decoded(response) -> Image.Image:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def camera_jpeg(width, height, color, **save) -> bytes:
    """A photo that compresses like a real one (grain on a colour), not a flat test card."""
    grain = Image.effect_noise((width, height), 64).convert("RGB")
    image = Image.blend(Image.new("RGB", (width, height), color), grain, 0.25)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, **save)
    return out.getvalue()


def near(pixel, color, tolerance=60) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


@pytest.fixture
def world():
    """A round open for scoring: entry A (two 2000×1500 photos with EXIF) assigned to one
    judge, entry B (one photo) to another."""
    round = RoundFactory()
    photo = camera_jpeg(2000, 1500, RED, exif=gps_exif())
    entry_a = eligible_entry(round.contest, photo_bytes=[photo, jpeg_bytes(2000, 1500, BLUE)])
    entry_b = eligible_entry(round.contest, photo_bytes=[jpeg_bytes(1200, 900, GREEN)])
    round_entries = {re.entry_id: re for re in sync(round)}
    judge, other = JudgeFactory(), JudgeFactory()
    assign(round_entries[entry_a.pk], judge)
    assign(round_entries[entry_b.pk], other)
    set_status(round, SCORING)
    return {
        "round": round,
        "judge": judge,
        "a": round_entries[entry_a.pk],
        "b": round_entries[entry_b.pk],
        "entry_a": entry_a,
    }


@pytest.mark.parametrize(("width", "size"), [(320, (320, 240)), (640, (640, 480)), (1280, (1280, 960))])
def test_judge_gets_a_bare_jpeg_of_the_asked_width(world, width, size):
    response = client_for(world["judge"].user).get(rendition_url(world["round"], world["a"], 1, width))

    image = decoded(response)
    assert (response.status_code, response["Content-Type"], image.format, image.size) == (
        200,
        "image/jpeg",
        "JPEG",
        size,
    )
    assert (dict(image.getexif()), set(image.info) & {"exif", "xmp", "icc_profile", "comment"}) == ({}, set())
    assert near(image.getpixel((10, 10)), RED)


def test_rendition_is_made_from_the_blind_copy_not_the_teams_photo(world):
    # The frozen copy is what judges receive; make it differ from the team's stored photo.
    blind = BlindFile.objects.get(round_entry=world["a"], kind=BlindFile.Kind.PHOTO, position=2)
    blind.file = private_storage().save("photos/zz/frozen.jpg", ContentFile(jpeg_bytes(800, 600, GREEN)))
    blind.save()

    image = decoded(client_for(world["judge"].user).get(rendition_url(world["round"], world["a"], 2, 320)))

    assert near(image.getpixel((10, 10)), GREEN)
    assert not near(image.getpixel((10, 10)), BLUE)


def test_the_thumbnail_of_a_large_photo_is_small(world):
    response = client_for(world["judge"].user).get(rendition_url(world["round"], world["a"], 1, 320))
    body = b"".join(response.streaming_content)
    blind = BlindFile.objects.get(round_entry=world["a"], kind=BlindFile.Kind.PHOTO, position=1)

    assert len(body) < 30_000 < blind.size


@pytest.mark.parametrize(
    "url",
    [
        lambda w: rendition_url(w["round"], w["b"], 1, 320),  # another entry's
        lambda w: rendition_url(w["round"], w["a"], 3, 320),  # no such photo
        lambda w: rendition_url(w["round"], w["a"], 1, 321),  # no such width
        lambda w: rendition_url(w["round"], w["a"], 1, 4096),
        lambda w: reverse("competition:photo_rendition", args=[w["entry_a"].photos.first().public_id, 320]),
        lambda w: reverse("competition:photo_file", args=[w["entry_a"].photos.first().public_id]),
    ],
    ids=["other-entry", "no-photo", "odd-width", "huge-width", "team-rendition", "team-original"],
)
def test_judge_gets_404_for_anything_else(world, url):
    response = client_for(world["judge"].user).get(url(world))

    assert response.status_code == 404


def test_a_judge_who_declared_a_conflict_no_longer_gets_the_rendition(world):
    client = client_for(world["judge"].user)
    url = rendition_url(world["round"], world["a"], 1, 320)
    etag = client.get(url)["ETag"]
    client.post(
        reverse("judging:declare_conflict", args=[world["round"].code, world["a"].blind_code]),
        {"reason": "认识负责人"},
    )

    # The browser asks again before showing its copy (no-cache): now a 404, not a 304.
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_rendition_is_kept_privately_and_revalidated_with_an_etag(world):
    client = client_for(world["judge"].user)
    url = rendition_url(world["round"], world["a"], 1, 320)

    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, first["Cache-Control"], first["Content-Disposition"]) == (
        200,
        "private, no-cache",
        "inline",
    )
    assert (again.status_code, again["Cache-Control"], again["ETag"], again.content) == (
        304,
        "private, no-cache",
        first["ETag"],
        b"",
    )
    # The score page itself stays unstored.
    page = client.get(reverse("judging:score", args=[world["round"].code, world["a"].blind_code]))
    assert page["Cache-Control"] == "private, no-store"


def test_score_page_shows_thumbnails_with_srcset_and_links_the_screen_size(world):
    round, round_entry = world["round"], world["a"]
    page = client_for(world["judge"].user).get(
        reverse("judging:score", args=[round.code, round_entry.blind_code])
    )
    html = page.content.decode()

    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 2
    for n, tag in enumerate(images, start=1):
        assert f'src="{rendition_url(round, round_entry, n, 320)}"' in tag
        assert f"{rendition_url(round, round_entry, n, 640)} 640w" in tag
        assert 'loading="lazy"' in tag and "sizes=" in tag
        assert f'href="{rendition_url(round, round_entry, n, 1280)}"' in html
    # No full-size photo is loaded by the page.
    assert reverse("judging:photo", args=[round.code, round_entry.blind_code, 1]) + '"' not in html


@pytest.mark.parametrize("photos", [1, 9])
def test_score_page_query_count_is_constant_in_the_number_of_photos(django_assert_num_queries, photos):
    round = RoundFactory()
    entry = eligible_entry(
        round.contest, photo_bytes=[jpeg_bytes(80, 60, (n * 25, 90, 90)) for n in range(photos)]
    )
    (round_entry,) = sync(round)
    judge = JudgeFactory()
    assign(round_entry, judge)
    set_status(round, SCORING)
    client = client_for(judge.user)
    client.get(reverse("judging:dashboard"))

    with django_assert_num_queries(8):
        response = client.get(reverse("judging:score", args=[round.code, round_entry.blind_code]))

    assert len(re.findall(r"<img [^>]*/320/", response.content.decode())) == photos
    assert entry.photos.count() == photos


def test_a_missing_stored_photo_is_a_404_not_a_500(world):
    blind = BlindFile.objects.get(round_entry=world["a"], kind=BlindFile.Kind.PHOTO, position=1)
    blind.file = "photos/zz/gone.jpg"
    blind.save()

    response = client_for(world["judge"].user).get(rendition_url(world["round"], world["a"], 1, 320))

    assert (response.status_code, response["Cache-Control"]) == (404, "private, no-store")
