"""The log-in form with the lock-out."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from common.http import client_address

from . import throttle
from .roles import may_reset_password

User = get_user_model()


class LoginForm(AuthenticationForm):
    """Django's log-in form plus the (username, address) lock-out and the per-address failure
    budget of ``accounts.throttle``. Both answer with the same message whether or not the
    account exists, and refuse even the right password while they last."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。请注意区分大小写。"),
        "inactive": _("该账号已停用，请联系组委会。"),
        "locked": _("登录失败次数过多，请在 %(time)s 之后再试，或通过“忘记密码”重设密码。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        locked_until = throttle.login_locked_until(
            username=username, address=address
        ) or throttle.address_locked_until(address=address)
        if locked_until:
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"time": formats.time_format(timezone.localtime(locked_until), "H:i")},
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                throttle.record_login_failure(username=username, address=address)
            raise
        throttle.clear_login_failures(username=username, address=address)
        return cleaned


def retry_message(until) -> str:
    return _("请求过于频繁，请在 %(time)s 之后再试。") % {
        "time": formats.time_format(timezone.localtime(until), "H:i")
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the task queue (``accounts.tasks``):
    the request neither waits for the mail server nor takes longer for a known address."""

    def check_rate(self, request) -> bool:
        """Count this request against the hourly limits; False (with a form error) if over."""
        until = throttle.count_account_mail(email=self.cleaned_data["email"], address=client_address(request))
        if until is not None:
            self.add_error(None, retry_message(until))
            return False
        return True

    def get_users(self, email):
        """Django's choice (active, same address) by our one rule, ``roles.may_reset_password``."""
        users = User.objects.filter(email__iexact=email, is_active=True)
        return [u for u in users if u.email.casefold() == email.casefold() and may_reset_password(u)]

    def save(self, **kwargs) -> None:
        from .tasks import send_password_reset

        for user in self.get_users(self.cleaned_data["email"]):
            send_password_reset.enqueue(user.pk, translation.get_language())
