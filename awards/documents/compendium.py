"""The compendium of the featured projects (优秀项目汇编): cover, contents by category, one or
two A4 pages per project with its key figures, its story and up to three photos.

What a project shows follows the team's consent, as its public page does (``cms.services``):
without ``consent_publish`` only what the public notice already made public (title, team,
organization, county, category, tier); photos only with ``consent_guardians`` as well.

Photos are re-encoded from bare pixels (``common.renditions.render``: no EXIF, no GPS) at the
size their place on the page needs at ``PRINT_DPI``, one at a time, into a temporary folder the
PDF engine reads them from (file:// URLs); the folder is removed when the PDF is written, so
at most one source photo is in memory while they are made.
"""

import gc
import logging
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from PIL import UnidentifiedImageError

from awards.documents.context import base_context, document_template
from awards.documents.engine import missing_characters, render_pages
from awards.documents.progress import Built, Progress
from awards.models import FeaturedProject
from common.renditions import render
from competition.models import Entry

logger = logging.getLogger(__name__)

PHOTOS_PER_PROJECT = 3
RENDITION_THREADS = 2
PRINT_DPI = 240
MAX_PIXELS = 1600  # no side of a print rendition is longer
# Where the photos go on the page (millimetres, the template's CSS says the same): the first
# across the text width, the others two side by side under it.
LEAD_BOX_MM = (170, 100)
SIDE_BOX_MM = (83, 62)
# Each text of the story is cut (at a sentence end when there is one) so that a project keeps
# to two pages; the full texts stay on the entry and its public page.
STORY_CHARS = 360
STORY_FIELDS = ("need", "approach", "innovation", "outcomes")
FIGURE_FIELDS = ("volunteers", "beneficiaries", "service_hours", "activities", "started_on")


@dataclass(frozen=True)
class PrintPhoto:
    url: str
    caption: str
    lead: bool


@dataclass
class Sheet:
    """One project's pages."""

    featured: FeaturedProject
    anchor: str
    title: str
    team_name: str
    organization_name: str
    county_name: str
    category_label: str
    tier_name: str
    consented: bool
    summary: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    photos: list[PrintPhoto] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [
            self.title,
            self.team_name,
            self.organization_name,
            self.summary,
            *(text for _heading, text in self.sections),
            *(photo.caption for photo in self.photos),
        ]


@dataclass
class Chapter:
    """A category's projects."""

    anchor: str
    label: str
    sheets: list[Sheet] = field(default_factory=list)


def compendium_projects(*, contest) -> list[FeaturedProject]:
    """The contest's featured projects with entry, team, organization, county, category, tier
    and the entry's photos (in their order), by category then rank: two queries."""
    return list(
        FeaturedProject.objects.filter(contest=contest)
        .select_related("tier", "entry__category", "entry__team__organization__county")
        .prefetch_related(Prefetch("entry__photos"))
        .order_by("entry__category__sort_order", "entry__category__code", "entry__category_id", "rank", "pk")
    )


def printable_photos(entry: Entry) -> list:
    """The photos the team agreed to publish, best first (the team's order): at most three."""
    if not (entry.consent_publish and entry.consent_guardians):
        return []
    return list(entry.photos.all())[:PHOTOS_PER_PROJECT]


