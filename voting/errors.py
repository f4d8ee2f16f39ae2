"""The domain errors of voting; views show ``message`` as it is."""

from common.errors import DomainError


class VotingError(DomainError):
    """Anything refused in a vote (window, entry, limits)."""


class VerificationError(VotingError):
    """A code that cannot be sent or does not verify."""


class GatewayDown(VerificationError):
    """The SMS gateway did not take the code: the voter may try again later."""


class VoteRefused(VotingError):
    """A vote not accepted (window closed, entry not in the vote, a limit reached)."""
