from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("网站内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Project pages made from a finalized shortlist; the demo site's pages and stories;
        # the public cache purged when anything public changes.
        from competition.extensions import register_contest_copier

        from . import cache_receivers, demo, receivers  # noqa: F401
        from .services import contest_pages_copy

        register_contest_copier(contest_pages_copy)
