"""One-time links for e-mail: confirming a sign-up (the password reset uses Django's own)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """A link that activates a new account once: it dies when the account becomes active (or
    its password changes), and after PASSWORD_RESET_TIMEOUT like a reset link."""

    key_salt = "accounts.tokens.SignupTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


signup_token = SignupTokenGenerator()
