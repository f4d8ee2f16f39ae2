"""The public site's pages (Wagtail).

The tree is pinned: Home → Contest / Showcase → Project / Stories → Story / Standard pages.
A project page copies what it shows from its featured project when it is made (see
``cms.services.create_project_drafts``) so that editors can correct and enrich it, and so that
the showcase lists and filters pages without joining the competition's tables.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from competition.models import Category, Contest, County

from . import search
from .blocks import RICH_TEXT_FEATURES, BodyBlock, stream_text
from .cache import mark_cacheable

IMAGE_MODEL = "wagtailimages.Image"


def _selectors():
    from . import selectors  # which imports this module

    return selectors


def route_to_child(parent, child_model, request, path_components, *, related=()):
    """Route to a child of ``child_model`` in one query (Wagtail's default makes two: the
    plain page, then its specific row), its foreign keys ``related`` joined in, and its parent
    cached on it (``get_parent()`` and the breadcrumbs then cost nothing). Other children,
    should any exist, go through Wagtail's default."""
    slug, *rest = path_components
    child = child_model.objects.child_of(parent).filter(slug=slug).select_related(*related).first()
    if child is None:
        return None
    child._cached_parent_obj = parent
    return child.route(request, rest)


class PublicPage(Page):
    """What every public page shares: a share image for WeChat and Open Graph."""

    share_image = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name=_("分享图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("在微信等处分享本页时显示的图片；不填则用页面的封面图"),
    )

    promote_panels = Page.promote_panels + [FieldPanel("share_image")]

    class Meta:
        abstract = True

    def cover(self):
        """The page's own image, if it has one (used for sharing when no share image is set)."""
        return None

    def og_image(self):
        return self.share_image or self.cover()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.page_context(request))
        return context

    def page_context(self, request) -> dict:
        """What this page type's template shows besides the page itself (cms.selectors)."""
        return {}

    def serve(self, request, *args, **kwargs):
        """The page as every anonymous reader sees it: cms.middleware may cache it (a Wagtail
        preview or a password form never comes through here)."""
        return mark_cacheable(super().serve(request, *args, **kwargs))


