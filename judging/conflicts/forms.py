"""Forms about conflicts: one set by organizers, one declared by a judge."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from competition.selectors import submitted_entries_with_teams
from judging.models import Judge


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.team.name}）"


class ConflictForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.fields["entry"]
        self.fields["entry"] = EntryChoiceField(
            queryset=submitted_entries_with_teams(),
            label=entry.label,
            help_text=entry.help_text,
            disabled=bool(self.instance.pk),
        )
        self.fields["judge"].queryset = Judge.objects.order_by("name", "pk")
        if self.instance.pk:
            self.fields["judge"].disabled = True


class DeclareConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("回避原因（可选）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：认识项目负责人、曾参与或指导过该项目。"),
    )
