"""Path converters: ids in URLs are ASCII digits that fit a database integer.

Werkzeug's ``int`` converter takes any Unicode digit (``/visits/１７３`` would be visit
173) and numbers of any size (2^63 overflows the database: a 500). This one matches
only ``[0-9]`` and refuses, as a 404 like any unknown path, a number the id columns
cannot hold.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1


class AsciiIdConverter(IntegerConverter):
    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        if not value.isascii() or not value.isdigit():
            raise ValidationError()
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number
