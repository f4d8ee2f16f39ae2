"""Screen-sized copies of stored photos (``common.renditions``): real JPEGs and PNGs made with
Pillow, stored in a temporary private storage folder."""

import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import RequestFactory
from PIL import Image

from common import renditions
from common.storage import private_storage
from tests.files import gps_exif, jpeg_bytes, png_bytes


class Stored:
    def __init__(self, name):
        self.storage = private_storage()
        self.name = name


def store(content: bytes, name="photos/ab/source.jpg") -> Stored:
    return Stored(private_storage().save(name, ContentFile(content)))


def decoded(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_render_scales_to_the_width_keeps_the_shape_and_drops_every_metadata():
    source = jpeg_bytes(4000, 3000, exif=gps_exif(), quality=90)

    image = decoded(renditions.render(source, 320))

    assert (image.format, image.size) == ("JPEG", (320, 240))
    assert (dict(image.getexif()), set(image.info) & {"exif", "xmp", "icc_profile", "comment"}) == ({}, set())


def test_render_never_enlarges_a_small_photo():
    assert decoded(renditions.render(jpeg_bytes(200, 100), 1280)).size == (200, 100)


def test_render_puts_a_transparent_png_on_white():
    image = decoded(renditions.render(png_bytes(640, 480, mode="RGBA"), 320))

    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (320, 240))


def test_rendition_names_do_not_contain_the_source_name():
    name = renditions.rendition_name("photos/ab/0123456789abcdef.jpg", 320)

    assert "0123456789abcdef" not in name
    assert name.startswith("renditions/") and name.endswith("-320.jpg")
    assert renditions.rendition_name("photos/ab/other.jpg", 320) != name


@pytest.mark.django_db
def test_ensure_rendition_stores_once_and_reuses_it(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    photo = store(jpeg_bytes(1600, 1200))

    first, _ = renditions.ensure_rendition(photo, 320)
    made = (tmp_path / first).stat().st_mtime_ns
    second, content = renditions.ensure_rendition(photo, 320)

    assert (first, content) == (second, None)
    assert (tmp_path / second).stat().st_mtime_ns == made
    assert sorted(p.name for p in (tmp_path / "renditions").rglob("*.jpg")) == [first.rsplit("/", 1)[1]]


@pytest.mark.django_db
def test_a_rendition_being_made_elsewhere_is_waited_for_then_made_here_unstored(
    tmp_path, settings, monkeypatch
):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(renditions, "WAIT_SECONDS", 0.2)
    photo = store(jpeg_bytes(800, 600))
    lock = f"rendition-lock:{renditions.rendition_name(photo.name, 320)}"
    cache.add(lock, 1, 30)  # another request is making it
    try:
        name, content = renditions.ensure_rendition(photo, 320)
    finally:
        cache.delete(lock)

    assert (name, decoded(content).size) == (None, (320, 240))
    assert not (tmp_path / "renditions").exists()


@pytest.mark.django_db
def test_rendition_response_answers_304_to_a_current_copy(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    photo = store(jpeg_bytes(800, 600))
    first = renditions.rendition_response(RequestFactory().get("/"), photo, 320)
    etag = first["ETag"]

    again = renditions.rendition_response(RequestFactory().get("/", HTTP_IF_NONE_MATCH=etag), photo, 320)
    other = renditions.rendition_response(RequestFactory().get("/", HTTP_IF_NONE_MATCH='"x"'), photo, 640)

    assert (first.status_code, first["Cache-Control"], first["Content-Type"]) == (
        200,
        "private, no-cache",
        "image/jpeg",
    )
    assert decoded(b"".join(first.streaming_content)).size == (320, 240)
    assert (again.status_code, again["ETag"], again.content) == (304, etag, b"")
    assert (other.status_code, other["ETag"] != etag) == (200, True)


@pytest.mark.django_db
def test_delete_renditions_removes_every_width(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    photo = store(jpeg_bytes(800, 600))
    for width in renditions.WIDTHS:
        renditions.ensure_rendition(photo, width)

    renditions.delete_renditions(private_storage(), photo.name)

    assert list((tmp_path / "renditions").rglob("*.jpg")) == []
