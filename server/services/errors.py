"""Domain exceptions. Mapped to HTTP once, in ``server.api.errors``.

Each carries a stable machine-readable ``code`` from the catalogue in ``schemas.errors``
(the table in docs/errors.md is generated from it), a human message and optional field
errors. The status is the catalogue's for the code: a class only says which kind of
refusal it is, and which status it answers with where a code has one per place.
"""

from __future__ import annotations

from schemas.errors import ErrorCode, status_of


class DomainError(Exception):
    status = ErrorCode.BAD_REQUEST.status
    code: str = ErrorCode.BAD_REQUEST

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "status" not in cls.__dict__:  # a class that names its code takes its status
            cls.status = status_of(cls.code, cls.status)

    def __init__(self, message: str, *, code: str | None = None, errors: dict | None = None,
                 **details):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
            self.status = status_of(code, type(self).status)
        self.errors = errors or {}
        self.details = details


class NotFound(DomainError):
    """Also what a user outside the object's scope gets: no hint that it exists."""

    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class RuleViolation(DomainError):
    """Well-formed input that a business rule refuses."""

    code = ErrorCode.RULE_VIOLATION


class InvalidInput(DomainError):
    code = ErrorCode.VALIDATION_ERROR


class Unauthorized(DomainError):
    code = ErrorCode.UNAUTHORIZED


class Forbidden(DomainError):
    """The role may never do this, whatever the object (scope misses are NotFound)."""

    code = ErrorCode.FORBIDDEN


class TooManyAttempts(DomainError):
    code = ErrorCode.TOO_MANY_ATTEMPTS


class TooLarge(DomainError):
    code = ErrorCode.BODY_TOO_LARGE
