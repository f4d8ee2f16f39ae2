"""StreamField blocks for project and story bodies. Everything is served from this site: no
embeds from video platforms (they are blocked or slow in China, and the public pages allow no
other hosts), so a video is an uploaded file played by the browser."""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    alt = blocks.CharBlock(
        label=_("替代文字"),
        max_length=200,
        help_text=_("为看不见图片的读者描述图片内容（读屏软件会朗读）"),
    )
    caption = blocks.CharBlock(label=_("图注"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "cms/blocks/image.html"


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), max_length=100, required=False)
    images = blocks.ListBlock(ImageBlock(), label=_("图片"), min_num=2, max_num=24)

    class Meta:
        icon = "image"
        label = _("图集")
        template = "cms/blocks/gallery.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"), max_length=600)
    source = blocks.CharBlock(label=_("出处"), max_length=100, required=False)

    class Meta:
        icon = "openquote"
        label = _("引用")
        template = "cms/blocks/quote.html"


class FigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("数值"), max_length=20)
    unit = blocks.CharBlock(label=_("单位"), max_length=10, required=False)
    label = blocks.CharBlock(label=_("说明"), max_length=40)


class FiguresBlock(blocks.StructBlock):
    figures = blocks.ListBlock(FigureBlock(), label=_("数据"), min_num=1, max_num=8)

    class Meta:
        icon = "table"
        label = _("关键数据")
        template = "cms/blocks/figures.html"


class VideoBlock(blocks.StructBlock):
    video = DocumentChooserBlock(label=_("视频文件"), help_text=_("上传 MP4 视频文件"))
    poster = ImageChooserBlock(label=_("封面图"), required=False)
    caption = blocks.CharBlock(label=_("说明"), max_length=200, required=False)

    class Meta:
        icon = "media"
        label = _("视频")
        template = "cms/blocks/video.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("段落"), features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    gallery = GalleryBlock()
    quote = QuoteBlock()
    figures = FiguresBlock()
    video = VideoBlock()


def stream_text(stream) -> str:
    """The readable text of a StreamField value, for the search index."""
    parts = []
    for block in stream or []:
        value = block.value
        if block.block_type == "paragraph":
            parts.append(value.source if hasattr(value, "source") else str(value))
        elif block.block_type == "quote":
            parts.extend([value["text"], value.get("source") or ""])
        elif block.block_type == "image":
            parts.append(value.get("caption") or "")
        elif block.block_type == "gallery":
            parts.append(value.get("title") or "")
        elif block.block_type == "figures":
            parts.extend(figure["label"] for figure in value["figures"])
        elif block.block_type == "video":
            parts.append(value.get("caption") or "")
    return " ".join(strip_tags(part) for part in parts if part)
