"""Every error leaves as JSON of one shape: status, code, message, errors.

Covers domain exceptions, webargs/marshmallow validation, werkzeug's HTTP errors
(404, 405, 413, ...) and anything unexpected, which is logged and answered with a 500
that shows no stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from server.services.errors import DomainError

log = logging.getLogger(__name__)

# When every failing field is one of these, the error code names it precisely.
FIELD_CODES = {
    "credit_code": "invalid_credit_code",
    "id_number": "invalid_id_number",
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_attempts",
}


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
    return "validation_error"


def respond(status: int, code: str, message: str, errors: dict | None = None, **details):
    resp = jsonify(error_body(status, code, message, errors, **details))
    resp.status_code = status
    return resp


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
            return respond(422, _validation_code(errors), "The request has invalid fields.",
                           errors)
        return respond(status, HTTP_CODES.get(status, "http_error"),
                       "The request body could not be read as JSON.", errors)
    if isinstance(exc, RequestEntityTooLarge):
        from flask import request

        limit = request.max_content_length
        return respond(413, "body_too_large",
                       f"The request body is larger than the limit of {limit} bytes.",
                       limit_bytes=limit)
    code = HTTP_CODES.get(status, "http_error")
    message = data.get("message") or exc.description or exc.name
    resp = respond(status, code, message, data.get("errors"))
    if status == 405 and getattr(exc, "valid_methods", None):
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    return resp


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error")
    return respond(500, "internal_error", "An unexpected error occurred; it has been logged.")


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


def register_db_errors(app: Flask) -> None:
    """Database refusals that slipped past the services' own checks: still a 4xx."""
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    def _integrity(exc):
        log.info("integrity error", exc_info=exc)
        return respond(409, "conflict", "The change conflicts with existing data.")

    def _data(exc):
        log.info("data error", exc_info=exc)
        return respond(422, "invalid_value", "A value does not fit its column.")

    def _busy(exc):
        # SQLite "database is locked" past the busy timeout, PostgreSQL lock or statement
        # timeouts: the request may well succeed if repeated.
        log.warning("database busy", exc_info=exc)
        resp = respond(503, "database_busy", "The database is busy; try again shortly.")
        resp.headers["Retry-After"] = "2"
        return resp

    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(DataError, _data)
    app.register_error_handler(OperationalError, _busy)
