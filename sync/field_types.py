"""The checklist's field types (检查表单字段类型), one entry each (pure).

Everything a rule needs to know about a type sits in its entry: which answers it accepts
(the server refuses the others as ``bad_value``; pure, so a phone can ask the same before
recording one), the one canonical form of an answer, the words the printed record
(现场检查笔录) shows, and what a client needs to render the field (``describe``). The
form schema, the push's refusals and the record ask here, so a new type is one new entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync.ops import MAX_TEXT_VALUE

# Every date the API takes lies in this range (later ones overflow date arithmetic), a
# date answer's too.
MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
UNANSWERED = "（未填写）"
NOTHING_CHOSEN = "（未选择）"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class FieldType:
    """One type of checklist field.

    ``input`` is how a client asks for it; ``options`` whether the form lists the choices
    (at least two), ``ranged`` whether it may carry ``unit``, ``min`` and ``max``; ``fixed``
    the choices the type itself brings (yes / no / not applicable)."""

    name: str
    input: str
    accepts: Callable[[dict, Any], bool]  # a value other than None
    canonical: Callable[[Any], Any] = lambda value: value
    words: Callable[[dict, Any], str] = lambda field, value: str(value)
    options: bool = False
    ranged: bool = False
    fixed: tuple[tuple[str, str], ...] = ()


def _number(value: Any) -> Any:
    """813.0 and 813 are one answer: a whole number is an int, whichever a phone sent."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _in_range(field: dict, value: Any) -> bool:
    lo, hi = field.get("min"), field.get("max")
    return _is_number(value) and (lo is None or value >= lo) and (hi is None or value <= hi)


def _number_words(field: dict, value: Any) -> str:
    if not _is_number(value):
        return str(value)
    number = _number(value)
    return f"{number} {field['unit']}" if field.get("unit") else str(number)


def _option_values(field: dict) -> set:
    return {o["value"] for o in field.get("options") or []}


def _labels(field: dict) -> dict:
    return {o["value"]: o["label"] for o in field.get("options") or []}


def _one_of(value: Any, allowed) -> bool:
    """One choice: a list is never one (nor crashes the lookup)."""
    return isinstance(value, str) and value in allowed


def _choices_accepted(field: dict, value: Any) -> bool:
    return isinstance(value, list) and set(value) <= _option_values(field) and \
        len(set(value)) == len(value)


def _choices_words(field: dict, value: Any) -> str:
    if not isinstance(value, list):
        return str(value)
    labels = _labels(field)
    return "、".join(labels.get(v, str(v)) for v in value) or NOTHING_CHOSEN


def _date_accepted(field: dict, value: Any) -> bool:
    try:
        return MIN_DATE <= dt.date.fromisoformat(value) <= MAX_DATE
    except (TypeError, ValueError):
        return False


def _text_accepted(field: dict, value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT_VALUE


def _photo_words(field: dict, value: Any) -> str:
    return f"见照片 {value[:12]}" if isinstance(value, str) and _SHA256.match(value) \
        else str(value)


YES_NO_NA = (("yes", "是"), ("no", "否"), ("na", "不涉及"))

TYPES: dict[str, FieldType] = {t.name: t for t in (
    FieldType("yes_no_na", "single_choice", lambda f, v: _one_of(v, dict(YES_NO_NA)),
              words=lambda f, v: dict(YES_NO_NA).get(v, str(v)), fixed=YES_NO_NA),
    FieldType("single_choice", "single_choice", lambda f, v: _one_of(v, _option_values(f)),
              words=lambda f, v: _labels(f).get(v, str(v)), options=True),
    FieldType("multiple_choice", "multiple_choice", _choices_accepted, words=_choices_words,
              options=True),
    FieldType("number", "number", lambda f, v: _in_range(f, v), canonical=_number,
              words=_number_words, ranged=True),
    FieldType("text", "text", _text_accepted),
    FieldType("date", "date", _date_accepted),
    FieldType("photo", "photo", _text_accepted, words=_photo_words),
)}
NAMES = tuple(TYPES)


def required(field: dict) -> bool:
    """A field is required unless its form says otherwise."""
    return field.get("required", True)


def accepts(field: dict, value: Any) -> bool:
    """Whether ``value`` answers ``field``: nothing is an answer only to an optional field;
    a type no entry names accepts nothing."""
    if value is None:
        return not required(field)
    kind = TYPES.get(field.get("type"))
    return kind is not None and kind.accepts(field, value)


def canonical(field: dict, value: Any) -> Any:
    """The one form of an answer (a whole number as an int)."""
    kind = TYPES.get(field.get("type"))
    return value if value is None or kind is None else kind.canonical(value)


def words(field: dict, value: Any) -> str:
    """An answer as people read it: 是/否/不涉及, choices by their labels, numbers with
    their unit; an answer no longer in the form as it was given."""
    if value is None:
        return UNANSWERED
    kind = TYPES.get(field.get("type"))
    return str(value) if kind is None else kind.words(field, value)


def describe(field: dict) -> dict:
    """What a client needs to render the field: how to ask (``input``), whether it must be
    answered, the choices with their labels, and a number's unit and range."""
    kind = TYPES[field["type"]]
    out = {"key": field["key"], "label": field.get("label") or field["key"],
           "type": kind.name, "input": kind.input, "required": required(field),
           "help": field.get("help")}
    if kind.fixed:
        out["options"] = [{"value": v, "label": label} for v, label in kind.fixed]
    elif kind.options:
        out["options"] = [{"value": o["value"], "label": o["label"]}
                          for o in field.get("options") or []]
    if kind.ranged:
        out.update(unit=field.get("unit"), min=field.get("min"), max=field.get("max"))
    return out
