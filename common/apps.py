from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Infrastructure every app may use (storage, backup, request helpers, cache); it knows no
    domain app."""

    name = "common"
    verbose_name = "common"
