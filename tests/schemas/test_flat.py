"""``FlatSchema`` (the push's op schema) loads exactly what marshmallow's full path loads:
the same result, or the same error messages, for valid and hostile ops alike."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from schemas.flat import FlatSchema
from schemas.sync import OpSchema, PushSchema

OP = {"kind": "set_answer", "visit_id": 8, "item_version_id": 5, "field": "result",
      "value": "na", "note": "已拍照留存", "op_id": "01a2059f-dfdc-7b72-a09d-62f6fab09591",
      "hlc": "1795390693340-000000-c681dc23", "base": [],
      "device_time": "2026-11-22T23:38:13+00:00"}
NAMES = [*OpSchema().load_fields, "unknown_key"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
    st.text(max_size=70), st.sampled_from([
        " result ", "a\x00b", "\ud800", "x" * 65, "", "  ", "\u3000note\t", "2026-01-01",
        "2026-11-22T23:38:13", "2026-11-22T23:38:13+08:00", "not a date", "sign", "submit",
        "set_note", "attach_photo", "entry_scan", "resolve", OP["op_id"], "0" * 64,
        "1795390693340-000000-c681dc23 ", 2**31, 0, 1.5, 91.0]),
    st.lists(st.sampled_from([OP["op_id"], "nope", 3]), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def full_load(schema, data):
    """The reference: marshmallow's own path, every field visited."""
    original = FlatSchema._deserialize
    FlatSchema._deserialize = Schema._deserialize
    try:
        return outcome(schema, data)
    finally:
        FlatSchema._deserialize = original


def outcome(schema, data):
    try:
        return "ok", schema.load(data)
    except ValidationError as exc:
        return "error", exc.messages


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=8),
       st.sets(st.sampled_from(sorted(OP)), max_size=4))
def test_every_op_loads_as_marshmallow_loads_it(changes, dropped):
    op = {k: v for k, v in {**OP, **changes}.items() if k not in dropped}
    schema = OpSchema()
    fast = outcome(schema, op)
    assert fast == full_load(schema, op)
    if fast[0] == "ok":  # the same keys in the same order too (the stored payload)
        assert list(fast[1]) == list(full_load(schema, op)[1])


@pytest.mark.parametrize("body", [
    {"device_id": "d", "ops": [OP, {**OP, "visit_id": True}]},
    {"device_id": "d", "ops": [OP, {**OP, "extra": 1}, "not an op"]},
    {"device_id": "d", "ops": [{k: v for k, v in OP.items() if k != "hlc"}]},
    {"device_id": "d", "ops": [OP] * 3},
])
def test_a_push_body_loads_as_before(body):
    schema = PushSchema()
    assert outcome(schema, body) == full_load(schema, body)
