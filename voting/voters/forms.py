from django import forms
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    """The number and, once sent, the code; the rules are the services'."""

    number = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812341234"}
        ),
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
