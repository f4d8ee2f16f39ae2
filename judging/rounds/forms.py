"""Forms of the round pages: the round with its rubric, a status change."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from judging.errors import JudgingError
from judging.models import DEFAULT_RUBRIC
from judging.rounds.services import check_rubric_change


class RoundForm(WagtailAdminModelForm):
    """The round and its rubric (criteria inline). Once scoring has started the rubric keeps
    its shape: criteria can be reworded but not added, removed or re-weighted."""

    # The 计分 panel: left out or blank, each keeps its current value (the model's default).
    SCORING_FIELDS = ("method", "shrinkage", "disagreement_threshold", "stage_weight")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.SCORING_FIELDS:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.SCORING_FIELDS:
            if name in self.fields and cleaned.get(name) in (None, "") and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        opens, closes = cleaned.get("scoring_opens"), cleaned.get("scoring_closes")
        if opens and closes and closes <= opens:
            # Said here in words; otherwise the database constraint's name would be the message.
            self.add_error("scoring_closes", gettext("评分截止时间必须晚于评分开始时间。"))
        if self.instance.pk and "contest" in self.changed_data and self.instance.round_entries.exists():
            self.add_error("contest", gettext("这个轮次已有参评项目，不能再更换大赛。"))
        self._check_scoring(cleaned)
        criteria = self.formsets.get("criteria")
        if criteria is not None and criteria.is_valid():
            if self.instance.pk:
                try:
                    check_rubric_change(round=self.instance, reshaped=self.rubric_reshaped())
                except JudgingError as error:
                    raise ValidationError(error.message) from None
            self._number_new_criteria()
        return cleaned

    def _check_scoring(self, cleaned) -> None:
        """The 计分 panel: no negative figures, and a tie criterion that is in the rubric."""
        for name in ("shrinkage", "disagreement_threshold", "stage_weight"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, gettext("不能为负数。"))
        position = cleaned.get("tie_criterion_position")
        criteria = self.formsets.get("criteria")
        if position and criteria is not None and criteria.is_valid():
            count = sum(1 for _form, deleted in self._kept_forms() if not deleted) or len(DEFAULT_RUBRIC)
            if position > count:
                message = gettext("评分标准只有 %(count)s 项，请填写 1 到 %(count)s 之间的序号。")
                self.add_error("tie_criterion_position", message % {"count": count})

    def _kept_forms(self):
        formset = self.formsets["criteria"]
        for form in formset.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue  # an empty extra form
            deleted = formset.can_delete and formset._should_delete_form(form)
            yield form, deleted

    def rubric_reshaped(self) -> bool:
        """Criteria added or removed, or their full marks or weights changed."""
        for form, deleted in self._kept_forms():
            if form.instance.pk is None and not deleted:
                return True
            if form.instance.pk is not None and (
                deleted or {"max_points", "weight"} & set(form.changed_data)
            ):
                return True
        return False

    def _number_new_criteria(self) -> None:
        """New criteria go after the existing ones (the rubric is listed by sort order)."""
        kept = [form for form, deleted in self._kept_forms() if not deleted]
        last = max((form.instance.sort_order for form in kept if form.instance.pk), default=0)
        for form in kept:
            if form.instance.pk is None:
                last += 1
                form.instance.sort_order = last


class StatusChangeForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("记入本轮的评审记录。"),
    )
