"""RSS and Atom feeds of the success stories (先进典型), newest first."""

from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import selectors
from .models import StoryIndexPage

FEED_SIZE = 20


class StoryFeed(Feed):
    """The live, public stories of the site asked for (RSS 2.0)."""

    def get_object(self, request, *args, **kwargs):
        """The site's story index (404 when it has none)."""
        site = Site.find_for_request(request)
        if site is None:
            raise Http404
        index = StoryIndexPage.objects.live().public().descendant_of(site.root_page).first()
        if index is None:
            raise Http404
        return index

    def title(self, index):
        return _("%(site)s · %(title)s") % {"site": self.site_name(), "title": index.title}

    # Links are site-relative; Django's Feed makes them absolute with the request's host.
    def link(self, index):
        return index.url

    def description(self, index):
        return index.intro or _("新时代文明实践志愿服务的先进典型和优秀项目故事。")

    def items(self, index):
        stories = selectors.live_stories().child_of(index).prefetch_related("categories")
        return stories.order_by("-date", "-pk")[:FEED_SIZE]

    def item_title(self, story):
        return story.title

    def item_description(self, story):
        return story.intro

    def item_link(self, story):
        return story.url

    def item_pubdate(self, story):
        return timezone.make_aware(datetime.combine(story.date, time(8, 0)))

    def item_updateddate(self, story):
        return story.last_published_at

    def item_author_name(self, story):
        return story.author or None

    def item_categories(self, story):
        return [category.label for category in story.categories.all()]

    def site_name(self) -> str:
        english = (get_language() or "").startswith("en")
        return settings.PLATFORM_NAME_EN if english else settings.PLATFORM_NAME


class StoryAtomFeed(StoryFeed):
    """The same stories as Atom 1.0."""

    feed_type = Atom1Feed

    def subtitle(self, index):
        return self.description(index)
