"""Signed inspection codes (扫码入企), verified offline with the public keys only.

A token is ``<payload>.<signature>``: the payload is canonical JSON (sorted keys, no
spaces) in base64url without padding, the signature Ed25519 over the payload's ASCII
text, also base64url. The payload names its key (``k``), so rotated keys keep verifying
the codes they signed. Kinds: ``v`` a visit code (visit, company, window, team), ``p`` a
premises code (company, code version).

Pure code: no server imports, no clock (callers pass ``today``), usable on the phone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_TOKEN_LENGTH = 1024
# What a printed code may hold besides a bare token: the URL of its page, ``<public
# url>/p/<token>`` (premises) or ``/v/<token>`` (visit). Any host: the token is signed, and
# the public URL may have moved since the poster was printed. A messenger's scanner may
# add a query or a fragment; a trailing slash is harmless. ASCII classes only, so the
# JavaScript port (codes.js ``tokenFromScan``) reads every text the same way.
SCANNED_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[^/?#\x00-\x20]+(?:/[^?#\x00-\x20]*)?/[pv]/"
                         r"([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/?(?:[?#][^\x00-\x20]*)?")
MAX_SCANNED_LENGTH = 2 * MAX_TOKEN_LENGTH


class TokenError(Exception):
    """Why a code is refused: ``code`` is stable (invalid_code, unknown_key, wrong_kind,
    code_expired)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_payload(payload: dict) -> str:
    """The exact text that is signed."""
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return b64encode(raw.encode("ascii"))


def assemble(payload_text: str, signature: bytes) -> str:
    return f"{payload_text}.{b64encode(signature)}"


def token_from_scan(text: str) -> str:
    """The code in what a camera read: the token of a code's page URL (posters since the
    URL form), else the text itself, trimmed (older posters hold the bare token). Which
    kind of code it is, and whether it is genuine, is ``verify``'s to say."""
    if not isinstance(text, str):
        return text
    text = text.strip(" \t\r\n")
    if len(text) > MAX_SCANNED_LENGTH:
        return text  # verify refuses it as too long; no regex over a huge text
    match = SCANNED_URL.fullmatch(text)
    return match.group(1) if match else text


def verify(token: str, public_keys: dict[str, bytes], *, kind: str | None = None,
           today: dt.date | None = None) -> dict:
    """The payload of a genuine token, or TokenError.

    ``public_keys`` maps key ids to raw 32-byte Ed25519 public keys (the visit pack
    carries them). With ``today``, a visit code past its window's end is refused.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise TokenError("invalid_code", "not a valid inspection code")
    payload_text, signature_text = token.split(".")
    try:
        payload = json.loads(b64decode(payload_text))
        signature = b64decode(signature_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TokenError("invalid_code", "not a valid inspection code") from None
    # Only the one canonical spelling of each part is genuine: base64 leaves unused bits in
    # a last character, and a code must not have several valid spellings.
    if not isinstance(payload, dict) or canonical_payload(payload) != payload_text \
            or b64encode(signature) != signature_text:
        raise TokenError("invalid_code", "not a valid inspection code")
    key = public_keys.get(payload.get("k"))
    if key is None:
        raise TokenError("unknown_key", "the code was signed by an unknown key")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, payload_text.encode("ascii"))
    except (InvalidSignature, ValueError):
        raise TokenError("invalid_code", "not a valid inspection code") from None
    if kind is not None and payload.get("t") != kind:
        raise TokenError("wrong_kind", f"expected a {'visit' if kind == 'v' else 'premises'} code")
    ended = payload.get("t") == "v" and payload.get("e")
    if today is not None and ended and today > dt.date.fromisoformat(payload["e"]):
        raise TokenError("code_expired", "the visit's window has ended")
    return payload
