"""The domain errors of awards; views show ``message`` to the user as it is."""

from common.errors import DomainError


class AwardsError(DomainError):
    """A step of the shortlist, notice or finalization that must not happen now."""
