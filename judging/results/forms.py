"""The form of advancement."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class AdvanceForm(forms.Form):
    MODES = [("top", gettext_lazy("按总成绩取前 M 名")), ("category", gettext_lazy("按类别分配名额"))]

    mode = forms.ChoiceField(
        label=gettext_lazy("晋级方式"), choices=MODES, widget=forms.RadioSelect, initial="top"
    )
    top = forms.IntegerField(label=gettext_lazy("晋级数量 M"), min_value=1, max_value=100000, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[f"quota_{category.code}"] = forms.IntegerField(
                label=category.label, min_value=0, max_value=100000, required=False
            )

    def quota_fields(self):
        return [(category, self[f"quota_{category.code}"]) for category in self.categories]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "top" and not cleaned.get("top"):
            self.add_error("top", _("请填写晋级数量。"))
        if cleaned.get("mode") == "category" and not any(
            cleaned.get(f"quota_{c.code}") for c in self.categories
        ):
            raise forms.ValidationError(_("请至少为一个类别填写晋级名额。"))
        return cleaned

    def rule(self) -> dict:
        """Keyword arguments for ``advance``."""
        if self.cleaned_data["mode"] == "category":
            return {
                "per_category": {
                    c.code: self.cleaned_data[f"quota_{c.code}"]
                    for c in self.categories
                    if self.cleaned_data.get(f"quota_{c.code}")
                }
            }
        return {"top": self.cleaned_data["top"]}


class NextRoundForm(forms.Form):
    """The budget of the second round (复评建议), and the new round's name when creating it."""

    budget = forms.IntegerField(
        label=gettext_lazy("加派评分表预算（份）"),
        min_value=0,
        max_value=1_000_000,
        error_messages={"invalid": gettext_lazy("请填写整数份数。")},
    )
    target = forms.FloatField(
        label=gettext_lazy("目标：预计不在真实名单中的项目不超过"),
        min_value=0,
        max_value=100_000,
        error_messages={"invalid": gettext_lazy("请填写一个数。")},
    )
    name = forms.CharField(label=gettext_lazy("新轮次名称"), max_length=50, required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for category in self.categories:
            self.fields[f"places_{category.code}"] = forms.IntegerField(
                label=category.label,
                min_value=0,
                max_value=100000,
                required=False,
                error_messages={"invalid": gettext_lazy("请填写整数名额。")},
            )

    def place_fields(self):
        return [self[f"places_{category.code}"] for category in self.categories]

    def per_category(self) -> dict[str, int]:
        """The category places typed (category code → places), without empty or zero ones."""
        return {
            c.code: self.cleaned_data[f"places_{c.code}"]
            for c in self.categories
            if self.cleaned_data.get(f"places_{c.code}")
        }
