"""flask-smorest's Blueprint with a strict argument parser.

webargs silently drops unknown query-string and file fields by default; a typo in a
filter would then return unfiltered data. Here every location rejects unknown fields.
"""

from __future__ import annotations

import json

import flask_smorest
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        location: RAISE for location in FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION
    }

    def _raw_load_json(self, req):
        """Deeply nested arrays (RecursionError) and integers of thousands of digits
        (ValueError) are bad JSON like any other: a 400, not a 500."""
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            self._handle_invalid_json_error(exc, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()
