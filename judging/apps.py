from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("评审")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            demo,  # noqa: F401  (registers the "judging" demo stage)
            messages,  # noqa: F401  (registers the message kinds and reminders of its events)
            roles,
        )

        post_migrate.connect(roles.ensure_judging_permissions, sender=self)

        from competition.extensions import register_contest_copier, register_staff_home

        from .rounds.services import rounds_copy

        register_staff_home(roles.judge_home)
        register_contest_copier(rounds_copy)
