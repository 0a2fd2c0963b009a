"""Every error leaves as JSON of one shape: status, code, message, errors.

Covers domain exceptions, webargs/marshmallow validation, werkzeug's HTTP errors
(404, 405, 413, ...) and anything unexpected, which is logged and answered with a 500
that shows no stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from schemas.errors import ErrorCode
from server.services.errors import DomainError

log = logging.getLogger(__name__)

# When every failing field is one of these, the error code names it precisely.
FIELD_CODES = {
    "credit_code": ErrorCode.INVALID_CREDIT_CODE,
    "id_number": ErrorCode.INVALID_ID_NUMBER,
}

# werkzeug's HTTP errors (404, 405, ...), by status; any other status is ``http_error``.
HTTP_CODES = {code.status: code for code in (
    ErrorCode.BAD_REQUEST, ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND,
    ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.CONFLICT, ErrorCode.PRECONDITION_FAILED,
    ErrorCode.BODY_TOO_LARGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.VALIDATION_ERROR,
    ErrorCode.PRECONDITION_REQUIRED, ErrorCode.TOO_MANY_ATTEMPTS)}


def error_body(status: int, code: str, message: str, errors: dict | None = None, **details):
    body = {"status": status, "code": code, "message": message, "errors": errors or {}}
    body.update(details)
    return body


def _field_errors(errors: dict):
    for location, fields in errors.items():
        if isinstance(fields, dict):
            yield from ((str(k), v) for k, v in fields.items())
        else:
            yield location, fields


def _validation_code(errors: dict) -> str:
    """``invalid_credit_code`` / ``invalid_id_number`` when the only failures are those
    codes' own check (messages starting "not a valid"); anything else, such as an unknown
    ``credit_code`` field in a PATCH, stays a plain ``validation_error``."""
    codes = set()
    for name, messages in _field_errors(errors):
        own = isinstance(messages, list) and all(
            isinstance(m, str) and m.startswith("not a valid") for m in messages)
        codes.add(FIELD_CODES.get(name) if own else None)
    if len(codes) == 1 and None not in codes:
        return codes.pop()
    return ErrorCode.VALIDATION_ERROR


def respond(status: int, code: str, message: str, errors: dict | None = None, **details):
    resp = jsonify(error_body(status, code, message, errors, **details))
    resp.status_code = status
    return resp


def refuse(code: ErrorCode, message: str, errors: dict | None = None, **details):
    """The error answer of ``code``, with its status from the catalogue."""
    return respond(code.status, code, message, errors, **details)


def handle_domain_error(exc: DomainError):
    resp = respond(exc.status, exc.code, exc.message, exc.errors, **exc.details)
    if "retry_after_seconds" in exc.details:  # 429s and the like: also as the header says
        resp.headers["Retry-After"] = str(exc.details["retry_after_seconds"])
    return resp


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if "messages" in data:  # webargs: field errors (422) or an unreadable body (400)
        errors = data["messages"]
        if status == 422:
            return refuse(_validation_code(errors), "The request has invalid fields.", errors)
        return respond(status, HTTP_CODES.get(status, ErrorCode.HTTP_ERROR),
                       "The request body could not be read as JSON.", errors)
    if isinstance(exc, RequestEntityTooLarge):
        from flask import request

        limit = request.max_content_length
        return refuse(ErrorCode.BODY_TOO_LARGE,
                      f"The request body is larger than the limit of {limit} bytes.",
                      limit_bytes=limit)
    code = HTTP_CODES.get(status, ErrorCode.HTTP_ERROR)
    message = data.get("message") or exc.description or exc.name
    resp = respond(status, code, message, data.get("errors"))
    if status == 405 and getattr(exc, "valid_methods", None):
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error")
    return refuse(ErrorCode.INTERNAL_ERROR, "An unexpected error occurred; it has been logged.")


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


def register_db_errors(app: Flask) -> None:
    """Database refusals that slipped past the services' own checks: still a 4xx."""
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    def _integrity(exc):
        log.info("integrity error", exc_info=exc)
        return refuse(ErrorCode.CONFLICT, "The change conflicts with existing data.")

    def _data(exc):
        log.info("data error", exc_info=exc)
        return refuse(ErrorCode.INVALID_VALUE, "A value does not fit its column.")

    def _busy(exc):
        # SQLite "database is locked" past the busy timeout, PostgreSQL lock or statement
        # timeouts: the request may well succeed if repeated.
        log.warning("database busy", exc_info=exc)
        resp = refuse(ErrorCode.DATABASE_BUSY, "The database is busy; try again shortly.")
        resp.headers["Retry-After"] = "2"
        return resp

    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(DataError, _data)
    app.register_error_handler(OperationalError, _busy)
