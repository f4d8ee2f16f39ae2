from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Criterion


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


class DeclareConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("回避原因（可选）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：认识项目负责人、曾参与或指导过该项目。"),
    )


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("这个用户名已被使用，请换一个。"))
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        if p1:
            try:
                password_validation.validate_password(p1)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
