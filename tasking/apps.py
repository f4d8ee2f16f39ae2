from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskingConfig(AppConfig):
    name = "tasking"
    verbose_name = _("后台任务")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import retry  # noqa: F401  (connects the task signal receivers)
