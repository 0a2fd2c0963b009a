"""The two national check characters (schemas/codes.py), as properties.

- Unified social credit code, GB 32100-2015: 17 characters from a 31-character alphabet
  and a MOD 31 check character.
- Resident ID number, GB 11643-1999: region, birth date, sequence, ISO 7064 MOD 11-2.

Both check characters detect every single-character substitution, so a code with any one
character changed (to anything at all: another character of the alphabet, a lowercase
letter, a letter the alphabet leaves out, a full-width or other script's digit, a control
character) must be refused.
"""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schemas.codes import (
    CREDIT_ALPHABET,
    credit_check_char,
    credit_code_error,
    id_check_char,
    id_number_error,
    id_number_gender,
    is_valid_credit_code,
    is_valid_id_number,
    mask_id_number,
    normalize_code,
)

SPEC_CREDIT_CODES = ("91512081MA62K0260E", "91350100M000100Y43")
SPEC_ID_NUMBER = "11010519491231002X"

# Characters a changed position may take: anything Unicode has, with the tricky ones
# weighted in (lowercase, letters GB 32100 leaves out, digits of other scripts, controls).
TRICKY = (string.ascii_letters + string.digits + "IOSVZiosvzx" + "０１２３４５６７８９Ｘ"
          + "٠١٢٣٤٥٦٧٨٩" + "०१२३" + "\x00\t\n\x1f\x7f \u3000" + "-_*.")
replacement_chars = st.one_of(st.sampled_from(TRICKY), st.characters())

credit_bodies = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)
regions = st.integers(min_value=110000, max_value=659999).map(str)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def make_credit_code(body: str) -> str:
    return body + credit_check_char(body)


def make_id_number(region: str, born: dt.date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


def change_one(code: str, position: int, char: str) -> str:
    return code[:position] + char + code[position + 1:]


# --- unified social credit code ------------------------------------------------------------
@pytest.mark.parametrize("code", SPEC_CREDIT_CODES)
def test_credit_codes_published_in_the_standard_are_valid(code):
    assert credit_check_char(code[:17]) == code[17]
    assert credit_code_error(code) is None
    assert is_valid_credit_code(code)


@given(credit_bodies)
def test_any_seventeen_characters_of_the_alphabet_with_their_check_character_are_valid(body):
    code = make_credit_code(body)
    assert len(code) == 18
    assert code[17] in CREDIT_ALPHABET
    assert credit_code_error(code) is None


@given(credit_bodies, st.integers(min_value=0, max_value=17), replacement_chars)
@example(SPEC_CREDIT_CODES[0][:17], 17, "e")
@example(SPEC_CREDIT_CODES[0][:17], 8, "m")
@example(SPEC_CREDIT_CODES[0][:17], 0, "９")
@example(SPEC_CREDIT_CODES[0][:17], 3, "I")
@example(SPEC_CREDIT_CODES[0][:17], 3, "\x00")
def test_any_single_character_change_of_a_credit_code_is_refused(body, position, char):
    code = make_credit_code(body)
    if char == code[position]:
        char = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(char) + 1) % len(CREDIT_ALPHABET)]
    changed = change_one(code, position, char)
    assert changed != code
    assert credit_code_error(changed) is not None
    assert not is_valid_credit_code(changed)


@given(credit_bodies, st.integers(min_value=0, max_value=16), st.integers(min_value=0, max_value=16))
def test_swapping_two_different_characters_of_a_credit_code_is_refused(body, i, j):
    code = make_credit_code(body)
    if code[i] == code[j]:
        return
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    # MOD 31 with pairwise distinct weights catches every transposition within the body.
    assert not is_valid_credit_code("".join(chars))


@pytest.mark.parametrize("code, why", [
    ("", "18 characters"), ("91512081MA62K0260", "18 characters"),
    ("91512081MA62K0260EE", "18 characters"), ("91512081MA62K0260F", "expected 'E'"),
    ("91512081MI62K0260E", "outside"), ("91512081ma62k0260e", "outside"),
])
def test_an_invalid_credit_code_comes_with_a_reason(code, why):
    assert why in credit_code_error(code)


