"""The operations a phone records, and the register each one writes (pure).

Most ops write a *register*: one value with a history, merged by ``sync.merge``
(siblings on concurrent edits, a deterministic provisional winner, resolution by naming
the superseded revisions). One rule for every kind of evidence means one conflict
mechanism to test and to show:

- ``a:<item version>:<field>``  a checklist answer (``set_answer``; ``resolve`` is an
  answer that names the siblings it supersedes);
- ``n:<note id>``               a note, on the visit or on one item (``set_note``;
  ``None`` deletes it, the text stays in the history);
- ``p:<item version|->:<sha256>`` a photo link (``attach_photo`` → true,
  ``detach_photo`` → false): two phones attaching the same photo agree silently; an
  attach concurrent with a detach is a conflict, never a silent loss;
- ``s:<inspector id>``          an inspector's signature of the visit: the signature
  image's SHA-256 and the hash of the checklist state signed;
- ``r:<item version|->``        the result (检查结果) of one item, or of the company as a
  whole (``-``): a result category's code (``set_result``);
- ``cs:-``                      the company's signature of the on-site record (当事人签字,
  ``company_sign``), one per visit, taken on any member's phone: the representative's
  name, their statement (当事人意见), the signature image's SHA-256 and the checklist
  hash they were shown; or their refusal to sign (当事人拒绝签字) with the inspectors'
  note, which Chinese practice requires the record to state.

A register op based on the current siblings resolves them, whatever its kind.
``entry_scan`` and ``submit`` are events, not registers: applied once or refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

ANSWER_KINDS = ("set_answer", "resolve")
REGISTER_KINDS = (*ANSWER_KINDS, "set_note", "attach_photo", "detach_photo", "sign",
                  "set_result", "company_sign")
EVENT_KINDS = ("entry_scan", "submit")
KINDS = (*REGISTER_KINDS, *EVENT_KINDS)


MAX_TEXT_VALUE = 5000  # a text answer, or a note's text (set_note)
# What no text value may hold, as in every text field (``schemas.fields``): C0 and C1
# control characters but tab and line breaks, bidirectional embeddings, overrides and
# isolates, lone UTF-16 surrogates.
TEXT_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                          r"\ud800-\udfff]")
_REFUSED_MESSAGE = "contains control characters, bidirectional controls or unpaired surrogates"
MAX_CHOICES, MAX_CHOICE_LENGTH = 100, 64  # a multiple choice: at most a field's options


def value_problem(value: Any) -> str | None:
    """Why an op's value is beyond what any form field or note can hold, or None: null, a
    boolean, a number, a text of at most 5,000 characters, or a list of at most 100
    choices (option values, at most 64 characters). The server refuses a batch holding
    one before storing anything; the phone refuses to record one."""
    if value is None or isinstance(value, bool | int | float):
        return None
    if isinstance(value, str):
        if len(value) > MAX_TEXT_VALUE:
            return f"longer than {MAX_TEXT_VALUE} characters"
        return _REFUSED_MESSAGE if TEXT_REFUSED.search(value) else None
    if isinstance(value, list):
        if len(value) > MAX_CHOICES or not all(
                isinstance(v, str) and len(v) <= MAX_CHOICE_LENGTH for v in value):
            return f"a list of at most {MAX_CHOICES} choices of at most {MAX_CHOICE_LENGTH} " \
                   "characters"
        return _REFUSED_MESSAGE if any(TEXT_REFUSED.search(v) for v in value) else None
    return "null, a boolean, a number, a text or a list of choices"


class RegisterKind(StrEnum):
    """What a register holds; the value is the key's prefix, the name (lower case) what
    a client is told (``type``)."""

    ANSWER = "a"
    NOTE = "n"
    PHOTO = "p"
    SIGNATURE = "s"
    RESULT = "r"
    COMPANY_SIGNATURE = "cs"

    @property
    def type(self) -> str:
        return self.name.lower()


_ID = re.compile(r"[1-9][0-9]*")  # a database id, written one way only
_SHA256 = re.compile(r"[0-9a-f]{64}")
_WHOLE = "-"  # the visit (a photo) or the company (a result) rather than one item


@dataclass(frozen=True)
class RegisterKey:
    """The name of one register, e.g. ``a:12:temp``: written by ``format`` (or ``str``),
    read back by ``parse``, so no caller splits the string. Build one with the
    constructor of its kind; ``item_version_id`` None is the visit's or company's own."""

    kind: RegisterKind
    item_version_id: int | None = None  # answers, photos, results
    field: str | None = None  # answers: the form field's key
    sha256: str | None = None  # photos
    note_id: str | None = None  # notes
    inspector_id: int | None = None  # signatures

    @classmethod
    def answer(cls, item_version_id: int, field: str) -> RegisterKey:
        return cls._checked(cls(RegisterKind.ANSWER, item_version_id=item_version_id,
                                field=field))

    @classmethod
    def note(cls, note_id: str) -> RegisterKey:
        return cls._checked(cls(RegisterKind.NOTE, note_id=note_id))

    @classmethod
    def photo(cls, item_version_id: int | None, sha256: str) -> RegisterKey:
        return cls._checked(cls(RegisterKind.PHOTO, item_version_id=item_version_id,
                                sha256=sha256))

    @classmethod
    def signature(cls, inspector_id: int) -> RegisterKey:
        return cls._checked(cls(RegisterKind.SIGNATURE, inspector_id=inspector_id))

    @classmethod
    def result(cls, item_version_id: int | None = None) -> RegisterKey:
        """An item's result, or (no item) the company's as a whole."""
        return cls._checked(cls(RegisterKind.RESULT, item_version_id=item_version_id))

    @classmethod
    def company_signature(cls) -> RegisterKey:
        """The company's signature (or refusal) of the visit's record: one per visit."""
        return cls._checked(cls(RegisterKind.COMPANY_SIGNATURE))

    @staticmethod
    def photo_pattern(sha256: str) -> str:
        """A SQL ``LIKE`` pattern for every link of one photo, to the visit or any item."""
        return f"{RegisterKind.PHOTO}:%:{RegisterKey.photo(None, sha256).sha256}"

    @classmethod
    def parse(cls, text: str) -> RegisterKey:
        """The key ``text`` names; ValueError when it names none."""
        prefix, colon, rest = text.partition(":") if isinstance(text, str) else ("", "", "")
        if not colon or prefix not in RegisterKind._value2member_map_:
            raise ValueError(f"not a register key: {text!r}")
        kind = RegisterKind(prefix)
        if kind in (RegisterKind.ANSWER, RegisterKind.PHOTO):
            version, sep, name = rest.partition(":")
            if not sep:
                raise ValueError(f"not a register key: {text!r}")
            if kind is RegisterKind.ANSWER:
                return cls.answer(_id(version, text), name)
            return cls.photo(None if version == _WHOLE else _id(version, text), name)
        if kind is RegisterKind.NOTE:
            return cls.note(rest)
        if kind is RegisterKind.SIGNATURE:
            return cls.signature(_id(rest, text))
        if kind is RegisterKind.COMPANY_SIGNATURE:
            if rest != _WHOLE:
                raise ValueError(f"not a register key: {text!r}")
            return cls.company_signature()
        return cls.result(None if rest == _WHOLE else _id(rest, text))

    def format(self) -> str:
        version = _WHOLE if self.item_version_id is None else str(self.item_version_id)
        parts = {RegisterKind.ANSWER: (version, self.field),
                 RegisterKind.NOTE: (self.note_id,),
                 RegisterKind.PHOTO: (version, self.sha256),
                 RegisterKind.SIGNATURE: (str(self.inspector_id),),
                 RegisterKind.RESULT: (version,),
                 RegisterKind.COMPANY_SIGNATURE: (_WHOLE,)}[self.kind]
        return ":".join((self.kind.value, *parts))

    __str__ = format

    @property
    def is_answer(self) -> bool:
        return self.kind is RegisterKind.ANSWER

    @property
    def is_note(self) -> bool:
        return self.kind is RegisterKind.NOTE

    @property
    def is_photo(self) -> bool:
        return self.kind is RegisterKind.PHOTO

    @property
    def is_signature(self) -> bool:
        return self.kind is RegisterKind.SIGNATURE

    @property
    def is_result(self) -> bool:
        return self.kind is RegisterKind.RESULT

    @property
    def is_company_signature(self) -> bool:
        return self.kind is RegisterKind.COMPANY_SIGNATURE

    def parts(self) -> dict[str, Any]:
        """The key's parts, named, as a client is told them next to the value."""
        named = {RegisterKind.ANSWER: ("item_version_id", "field"),
                 RegisterKind.NOTE: ("note_id",),
                 RegisterKind.PHOTO: ("item_version_id", "sha256"),
                 RegisterKind.SIGNATURE: ("inspector_id",),
                 RegisterKind.RESULT: ("item_version_id",),
                 RegisterKind.COMPANY_SIGNATURE: ()}[self.kind]
        return {"register": self.format(), "type": self.kind.type,
                **{name: getattr(self, name) for name in named}}

    def _checked(self) -> RegisterKey:
        """The key itself when its parts are those of its kind, well formed."""
        kind, version = self.kind, self.item_version_id
        problems = [
            version is not None and (isinstance(version, bool) or not isinstance(version, int)
                                     or version < 1),
            kind is RegisterKind.ANSWER and (version is None or not isinstance(self.field, str)
                                             or not self.field),
            kind is RegisterKind.NOTE and (not isinstance(self.note_id, str) or not self.note_id
                                           or ":" in self.note_id),
            kind is RegisterKind.PHOTO and not (isinstance(self.sha256, str)
                                                and _SHA256.fullmatch(self.sha256)),
            kind is RegisterKind.SIGNATURE and (isinstance(self.inspector_id, bool) or not
                                                isinstance(self.inspector_id, int)
                                                or self.inspector_id < 1),
            kind is RegisterKind.COMPANY_SIGNATURE and version is not None,
        ]
        if any(problems):
            raise ValueError(f"not a {kind.type} register: {self!r}")
        return self


