"""Forms about judges: the profile, an invitation, accepting one."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from accounts.roles import accounts_managed_by
from competition.onboarding.workbook import normalize_phone
from judging.models import (
    JudgeInvitation,
)


class JudgeForm(WagtailAdminModelForm):
    """A judge is a user account (not a team's) with a profile. The account is chosen once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(team__isnull=True).order_by("username")
        field = self.fields["user"]
        field.label = gettext("账号")
        if self.instance.pk:
            field.queryset = users.filter(pk=self.instance.user_id)
            field.disabled = True
            field.help_text = gettext("评委的账号创建后不能更换。")
        else:
            # Never a superuser's, organizer's or supervisor's account (a role is a right).
            field.queryset = accounts_managed_by(
                self.for_user, users.filter(judge__isnull=True, is_active=True)
            )
            field.help_text = gettext(
                "选择一个已有账号（参赛团队的账号不能做评委）；也可以用“邀请评委”请对方自己注册。"
            )


class JudgeInvitationForm(WagtailAdminModelForm):
    # Longer than the 11 digits stored: "+86 138-1234-1234" is cleaned to 13812341234.
    phone = forms.CharField(label=_("手机号码"), max_length=30, required=False)

    class Meta:
        model = JudgeInvitation
        fields = ["name", "title", "email", "phone", "expertise", "organization", "county", "capacity"]
        labels = {
            "county": _("所在县（市、区）"),
            "organization": _("所在单位"),
            "capacity": _("评审容量"),
        }
        help_texts = {
            "county": _("同一县（市、区）的项目自动回避。"),
            "organization": _("同一单位的项目自动回避；选了单位时，县（市、区）跟随单位。"),
            "capacity": _("每轮最多评审的项目数；留空表示不限。"),
        }
        widgets = {"expertise": forms.CheckboxSelectMultiple}

    def clean_phone(self):
        """Any way of writing a mobile number (+86, spaces, dashes, full-width digits)."""
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return ""
        normalized = normalize_phone(phone)
        if normalized is None:
            raise ValidationError(_("请输入 11 位中国大陆手机号码，例如 13812341234。"))
        return normalized


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
