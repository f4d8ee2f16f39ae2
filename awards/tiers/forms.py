"""Forms of award tiers on the shortlist page: the tiers (one row each, blank rows ignored)
and moving one entry to another tier with a reason."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awards.shortlist.forms import ReasonField
from awards.tiers.services import TierSpec

MAX_TIERS = 10


class TierForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("奖项名称"), max_length=40, required=False)
    places = forms.IntegerField(label=gettext_lazy("名额"), min_value=1, max_value=100000, required=False)
    county_cap = forms.IntegerField(
        label=gettext_lazy("每县上限"), min_value=1, max_value=100000, required=False
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            for bound in ("min", "max"):
                self.fields[f"{bound}_{category.code}"] = forms.IntegerField(
                    label=category.label, min_value=0, max_value=100000, required=False
                )

    def category_rows(self):
        return [(c, self[f"min_{c.code}"], self[f"max_{c.code}"]) for c in self.categories]

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        filled = any(value not in (None, "") for key, value in data.items() if key != "name")
        if not name and filled:
            self.add_error("name", _("请填写奖项名称；不要的奖项请把整行清空。"))
        if name and data.get("places") is None and "places" not in self.errors:
            self.add_error("places", _("请填写名额。"))
        return data

    def spec(self) -> TierSpec | None:
        data = self.cleaned_data
        name = (data.get("name") or "").strip()
        if not name:
            return None
        bounds = {
            kind: {
                c.code: data[f"{prefix}_{c.code}"]
                for c in self.categories
                if data.get(f"{prefix}_{c.code}") is not None
            }
            for kind, prefix in (("category_min", "min"), ("category_max", "max"))
        }
        return TierSpec(name=name, places=data["places"], county_cap=data.get("county_cap"), **bounds)


class BaseTierFormSet(forms.BaseFormSet):
    def specs(self) -> list[TierSpec]:
        return [spec for form in self.forms if (spec := form.spec()) is not None]


TierFormSet = forms.formset_factory(
    TierForm, formset=BaseTierFormSet, extra=2, max_num=MAX_TIERS, validate_max=True, absolute_max=MAX_TIERS
)


def tier_formset(*, tiers, categories, data=None) -> BaseTierFormSet:
    initial = [
        {
            "name": t.name,
            "places": t.places,
            "county_cap": t.county_cap,
            **{f"min_{code}": n for code, n in t.category_min.items()},
            **{f"max_{code}": n for code, n in t.category_max.items()},
        }
        for t in tiers
    ]
    return TierFormSet(data, prefix="tiers", initial=initial, form_kwargs={"categories": categories})


class TierMoveForm(forms.Form):
    entry = forms.TypedChoiceField(label=gettext_lazy("项目"), coerce=int)
    tier = forms.TypedChoiceField(label=gettext_lazy("调整为"), coerce=int)
    reason = ReasonField()

    def __init__(self, *args, items=(), tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("请选择项目"))] + [
            (item.entry_id, f"{item.rank}. {item.entry.title}") for item in items
        ]
        self.fields["tier"].choices = [("", _("请选择奖项"))] + [(t.pk, t.name) for t in tiers]