def _id(text: str, key: str) -> int:
    if not _ID.fullmatch(text):
        raise ValueError(f"not a register key: {key!r}")
    return int(text)


def register(op: dict, inspector_id: int | None) -> tuple[str, Any] | None:
    """The register an op writes (its key, formatted) and the value it writes there;
    None for events. A signature lands in the signer's own register: nobody signs for
    someone else (and without an inspector, there is nobody to sign as)."""
    kind = op["kind"]
    if kind in ANSWER_KINDS:
        return str(RegisterKey.answer(op["item_version_id"], op["field"])), op.get("value")
    if kind == "set_note":
        return str(RegisterKey.note(op["note_id"])), op.get("value")
    if kind in ("attach_photo", "detach_photo"):
        return (str(RegisterKey.photo(op.get("item_version_id") or None, op["sha256"])),
                kind == "attach_photo")
    if kind == "sign":
        if inspector_id is None:
            return None
        return (str(RegisterKey.signature(inspector_id)),
                {"sha256": op["sha256"], "state_hash": op["state_hash"]})
    if kind == "set_result":
        return str(RegisterKey.result(op.get("item_version_id") or None)), op["category"]
    if kind == "company_sign":
        return str(RegisterKey.company_signature()), company_signature(op)
    return None


COMPANY_SIGNATURE_FIELDS = ("representative", "statement", "sha256", "reason")


