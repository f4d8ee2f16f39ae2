"""Photos of featured projects are not public before their page is: a draft's photos sit in
the contest's unpublished collection under random names (no URL anyone can derive), and join
the public collection when the page is published, which then shows them."""

import re

import pytest
from django.test import Client
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from awards.models import FeaturedProject
from cms import services
from cms.models import ProjectPage
from tests.files import jpeg_bytes
from tests.judging.factories import eligible_entry

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^original_images/project-[0-9a-f]{32}\.jpg$")
RENDITION_URL = re.compile(r'/media/images/[^"\s]+')


@pytest.fixture
def draft(contest):
    entry = eligible_entry(
        contest, photo_bytes=[jpeg_bytes(color=(200, 40, 60)), jpeg_bytes(color=(10, 120, 220))]
    )
    featured = FeaturedProject.objects.create(contest=contest, entry=entry, rank=1, score=90)
    (page,) = services.create_project_drafts(contest)
    return featured, page


def test_draft_photos_have_names_nobody_can_derive_and_no_public_url(draft, settings):
    featured, page = draft
    images = [photo.image for photo in page.photos.order_by("sort_order")]
    # The admin's preview makes renditions of them: those must not be findable either.
    renditions = [image.get_rendition("fill-800x600|format-jpeg") for image in images]
    anonymous = Client()

    assert len(images) == 2
    assert all(RANDOM_NAME.match(image.file.name) for image in images), [i.file.name for i in images]
    for n in (1, 2):  # the names the photos used to get
        for folder in ("original_images", "images"):
            assert anonymous.get(f"/media/{folder}/project-{featured.pk}-{n}.jpg").status_code == 404
    # The page is a draft: neither it nor the showcase, the search or the sitemap names them.
    public_pages = [page.url, page.get_parent().url, "/search/?q=" + page.title, "/sitemap.xml"]
    for url in public_pages:
        html = anonymous.get(url).content.decode()
        for image, rendition in zip(images, renditions, strict=True):
            assert image.file.name.rsplit("/", 1)[1].split(".")[0] not in html
            assert rendition.file.name not in html


def test_draft_photos_wait_in_the_contests_restricted_collection(draft, contest):
    _featured, page = draft

    collections = {photo.image.collection for photo in page.photos.all()}

    (waiting,) = collections
    assert waiting.get_parent() == Collection.objects.get(name=contest.title)
    assert CollectionViewRestriction.objects.get(collection=waiting).restriction_type == "login"
    assert page.cover_image.collection == waiting


def test_publishing_the_page_releases_its_photos_and_the_page_shows_them(draft, contest):
    _featured, page = draft

    services.publish_project_pages([page])

    page = ProjectPage.objects.get(pk=page.pk)
    public = Collection.objects.get(name=contest.title)
    assert {photo.image.collection for photo in page.photos.all()} == {public}
    assert page.cover_image.collection == public
    anonymous = Client()
    response = anonymous.get(page.url)
    assert response.status_code == 200
    urls = set(RENDITION_URL.findall(response.content.decode()))
    image_ids = {photo.image_id for photo in page.photos.all()}
    assert urls
    assert all(anonymous.get(url).status_code == 200 for url in urls)
    shown = {
        r.image_id
        for r in get_image_model().get_rendition_model().objects.all()
        if "/media/" + r.file.name in urls
    }
    assert shown == image_ids


def test_release_leaves_a_page_without_featured_project_alone(draft):
    _featured, page = draft
    page.featured = None

    assert services.release_project_photos(page) == 0
