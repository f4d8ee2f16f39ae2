"""Accounts: the log-in lock-out's counters (users and groups are Django's own)."""

from django.db import models


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
