"""Publishing a page makes its image renditions in the background, so that the first readers
do not wait while AVIF, WebP and JPEG versions are encoded."""

import pytest

from cms.tasks import make_renditions
from tests.cms import factories

pytestmark = pytest.mark.django_db


def test_publishing_a_project_makes_the_renditions_its_page_and_card_use(django_capture_on_commit_callbacks):
    page = factories.project(publish=False, photos=1)
    assert not page.cover_image.renditions.exists()

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    specs = set(page.cover_image.renditions.values_list("filter_spec", flat=True))
    for size in ("400x300", "800x600"):  # the card's two widths
        for image_format in ("avif", "webp", "jpeg"):
            assert any(size in spec and image_format in spec for spec in specs), (size, image_format, specs)
    photo = page.photos.get().image
    assert photo.renditions.exists()  # the page's own gallery


def test_a_page_unpublished_before_the_task_runs_is_left_alone():
    page = factories.project(publish=False)

    assert make_renditions.call(page.pk) == 0
    assert not page.cover_image.renditions.exists()
