from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """What the office decides and announces: shortlist, public notice and objections,
    finalization, featured projects, and the teams' feedback on outcomes."""

    name = "awards"
    verbose_name = _("评选结果")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from competition.extensions import register_entry_panel
        from judging.extensions import register_judge_home_panel

        from . import demo, exports, messages  # noqa: F401  (messages: registers its message kinds)
        from .certificates.views import judge_letters_panel
        from .documents.admin_views import documents_panel
        from .extensions import register_outcome_panel
        from .outcomes.views import entry_results_panel

        exports.register()
        demo.register()
        register_entry_panel(entry_results_panel)
        register_outcome_panel(documents_panel)
        register_judge_home_panel(judge_letters_panel)
