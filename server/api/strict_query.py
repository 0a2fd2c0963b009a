"""The query string as the API reads it: unknown parameters are refused, empty optional
ones are absent.

``StrictParser`` refuses unknown fields where an endpoint declares a query schema; an
endpoint without one never parses the query string, so ``?anything`` was silently
ignored. This check gives every API endpoint without query arguments the same 422.

A form or a hand-written URL sends the parameters it left blank as ``name=``
(``monthly.xlsx?month=2026-03&phone=&mobile=``): an optional parameter given empty means
the same as one left out, not an invalid phone number. A required one given empty is
still refused.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from schemas.errors import ErrorCode
from server.api.errors import refuse


def without_empty_optionals(args: MultiDict, schema: Schema) -> MultiDict:
    """``args`` without the empty values of the schema's optional parameters."""
    required = {field.data_key or name for name, field in schema.fields.items()
                if field.required}
    return MultiDict([(key, value) for key, value in args.items(multi=True)
                      if value != "" or key in required])


def _declares_query(endpoint: str, method: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    func = getattr(view_class, method.lower(), None) if view_class else view
    if method == "HEAD" and func is None and view_class is not None:
        func = getattr(view_class, "get", None)
    params = getattr(func, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(p.get("in") == "query" for p in params)


def init_app(app: Flask, prefix: str) -> None:
    @app.before_request
    def _refuse_unknown_query():
        if not request.args or not request.path.startswith(prefix + "/"):
            return None
        if request.method == "OPTIONS" or request.endpoint is None:
            return None
        if request.endpoint.startswith("api-docs.") or _declares_query(
                request.endpoint, request.method):
            return None
        return refuse(ErrorCode.VALIDATION_ERROR, "The request has invalid fields.",
                      {"query": {name: ["Unknown field."] for name in request.args}})