class HomePage(PublicPage):
    """The site root: the current contest, the featured projects, the latest stories."""

    hero_title = models.CharField(_("主标题"), max_length=120, blank=True)
    hero_text = models.CharField(_("副标题"), max_length=300, blank=True)
    hero_image = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name=_("首屏图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = RichTextField(_("正文"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ContestPage", "cms.ShowcaseIndexPage", "cms.StoryIndexPage", "cms.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def cover(self):
        return self.hero_image

    def page_context(self, request) -> dict:
        return _selectors().home_context(self)


class ContestPage(PublicPage):
    """One year's contest: rules, the timeline from its real dates, results once published."""

    contest = models.OneToOneField(
        Contest, verbose_name=_("大赛"), on_delete=models.PROTECT, related_name="page"
    )
    intro = models.TextField(_("导语"), max_length=500, blank=True)
    rules = RichTextField(_("参赛规则"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("contest"), FieldPanel("intro"), FieldPanel("rules")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("大赛页面")
        verbose_name_plural = _("大赛页面")

    def page_context(self, request) -> dict:
        return _selectors().contest_context(self.contest, page=self)


class ShowcaseIndexPage(PublicPage):
    """The featured projects, filtered by category, county and year."""

    intro = models.TextField(_("导语"), max_length=500, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProjectPage"]
    max_count = 1

    class Meta:
        verbose_name = _("优秀项目展示")
        verbose_name_plural = _("优秀项目展示")

    def page_context(self, request) -> dict:
        return _selectors().showcase_context(self, request.GET)

    def route(self, request, path_components):
        if path_components:
            related = ("category", "county", "cover_image")
            found = route_to_child(self, ProjectPage, request, path_components, related=related)
            if found is not None:
                return found
        return super().route(request, path_components)


class ProjectPage(PublicPage):
    """One featured project, made as a draft when the shortlist is finalized."""

    featured = models.OneToOneField(
        "awards.FeaturedProject",
        verbose_name=_("优秀项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="page",
    )
    summary = models.TextField(_("项目简介"), max_length=500, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("项目类别"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_pages",
    )
    county = models.ForeignKey(
        County,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_pages",
    )
    year = models.PositiveIntegerField(_("年度"), null=True, blank=True, db_index=True)
    award = models.CharField(
        _("奖项"), max_length=40, blank=True, help_text=_("如“优秀志愿服务项目”或“一等奖”，由评审结果填入")
    )
    team_name = models.CharField(_("团队名称"), max_length=100, blank=True)
    organization_name = models.CharField(_("所属阵地"), max_length=100, blank=True)
    volunteers = models.PositiveIntegerField(_("志愿者人数"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(_("服务对象人数"), null=True, blank=True)
    service_hours = models.PositiveIntegerField(_("服务时长（小时）"), null=True, blank=True)
    activities = models.PositiveIntegerField(_("开展活动次数"), null=True, blank=True)
    cover_image = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField(
        _("封面图替代文字"), max_length=200, blank=True, help_text=_("为看不见图片的读者描述封面图")
    )
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("category"), FieldPanel("county"), FieldPanel("year")]),
                FieldPanel("award"),
                FieldRowPanel([FieldPanel("team_name"), FieldPanel("organization_name")]),
            ],
            heading=_("项目信息"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("volunteers"), FieldPanel("beneficiaries")]),
                FieldRowPanel([FieldPanel("service_hours"), FieldPanel("activities")]),
            ],
            heading=_("项目数据"),
        ),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_alt")], heading=_("封面图")),
        InlinePanel("photos", label=_("项目照片")),
        FieldPanel("body"),
    ]
    search_fields = PublicPage.search_fields + [
        index.SearchField("search_text"),
        index.FilterField("category_id"),
        index.FilterField("county_id"),
        index.FilterField("year"),
    ]
    parent_page_types = ["cms.ShowcaseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("优秀项目页面")
        verbose_name_plural = _("优秀项目页面")

    def cover(self):
        return self.cover_image

    def search_text(self) -> str:
        return search.segment(
            " ".join(
                [self.title, self.summary, self.team_name, self.organization_name, stream_text(self.body)]
            )
        )

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": _("请为封面图填写替代文字。")})

    def page_context(self, request) -> dict:
        return _selectors().project_context(self)


class ProjectPhoto(Orderable):
    """A photo of a project, copied from the entry into the image library."""

    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(IMAGE_MODEL, verbose_name=_("图片"), on_delete=models.CASCADE, related_name="+")
    alt = models.CharField(_("替代文字"), max_length=200, help_text=_("为看不见图片的读者描述图片内容"))
    caption = models.CharField(_("图注"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")


class StoryIndexPage(PublicPage):
    """Success stories (先进典型), newest first, with a feed."""

    intro = models.TextField(_("导语"), max_length=500, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StoryPage"]
    max_count = 1

    class Meta:
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型")

    def page_context(self, request) -> dict:
        return _selectors().story_index_context(self, request.GET)

    def route(self, request, path_components):
        if path_components:
            found = route_to_child(self, StoryPage, request, path_components, related=("cover_image",))
            if found is not None:
                return found
        return super().route(request, path_components)


class StoryPage(PublicPage):
    """A success story."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    author = models.CharField(_("作者"), max_length=60, blank=True)
    intro = models.TextField(_("导语"), max_length=300)
    cover_image = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField(
        _("封面图替代文字"), max_length=200, blank=True, help_text=_("为看不见图片的读者描述封面图")
    )
    body = StreamField(BodyBlock(), verbose_name=_("正文"))
    categories = ParentalManyToManyField(
        Category, verbose_name=_("项目类别"), blank=True, related_name="story_pages"
    )
    related_projects = ParentalManyToManyField(
        "cms.ProjectPage", verbose_name=_("相关优秀项目"), blank=True, related_name="stories"
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("author")]),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_alt")], heading=_("封面图")),
        FieldPanel("body"),
        FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
        FieldPanel("related_projects"),
    ]
    search_fields = PublicPage.search_fields + [
        index.SearchField("search_text"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.StoryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("典型故事")
        verbose_name_plural = _("典型故事")
        ordering = ["-date"]

    def cover(self):
        return self.cover_image

    def search_text(self) -> str:
        return search.segment(" ".join([self.title, self.intro, self.author, stream_text(self.body)]))

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": _("请为封面图填写替代文字。")})

    def page_context(self, request) -> dict:
        return _selectors().story_context(self)


class StandardPage(PublicPage):
    """About, contact, FAQ and the like."""

    intro = models.TextField(_("导语"), max_length=300, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContestPage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("普通页面")
        verbose_name_plural = _("普通页面")

    def page_context(self, request) -> dict:
        return _selectors().standard_context(self)


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """The footer, the contact details and the WeChat QR code."""

    # Blank: the footer shows the translated default organizer line.
    organizer = models.CharField(_("主办单位"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    footer_note = models.CharField(_("页脚说明"), max_length=300, blank=True)
    icp_number = models.CharField(_("ICP 备案号"), max_length=60, blank=True)
    wechat_qr = models.ForeignKey(
        IMAGE_MODEL,
        verbose_name=_("微信公众号二维码"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    wechat_name = models.CharField(_("微信公众号名称"), max_length=60, blank=True)

    panels = [
        FieldPanel("organizer"),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
        FieldPanel("address"),
        FieldPanel("footer_note"),
        FieldPanel("icp_number"),
        FieldRowPanel([FieldPanel("wechat_qr"), FieldPanel("wechat_name")]),
    ]

    class Meta:
        verbose_name = _("网站设置")
