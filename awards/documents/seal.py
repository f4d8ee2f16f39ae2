"""The seal image an organizer uploads, made safe for the documents: decoded by Pillow and
written again as a PNG (never the uploaded bytes), transparency kept, EXIF and every other
piece of metadata dropped. Not an image, too big a file or too many pixels: refused with a
message saying so."""

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from awards.errors import AwardsError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4000


def seal_png(data: bytes) -> bytes:
    """The uploaded bytes → a clean PNG (RGBA when the image has transparency, else RGB)."""
    if len(data) > MAX_BYTES:
        raise AwardsError(
            _("印章图片太大（%(size)s MB），请上传不超过 5 MB 的图片。")
            % {"size": f"{len(data) / 1048576:.1f}"}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AwardsError(_("上传的文件不是可以识别的图片，请上传 PNG 或 JPG 格式的印章图片。")) from None
    if width > MAX_SIDE or height > MAX_SIDE:
        raise AwardsError(
            _("印章图片尺寸过大（%(width)s×%(height)s 像素），请上传长宽都不超过 4000 像素的图片。")
            % {"width": width, "height": height}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            clean = image.convert("RGBA" if transparent else "RGB")
            clean.info = {}
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise AwardsError(_("印章图片已损坏，无法读取，请重新导出后上传。")) from None
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)  # a new PNG: no EXIF, no text chunks
    return out.getvalue()
