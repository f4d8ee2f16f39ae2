"""Finalize → draft project pages: made from the featured projects with the entries' data and
photos copied into the image library, idempotent, respectful of the teams' consent; published
from code or by an organizer through the admin's bulk action."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Revision

from accounts.roles import ORGANIZERS
from awards.models import FeaturedProject
from awards.notice.services import notice_publish
from awards.outcomes.services import shortlist_finalize
from awards.shortlist.services import shortlist_commit
from cms import services
from cms.models import HomePage, ProjectPage, ProjectPhoto, ShowcaseIndexPage
from cms.tasks import make_project_drafts
from tests import factories
from tests.files import jpeg_bytes
from tests.judging.factories import eligible_entry
from tests.judging.result_factories import entry_in, ranked_round

START = timezone.make_aware(timezone.datetime(2026, 6, 1, 9, 0))


def photos(seed: int, count: int = 2) -> list[bytes]:
    """Distinct JPEGs (the library keeps one copy of identical bytes)."""
    return [jpeg_bytes(color=(200, (40 * seed) % 256, (60 * n + seed) % 256)) for n in range(count)]


def featured(contest, *, rank: int, photo_count: int = 2, **entry_fields) -> FeaturedProject:
    entry = eligible_entry(contest, photo_bytes=photos(rank, photo_count), **entry_fields)
    return FeaturedProject.objects.create(contest=contest, entry=entry, rank=rank, score=90 - rank)


def private_bytes(photo) -> bytes:
    with photo.file.storage.open(photo.file.name, "rb") as source:
        return source.read()


def library_bytes(image) -> bytes:
    with image.file.open("rb") as stored:
        return stored.read()


# --- From a real finalize --------------------------------------------------------------------------


def test_finalizing_a_shortlist_drafts_a_project_page_per_featured_project(
    contest, organizer, django_capture_on_commit_callbacks
):
    county = factories.CountyFactory(name="平顺县")
    entries = [
        entry_in(contest, county=county, photo_bytes=photos(n, 2), title=f"七彩课堂留守儿童助学{n}")
        for n in range(3)
    ]
    round, _round_entries = ranked_round(contest, [90, 80, 70], order=1)
    shortlist = shortlist_commit(round=round, by=organizer, size=2)
    shortlist = notice_publish(shortlist=shortlist, by=organizer, days=5, now=START)

    with django_capture_on_commit_callbacks(execute=True):
        shortlist_finalize(shortlist=shortlist, by=organizer, now=START + timedelta(days=5))

    pages = list(ProjectPage.objects.order_by("path"))
    assert [page.featured.entry for page in pages] == entries[:2]
    showcase = ShowcaseIndexPage.objects.get()
    assert showcase.live and showcase.get_parent().specific == HomePage.objects.get()
    collection = Collection.objects.get(name=contest.title)
    assert collection.get_parent() == Collection.get_first_root_node()
    for rank, (page, entry) in enumerate(zip(pages, entries, strict=False), start=1):
        assert page.get_parent().specific == showcase
        assert (page.live, page.has_unpublished_changes) == (False, True)
        assert page.latest_revision is not None  # a draft editors see in the admin
        assert page.slug == f"{contest.year}-{rank:03d}"
        team = entry.team
        assert (page.title, page.summary, page.category, page.county, page.year) == (
            entry.title,
            entry.summary,
            entry.category,
            county,
            contest.year,
        )
        assert (page.team_name, page.organization_name) == (team.name, team.organization.name)
        assert (page.volunteers, page.beneficiaries, page.service_hours, page.activities) == (
            entry.volunteers,
            entry.beneficiaries,
            entry.service_hours,
            entry.activities,
        )
        assert "<h2>服务成效</h2>" in page.body.raw_data[-1]["value"]
        entry_photos = list(entry.photos.order_by("sort_order", "pk"))
        page_photos = list(page.photos.order_by("sort_order"))
        assert [p.alt for p in page_photos] == [f"{entry.title}活动照片 {n}" for n in (1, 2)]
        assert [library_bytes(p.image) for p in page_photos] == [private_bytes(p) for p in entry_photos]
        # Until publication, in the contest's unpublished collection under random names.
        assert {p.image.collection.name for p in page_photos} == {f"{contest.title}（未发布）"}
        assert {p.image.collection.get_parent() for p in page_photos} == {collection}
        assert (page.cover_image, page.cover_alt) == (page_photos[0].image, page_photos[0].alt)
        # the revision carries the photos, so publishing it keeps them
        assert len(page.latest_revision.content["photos"]) == 2


def test_the_task_of_a_contest_that_is_gone_does_nothing(db):
    assert make_project_drafts.call(contest_id=987654) == []
    assert not ProjectPage.objects.exists()


# --- create_project_drafts ---------------------------------------------------------------------------


def test_drafting_twice_makes_nothing_new_and_leaves_pages_alone(contest):
    first = [featured(contest, rank=rank) for rank in (1, 2)]
    made = services.create_project_drafts(contest)
    edited = made[0]
    edited.title = "编辑改过的标题"
    edited.save_revision()
    counts = (
        ProjectPage.objects.count(),
        ProjectPhoto.objects.count(),
        get_image_model().objects.count(),
        Revision.objects.count(),
    )

    again = services.create_project_drafts(contest)
    later = featured(contest, rank=3)
    third = services.create_project_drafts(contest)

    assert [page.featured for page in made] == first
    assert again == []
    # revisions: the contest page's (made with the contest), the showcase's, two drafts, the edit
    assert counts == (2, 4, 4, 5)
    assert ProjectPage.objects.get(pk=edited.pk).get_latest_revision_as_object().title == "编辑改过的标题"
    assert [page.featured for page in third] == [later]
    assert ProjectPage.objects.count() == 3


def test_a_page_deleted_by_an_editor_is_drafted_again_without_copying_its_photos_twice(contest):
    featured(contest, rank=1)
    (page,) = services.create_project_drafts(contest)
    images = set(get_image_model().objects.values_list("pk", flat=True))
    page.delete()

    (again,) = services.create_project_drafts(contest)

    assert {p.image_id for p in again.photos.all()} == images
    assert get_image_model().objects.count() == len(images)


def test_without_consent_to_publish_a_page_has_only_what_the_public_notice_showed(contest):
    refused = featured(contest, rank=1, consent_publish=False)
    no_guardians = featured(contest, rank=2, consent_guardians=False)

    pages = {page.featured: page for page in services.create_project_drafts(contest)}

    page = pages[refused]
    assert (page.title, page.team_name, page.category) == (
        refused.entry.title,
        refused.entry.team.name,
        refused.entry.category,
    )
    assert (page.summary, page.volunteers, page.beneficiaries, list(page.body)) == ("", None, None, [])
    assert (page.cover_image, list(page.photos.all())) == (None, [])
    page = pages[no_guardians]  # minors may be in the photos: texts, but no photo
    assert page.summary == no_guardians.entry.summary and page.volunteers == no_guardians.entry.volunteers
    assert (page.cover_image, list(page.photos.all())) == (None, [])
    assert not get_image_model().objects.exists()


def test_the_showcase_that_exists_is_used_and_slugs_stay_unique(contest):
    showcase = services.showcase_index()
    taken = ProjectPage(title="编辑先建的页面", slug=f"{contest.year}-001")
    showcase.add_child(instance=taken)
    one = featured(contest, rank=1, photo_count=0)

    (page,) = services.create_project_drafts(contest)

    assert ShowcaseIndexPage.objects.count() == 1
    assert page.get_parent().pk == showcase.pk
    assert page.slug == f"{contest.year}-001-{one.pk}"
    assert (page.cover_image, page.cover_alt) == (None, "")


# --- Publication ----------------------------------------------------------------------------------


def test_publish_project_pages_publishes_the_drafts_with_their_photos(contest):
    for rank in (1, 2):
        featured(contest, rank=rank)
    pages = services.create_project_drafts(contest)

    published = services.publish_project_pages(pages)
    again = services.publish_project_pages(ProjectPage.objects.all())

    assert (published, again) == (2, 0)
    for page in ProjectPage.objects.all():
        assert page.live and not page.has_unpublished_changes and page.first_published_at
        assert page.photos.count() == 2 and page.cover_image_id == page.photos.first().image_id
    assert ProjectPage.objects.live().count() == 2


def test_the_organizers_group_may_edit_and_publish_the_site_and_use_the_library(organizer):
    group = Group.objects.get(name=ORGANIZERS)
    home = HomePage.objects.get()
    root = Collection.get_first_root_node()

    page_permissions = set(
        GroupPagePermission.objects.filter(group=group, page=home).values_list(
            "permission__codename", flat=True
        )
    )
    collection_permissions = set(
        GroupCollectionPermission.objects.filter(group=group, collection=root).values_list(
            "permission__codename", flat=True
        )
    )

    assert page_permissions == {"add_page", "change_page", "publish_page"}
    assert collection_permissions == {
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    }
    assert organizer.has_perm("cms.change_sitesettings")
    assert home.permissions_for_user(organizer).can_publish_subpage()


def bulk_publish(client: Client, pages):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    query = "&".join(f"id={page.pk}" for page in pages)
    return client.get(f"{url}?{query}"), client.post(f"{url}?{query}", {"include_descendants": ""})


def test_an_organizer_bulk_publishes_the_drafts_in_the_admin(contest, organizer_client):
    for rank in (1, 2, 3):
        featured(contest, rank=rank, photo_count=1)
    pages = services.create_project_drafts(contest)

    confirm, done = bulk_publish(organizer_client, pages[:2])

    assert confirm.status_code == 200
    assert [item["item"].title for item in confirm.context["items"]] == [page.title for page in pages[:2]]
    assert done.status_code == 302
    live = {page.pk: page.live for page in ProjectPage.objects.all()}
    assert live == {pages[0].pk: True, pages[1].pk: True, pages[2].pk: False}
    assert all(ProjectPage.objects.get(pk=page.pk).photos.count() == 1 for page in pages[:2])


def test_someone_without_page_permissions_cannot_bulk_publish(contest):
    featured(contest, rank=1, photo_count=1)
    pages = services.create_project_drafts(contest)
    coordinator = factories.coordinator_for(factories.CountyFactory(name="壶关县"))
    client = Client()
    client.force_login(coordinator)

    bulk_publish(client, pages)

    assert not ProjectPage.objects.live().exists()