def clip(text: str, limit: int = STORY_CHARS) -> str:
    """``text`` cut to about ``limit`` characters, at the last sentence end when it is in the
    second half, marked with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [match.end() for match in re.finditer(r"[。！？!?；;]", head)]
    if ends and ends[-1] > limit // 2:
        return head[: ends[-1]] + "……"
    return head.rstrip() + "……"


def _label(name: str) -> str:
    return str(Entry._meta.get_field(name).verbose_name)


def _figure(entry: Entry, name: str) -> str | None:
    value = getattr(entry, name)
    if value is None:
        return None
    if name == "started_on":
        return _("%(year)s年%(month)s月") % {"year": value.year, "month": value.month}
    return f"{value:,}"


def pixel_width(width: int, height: int, *, lead: bool) -> int:
    """The width a photo of ``width`` × ``height`` pixels is printed at: it fits its box at
    PRINT_DPI, no side longer than MAX_PIXELS, never enlarged."""
    box_mm = LEAD_BOX_MM if lead else SIDE_BOX_MM
    box = [min(MAX_PIXELS, round(mm / 25.4 * PRINT_DPI)) for mm in box_mm]
    scale = min(1.0, box[0] / max(1, width), box[1] / max(1, height), MAX_PIXELS / max(1, width, height))
    return max(1, round(width * scale))


def print_rendition(photo, folder: Path, name: str, *, lead: bool) -> Path:
    """The photo re-encoded at print size into ``folder`` (its source read through storage)."""
    with photo.file.open("rb") as source:
        content = source.read()
    path = folder / name
    path.write_bytes(render(content, pixel_width(photo.width, photo.height, lead=lead)))
    return path


def _sheet(featured: FeaturedProject, folder: Path | None) -> tuple[Sheet, list[str]]:
    """A project's sheet with its photos made into ``folder`` (None: without photos), and what
    the organizer should know about it. Reads no database (everything is loaded by
    ``compendium_projects``): it runs in threads."""
    entry = featured.entry
    organization = entry.team.organization
    warnings: list[str] = []
    sheet = Sheet(
        featured=featured,
        anchor=f"project-{featured.pk}",
        title=entry.title,
        team_name=entry.team.name,
        organization_name=organization.name,
        county_name=organization.county.name,
        category_label=entry.category.label if entry.category_id else "",
        tier_name=featured.tier_name,
        consented=entry.consent_publish,
    )
    if entry.consent_publish:
        sheet.summary = clip(entry.summary or "", 500)
        sheet.figures = [(_label(name), value) for name in FIGURE_FIELDS if (value := _figure(entry, name))]
        sheet.sections = [
            (_label(name), clip(text))
            for name in STORY_FIELDS
            if (text := (getattr(entry, name) or "").strip())
        ]
    for n, photo in enumerate(printable_photos(entry) if folder is not None else []):
        try:
            path = print_rendition(photo, folder, f"{featured.pk}-{n}.jpg", lead=not sheet.photos)
        except (FileNotFoundError, UnidentifiedImageError, OSError, ValueError):
            logger.warning("compendium: photo %s of featured project %s unreadable", photo.pk, featured.pk)
            warnings.append(
                _("项目“%(title)s”的第 %(n)s 张照片无法读取，未印入汇编。")
                % {"title": entry.title, "n": n + 1}
            )
            continue
        sheet.photos.append(PrintPhoto(url=path.as_uri(), caption=photo.caption, lead=not sheet.photos))
    if problem := _unprintable(sheet):
        warnings.append(problem)
    return sheet, warnings


def _unprintable(sheet: Sheet) -> str | None:
    chars = missing_characters("".join(sheet.texts()))
    if not chars:
        return None
    return _("项目“%(title)s”中有字体无法印出的字符：%(chars)s（请改用常用字或图片）") % {
        "title": sheet.title,
        "chars": " ".join(chars),
    }


def chapters_of(sheets: list[Sheet]) -> list[Chapter]:
    """The sheets grouped by category, in the order given (the selector's)."""
    chapters: list[Chapter] = []
    for sheet in sheets:
        category_id = sheet.featured.entry.category_id
        if not chapters or chapters[-1].anchor != f"category-{category_id}":
            chapters.append(
                Chapter(anchor=f"category-{category_id}", label=sheet.category_label or _("其他"))
            )
        chapters[-1].sheets.append(sheet)
    return chapters


def compendium_html(contest, sheets: list[Sheet]) -> str:
    context = base_context(contest)
    context["chapters"] = chapters_of(sheets)
    context["project_count"] = len(sheets)
    return document_template(contest, "compendium").render(context)


def build_compendium(contest, progress: Progress, *, projects: list[FeaturedProject] | None = None) -> Built:
    """The compendium as a PDF. ``progress(done, total)`` after each project is prepared and
    once the PDF is laid out (total = projects + 1). Characters no font can print and photos
    that cannot be read are listed in ``Built.warnings``."""
    projects = compendium_projects(contest=contest) if projects is None else projects
    total = len(projects) + 1
    warnings: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="compendium-"))
    try:
        sheets = []
        # Two at a time: Pillow decodes, scales and encodes outside the GIL. Results come back
        # in the projects' order, each reported as it is ready.
        with ThreadPoolExecutor(max_workers=RENDITION_THREADS) as pool:
            for done, (sheet, problems) in enumerate(
                pool.map(lambda p: _sheet(p, folder), projects), start=1
            ):
                sheets.append(sheet)
                warnings.extend(problems)
                progress(done, total)
        html = compendium_html(contest, sheets)
        del sheets
        document = render_pages(html, base_url=folder.as_uri() + "/", files_under=folder)
        del html
        gc.collect()  # the layout's garbage, before the fonts are subset and the file written
        # Written to a file, read back once the layout is freed: never the laid-out document,
        # the PDF's buffer and its bytes in memory at once.
        pdf = folder / "compendium.pdf"
        document.write_pdf(target=str(pdf))
        pages = len(document.pages)
        del document
        gc.collect()
        content = pdf.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    progress(total, total)
    logger.info(
        "compendium of contest %s: %s projects, %s pages, %s bytes",
        contest.pk,
        len(projects),
        pages,
        len(content),
    )
    return Built(content=content, extension="pdf", warnings=tuple(warnings))


def sample_compendium_context(contest) -> dict:
    """For checking an adjusted template before it is saved: the real chapters without their
    photos (nothing is rendered or written)."""
    context = base_context(contest)
    sheets = [_sheet(featured, None)[0] for featured in compendium_projects(contest=contest)]
    context["chapters"] = chapters_of(sheets)
    context["project_count"] = len(sheets)
    return context
