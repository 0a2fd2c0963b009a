"""Check characters of the two national codes the registries are keyed on.

- Unified social credit code (统一社会信用代码), GB 32100-2015.
- Resident identity card number (公民身份号码), GB 11643-1999 (ISO 7064 MOD 11-2).

Pure functions so the phone can run them offline too.
"""

from __future__ import annotations

import datetime as dt
import re

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_VALUES = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# [0-9], not \d: \d also matches full-width and other scripts' digits, which int() reads
# as the same values, so "１３０１..." would pass the check and get a different digest.
# fullmatch, not ^...$: "$" also matches before a trailing newline.
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")


def credit_check_char(first17: str) -> str:
    """The 18th character for the first 17 (which must use the code's alphabet)."""
    total = sum(CREDIT_VALUES[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if not isinstance(code, str) or len(code) != 18:
        return "must be 18 characters"
    bad = sorted({c for c in code if c not in CREDIT_VALUES})
    if bad:
        return f"contains characters outside GB 32100-2015's set: {''.join(bad)}"
    # Positions 9-17 (organisation code) use digits and letters; the registration
    # authority and type codes (1-2) are digits or letters too, so no extra rule here.
    return _check_char_error(code, credit_check_char(code[:17]))


def is_valid_credit_code(code: str) -> bool:
    return credit_code_error(code) is None


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_number_error(number: str) -> str | None:
    """Why ``number`` is not a valid resident ID number, or None when it is."""
    if not isinstance(number, str) or not _ID_RE.fullmatch(number):
        return "must be 17 digits followed by a digit or X"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth date (characters 7-14) is not a real date"
    return _check_char_error(number, id_check_char(number[:17]))


def _check_char_error(code: str, expected: str) -> str | None:
    """The 18th character against the one the first 17 give (both codes end so)."""
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def is_valid_id_number(number: str) -> bool:
    return id_number_error(number) is None


def id_number_gender(number: str) -> str:
    """The 17th digit is odd for men, even for women."""
    return "male" if int(number[16]) % 2 else "female"


def mask_id_number(number: str) -> str:
    """1301**********123X: region prefix and the last four, nothing that dates a person."""
    return number[:4] + "*" * 10 + number[-4:]


# Spaces a hand-typed or pasted code may carry. Not "\s": in Python that also matches the
# control characters \x1c-\x1f, \x0b, \x0c and \x85, which must be refused, not dropped.
_CODE_SPACES = re.compile(r"[ \t\r\n\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_code(value: str) -> str:
    """Codes are typed by hand: drop spaces (also inner ones), upper-case."""
    return _CODE_SPACES.sub("", value).upper() if isinstance(value, str) else value
