"""flask-smorest's Blueprint with a strict argument parser.

webargs silently drops unknown query-string and file fields by default; a typo in a
filter would then return unfiltered data. Here every location rejects unknown fields.
"""

from __future__ import annotations

import json
import re

import flask_smorest
from marshmallow import RAISE, Schema, ValidationError
from marshmallow import fields as ma_fields
from webargs.flaskparser import FlaskParser, abort, is_json_request

from schemas.common import page_of
from server.api.strict_query import without_empty_optionals

_LONE = re.compile(r"[\ud800-\udfff]")
_ASCII_INT = re.compile(r"-?[0-9]+")


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        location: RAISE for location in FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION
    }

    def _raw_load_json(self, req):
        """Deeply nested arrays (RecursionError) and integers of thousands of digits
        (ValueError) are bad JSON like any other: a 400, not a 500. A body that is not
        JSON at all (none, a form, text) is a 415, not an empty object; a lone UTF-16
        surrogate anywhere in it (no database can store one) is a 422 naming where."""
        if not is_json_request(req):
            abort(415, message="The request body must be JSON (Content-Type: "
                               "application/json).",
                  errors={"json": ["a JSON body is required"]})
        try:
            data = super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            self._handle_invalid_json_error(exc, req)
        errors = _surrogates(data)
        if errors:
            abort(422, messages={"json": errors})
        return data

    def load_querystring(self, req, schema):
        """Numbers in a query string are ASCII digits: int() would also take other
        scripts' digits ("１７３"), underscores and spaces. An empty optional parameter
        counts as absent (``strict_query``)."""
        args = without_empty_optionals(req.args, schema)
        data = self._makeproxy(args, schema)
        errors = {}
        for name, field in schema.fields.items():
            if isinstance(field, ma_fields.Integer) and not field.dump_only:
                key = field.data_key or name
                if not all(_ASCII_INT.fullmatch(v) for v in args.getlist(key)):
                    errors[key] = ["Not a valid integer."]
        if errors:
            raise ValidationError(errors)
        return data


def _surrogates(value):
    """Field errors for every string holding a lone surrogate, nested as webargs nests."""
    if isinstance(value, str):
        return ["not a valid text: contains an unpaired surrogate"] if _LONE.search(value) \
            else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    errors = {}
    for key, item in items:
        if isinstance(key, str) and _LONE.search(key):
            errors["(key)"] = ["not a valid text: contains an unpaired surrogate"]
        found = _surrogates(item)
        if found:
            errors[key] = found
    return errors or None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def paged(self, query: type[Schema], item_schema: type[Schema]):
        """A list view's two decorators in one: ``query`` read from the query string and
        passed as keywords, the answer a page of ``item_schema`` (``page_of``)."""
        def decorate(function):
            function = self.response(200, page_of(item_schema))(function)
            return self.arguments(query, location="query", as_kwargs=True)(function)
        return decorate


def file_answer(description: str, *mimetypes: str) -> dict:
    """The documented success answer of an endpoint that sends a file (PDF, XLSX, PNG, ...),
    for ``blp.doc(responses={"200": file_answer(...)})``: a binary body per media type."""
    return {"description": description,
            "content": {m: {"schema": {"type": "string", "format": "binary"}}
                        for m in mimetypes}}


def path_param(name: str, description: str, **schema) -> dict:
    """The documented schema of a path parameter taken as a string (``<string:day>``) whose
    real form is narrower (a date, a hash, one of a few words), for
    ``blp.route(rule, parameters=[...])``: it replaces the bare ``string`` of the rule."""
    return {"in": "path", "name": name, "required": True, "description": description,
            "schema": {"type": "string", **schema}}
