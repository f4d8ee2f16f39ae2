"""Listing columns and views for the Wagtail admin, shared by the apps: values read in Chinese."""

from django.utils.translation import gettext
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import InspectView


class YesNoColumn(Column):
    """A yes/no field as 是 / 否 (Wagtail's BooleanColumn titles its icons "True" and "False")."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return "—"
        return gettext("是") if value else gettext("否")


class ReadableInspectView(InspectView):
    """Wagtail's inspect view with a yes/no field as 是 / 否 and an empty value as "—" (instead
    of Python's True, False and None)."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return gettext("是") if value else gettext("否")
        return value
