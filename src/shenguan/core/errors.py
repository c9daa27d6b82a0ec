"""Domain errors. Every entry point turns them into its own form of a clear refusal: a JSON
problem document in the API, a form error in the UI, a message and non-zero exit in the CLI."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a rule. ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
