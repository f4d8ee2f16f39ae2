"""Writes for the public site: draft project pages from the featured projects, and their
publication.

A finalized shortlist makes featured projects (``awards.FeaturedProject``); each gets a draft
``ProjectPage`` under the showcase, filled from its entry, for editors to check, enrich and
publish. Entry photos live in private storage: they are read through the storage API and copied
into the Wagtail image library, so that the public page never points at a private file. Until
the page is published they sit in the contest's unpublished collection (``draft_collection``,
restricted to logged-in users) under random file names, so that no one outside the admin can
find them, original or rendition; publishing the page moves them into the contest's collection
(``release_project_photos``, on ``page_published``).

Consent (``Entry.consent_publish`` and ``Entry.consent_guardians``, both required to submit):

* without ``consent_publish`` the team has not agreed to have its texts and photos shown, so the
  draft carries only what the public notice of the shortlist has already made public (title,
  team, organization, category, county, year): no summary, no figures, no texts, no photos;
* without ``consent_guardians`` (minors may appear in the photos) no photo is copied.

Editors see such drafts in the admin and may complete them once the team has agreed.
"""

import hashlib
import html
import io
import logging
import posixpath
import secrets
from collections.abc import Iterable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import Collection, CollectionViewRestriction, Page, Site
from wagtail.rich_text import RichText

from awards.models import FeaturedProject
from competition.models import Contest, EntryPhoto

from .models import ContestPage, HomePage, ProjectPage, ProjectPhoto, ShowcaseIndexPage

logger = logging.getLogger(__name__)

SHOWCASE_TITLE = "优秀项目"
SHOWCASE_SLUG = "projects"
SHOWCASE_INTRO = "历届大赛评选出的优秀志愿服务项目，可按项目类别、县（市、区）和年度查看。"

# The entry's texts, in the order the page shows them (headings are page content, in Chinese).
BODY_SECTIONS = (
    ("need", "针对的需求"),
    ("approach", "实施方式"),
    ("innovation", "创新之处"),
    ("outcomes", "服务成效"),
)
FIGURE_FIELDS = ("volunteers", "beneficiaries", "service_hours", "activities")
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/avif": "avif"}


# --- Where things go ----------------------------------------------------------------------------


def home_page() -> HomePage:
    """The site's home page (made by migration cms/0002)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None and isinstance(site.root_page.specific, HomePage):
        return site.root_page.specific
    home = HomePage.objects.order_by("path").first()
    if home is None:
        raise RuntimeError("No HomePage: run the migrations (cms/0002 creates it).")
    return home


def showcase_index() -> ShowcaseIndexPage:
    """The showcase (there is one), made live under the home page if it is missing."""
    showcase = ShowcaseIndexPage.objects.order_by("path").first()
    if showcase is None:
        showcase = ShowcaseIndexPage(title=SHOWCASE_TITLE, slug=SHOWCASE_SLUG, intro=SHOWCASE_INTRO)
        add_live_page(home_page(), showcase, show_in_menus=True)
    return showcase


def add_live_page(parent: Page, page: Page, *, show_in_menus: bool = False, user=None) -> Page:
    """Add *page* under *parent* the way the admin does (a draft with a revision), then publish
    that revision."""
    page.live = False
    page.show_in_menus = show_in_menus
    parent.add_child(instance=page)
    page.save_revision(user=user, clean=False).publish(user=user)  # validated as it was added
    return page


def contest_collection(contest: Contest) -> Collection:
    """The image collection of the contest, named after it, under the root collection."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=contest.title).first()
    return collection or root.add_child(name=contest.title)


def draft_collection(contest: Contest) -> Collection:
    """Where the photos of the contest's draft project pages wait for publication: under the
    contest's collection, restricted to logged-in users."""
    parent = contest_collection(contest)
    name = f"{contest.title}（未发布）"
    collection = parent.get_children().filter(name=name).first()
    if collection is None:
        collection = parent.add_child(name=name)
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection


def library_image(content: bytes, *, title: str, file_name: str, collection: Collection, description=""):
    """Store *content* (image bytes) as a Wagtail image in *collection*."""
    image = get_image_model()(
        title=title[:255],
        description=description[:255],
        collection=collection,
        file=ImageFile(io.BytesIO(content), name=file_name),  # width and height read from it
        file_size=len(content),
        file_hash=_file_hash(content),
    )
    image.save()
    return image


