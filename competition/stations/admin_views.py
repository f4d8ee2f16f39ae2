"""Back office: the stations teams named, for the county's coordinator and organizers to
confirm (correcting name and town) or merge into a station already in the list. Someone who
may not confirm a station gets a 404, as for entries outside a coordinator's county."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.site_summary import SummaryItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.roles import COORDINATORS, group_names, is_organizer

from .. import rules
from ..errors import StationError
from ..models import Organization, Town
from . import selectors, services


class ConfirmStationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("阵地名称"), max_length=100)
    town = forms.ModelChoiceField(
        label=gettext_lazy("所属乡镇（街道）"),
        queryset=Town.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不属于任何乡镇）"),
    )
    new_town_name = forms.CharField(
        label=gettext_lazy("或新建乡镇（街道）"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("列表中没有该乡镇（街道）时填写，确认时一并创建。"),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = Town.objects.filter(county_id=organization.county_id)


class MergeStationForm(forms.Form):
    into = forms.ModelChoiceField(
        label=gettext_lazy("并入已有阵地"),
        queryset=Organization.objects.none(),
        empty_label=gettext_lazy("请选择本县（市、区）的阵地"),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = selectors.merge_targets(organization)


class ProposedStationIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "competition/stations/admin/index.html"
    header_icon = "home"
    page_title = gettext_lazy("待确认阵地")

    def dispatch(self, request, *args, **kwargs):
        if not may_see_proposals(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stations"] = selectors.proposed_stations_for(self.request.user)
        return context


class ProposedStationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "competition/stations/admin/station.html"
    header_icon = "home"
    page_title = gettext_lazy("确认阵地")

    def dispatch(self, request, *args, **kwargs):
        station = get_object_or_404(
            Organization.objects.select_related("county", "town", "proposed_by"), pk=kwargs["pk"]
        )
        if station.confirmed or not rules.can_confirm_station(request.user, station):
            raise Http404
        self.station = station
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.station.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("proposed_stations:index"), "label": _("待确认阵地")},
            {"url": "", "label": self.station.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = self.station
        context.setdefault(
            "confirm_form",
            ConfirmStationForm(
                organization=station,
                initial={
                    "name": station.name,
                    "town": station.town_id,
                    "new_town_name": station.proposed_town,
                },
            ),
        )
        context.setdefault("merge_form", MergeStationForm(organization=station))
        context.update(station=station, teams=station.teams.order_by("sort_key"))
        return context

    def post(self, request, *args, **kwargs):
        station = self.station
        if "merge" in request.POST:
            form = MergeStationForm(request.POST, organization=station)
            if form.is_valid():
                try:
                    target = services.station_merge(
                        organization=station, into=form.cleaned_data["into"], by=request.user
                    )
                except StationError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(
                        request, _("已并入“%(name)s”，相关团队已改为该阵地。") % {"name": target.name}
                    )
                    return redirect("proposed_stations:index")
            return self.render_to_response(self.get_context_data(merge_form=form))
        form = ConfirmStationForm(request.POST, organization=station)
        if form.is_valid():
            try:
                confirmed = services.station_confirm(
                    organization=station, by=request.user, **form.cleaned_data
                )
            except StationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("“%(name)s”已确认，所有团队都可以选择它了。") % {"name": confirmed.name}
                )
                return redirect("proposed_stations:index")
        return self.render_to_response(self.get_context_data(confirm_form=form))


def may_see_proposals(user) -> bool:
    # The coordinators' group first (names cached on the user): no query for anyone else.
    if is_organizer(user):
        return True
    return COORDINATORS in group_names(user) and rules.coordinator_county_id(user) is not None


class ProposedStationMenuItem(MenuItem):
    """Shown to organizers and coordinators, from the group names the back office loads anyway:
    no query added to every back-office page (the count is on the home page and the list)."""

    def is_shown(self, request):
        names = group_names(request.user)
        return is_organizer(request.user) or COORDINATORS in names


class ProposedStationSummaryItem(SummaryItem):
    """On the back office's home page, beside the page count."""

    order = 150
    template_name = "competition/stations/admin/summary_item.html"

    def is_shown(self):
        return may_see_proposals(self.request.user)

    def get_context_data(self, parent_context):
        return {"count": selectors.proposed_station_count(self.request.user)}
