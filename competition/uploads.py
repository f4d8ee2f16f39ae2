"""Checking and cleaning uploaded photos and PDFs before anything is stored.

Nothing here trusts a file name or a declared content type: photos are identified and fully
decoded by Pillow, then re-encoded from bare pixels (so EXIF, GPS, XMP, ICC comments and any
bytes appended to the file are gone); PDFs are recognised by signature, parsed by pypdf and
re-written without document metadata. Every refusal is a ``ValidationError`` with a message
the uploader can act on.
"""

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, replace
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from accounts import ratelimit

# "MPO" is a JPEG with extra images in an MPF segment (phones' HDR gain maps, depth maps);
# only its first image, the photo itself, is kept.
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str
    content_type: str
    width: int
    height: int
    name: str = ""  # the uploader's file name, cleaned, for messages only

    @cached_property
    def sha256(self) -> str:
        """Of the cleaned bytes: re-encoding is deterministic, so the same photo chosen again
        (or already stored, whose ``EntryPhoto.sha256`` is of the same bytes) has the same hash."""
        return hashlib.sha256(self.content).hexdigest()


def duplicate_photos(new: list[CleanPhoto], kept: list[str]) -> list[str]:
    """What is wrong with adding ``new`` photos to an entry that keeps photos with the hashes
    ``kept`` (in their order): one Chinese sentence per photo already there or chosen twice."""
    problems = []
    positions = {digest: n for n, digest in reversed(list(enumerate(kept, start=1))) if digest}
    chosen: dict[str, str] = {}
    for photo in new:
        name = photo.name or _("照片")
        if photo.sha256 in positions:
            problems.append(
                _("“%(name)s”与本项目已有的第 %(n)s 张照片完全相同，不能重复上传。")
                % {"name": name, "n": positions[photo.sha256]}
            )
        elif photo.sha256 in chosen:
            problems.append(
                _("“%(name)s”与本次选择的“%(other)s”是同一张照片，只需上传一次。")
                % {"name": name, "other": chosen[photo.sha256]}
            )
        else:
            chosen[photo.sha256] = name
    return problems


@dataclass(frozen=True)
class CleanPdf:
    content: bytes
    pages: int


