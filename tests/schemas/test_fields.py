"""The field types every request goes through (schemas/fields.py): the two national codes
as typed by hand, and text that must reach the database intact or not at all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from schemas.codes import CREDIT_ALPHABET, credit_check_char, id_check_char, normalize_code
from schemas.fields import CreditCode, Id, IdNumber, QueryId, Text


class Probe(Schema):
    text = Text(max_length=50)
    notes = Text(max_length=500, multiline=True)
    credit_code = CreditCode()
    id_number = IdNumber()


def load(**data):
    return Probe().load(data)


def refused(**data) -> dict:
    with pytest.raises(ValidationError) as info:
        Probe().load(data)
    return info.value.messages


# --- codes typed by hand -------------------------------------------------------------------
def test_a_credit_code_typed_in_lowercase_with_spaces_is_normalized():
    assert load(credit_code=" 9151 2081ma62k0260e ")["credit_code"] == "91512081MA62K0260E"


def test_an_id_number_with_a_lowercase_x_is_normalized():
    assert load(id_number="11010519491231002x")["id_number"] == "11010519491231002X"


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17),
       st.integers(min_value=0, max_value=17), st.characters())
def test_a_credit_code_field_refuses_any_change_that_normalizing_does_not_undo(body, position, char):
    code = body + credit_check_char(body)
    changed = code[:position] + char + code[position + 1:]
    if normalize_code(changed) == code:  # e.g. a lowercase letter: the same code, typed loosely
        assert load(credit_code=changed)["credit_code"] == code
        return
    assert "credit_code" in refused(credit_code=changed)


@given(st.integers(min_value=110000, max_value=659999), st.integers(min_value=0, max_value=999),
       st.integers(min_value=0, max_value=17), st.characters())
def test_an_id_number_field_refuses_any_change_that_normalizing_does_not_undo(region, seq, position,
                                                                               char):
    body = f"{region}19800101{seq:03d}"
    number = body + id_check_char(body)
    changed = number[:position] + char + number[position + 1:]
    if normalize_code(changed) == number:
        assert load(id_number=changed)["id_number"] == number
        return
    assert "id_number" in refused(id_number=changed)


@pytest.mark.parametrize("char", ["\x00", "\x1c", "\x1f", "\x0b", "\x85"])
def test_a_control_character_inside_a_code_is_refused_not_silently_dropped(char):
    assert "credit_code" in refused(credit_code="91512081" + char + "MA62K0260E")
    assert "id_number" in refused(id_number="110105" + char + "19491231002X")


@pytest.mark.parametrize("value", [91512081, None, ["91512081MA62K0260E"], {"a": 1}])
def test_a_code_that_is_not_a_string_is_refused(value):
    assert "credit_code" in refused(credit_code=value)


# --- text ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    "x'); DROP TABLE companies;--", "<script>alert(1)</script>", "Robert'); --", "50% off_",
    "a\\b", "甲乙丙", "emoji 🏭", "\u200b zero width",
])
def test_markup_sql_and_unicode_are_just_text(value):
    assert load(text=value)["text"] == value.strip()


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f",
                                  "\x80", "\x85", "\x9f"])
def test_control_characters_are_refused_in_single_and_multi_line_text(char):
    assert "text" in refused(text=f"a{char}b")
    assert "notes" in refused(notes=f"a{char}b")


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                  "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidirectional_controls_are_refused_in_single_and_multi_line_text(char):
    """A company name with U+202E would read backwards on the public pages."""
    assert "text" in refused(text=f"甲{char}乙公司")
    assert "notes" in refused(notes=f"甲{char}乙公司")


def test_op_values_refuse_the_same_characters_as_multi_line_text():
    """A note or text answer pushed as an op is text like any other: the op values' set
    (sync.ops) and the text fields' (schemas.fields) are one."""
    from schemas.fields import _CONTROL
    from sync.ops import TEXT_REFUSED, value_problem

    assert TEXT_REFUSED.pattern == _CONTROL.pattern
    for char in ("\x00", "\x85", "\x9b", "\u202e", "\u2066", "\ud800"):
        assert value_problem(f"a{char}b") and value_problem([f"a{char}"])
    assert value_problem("a\nb\tc\r") is None and value_problem(["a_b"]) is None


@pytest.mark.parametrize("char", ["\n", "\r", "\t"])
def test_line_breaks_and_tabs_are_refused_in_single_line_text_only(char):
    assert "text" in refused(text=f"a{char}b")
    assert load(notes=f"a{char}b")["notes"] == f"a{char}b"


@pytest.mark.parametrize("value", ["a\ud800b", "\udfff", "x\udbff"])
def test_lone_surrogates_are_refused_because_no_database_can_store_them(value):
    assert "text" in refused(text=value)
    assert "notes" in refused(notes=value)


def test_text_is_trimmed_and_capped_after_trimming():
    assert load(text="  padded  ")["text"] == "padded"
    assert load(text="x" * 50 + "   ")["text"] == "x" * 50
    assert "text" in refused(text="x" * 51)


@given(st.text(max_size=60))
def test_text_either_loads_clean_or_is_refused(value):
    try:
        out = load(notes=value)["notes"]
    except ValidationError:
        return
    out.encode("utf-8")  # storable: no lone surrogates
    assert "\x00" not in out
    assert not any(0x80 <= ord(c) <= 0x9f or ord(c) < 0x09 or 0x202a <= ord(c) <= 0x202e or
                   0x2066 <= ord(c) <= 0x2069 for c in out)


# --- ids -----------------------------------------------------------------------------------
class Ids(Schema):
    body_id = Id()
    query_id = QueryId()


@pytest.mark.parametrize("value, expected", [("1", 1), ("42", 42), ("2147483647", 2**31 - 1), (7, 7)])
def test_a_query_id_is_read_from_the_digits_a_query_string_carries(value, expected):
    assert Ids().load({"query_id": value}) == {"query_id": expected}


@pytest.mark.parametrize("value", ["0", "-1", "+1", " 1", "1.0", "1_000", "abc", "", "2147483648",
                                   "9" * 40, "\u0661", "１", True, 1.5])
def test_a_query_id_refuses_anything_but_a_positive_32_bit_number(value):
    with pytest.raises(ValidationError):
        Ids().load({"query_id": value})


@pytest.mark.parametrize("value", ["1", 1.0, True, 0, 2**31])
def test_a_body_id_must_be_a_json_integer_in_range(value):
    with pytest.raises(ValidationError):
        Ids().load({"body_id": value})
