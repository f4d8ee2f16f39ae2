from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("网络投票")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from judging.extensions import register_score_share

        from . import demo
        from .tallies.combined import vote_score_share

        # The vote's weight enters the round's final score (the shortlist, the notice's words).
        register_score_share(vote_score_share)
        demo.register()  # the demo's vote, at the end of its "results" stage
