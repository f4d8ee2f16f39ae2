"""Accounts: the log-in lock-out's counters and the audit of accounts' rights (users and
groups are Django's own)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """Failed log-ins per (username, client address) pair; see ``accounts.throttle``."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField()
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="login_throttle_pair"),
        ]
        indexes = [models.Index(fields=["first_failure_at"])]

    def __str__(self):
        return f"{self.username} @ {self.address}"


class RateCounter(models.Model):
    """How much of a rate limit one key (an account, an address, an e-mail) used in the current
    fixed window; see ``accounts.ratelimit``. In the database so that every app server counts
    the same."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self):
        return f"{self.key}: {self.count}"


class AccountEvent(models.Model):
    """Audit of back-office accounts (DESIGN §4.5): who gave or took which rights, set a
    password, sent a set-password link, created, (de)activated or deleted an account, with the
    rights before and after. Written only by ``accounts.users.services``; supervisors (监委)
    read it at 设置 → 报告 → 账号记录."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建账号")
        RIGHTS = "rights", _("权限变更")
        PASSWORD_SET = "password_set", _("设置密码")
        PASSWORD_LINK = "password_link", _("发送设置密码链接")
        DELETED = "deleted", _("删除账号")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The names as they were, kept when an account is deleted later.
    actor_name = models.CharField(max_length=150, blank=True)
    account_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("账号记录")
        verbose_name_plural = _("账号记录")
        indexes = [models.Index(fields=["-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.account_name}"
