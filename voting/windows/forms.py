from django import forms
from django.utils.translation import gettext_lazy as _

from competition.models import Contest
from judging.models import Round

from ..models import VotingWindow


class WindowForm(forms.ModelForm):
    """The window's settings; the rules (times, what may change once open) are the services'."""

    class Meta:
        model = VotingWindow
        fields = [
            "contest",
            "round",
            "title",
            "opens_at",
            "closes_at",
            "max_votes_per_day",
            "show_counts",
            "weight_percent",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contest"].queryset = Contest.objects.order_by("-year", "-submission_opens")
        self.fields["round"].queryset = Round.objects.select_related("contest").order_by(
            "-contest__year", "order"
        )
        self.fields["round"].label_from_instance = lambda r: f"{r.contest.title} · {r.name}"
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("投票截止时间须晚于开始时间。"))
        contest, round = cleaned.get("contest"), cleaned.get("round")
        if contest and round and round.contest_id != contest.pk:
            self.add_error("round", _("所选评审轮次不属于这个大赛。"))
        return cleaned
