from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("网站内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Project pages made from a finalized shortlist; the demo site's pages and stories;
        # the public cache purged when anything public changes.
        from awards.extensions import register_outcome_panel
        from competition.extensions import register_contest_copier

        from . import cache_receivers, demo, receivers  # noqa: F401
        from .admin_views import project_pages_panel
        from .services import contest_pages_copy

        register_contest_copier(contest_pages_copy)
        # A finalized shortlist's page shows its project pages waiting for publication.
        register_outcome_panel(project_pages_panel)

        # The default Site (created by our migration 0002) follows SITE_URL after every migrate.
        post_migrate.connect(sync_site_address, sender=self, dispatch_uid="cms.sync_site_address")


def sync_site_address(sender, using="default", **kwargs):
    from common.site_address import sync_default_site

    sync_default_site(using=using)
