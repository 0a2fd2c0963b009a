"""The checklist's field types: what each accepts, its canonical form, its words, and what
a client is told to render it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import field_types
from sync.field_types import accepts, canonical, describe, words

CHOICES = [{"value": "ok", "label": "合格"}, {"value": "bad", "label": "不合格"}]
FIELDS = {
    "yes_no_na": {"key": "clean", "label": "清洁", "type": "yes_no_na"},
    "single_choice": {"key": "grade", "label": "等级", "type": "single_choice",
                      "options": CHOICES},
    "multiple_choice": {"key": "docs", "label": "证照", "type": "multiple_choice",
                        "options": CHOICES},
    "number": {"key": "temp", "label": "温度", "type": "number", "unit": "℃", "min": -40,
               "max": 10},
    "text": {"key": "remark", "label": "说明", "type": "text", "required": False},
    "date": {"key": "due", "label": "到期", "type": "date"},
    "photo": {"key": "pic", "label": "照片", "type": "photo"},
}
values = st.one_of(st.none(), st.booleans(), st.integers(-100, 100),
                   st.floats(allow_nan=False, allow_infinity=False, width=32),
                   st.text(max_size=20), st.sampled_from(["yes", "no", "na", "ok", "bad",
                                                          "2024-02-29", "1999-12-31"]),
                   st.lists(st.sampled_from(["ok", "bad", "other"]), max_size=3))


def test_every_type_the_form_schema_offers_has_an_entry():
    from schemas.registries import FIELD_TYPES

    assert FIELD_TYPES == field_types.NAMES == tuple(FIELDS)


@given(st.sampled_from(sorted(FIELDS)), values)
def test_the_canonical_form_is_one_answer_with_the_same_verdict_and_words(kind, value):
    field = FIELDS[kind]
    once = canonical(field, value)
    assert canonical(field, once) == once
    assert accepts(field, once) == accepts(field, value)
    if accepts(field, value):
        assert words(field, once) == words(field, value)
        # and it survives the database's JSON
        assert canonical(field, json.loads(json.dumps(value))) == once


@given(st.sampled_from(sorted(FIELDS)), values)
def test_only_an_optional_field_accepts_nothing_and_a_bool_is_never_a_number(kind, value):
    field = FIELDS[kind]
    if value is None:
        assert accepts(field, value) == (kind == "text")
        assert words(field, value) == "（未填写）"
    if isinstance(value, bool) and kind == "number":
        assert not accepts(field, value)


@given(st.integers(-1000, 1000) | st.floats(-1000, 1000))
def test_a_number_must_lie_in_its_range(n):
    assert accepts(FIELDS["number"], n) == (-40 <= n <= 10)


@pytest.mark.parametrize(("kind", "good", "bad"), [
    ("yes_no_na", "na", "maybe"),
    ("single_choice", "ok", "other"),
    ("multiple_choice", ["bad", "ok"], ["ok", "ok"]),
    ("multiple_choice", [], "ok"),
    ("date", "2100-12-31", "2101-01-01"),
    ("text", "x" * 5000, "x" * 5001),
    ("photo", "ab" * 32, 7),
])
def test_each_type_accepts_its_answers_only(kind, good, bad):
    assert accepts(FIELDS[kind], good) and not accepts(FIELDS[kind], bad)


def test_an_unknown_type_accepts_nothing_and_shows_the_value():
    field = {"key": "x", "type": "signature_pad"}
    assert not accepts(field, "anything")
    assert words(field, "anything") == "anything"


def test_the_words_are_what_the_record_prints():
    assert [words(FIELDS["yes_no_na"], v) for v in ("yes", "no", "na")] == ["是", "否", "不涉及"]
    assert words(FIELDS["number"], -18.0) == "-18 ℃"
    assert words(FIELDS["multiple_choice"], ["bad", "gone"]) == "不合格、gone"
    assert words(FIELDS["multiple_choice"], []) == "（未选择）"
    assert words(FIELDS["photo"], "ab" * 32) == "见照片 abababababab"


def test_describe_tells_a_client_how_to_ask():
    assert describe(FIELDS["yes_no_na"]) == {
        "key": "clean", "label": "清洁", "type": "yes_no_na", "input": "single_choice",
        "required": True, "help": None,
        "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"},
                    {"value": "na", "label": "不涉及"}]}
    number = describe(FIELDS["number"])
    assert (number["input"], number["unit"], number["min"], number["max"]) == \
        ("number", "℃", -40, 10)
    assert describe(FIELDS["multiple_choice"])["options"] == CHOICES
    assert describe(FIELDS["text"])["required"] is False
    assert "options" not in describe(FIELDS["date"])
