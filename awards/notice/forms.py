"""Forms of the notice: the public's objection, publishing the notice, answering."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from competition.models import MOBILE_PHONE_VALIDATOR

# A landline with its area code: 0351-1234567, 03551234567, 010-12345678, with an extension.
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


REASON_MIN = 10


REASON_MAX = 2000


HONEYPOT = "website"


def clean_phone(value: str) -> str:
    """A mainland mobile number (as ``competition.models.MOBILE_PHONE_VALIDATOR``) or a landline
    with its area code; spaces are dropped."""
    phone = re.sub(r"[\s\u3000]+", "", value or "").replace("－", "-")
    if LANDLINE.match(phone):
        return phone
    try:
        MOBILE_PHONE_VALIDATOR(phone)
    except ValidationError:
        raise ValidationError(
            _("请输入 11 位手机号码（例如 13812341234）或带区号的固定电话（例如 0355-1234567）。"),
            code="phone",
        ) from None
    return phone


class ObjectionForm(forms.Form):
    """Name, phone, the project concerned (optional, one of the listed ones) and the reason.
    ``website`` is a honeypot: hidden from people, filled in by robots."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("请实名提出异议。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        help_text=_("手机或带区号的固定电话，仅供组委会核实情况时联系您，不会公开。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    entry = forms.ChoiceField(label=_("异议项目"), required=False)
    reason = forms.CharField(
        label=_("异议内容"),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        help_text=_("请写明具体事实和理由（10 至 2000 字），可附上核实线索。"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "min_length": _("异议内容至少 %(limit_value)d 个字，请写明具体事实和理由。"),
            "max_length": _("异议内容最多 %(limit_value)d 个字（现在 %(show_value)d 个字）。"),
        },
    )
    website = forms.CharField(
        label=_("请不要填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {str(item.entry.public_id): item.entry for item in items}
        self.fields["entry"].choices = [("", _("（不针对具体项目）"))] + [
            (key, entry.title) for key, entry in self.entries.items()
        ]

    def is_spam(self) -> bool:
        """A robot filled in the hidden field."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("请填写姓名。"), code="required")
        return name

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_entry(self):
        key = self.cleaned_data.get("entry") or ""
        return self.entries.get(key)

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


class NoticeForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("公示天数"),
        min_value=1,
        max_value=60,
        initial=5,
        help_text=gettext_lazy("从现在开始计算；公示期内公众可以提出异议。"),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("答复"),
        required=False,  # the service says what is missing
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
