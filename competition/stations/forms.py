"""The station picker as form fields: the chosen organization (a radio among the search results)
and, for a station missing from the list, the county, town and name the team types.

Without JavaScript the picker's county, town and search box belong to a separate GET form
(``find_form.html``, placed after the page's form): "查找" reloads the page with the results,
and nothing the team typed in the main form is sent anywhere. Put the picker first on a page.
With JavaScript (static/js/station-picker.js) the same controls search as one types.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import County, Organization
from .search import QUERY_MAX_LENGTH, places, search_stations, station_hit
from .services import StationProposal


@dataclass(frozen=True)
class PickerQuery:
    """The picker's GET parameters (no-JS round trips), checked against the cached places."""

    county_id: int | None = None
    town_id: int | None = None
    query: str = ""

    @classmethod
    def from_params(cls, params) -> "PickerQuery":
        if not params:
            return cls()
        lists = places()
        county_id = _int(params.get("county"))
        town_id = _int(params.get("town"))
        if county_id is not None and not lists.has_county(county_id):
            county_id = None
        if town_id is not None and not (county_id and lists.town_in_county(town_id, county_id)):
            town_id = None  # a town left over from another county
        return cls(county_id, town_id, (params.get("q") or "").strip()[:QUERY_MAX_LENGTH])

    @property
    def asked(self) -> bool:
        return bool(self.county_id or self.town_id or self.query)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class StationPicker(forms.Widget):
    """County and town selects, a search box and the results as radio buttons."""

    template_name = "competition/stations/picker.html"
    query = PickerQuery()
    own_id = None  # the team's own organization, shown even while unconfirmed

    class Media:
        # For the back office, which has no block for them (the team pages link them themselves).
        css = {"all": ["css/station-picker.css"]}
        js = ["js/station-picker.js"]

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        lists = places()
        value_id = _int(value.pk if isinstance(value, Organization) else value)
        selected = station_hit(value_id, own_id=self.own_id) if value_id is not None else None
        hits, more = search_stations(
            query=self.query.query, county_id=self.query.county_id, town_id=self.query.town_id
        )
        if selected is not None:
            hits = [hit for hit in hits if hit.id != selected.id]
        town_lists = {c.id: [[t.id, t.name] for t in lists.towns_of(c.id)] for c in lists.counties}
        return render_to_string(
            self.template_name,
            {
                "name": name,
                "id": attrs.get("id") or f"id_{name}",
                "disabled": attrs.get("disabled", False),
                "query": self.query,
                "counties": lists.counties,
                "towns": lists.towns_of(self.query.county_id) if self.query.county_id else (),
                "town_lists": town_lists,
                "town_lists_id": f"{attrs.get('id') or f'id_{name}'}-towns",
                "selected": selected,
                "hits": hits,
                "more": more,
                "search_url": reverse("station_search"),
            },
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StationChoiceField(forms.ModelChoiceField):
    """A confirmed organization, or the one the form was opened with (a team attached to a
    station it named keeps it while the coordinator has not confirmed it yet)."""

    widget = StationPicker

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset=Organization.objects.filter(confirmed=True), **kwargs)

    def allow_current(self, organization_id) -> None:
        if organization_id:
            self.queryset = Organization.objects.filter(Q(confirmed=True) | Q(pk=organization_id))
            self.widget.own_id = organization_id


class StationFormMixin(forms.Form):
    """A form with the picker. ``clean`` leaves in ``organization`` either the chosen
    Organization or a StationProposal for ``competition.stations.services.station_propose``."""

    organization = StationChoiceField(
        label=_("所属文明实践阵地"),
        help_text=_("可输入阵地或乡镇名称、全拼或拼音首字母，例如“xjz”可找到西井镇。"),
    )
    new_station_county = forms.ModelChoiceField(
        label=_("所属县（市、区）"), queryset=County.objects.all(), required=False
    )
    new_station_town = forms.CharField(label=_("所属乡镇（街道）"), max_length=50, required=False)
    new_station_name = forms.CharField(
        label=_("阵地名称"),
        max_length=100,
        required=False,
        help_text=_("例如“东村新时代文明实践站”。县区管理员确认后，其他团队也能选择这个阵地。"),
    )

    STATION_FIELDS = ("organization", "new_station_county", "new_station_town", "new_station_name")

    def setup_picker(self, *, params=None, current_organization_id=None, disabled: bool = False) -> None:
        field = self.fields["organization"]
        field.allow_current(current_organization_id)
        field.widget.query = PickerQuery.from_params(params)
        if disabled:
            for name in self.STATION_FIELDS:
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.fields["organization"].disabled:
            return cleaned
        chosen = cleaned.get("organization")
        name = (cleaned.get("new_station_name") or "").strip()
        if "organization" in self.errors:
            return cleaned
        if chosen is not None and name:
            self.add_error(
                "organization",
                gettext(
                    "您既选择了列表中的阵地，又填写了新阵地名称：请选择“列表中没有”，或者清空新阵地名称。"
                ),
            )
        elif chosen is None and not name:
            self.add_error(
                "organization",
                gettext("请搜索并选择所属阵地；列表中没有的，请在下方“找不到所属阵地”处填写。"),
            )
        elif chosen is None:
            county = cleaned.get("new_station_county")
            if county is None:
                self.add_error("new_station_county", gettext("请选择新阵地所属的县（市、区）。"))
            else:
                cleaned["organization"] = StationProposal(
                    county=county, town_name=cleaned.get("new_station_town") or "", name=name
                )
        return cleaned
