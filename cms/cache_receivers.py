"""What purges the public cache: anything that changes what a public page shows.

Pages (published, unpublished, moved, deleted, their view restrictions), the site and its
settings, and the competition data the home and contest pages read (the contest with its
dates, its rounds, its shortlist: notice published, finalized; categories and counties).
Entry figures are cached on their own for a few minutes and expire with the page.

Each purge happens at once and again after the transaction commits (see
``cms.cache.purge_on_commit``). Receivers are connected to their senders only: a receiver
for every model's post_delete would turn off Django's fast bulk deletes everywhere.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from awards.models import Shortlist
from awards.signals import shortlist_finalized
from competition.models import Category, Contest, County
from judging.models import Round

from .cache import purge_on_commit
from .models import SiteSettings


def purge_public_cache(sender=None, **kwargs):
    purge_on_commit()


def purge_on_settings_change(sender, instance, created=False, **kwargs):
    # The first page rendered creates the settings row with its defaults (for_request calls
    # get_or_create): nothing shown changes. The settings form saves an existing row.
    if not created:
        purge_on_commit()


# Wagtail sends these with the specific page class as sender: connected for every sender.
page_published.connect(purge_public_cache, dispatch_uid="cms.cache.page_published")
page_unpublished.connect(purge_public_cache, dispatch_uid="cms.cache.page_unpublished")
post_page_move.connect(purge_public_cache, dispatch_uid="cms.cache.post_page_move")
shortlist_finalized.connect(purge_public_cache, dispatch_uid="cms.cache.shortlist_finalized")

# Deleting a specific page deletes its Page row too, which sends post_delete for Page.
for model in (Page, PageViewRestriction, Site, SiteSettings, Category, County):
    post_delete.connect(purge_public_cache, sender=model, dispatch_uid=f"cms.cache.delete.{model.__name__}")
for model in (PageViewRestriction, Site, Contest, Round, Shortlist, Category, County):
    post_save.connect(purge_public_cache, sender=model, dispatch_uid=f"cms.cache.save.{model.__name__}")
post_save.connect(purge_on_settings_change, sender=SiteSettings, dispatch_uid="cms.cache.save.SiteSettings")
