"""The base of every domain error: a refusal whose ``message`` is shown to the user as it is
(in the user's language), never a 500."""


class DomainError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
