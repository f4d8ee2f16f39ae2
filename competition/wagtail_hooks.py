"""Registers the back-office screens; the screens themselves live in admin_views/viewsets."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy
from wagtail import hooks

from .onboarding.admin_views import onboarding_viewset
from .stations.admin_views import (
    ProposedStationIndexView,
    ProposedStationMenuItem,
    ProposedStationSummaryItem,
    ProposedStationView,
)
from .viewsets import competition_viewset_group


@hooks.register("register_admin_viewset")
def register_competition_viewsets():
    return competition_viewset_group


@hooks.register("register_admin_viewset")
def register_onboarding_viewset():
    return onboarding_viewset


@hooks.register("register_admin_urls")
def register_proposed_station_urls():
    urls = [
        path("", ProposedStationIndexView.as_view(), name="index"),
        path("<int:pk>/", ProposedStationView.as_view(), name="station"),
    ]
    return [path("competition/proposed-stations/", include((urls, "proposed_stations")))]


@hooks.register("register_admin_menu_item")
def register_proposed_station_menu_item():
    # Stations teams named, for their county's coordinator (and organizers); the label counts them.
    return ProposedStationMenuItem(
        gettext_lazy("待确认阵地"),
        reverse_lazy("proposed_stations:index"),
        name="proposed-stations",
        icon_name="home",
        order=160,
    )


@hooks.register("construct_homepage_summary_items")
def add_proposed_station_summary(request, items):
    items.append(ProposedStationSummaryItem(request))
