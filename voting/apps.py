from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("网络投票")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import demo

        demo.register()  # the demo's vote, at the end of its "results" stage
