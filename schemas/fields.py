"""Field types that keep hostile input out: bounded strings with no control characters,
bounded integers, and the two check-charactered national codes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from marshmallow import ValidationError, fields, validate

from schemas.codes import credit_code_error, id_number_error, normalize_code
from sync.field_types import MAX_DATE, MIN_DATE  # every date the API takes, and a date answer

# C0 and C1 control characters (NUL breaks PostgreSQL), the bidirectional embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069: a company name that reads
# backwards on a public page) and lone UTF-16 surrogates, which JSON's \uDXXX escapes can
# carry but no UTF-8 database can store. ``sync.ops.TEXT_REFUSED`` is the same set for op
# values (a test checks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

INT32 = validate.Range(min=1, max=2**31 - 1)

DATE_RANGE_ERROR = f"a date between {MIN_DATE} and {MAX_DATE}"


def date_in_range(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return MIN_DATE <= day <= MAX_DATE


class Date(fields.Date):
    """A date between 2000-01-01 and 2100-12-31 (year 9999 overflows the first sum);
    ``earliest`` moves the lower bound for dates of the past (a company's founding)."""

    def __init__(self, *, earliest: dt.date = MIN_DATE, **kwargs):
        super().__init__(**kwargs)
        self.earliest = earliest

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not self.earliest <= value <= MAX_DATE:
            raise ValidationError(f"a date between {self.earliest} and {MAX_DATE}")
        return value


class _DatedInRange:
    """For a moment field: its date must lie between 2000-01-01 and 2100-12-31."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not date_in_range(value):
            raise ValidationError(DATE_RANGE_ERROR)
        return value


class DateTime(_DatedInRange, fields.DateTime):
    """A moment whose date lies between 2000-01-01 and 2100-12-31."""


class AwareDateTime(_DatedInRange, fields.AwareDateTime):
    """A moment with its UTC offset, dated between 2000-01-01 and 2100-12-31."""


class Text(fields.String):
    """A trimmed string with a length cap. Markup and SQL are just text: stored as given
    and never rendered or executed; control characters (NUL breaks PostgreSQL) are refused."""

    def __init__(self, *, max_length: int = 200, multiline: bool = False, **kwargs):
        kwargs["metadata"] = {"maxLength": max_length, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        pattern = _CONTROL if self.multiline else _CONTROL_SINGLE_LINE
        if pattern.search(value):
            raise ValidationError("contains control characters, bidirectional controls or "
                                  "unpaired surrogates")
        if len(value) > self.max_length:
            raise ValidationError(f"longer than {self.max_length} characters")
        if not value and self.required:
            raise ValidationError("must not be empty")
        return value


class Id(fields.Integer):
    """A row id: a positive 32-bit integer (larger numbers would overflow the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        super().__init__(validate=INT32, **kwargs)


class _CheckedCode(fields.String):
    """An 18-character code, normalised, whose check character must be right."""

    what: str  # the code's name, in the error
    problem: Callable[[str], str | None]  # why a code is not valid, or None

    def _deserialize(self, value, attr, data, **kwargs):
        value = normalize_code(super()._deserialize(value, attr, data, **kwargs))
        error = self.problem(value)
        if error:
            raise ValidationError(f"not a valid {self.what}: {error}")
        return value


class CreditCode(_CheckedCode):
    """Unified social credit code (统一社会信用代码), checked per GB 32100-2015."""

    what, problem = "unified social credit code", staticmethod(credit_code_error)


class IdNumber(_CheckedCode):
    """Resident ID number (公民身份号码), checked per GB 11643-1999."""

    what, problem = "resident ID number", staticmethod(id_number_error)


class QueryId(Id):
    """A row id in a query string, where every value arrives as text: ASCII digits only
    (no sign, spaces, underscores or other scripts' digits, all of which int() accepts),
    then the same range as ``Id``. ``Id`` itself is strict and refuses every string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if not (value.isascii() and value.isdigit() and len(value) <= 12):
                raise self.make_error("invalid")
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


def code_field(max_length: int = 64, **kwargs):
    """Short machine codes: letters, digits, dot, dash, underscore; ``max_length`` as the
    column is wide (a longer value is a PostgreSQL DataError but fits SQLite)."""
    kwargs["metadata"] = {"example": "A01", **kwargs.get("metadata", {})}
    return Text(max_length=max_length, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._-]*$", error="letters, digits, '.', '-', '_' only"), **kwargs)


def tag_list(**kwargs):
    return fields.List(code_field(), validate=validate.Length(max=50), **kwargs)