@pytest.mark.parametrize("value", [None, 91512081, ["91512081MA62K0260E"]])
def test_a_credit_code_that_is_not_a_string_is_refused(value):
    assert credit_code_error(value) is not None


@given(credit_bodies, st.lists(st.sampled_from(" \t"), max_size=3), st.booleans())
def test_normalizing_a_hand_typed_credit_code_gives_back_the_valid_code(body, pad, lower):
    code = make_credit_code(body)
    typed = "".join(pad) + (code.lower() if lower else code) + "".join(pad)
    typed = typed[:9] + " " + typed[9:]
    assert normalize_code(typed) == code


# --- resident ID number --------------------------------------------------------------------
def test_the_id_number_published_in_the_standard_is_valid():
    assert id_check_char(SPEC_ID_NUMBER[:17]) == "X"
    assert id_number_error(SPEC_ID_NUMBER) is None
    assert is_valid_id_number(SPEC_ID_NUMBER)


@given(regions, birth_dates, sequences)
def test_any_region_birth_date_and_sequence_with_their_check_character_are_valid(region, born, seq):
    number = make_id_number(region, born, seq)
    assert len(number) == 18
    assert id_number_error(number) is None


@given(regions, birth_dates, sequences, st.integers(min_value=0, max_value=17), replacement_chars)
@example("110105", dt.date(1949, 12, 31), 2, 17, "x")
@example("110105", dt.date(1949, 12, 31), 2, 3, "٣")
@example("110105", dt.date(1949, 12, 31), 2, 16, "２")
@example("110105", dt.date(1949, 12, 31), 2, 7, "X")
def test_any_single_character_change_of_an_id_number_is_refused(region, born, seq, position, char):
    number = make_id_number(region, born, seq)
    if char == number[position]:
        char = "X" if char.isdigit() else "0"
    changed = change_one(number, position, char)
    assert changed != number
    assert id_number_error(changed) is not None
    assert not is_valid_id_number(changed)


@pytest.mark.parametrize("number", [
    "110105194912310021",              # wrong check digit
    "11010519491231002x",              # lowercase x is not the standard's X
    "110105194902300024",              # 30 February
    "1101051949123100",                # too short
    "11010519491231002XX",             # too long
    "11010519491231002X\n",            # trailing newline
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits
    "１１０１０５１９４９１２３１００２X",   # full-width digits, ASCII X
    "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",             # Arabic-Indic digits: int() reads them, the standard does not
])
def test_malformed_id_numbers_are_refused(number):
    assert id_number_error(number) is not None


def test_an_id_number_with_a_digit_from_another_script_is_refused_even_if_it_means_the_same():
    # "1" -> Arabic-Indic one: the same value to int(), but not a resident ID number.
    changed = change_one(SPEC_ID_NUMBER, 3, chr(0x0660 + int(SPEC_ID_NUMBER[3])))
    assert int(changed[3]) == int(SPEC_ID_NUMBER[3])
    assert not is_valid_id_number(changed)


def test_an_impossible_birth_date_is_named_as_the_reason():
    body = "11010519490230002"
    assert "birth date" in id_number_error(body + id_check_char(body))


@given(regions, birth_dates, sequences)
def test_the_sequence_number_gives_the_gender(region, born, seq):
    number = make_id_number(region, born, seq)
    assert id_number_gender(number) == ("male" if seq % 2 else "female")


def test_gender_of_the_published_example_is_female():
    assert id_number_gender(SPEC_ID_NUMBER) == "female"  # sequence 002


def test_mask_shows_the_region_prefix_and_the_last_four_only():
    assert mask_id_number("130129198001011234") == "1301**********1234"
    assert mask_id_number("13012919800101002X") == "1301**********002X"
    assert mask_id_number(SPEC_ID_NUMBER) == "1101**********002X"


@given(regions, birth_dates, sequences)
def test_a_masked_id_number_never_shows_the_birth_date(region, born, seq):
    number = make_id_number(region, born, seq)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert masked[4:14] == "*" * 10
    assert f"{born:%Y%m%d}" not in masked