def _file_hash(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()  # as Wagtail hashes files


# --- Draft project pages -------------------------------------------------------------------------


def create_project_drafts(contest: Contest) -> list[ProjectPage]:
    """A draft project page for every featured project of *contest* that has none yet.

    Idempotent: a featured project that already has a page (draft, live or edited) is left
    alone. Each page is made in its own savepoint, with its featured project locked, so that
    two runs at once cannot make two pages for one project.
    """
    pending = list(
        FeaturedProject.objects.filter(contest=contest, page__isnull=True)
        .order_by("rank", "pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        return []
    showcase = showcase_index()
    collection = draft_collection(contest)
    photos = Prefetch("entry__photos", queryset=EntryPhoto.objects.order_by("sort_order", "pk"))
    pages = []
    for featured_id in pending:
        with transaction.atomic():
            featured = (
                FeaturedProject.objects.select_for_update(of=("self",))
                .filter(pk=featured_id, page__isnull=True)
                .select_related(
                    "contest",
                    "tier",
                    "entry__category",
                    "entry__team__organization__county",
                )
                .prefetch_related(photos)
                .first()
            )
            if featured is None:  # made meanwhile by another run
                continue
            pages.append(_draft_page(featured, showcase=showcase, collection=collection))
    logger.info("%s draft project pages made for contest %s", len(pages), contest.pk)
    return pages


def _draft_page(featured: FeaturedProject, *, showcase: ShowcaseIndexPage, collection) -> ProjectPage:
    entry = featured.entry
    organization = entry.team.organization
    consented = entry.consent_publish
    page = ProjectPage(
        title=entry.title,
        slug=_free_slug(showcase, f"{featured.contest.year}-{featured.rank:03d}", featured.pk),
        featured=featured,
        category=entry.category,
        county=organization.county,
        year=featured.contest.year,
        award=featured.tier_name,
        team_name=entry.team.name,
        organization_name=organization.name,
        live=False,
    )
    if consented:
        page.summary = entry.summary
        for name in FIGURE_FIELDS:
            setattr(page, name, getattr(entry, name))
        page.body = _body(entry)
    if consented and entry.consent_guardians:
        page_photos = []
        for n, photo in enumerate(entry.photos.all(), start=1):
            alt = f"{entry.title}活动照片 {n}"
            image = _copy_photo(photo, title=alt, collection=collection)
            page_photos.append(ProjectPhoto(image=image, alt=alt, caption=photo.caption, sort_order=n))
        page.photos = page_photos
        if page_photos:
            page.cover_image = page_photos[0].image
            page.cover_alt = page_photos[0].alt
    elif entry.photos.all():
        logger.info("featured project %s: no consent to publish its photos; none copied", featured.pk)
    showcase.add_child(instance=page)
    log(instance=page, action="wagtail.create")
    page.save_revision(clean=False)  # validated as it was added; the revision carries the photos
    return page


def _free_slug(parent: Page, slug: str, suffix) -> str:
    if parent.get_children().filter(slug=slug).exists():
        return f"{slug}-{suffix}"
    return slug


def free_child_slug(parent: Page, wanted: str, *, exclude=None) -> str:
    """*wanted*, or *wanted*-2, -3 … : the first that no other child of *parent* has."""
    siblings = parent.get_children()
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    slug, n = wanted, 2
    while siblings.filter(slug=slug).exists():
        slug = f"{wanted}-{n}"
        n += 1
    return slug


def _body(entry) -> list[tuple[str, RichText]]:
    """The entry's texts as rich-text paragraphs under headings, escaped (teams wrote them)."""
    blocks = []
    for name, heading in BODY_SECTIONS:
        text = (getattr(entry, name) or "").strip()
        if not text:
            continue
        paragraphs = "".join(
            f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
        )
        blocks.append(("paragraph", RichText(f"<h2>{heading}</h2>{paragraphs}")))
    return blocks


def _copy_photo(photo: EntryPhoto, *, title: str, collection):
    """Copy a private entry photo into *collection* (the contest's unpublished one), read
    through the storage API, under a random name (a predictable one would let anyone fetch it
    from /media/ before publication). The same bytes already in the contest's collections (a
    photo a team used for two entries, or a page deleted and drafted again) are not stored
    twice."""
    storage = photo.file.storage
    with storage.open(photo.file.name, "rb") as source:
        content = source.read()
    digest = _file_hash(content)
    existing = (
        get_image_model()
        .objects.filter(collection__in=[collection, collection.get_parent()], file_hash=digest)
        .first()
    )
    if existing is not None:
        return existing
    extension = PHOTO_EXTENSIONS.get(photo.content_type) or posixpath.splitext(photo.file.name)[1].lstrip(".")
    return library_image(
        content,
        title=title,
        file_name=f"project-{secrets.token_hex(16)}.{extension or 'jpg'}",
        collection=collection,
        description=title,
    )


# --- Publication ---------------------------------------------------------------------------------


def release_project_photos(page: ProjectPage) -> int:
    """A project page was published: its photos (and cover) leave the contest's unpublished
    collection for the contest's collection. Returns how many moved."""
    if page.featured_id is None:
        return 0
    waiting = draft_collection(page.featured.contest)
    image_ids = {photo.image_id for photo in page.photos.all()} | {page.cover_image_id}
    released = 0
    for image in get_image_model().objects.filter(pk__in=image_ids - {None}, collection=waiting):
        image.collection = waiting.get_parent()
        image.save(update_fields=["collection"])
        released += 1
    return released


def publish_project_pages(pages: Iterable[Page], user=None) -> int:
    """Publish each page's latest revision (as the admin's bulk publish does); pages that are
    live with nothing unpublished are skipped. Returns how many were published."""
    published = 0
    for page in pages:
        page = page.specific
        if page.live and not page.has_unpublished_changes:
            continue
        revision = page.get_latest_revision() or page.save_revision(user=user)
        revision.publish(user=user)
        published += 1
    return published


# --- Publishing a contest's drafts in one step ------------------------------------------------------

# Progress of a bulk publish, shared by the worker and every app server (the default cache).
PROGRESS_SECONDS = 60 * 60


def _progress_key(contest_id: int) -> str:
    return f"cms:publish-drafts:{contest_id}"


def contest_project_drafts(contest: Contest):
    """The never-published project pages drafted from the contest's featured projects (the
    finalized shortlist), in rank order: what "publish all" publishes."""
    return ProjectPage.objects.filter(featured__contest=contest, live=False).order_by("featured__rank", "pk")


def publishing_progress(contest: Contest) -> dict | None:
    """The last bulk publish of the contest's drafts: ``{"done", "total", "running"}``, or None."""
    return cache.get(_progress_key(contest.pk))


def _record_progress(contest: Contest, *, done: int, total: int, running: bool) -> None:
    cache.set(_progress_key(contest.pk), {"done": done, "total": total, "running": running}, PROGRESS_SECONDS)


def queue_contest_drafts_publishing(contest: Contest, *, user=None) -> int:
    """Mark a bulk publish as started (so the page shows progress at once) and queue it for the
    worker. Returns how many drafts it will publish."""
    from .tasks import publish_contest_drafts_task

    total = contest_project_drafts(contest).count()
    if total:
        _record_progress(contest, done=0, total=total, running=True)
        contest_id, user_id = contest.pk, getattr(user, "pk", None)
        transaction.on_commit(lambda: publish_contest_drafts_task.enqueue(contest_id, user_id))
    return total


def publish_contest_drafts(contest: Contest, *, user=None) -> int:
    """Publish every draft project page of the contest's featured projects, and only those,
    one page per transaction (its photos released as it commits), recording progress after
    each; their renditions are queued once all are live (``cms.tasks.renditions_deferred``).
    Idempotent: a page already live is not in the list. Returns how many were published."""
    from .tasks import renditions_deferred

    drafts = list(contest_project_drafts(contest))
    total = len(drafts)
    published = done = 0
    _record_progress(contest, done=0, total=total, running=True)
    with renditions_deferred():
        try:
            for page in drafts:
                with transaction.atomic():
                    # Locked and read again: a second run at once, or an editor, may have published it.
                    page = ProjectPage.objects.select_for_update().filter(pk=page.pk, live=False).first()
                    if page is not None:
                        published += publish_project_pages([page], user=user)
                done += 1
                _record_progress(contest, done=done, total=total, running=True)
        finally:
            _record_progress(contest, done=done, total=total, running=False)
    logger.info("%s draft project pages published for contest %s", published, contest.pk)
    return published


def contest_pages_copy(*, source: Contest, copy: Contest, years: int, shift, by=None) -> Page | None:
    """A contest duplicated for a new year gets a copy of the old contest's page (and the pages
    under it) beside it, as a draft to edit and publish (``competition.services.contest_duplicate``).
    It replaces the page made for the copy as it was saved (``ensure_contest_page``): that one
    holds nothing anyone wrote, the old page holds the editors' rules and pages. A source without
    a page leaves the copy with its generated one."""
    page = ContestPage.objects.filter(contest=source).first()
    if page is None:
        return None
    for made in ContestPage.objects.filter(contest=copy):
        made.delete()
    parent = page.get_parent()
    old, new = str(source.year), str(copy.year)
    slug = page.slug.replace(old, new) if old in page.slug else f"{page.slug}-{new}"
    title = page.title.replace(old, new) if old in page.title else copy.title
    return page.copy(
        recursive=True,
        to=parent,
        update_attrs={
            "contest": copy,
            "title": title,
            "draft_title": title,
            "slug": _free_slug(parent, slug, new),
            "seo_title": page.seo_title.replace(old, new),
            "go_live_at": shift(page.go_live_at),
            "expire_at": shift(page.expire_at),
        },
        copy_revisions=False,
        keep_live=False,
        user=by,
    )


# --- The contest's page ---------------------------------------------------------------------------
#
# Every contest has a live page under the home page from the moment it is saved, so that the
# public (and the home page's "大赛详情") finds it without an editor making it by hand. The page
# holds only what editors write (title, intro, rules) or may rewrite; the contest's facts (its
# dates, categories, how many entries a team may submit) are read from the contest record each
# time the page is shown (``cms.selectors.contest_context``), so there is nothing to keep in step.
# The title, intro and slug start as the contest's; while an editor has not changed them they
# follow the contest's (``follow_contest``); once changed by hand they are the editor's.

CONTEST_INTRO_LENGTH = 500  # ContestPage.intro's max_length


def contest_intro(description: str) -> str:
    """The contest's description as the page's intro (cut to fit, on a whole character)."""
    text = " ".join((description or "").split())
    if len(text) <= CONTEST_INTRO_LENGTH:
        return text
    return text[: CONTEST_INTRO_LENGTH - 1] + "…"


def ensure_contest_page(contest: Contest, *, user=None) -> ContestPage | None:
    """The contest's page: the one it has, or a new live one under the home page titled and
    introduced from the contest. Idempotent. When there is no home page yet (a database being
    set up), none is made and it is logged: the contest is saved all the same."""
    existing = ContestPage.objects.filter(contest=contest).first()
    if existing is not None:
        return existing
    try:
        home = home_page()
    except RuntimeError:
        logger.warning("contest %s: no home page yet, so no contest page was made", contest.pk)
        return None
    page = ContestPage(
        title=contest.title,
        slug=free_child_slug(home, slugify(contest.slug, allow_unicode=True) or str(contest.year)),
        contest=contest,
        intro=contest_intro(contest.description),
    )
    try:
        with transaction.atomic():  # a savepoint: a page refused leaves the contest saved
            add_live_page(home, page, show_in_menus=True, user=user)
    except ValidationError:
        logger.exception("contest %s: its page was refused, so none was made", contest.pk)
        return None
    logger.info("contest %s: page %s made", contest.pk, page.pk)
    return page


def follow_contest(contest: Contest, *, previous: dict, user=None) -> ContestPage | None:
    """The contest record changed (*previous*: its ``title``, ``description`` and ``slug`` before):
    the page's title, intro and slug that still read as the contest's did follow the new ones;
    those an editor changed are left alone. The change is published as a new revision when the
    page is live with nothing unpublished; otherwise the editor's draft gets it, to go live
    with their changes. Returns the page when it changed."""
    page = ContestPage.objects.filter(contest=contest).first()
    if page is None:
        return None
    drafting = page.has_unpublished_changes or not page.live
    target = page.get_latest_revision_as_object() if drafting else page
    changed = False
    if target.title == previous["title"] and contest.title != previous["title"]:
        target.title = target.draft_title = contest.title
        changed = True
    if target.intro == contest_intro(previous["description"]):
        intro = contest_intro(contest.description)
        if intro != target.intro:
            target.intro = intro
            changed = True
    if target.slug == previous["slug"] and contest.slug and contest.slug != previous["slug"]:
        target.slug = free_child_slug(page.get_parent(), contest.slug, exclude=page)
        changed = True
    if not changed:
        return None
    with transaction.atomic():
        if drafting:
            target.save_revision(user=user, clean=False)
        else:
            target.save_revision(user=user, clean=False).publish(user=user)
    logger.info("contest %s: page %s follows the contest's new details", contest.pk, page.pk)
    return page
