"""``sitemap.xml``: every live, public page of the site asked for (drafts, unpublished and
private pages are left out).

Wagtail's page sitemap does exactly this (``.live().public()`` under the request's site, with
``last_published_at`` as lastmod). It needs only Django's sitemaps app, which is installed,
not ``wagtail.contrib.sitemaps`` in INSTALLED_APPS.
"""

from wagtail.contrib.sitemaps import Sitemap as PublicPagesSitemap

SITEMAPS = {"pages": PublicPagesSitemap}
