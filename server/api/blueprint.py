"""flask-smorest's Blueprint with a strict argument parser.

webargs silently drops unknown query-string and file fields by default; a typo in a
filter would then return unfiltered data. Here every location rejects unknown fields.
"""

from __future__ import annotations

import flask_smorest
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {
        location: RAISE for location in FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION
    }


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()
