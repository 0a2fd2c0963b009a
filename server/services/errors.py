"""Domain exceptions. Mapped to HTTP once, in ``server.api.errors``.

Each carries a stable machine-readable ``code`` (the documented list is in README.md),
a human message and optional field errors.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, errors: dict | None = None,
                 **details):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or {}
        self.details = details


class NotFound(DomainError):
    """Also what a user outside the object's scope gets: no hint that it exists."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RuleViolation(DomainError):
    """Well-formed input that a business rule refuses."""

    status = 422
    code = "rule_violation"


class InvalidInput(DomainError):
    status = 422
    code = "validation_error"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """The role may never do this, whatever the object (scope misses are NotFound)."""

    status = 403
    code = "forbidden"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


class TooLarge(DomainError):
    status = 413
    code = "body_too_large"
