"""Forms of the shortlist pages: overrides with reasons and the what-if."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("理由"),
            required=False,  # the service says what is missing, in its words
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=gettext_lazy("必填，记入入围名单记录，监委可查。"),
            **kwargs,
        )


class AddForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("调入项目的匿名编号"), max_length=12)
    reason = ReasonField()


class RemoveForm(forms.Form):
    entry = forms.TypedChoiceField(label=gettext_lazy("调出的项目"), coerce=int)
    reason = ReasonField()

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("请选择项目"))] + [
            (item.entry_id, f"{item.rank}. {item.entry.title}") for item in items
        ]


class SwapForm(RemoveForm):
    code = forms.CharField(label=gettext_lazy("换入项目的匿名编号"), max_length=12)
    field_order = ["entry", "code", "reason"]


class WhatIfForm(forms.Form):
    round = forms.TypedChoiceField(label=gettext_lazy("成绩来源轮次"), coerce=int)
    size = forms.IntegerField(label=gettext_lazy("入围数量"), min_value=1, max_value=100000, initial=100)
    county_cap = forms.IntegerField(
        label=gettext_lazy("每县上限"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=gettext_lazy("每个县（市、区）最多入围的项目数；留空表示不限。"),
    )

    def __init__(self, *args, rounds=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = {r.pk: r for r in rounds}
        self.fields["round"].choices = [(r.pk, r.name) for r in rounds]
        self.categories = list(categories)
        for category in self.categories:
            for bound in ("min", "max"):
                self.fields[f"{bound}_{category.code}"] = forms.IntegerField(
                    label=category.label, min_value=0, max_value=100000, required=False
                )

    def category_rows(self):
        return [(c, self[f"min_{c.code}"], self[f"max_{c.code}"]) for c in self.categories]

    def constraints(self) -> dict:
        """Keyword arguments for ``shortlist_preview`` / ``shortlist_commit``."""
        data = self.cleaned_data
        return {
            "round": self.rounds[data["round"]],
            "size": data["size"],
            "county_cap": data.get("county_cap"),
            "category_min": {
                c.code: data[f"min_{c.code}"]
                for c in self.categories
                if data.get(f"min_{c.code}") is not None
            },
            "category_max": {
                c.code: data[f"max_{c.code}"]
                for c in self.categories
                if data.get(f"max_{c.code}") is not None
            },
        }
