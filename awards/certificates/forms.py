"""The organizer's form to revoke a certificate."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填。理由、撤销人和时间都会记录；证书验证页将显示“已撤销”及日期（不显示理由）。"),
        error_messages={"required": _("请填写撤销理由。")},
    )