def display_name(name: str, *, fallback: str = "file", limit: int = 80) -> str:
    """A harmless name to *show*: no path, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".").strip()
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: limit - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else name[:limit]
    return name or fallback


def _too_big(upload, limit: int) -> str:
    return _("“%(name)s”太大（%(size)s），每个文件不能超过 %(limit)s。") % {
        "name": display_name(upload.name),
        "size": filesizeformat(upload.size),
        "limit": filesizeformat(limit),
    }


def count_uploads(*, user, files: int, now=None) -> None:
    """Count ``files`` uploads against the account's hourly limit (``ENTRY_UPLOADS_PER_HOUR``),
    before any of them is read; a ``ValidationError`` saying when to retry if they do not fit."""
    if files <= 0:
        return
    until = ratelimit.consume(
        key=f"uploads:user:{user.pk}",
        limit=settings.ENTRY_UPLOADS_PER_HOUR,
        window=3600,
        amount=files,
        now=now,
    )
    if until is not None:
        raise ValidationError(
            _(
                "这个账号一小时内最多上传 %(limit)s 个文件（照片和附件），本次的 %(files)s 个未处理。"
                "请在 %(time)s 之后再上传；已填写的文字不受影响，可以先保存。"
            )
            % {
                "limit": settings.ENTRY_UPLOADS_PER_HOUR,
                "files": files,
                "time": formats.time_format(timezone.localtime(until), "H:i"),
            },
            code="rate",
        )


class PixelBudget:
    """The pixels one request may decode across all its photos (``ENTRY_UPLOAD_PIXEL_BUDGET``).

    Checked from each file's header before it is decoded: a photo that would overdraw the
    budget is refused unread, so the CPU time and memory of one request are bounded by the
    budget however many files it carries."""

    def __init__(self, pixels: int | None = None):
        self.left = settings.ENTRY_UPLOAD_PIXEL_BUDGET if pixels is None else pixels

    def take(self, pixels: int) -> bool:
        if pixels > self.left:
            return False
        self.left -= pixels
        return True


def _too_many_pixels(name: str, width: int, height: int) -> ValidationError:
    return ValidationError(
        _("“%(name)s”的尺寸过大（%(w)s×%(h)s 像素），每张照片不能超过 %(mp)s 百万像素。")
        % {"name": name, "w": width, "h": height, "mp": settings.ENTRY_PHOTO_MAX_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def _draft_size(width: int, height: int) -> tuple[int, int]:
    """The smallest size a JPEG may be decoded at: half the stored size. libjpeg's DCT scaling
    (``Image.draft``) then decodes a photo of twice that or more at 1/2, 1/4 or 1/8 scale, for a
    fraction of the time and memory, and never below this size."""
    side = max(1, settings.ENTRY_PHOTO_MAX_SIDE // 2)
    longest = max(width, height)
    if longest <= side:
        return width, height
    return max(1, width * side // longest), max(1, height * side // longest)


def clean_photo(upload, *, budget: PixelBudget | None = None) -> CleanPhoto:
    """Validate one uploaded photo and return its re-encoded, metadata-free content.

    Nothing is decoded before the header's dimensions passed the pixel cap and, when a
    ``budget`` is given, the request's pixel budget."""
    name = display_name(upload.name)
    not_a_photo = _("“%(name)s”不是可用的照片。请上传 JPEG、PNG 或 WebP 格式的图片。") % {"name": name}
    if upload.size > settings.ENTRY_PHOTO_MAX_BYTES:
        raise ValidationError(_too_big(upload, settings.ENTRY_PHOTO_MAX_BYTES), code="too_big")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow's own guard, also from the header: far beyond any camera is refused at open.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)  # lazy: reads the header only
            image_format = image.format
            if image_format not in PHOTO_FORMATS:
                raise ValidationError(not_a_photo, code="format")
            width, height = image.size
            if image_format in {"JPEG", "MPO"}:
                # Decoded at reduced scale when large; the cap applies to what is decoded.
                image.draft(None, _draft_size(width, height))
            decoded = image.size[0] * image.size[1]
            if decoded > settings.ENTRY_PHOTO_MAX_PIXELS:
                raise _too_many_pixels(name, width, height)
            if budget is not None and not budget.take(decoded):
                raise ValidationError(
                    _(
                        "“%(name)s”未处理：一次上传的照片总尺寸不能超过 %(mp)s 百万像素。"
                        "请先保存，再分几次上传其余照片。"
                    )
                    % {"name": name, "mp": settings.ENTRY_UPLOAD_PIXEL_BUDGET // 1_000_000},
                    code="budget",
                )
            image.load()  # full decode: a truncated or corrupt file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("“%(name)s”的尺寸过大，每张照片不能超过 %(mp)s 百万像素。")
            % {"name": name, "mp": settings.ENTRY_PHOTO_MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(
            _("“%(name)s”无法读取，文件可能已损坏或不是 JPEG、PNG、WebP 图片。") % {"name": name},
            code="corrupt",
        ) from None
    return replace(_reencode(image), name=name)


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in {"RGB", "RGBA"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _reencode(image: Image.Image) -> CleanPhoto:
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    if image.mode != mode:
        image = image.convert(mode)  # keeps ``info`` (EXIF orientation, ICC profile)
    max_side = settings.ENTRY_PHOTO_MAX_SIDE
    if max(image.size) > max_side:
        # Shrink first, so that rotation and colour conversion work on the small image;
        # ``reducing_gap`` box-reduces by an integer factor before the Lanczos pass.
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant
    image = _to_srgb(image)
    # A new image carries only pixels: no EXIF, GPS, XMP, ICC, comments or trailing bytes.
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    out = io.BytesIO()
    if has_alpha:
        bare.save(out, format="PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        bare.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
        extension, content_type = "jpg", "image/jpeg"
    return CleanPhoto(out.getvalue(), extension, content_type, bare.width, bare.height)


ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"}


def _copy_pages_only(reader):
    """A new document made of the pages alone: no catalog-level metadata, XMP, JavaScript,
    open actions, embedded files or outlines; page actions and script links are dropped too."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for page in reader.pages:
        page = writer.add_page(page)
        for key in ("/AA", "/Metadata", "/PieceInfo"):
            page.pop(key, None)
        for annotation in page.get("/Annots", None) or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            if action is not None and action.get_object().get("/S") in ACTIVE_ACTIONS:
                annotation.pop("/A", None)
            annotation.pop("/AA", None)
    writer.metadata = None
    return writer


def clean_pdf(upload) -> CleanPdf:
    """Validate one uploaded PDF and return it re-written without document metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    name = display_name(upload.name)
    if upload.size > settings.ENTRY_PDF_MAX_BYTES:
        raise ValidationError(_too_big(upload, settings.ENTRY_PDF_MAX_BYTES), code="too_big")
    upload.seek(0)
    head = upload.read(1024)
    if b"%PDF-" not in head:
        raise ValidationError(
            _("“%(name)s”不是 PDF 文件，附件只接受 PDF 格式。") % {"name": name}, code="format"
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(upload, strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _("“%(name)s”设置了密码，请上传未加密的 PDF。") % {"name": name}, code="encrypted"
                )
            pages = len(reader.pages)
            if pages < 1:
                raise ValueError("no pages")
            writer = _copy_pages_only(reader)
            out = io.BytesIO()
            writer.write(out)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise ValidationError(
            _("“%(name)s”无法打开，文件可能已损坏。请重新导出 PDF 后再上传。") % {"name": name},
            code="corrupt",
        ) from None
    return CleanPdf(out.getvalue(), pages)
