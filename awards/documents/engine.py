"""HTML → PDF for the office's documents, with WeasyPrint and Debian's Noto CJK fonts.

WeasyPrint needs the system's pango. Where it is missing, ``make run`` still serves: only the
documents say what to install (``engine_problem``). Fonts are embedded as subsets, so a file
prints the same on any machine; characters the fonts lack are found before printing
(``missing_characters``) and reported, never silently printed as empty boxes.
"""

import struct
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.utils.translation import gettext as _
from PIL import ImageFile

# The documents' type faces; fonts-noto-cjk brings both, with the rare characters of GB 18030
# level 1 and 2 (not every CJK extension B-G character: those are reported).
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
INSTALL_HINT = "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk"


class EngineMissing(RuntimeError):
    """The PDF engine cannot run on this machine (the message says what to install)."""


@cache
def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: pango's library is not on the machine
        raise EngineMissing(
            _("本机无法生成 PDF：缺少系统库 pango 或中文字体。请安装：%(hint)s（%(error)s）")
            % {"hint": INSTALL_HINT, "error": error}
        ) from error
    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported.
    # Our documents embed only complete renditions we made, but uploads are checked in the same
    # processes: a truncated photo must stay refused (competition.uploads), so it goes back off.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def engine_problem() -> str | None:
    """None when PDFs can be made here; otherwise what to install, in the reader's language."""
    try:
        _weasyprint()
    except EngineMissing as missing:
        return str(missing)
    if not any(path.exists() for path in FONT_FILES):
        return _("本机缺少中文字体，生成的 PDF 会缺字。请安装：%(hint)s") % {"hint": INSTALL_HINT}
    return None


def html_to_pdf(html: str, *, base_url: str | None = None, files_under: Path | None = None) -> bytes:
    """One HTML document → PDF bytes. Images are referenced by data: URLs, or file:// URLs of
    files under ``files_under`` (never fetched over the network, never another file: the
    fetcher below refuses anything else)."""
    return render_pages(html, base_url=base_url, files_under=files_under).write_pdf()


def render_pages(html: str, *, base_url: str | None = None, files_under: Path | None = None):
    """The laid-out document (for counting pages or joining parts) without writing it."""
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=_fetcher(files_under)).render()


def _fetcher(files_under: Path | None):
    """What a document may read: data: URLs, and files under ``files_under`` (the folder its
    builder wrote its pictures to). A template the organizer edits must make the server fetch
    nothing on the network nor read its other files: ``<link rel=attachment
    href=file:///proc/self/environ>`` would otherwise put the server's secrets in the PDF."""
    weasyprint = _weasyprint()
    root = files_under.resolve() if files_under is not None else None

    class Fetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url[:5].lower() == "file:":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if root is None or not path.is_relative_to(root):
                    raise ValueError(f"not a file of this document: {url}")
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols={"file", "data"})


@cache
def _covered_code_points() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for path in FONT_FILES:
        if path.exists():
            # The first face of the collection (the faces share their character map). Only the
            # raw ``cmap`` table is read: decompiling it with fontTools (every subtable, the
            # variation sequences too) held some 270 MB at once, more than a whole document.
            font = TTFont(str(path), fontNumber=0, lazy=True)
            try:
                ranges = _unicode_ranges(font.reader["cmap"])
                if ranges is None:
                    covered.update(font.getBestCmap() or {})
                else:
                    for first, last in ranges:
                        covered.update(range(first, last + 1))
            finally:
                font.close()
    return frozenset(covered)


def _unicode_ranges(cmap: bytes) -> list[tuple[int, int]] | None:
    """The code point ranges of a ``cmap`` table's full-Unicode subtable (platform 3, encoding
    10, format 12: groups of consecutive characters), or None when it has none."""
    _version, count = struct.unpack_from(">HH", cmap, 0)
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * n)
        if (platform, encoding) == (3, 10) and struct.unpack_from(">H", cmap, offset)[0] == 12:
            groups = struct.unpack_from(">I", cmap, offset + 12)[0]
            return [struct.unpack_from(">II", cmap, offset + 16 + 12 * g) for g in range(groups)]
    return None


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` that no document font can draw (rare characters beyond the fonts,
    most emoji), in first-seen order; spaces and control characters are not counted."""
    covered = _covered_code_points()
    if not covered:
        return []
    seen: dict[str, None] = {}
    for char in text:
        if char.isprintable() and not char.isspace() and ord(char) not in covered:
            seen.setdefault(char, None)
    return list(seen)
