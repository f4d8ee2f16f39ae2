from django.urls import path
from django.views.generic import TemplateView
from wagtail.contrib.sitemaps.views import sitemap

from . import views
from .cache import public_cacheable
from .feeds import StoryAtomFeed, StoryFeed
from .sitemaps import SITEMAPS

app_name = "cms"

urlpatterns = [
    # The same for every anonymous reader: served from the public page cache (cms.middleware).
    path("search/", public_cacheable(views.search), name="search"),
    path("language/", views.switch_language, name="language"),
    path("sitemap.xml", public_cacheable(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        public_cacheable(TemplateView.as_view(template_name="cms/robots.txt", content_type="text/plain")),
        name="robots",
    ),
    path("stories/feed/rss/", public_cacheable(StoryFeed()), name="stories_rss"),
    path("stories/feed/atom/", public_cacheable(StoryAtomFeed()), name="stories_atom"),
]
