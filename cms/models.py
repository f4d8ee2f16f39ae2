"""Public pages (Wagtail). The full public site is built in the public-site issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from competition import selectors


class HomePage(Page):
    """The site root: what the contest is and where to start."""

    hero_title = models.CharField(_("主标题"), max_length=120, blank=True)
    hero_text = models.CharField(_("副标题"), max_length=300, blank=True)
    body = RichTextField(_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("hero_text"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["contest"] = selectors.current_contest()
        return context
