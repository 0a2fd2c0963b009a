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
  whole (``-``): a result category's code (``set_result``).

A register op based on the current siblings resolves them, whatever its kind.
``entry_scan`` and ``submit`` are events, not registers: applied once or refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

ANSWER_KINDS = ("set_answer", "resolve")
REGISTER_KINDS = (*ANSWER_KINDS, "set_note", "attach_photo", "detach_photo", "sign",
                  "set_result")
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


def register(op: dict, inspector_id: int | None) -> tuple[str, Any] | None:
    """The register an op writes and the value it writes there; None for events.
    A signature lands in the signer's own register: nobody signs for someone else."""
    kind = op["kind"]
    if kind in ANSWER_KINDS:
        return f"a:{op['item_version_id']}:{op['field']}", op.get("value")
    if kind == "set_note":
        return f"n:{op['note_id']}", op.get("value")
    if kind in ("attach_photo", "detach_photo"):
        return f"p:{op.get('item_version_id') or '-'}:{op['sha256']}", kind == "attach_photo"
    if kind == "sign":
        return f"s:{inspector_id}", {"sha256": op["sha256"], "state_hash": op["state_hash"]}
    if kind == "set_result":
        return f"r:{op.get('item_version_id') or '-'}", op["category"]
    return None


def answer_key(register_key: str) -> tuple[int, str] | None:
    """(item version, field) of an answer register; None for the other kinds."""
    if not register_key.startswith("a:"):
        return None
    _, version, field = register_key.split(":", 2)
    return int(version), field


RESULT_FIELD = "@result"  # not a form field key (those are [a-z0-9_]): no clash


def signed_key(register_key: str) -> tuple[int, str] | None:
    """Where a register's value sits in what a signature signs: the answers, and the
    results (the company's as item 0), so a result changed after signing makes the
    signatures stale like a changed answer does. None for notes, photos, signatures."""
    if (answer := answer_key(register_key)) is not None:
        return answer
    if register_key.startswith("r:"):
        rest = register_key[2:]
        return (0 if rest == "-" else int(rest)), RESULT_FIELD
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
