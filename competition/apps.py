from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CompetitionConfig(AppConfig):
    name = "competition"
    verbose_name = _("大赛")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import (
            messages,  # noqa: F401  (registers the message kinds and reminders of its events)
            roles,
        )
        from .admin_views import EntryPermissionPolicy
        from .models import County, Entry, Town
        from .stations.search import forget_places

        post_migrate.connect(roles.ensure_role_permissions, sender=self)
        for model in (County, Town):
            post_save.connect(
                forget_places, sender=model, dispatch_uid=f"forget_places_save_{model.__name__}"
            )
            post_delete.connect(
                forget_places, sender=model, dispatch_uid=f"forget_places_delete_{model.__name__}"
            )
        register_permission_policy(Entry, EntryPermissionPolicy(Entry))
