from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel

# Template source, with its variables' and tags' English names: not for translating tools.
SOURCE = {"translate": "no", "spellcheck": "false"}


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("标题"), max_length=200, widget=forms.TextInput(attrs=SOURCE))
    body = forms.CharField(
        label=_("内容（站内消息和电子邮件）"), widget=forms.Textarea(attrs={"rows": 10, **SOURCE})
    )
    sms_body = forms.CharField(
        label=_("短信内容"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **SOURCE}),
    )
    sms_template_code = forms.CharField(
        label=_("短信模板编号"),
        max_length=40,
        required=False,
        help_text=_("短信服务商审核通过的模板编号（阿里云：SMS_ 开头），模板变量与下面列出的变量同名。"),
    )
    channels = forms.MultipleChoiceField(
        label=_("发送渠道"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