def company_signature(op: dict) -> dict:
    """A ``company_sign`` op's value: every part named, absent ones null, so two phones
    recording the same signature write equal values (they merge silently)."""
    return {"refused": op.get("refused") is True, "state_hash": op["state_hash"],
            **{name: op.get(name) for name in COMPANY_SIGNATURE_FIELDS}}


def answer_key(register_key: str) -> tuple[int, str] | None:
    """(item version, field) of an answer register; None for the other kinds."""
    key = RegisterKey.parse(register_key)
    return (key.item_version_id, key.field) if key.is_answer else None


RESULT_FIELD = "@result"  # not a form field key (those are [a-z0-9_]): no clash


def signed_key(register_key: str) -> tuple[int, str] | None:
    """Where a register's value sits in what a signature signs: the answers, and the
    results (the company's as item 0), so a result changed after signing makes the
    signatures stale like a changed answer does. None for notes, photos, signatures
    (the inspectors' and the company's)."""
    key = RegisterKey.parse(register_key)
    if key.is_answer:
        return key.item_version_id, key.field
    if key.is_result:
        return key.item_version_id or 0, RESULT_FIELD
    return None


def _number(value: Any) -> Any:
    """One form per number: 813.0 and 813 are the same answer, whichever a phone sent and
    whichever a database's JSON gives back."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def checklist_hash(answers: dict[tuple[int, str], Any]) -> str:
    """What a signature signs (签字确认): the SHA-256 of the checklist's answers and
    results (keyed by ``signed_key``), in one canonical form the phone and the server
    both compute. Unanswered fields are left out, so the hash names exactly what was
    filled in."""
    rows = sorted([version, field, _number(value)] for (version, field), value
                  in answers.items() if value is not None)
    canonical = json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
