"""The domain errors of judging; views show ``message`` to the user as it is."""

from common.errors import DomainError


class JudgingError(DomainError):
    """A change to rounds, assignments or sheets that must not happen (now)."""


class SheetConflict(JudgingError):
    """The sheet was saved elsewhere since the judge opened it."""
