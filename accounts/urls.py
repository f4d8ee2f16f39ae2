"""Log-in, log-out and passwords under /accounts/ (Django's views, our forms). A team's
sign-up is the data core's (``competition.views.signup``), mounted beside these by config."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import path, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from . import throttle
from .forms import LoginForm, QueuedPasswordResetForm
from .signals import signup_confirmed
from .tokens import signup_token

app_name = "accounts"


class LoginView(auth_views.LoginView):
    """Django's log-in view with our form. A logged-in user is sent on to the dashboard, except
    when ``next=`` names the page that sent them here: that page refused them (the back office
    does so for a team or a judge), and sending them back would loop. They get the form
    instead, to log in with another account."""

    form_class = LoginForm
    template_name = "accounts/login.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.get_redirect_url():
            return redirect(self.get_default_redirect_url())
        return super().dispatch(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the e-mailed link also lifts the log-in lock-out, as the
    lock-out message promises."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.clear_all_login_failures(username=form.user.get_username())
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with hourly limits per client address and per e-mail address
    (the same for known and unknown addresses) and the e-mail sent by the task queue."""

    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if not form.check_rate(self.request):
            return self.form_invalid(form)
        return super().form_valid(form)


def signup_confirm(request, uidb64, token):
    """The link of the sign-up e-mail. Opening it shows a button; only pressing it (a POST)
    activates the account once and logs it in, so a mail scanner that follows links cannot
    confirm an address for whoever typed it into the sign-up form."""
    try:
        user = get_user_model().objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (TypeError, ValueError, OverflowError):
        user = None
    if user is None or user.is_active or not signup_token.check_token(user, token):
        return render(request, "accounts/signup_confirm_failed.html", status=400)
    if request.method != "POST":
        return render(request, "accounts/signup_confirm.html", {"email": user.email})
    user.is_active = True
    user.save(update_fields=["is_active"])
    signup_confirmed.send(sender=get_user_model(), user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("邮箱已确认，账号已启用。欢迎参加大赛！请先完善团队信息，然后开始申报项目。"))
    return redirect(settings.LOGIN_REDIRECT_URL)


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", PasswordResetView.as_view(), name="password_reset"),
    path("signup/confirm/<uidb64>/<token>/", signup_confirm, name="signup_confirm"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
