"""Forms of scoring: a judge's sheet, an organizer reopening one."""

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from judging.models import (
    Criterion,
)


class SheetForm(forms.Form):
    """One number field per criterion (named by position, not by database id), comments,
    and the sheet version the judge started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment_to_organizers = forms.CharField(
        label=_("给组委会的意见"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("只有组委会能看到。"),
    )
    feedback_to_team = forms.CharField(
        label=_("给参赛团队的反馈（可选）"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("结果公布后，参赛团队会看到这段反馈，但看不到是哪位评委写的。"),
    )

    def __init__(self, *args, criteria: list[Criterion], scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for n, criterion in enumerate(criteria, start=1):
            self.fields[f"score-{n}"] = forms.CharField(
                label=criterion.name,
                required=False,
                help_text=criterion.guidance,
                initial=scores.get(criterion.pk),
                widget=forms.NumberInput(
                    attrs={
                        "min": 0,
                        "max": criterion.max_points,
                        "step": "0.5",
                        "inputmode": "decimal",
                        "data-max": criterion.max_points,
                        "data-weight": str(criterion.weight),
                        "class": "score-input",
                    }
                ),
            )

    def score_fields(self):
        return [(criterion, self[f"score-{n}"]) for n, criterion in enumerate(self.criteria, start=1)]

    def points(self) -> dict[int, str]:
        return {
            criterion.pk: self.cleaned_data.get(f"score-{n}") or ""
            for n, criterion in enumerate(self.criteria, start=1)
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("重开原因"),
        required=False,  # the service says what is missing, in its words
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("记入评审记录；评委可以修改后重新提交。"),
    )
