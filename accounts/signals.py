"""Signals of accounts, for the apps above it (accounts knows none of them)."""

from django.dispatch import Signal

# A team's account was activated through the link of its sign-up e-mail (``user``).
signup_confirmed = Signal()
