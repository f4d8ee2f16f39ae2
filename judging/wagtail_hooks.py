"""Registers the judging back office (评审管理); the screens live in each stage's viewsets and
admin_views."""

from wagtail import hooks

from judging.menu import judging_viewset_group
from judging.onboarding.admin_views import coordinators_import_viewset, judges_import_viewset
from judging.spreadsheets.admin_views import spreadsheet_viewset


@hooks.register("register_admin_viewset")
def register_judging_viewsets():
    return judging_viewset_group


@hooks.register("register_admin_viewset")
def register_spreadsheet_viewset():
    return spreadsheet_viewset


@hooks.register("register_admin_viewset")
def register_people_import_viewsets():
    return [judges_import_viewset, coordinators_import_viewset]
