"""Photos at the size a screen shows them: smaller JPEG copies of a stored private photo.

A judge's or coordinator's page shows a photo 158–240 CSS pixels wide; the stored photo is up
to 4096 pixels and about 2 MB. A rendition is the photo scaled to one of ``WIDTHS`` and
re-encoded from bare pixels (no EXIF, XMP, ICC or comments), stored once on private storage
next to nothing that names it: its name is an HMAC of the source's (random) name. It is made
on the first request that needs it, one maker at a time (a cache lock; a second request waits
for the first, then reads the file), or ahead of time by the background task of the app that
owns the photo. Served only by the access-checked views of those apps (``rendition_response``),
with ``Cache-Control: private, no-cache`` and an ETag: the browser keeps the bytes but asks
again each time it shows them, so a judge who lost an entry (a declared conflict) gets a 404,
and one who still has it a 304 without the bytes.
"""

import io
import logging
import time

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse
from django.utils.crypto import salted_hmac
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

# 320: a 158 px thumbnail at 2x (phones); 640: a 240–320 px one at 2x; 1280: a screen.
WIDTHS = (320, 640, 1280)
THUMBNAIL = 320
SCREEN = 1280
QUALITY = 80
CONTENT_TYPE = "image/jpeg"
LOCK_SECONDS = 30
WAIT_SECONDS = 5.0
CACHE_CONTROL = "private, no-cache"


def _digest(source_name: str) -> str:
    return salted_hmac("common.renditions", source_name, algorithm="sha256").hexdigest()[:32]


def rendition_name(source_name: str, width: int) -> str:
    """Where the rendition of ``source_name`` at ``width`` is stored (no trace of the source)."""
    digest = _digest(source_name)
    return f"renditions/{digest[:2]}/{digest}-{width}.jpg"


def rendition_etag(source_name: str, width: int) -> str:
    """The ETag (quoted) of a rendition: the same bytes for the same source and width."""
    return f'"{_digest(source_name)[:20]}-{width}-q{QUALITY}"'


def render(source: bytes, width: int) -> bytes:
    """``source`` (a stored photo) scaled to at most ``width`` pixels wide, never enlarged, as
    a progressive JPEG of bare pixels."""
    with Image.open(io.BytesIO(source)) as image:
        if image.format in {"JPEG", "MPO"}:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale when that is still at least ``width``.
            image.draft("RGB", (width, max(1, image.height * width // max(1, image.width))))
        image.load()
        if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, (255, 255, 255))
            image.paste(rgba, mask=rgba.getchannel("A"))
        elif image.mode != "RGB":
            image = image.convert("RGB")
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
        bare = Image.new("RGB", image.size)
        bare.paste(image)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def ensure_rendition(fieldfile, width: int) -> tuple[str | None, bytes | None]:
    """The stored rendition of ``fieldfile`` at ``width``: its name once stored, or (when a
    concurrent maker holds the lock longer than we wait) the bytes made here without storing."""
    storage = fieldfile.storage
    name = rendition_name(fieldfile.name, width)
    if storage.exists(name):
        return name, None
    lock = f"rendition-lock:{name}"
    if not cache.add(lock, 1, LOCK_SECONDS):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if storage.exists(name):
                return name, None
        return None, _render_file(fieldfile, width)
    try:
        if storage.exists(name):  # made between our look and our lock
            return name, None
        content = _render_file(fieldfile, width)
        saved = storage.save(name, ContentFile(content))
        if saved != name:  # someone wrote it without the lock (another cache): keep one
            storage.delete(saved)
        return name, None
    finally:
        cache.delete(lock)


def _render_file(fieldfile, width: int) -> bytes:
    started = time.perf_counter()
    with fieldfile.storage.open(fieldfile.name, "rb") as source:
        content = render(source.read(), width)
    logger.info("rendition %s px made in %.0f ms", width, (time.perf_counter() - started) * 1000)
    return content


def delete_renditions(storage, source_name: str) -> None:
    """Remove every rendition of a photo that is gone."""
    for width in WIDTHS:
        storage.delete(rendition_name(source_name, width))


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(",")) or header.strip() == "*"


def rendition_response(request, fieldfile, width: int):
    """The rendition of a stored photo (which the caller has checked the reader may see), or
    ``304 Not Modified`` when the reader's copy is current."""
    from common.http import private_file_response

    etag = rendition_etag(fieldfile.name, width)
    if _etag_matches(request, etag):
        response = HttpResponse(status=304)
    else:
        try:
            name, content = ensure_rendition(fieldfile, width)
        except (FileNotFoundError, UnidentifiedImageError, OSError, ValueError):
            # The stored photo is gone or unreadable: nothing to show, and no 500.
            logger.warning("no rendition of %s at %s px: source missing or unreadable", fieldfile.name, width)
            raise Http404 from None
        if name is not None:
            response = private_file_response(_Stored(fieldfile.storage, name), content_type=CONTENT_TYPE)
        else:
            response = HttpResponse(content, content_type=CONTENT_TYPE)
            response["Content-Disposition"] = "inline"
            response["X-Content-Type-Options"] = "nosniff"
            response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response.revalidated_private = True  # kept by the no-store middleware (config.middleware)
    return response


class _Stored:
    """The smallest stand-in for a FieldFile that ``private_file_response`` needs."""

    def __init__(self, storage, name):
        self.storage = storage
        self.name = name

    def open(self, mode="rb"):
        return self.storage.open(self.name, mode)
