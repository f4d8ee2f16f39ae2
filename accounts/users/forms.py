"""Wagtail's user forms, limited to what the person using them may grant (``accounts.roles``):
only a superuser sees the superuser flag, the guarded groups and the password fields. An
organizer creates accounts without a password (their owner gets a set-password link) and cannot
redirect an existing account's e-mail, where such a link would go."""

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from accounts import roles

# Fields of Wagtail's forms that only a superuser may change.
SUPERUSER_FIELDS = ("is_superuser", "password1", "password2")


class LimitedRightsMixin:
    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        if "groups" in self.fields:
            self.fields["groups"].queryset = Group.objects.filter(
                pk__in=[g.pk for g in Group.objects.all() if roles.can_grant_group(for_user, g.name)]
            ).order_by("name")
        if not roles.can_set_passwords(for_user):
            for name in SUPERUSER_FIELDS:
                self.fields.pop(name, None)

    @property
    def ignored_fields(self) -> list[str]:
        """Rights fields sent with the form that it does not have for this user (and ignores)."""
        return [name for name in SUPERUSER_FIELDS if name not in self.fields and self.data.get(name)]

    @property
    def password_set(self) -> bool:
        return "password1" in self.fields and bool(self.cleaned_data.get("password1"))

    def save(self, commit=True):
        if "password1" in self.fields:
            return super().save(commit=commit)
        # Wagtail's UserForm.save reads the password fields this form does not have.
        user = forms.ModelForm.save(self, commit=False)
        if user._state.adding:
            user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class AccountCreationForm(LimitedRightsMixin, UserCreationForm):
    pass


class AccountEditForm(LimitedRightsMixin, UserEditForm):
    send_password_link = forms.BooleanField(
        label=_("发送设置密码的链接"),
        required=False,
        help_text=_("把设置密码的链接发到这个账号的邮箱，由本人自己设置新密码。"),
    )

    def __init__(self, *args, for_user, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if not roles.can_set_passwords(for_user) and "email" in self.fields:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "只有运维管理员可以修改已有账号的邮箱（设置密码的链接发到这里）。"
            )
