"""The domain errors of the data core; views show ``message`` (and ``problems``) as they are."""

from common.errors import DomainError

from .models import Entry


class EntryError(DomainError):
    """A save that must not happen; ``message`` is shown to the user as it is, with the
    ``problems`` listed under it."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


class DeadlinePassed(EntryError):
    pass


class EditConflict(EntryError):
    """``version`` is the stored one: a save made after seeing the warning starts from it."""

    def __init__(self, message: str, *, version: int):
        super().__init__(message)
        self.version = version


class EntryLimitReached(EntryError):
    pass


class EntryIncomplete(EntryError):
    """``entry`` is the draft that was saved anyway, or None when nothing was saved."""

    def __init__(self, message: str, problems: list[str], entry: Entry | None = None):
        super().__init__(message, problems)
        self.entry = entry


class EntryNotEditable(EntryError):
    pass


class DuplicatePhoto(EntryError):
    """A photo identical to one the entry has (or chosen twice); ``problems`` names each."""


class TeamError(DomainError):
    """A change to a team that must not happen now."""


class ContestError(DomainError):
    """A step of the contest that its phase does not allow."""


class StationError(DomainError):
    """A proposed station that cannot be named, confirmed or merged as asked."""
