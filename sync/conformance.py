"""Conformance vectors: the sync rules' inputs and answers, recorded from this Python core,
so the phone app's JavaScript port (``server/pwa/static/js/core/``) is held to it.

``python -m sync.conformance`` rewrites ``tests/conformance/vectors.json``; a test fails
when the file is not what this module makes now (a rule changed, the vectors did not), and
runs them in both languages. Sections: HLC ticks and receives, UUIDv7, register keys,
the merge rule over revision sets in several arrival orders, canonical JSON, checklist
hashes, ``value_problem``, the field types, ops as the reference client records them and
as the push's schema judges their shape, signed codes, seeded random op sequences from several
devices with the merged state and checklist hash (``replay``), and visits in every state of
readiness with the problems their submission meets (``sync.submission``).

Whole numbers are written as ints: JavaScript has no integral floats, so ``5.0`` and ``5``
cannot be told apart there (the checklist hash writes both as ``5`` anyway).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from schemas.sync import OpSchema
from sync import field_types, tokens
from sync.hlc import HLC, receive, tick
from sync.ids import uuid7
from sync.merge import FieldState, Revision, apply, is_concurrent
from sync.ops import RegisterKey, answer_key, checklist_hash, register, signed_key, value_problem
from sync.submission import submission_problems

VECTORS = Path(__file__).resolve().parents[1] / "tests" / "conformance" / "vectors.json"
SHA = "ab" * 32
T0 = 1_764_900_000_000  # 2025-12-05, ms


# --- the merged state of ops, as both languages compute it -------------------------------
def state_of(state: FieldState) -> dict:
    winner = state.winner
    return {"value": state.value, "conflicted": state.conflicted,
            "winner_op_id": winner and winner.op_id, "heads": [r.op_id for r in state.heads],
            "siblings": [r.op_id for r in state.siblings], "head_ids": sorted(state.head_ids())}


def replay(deliveries: list[dict]) -> dict:
    """Ops arriving at one replica, in this order (repeats included): every register's
    state and the checklist hash. A delivery is ``{op, device_id, inspector_id}``."""
    states: dict[str, FieldState] = {}
    for d in deliveries:
        op = d["op"]
        write = register(op, d.get("inspector_id"))
        if write is None:
            continue
        key, value = write
        states[key] = apply(states.get(key, FieldState()), Revision(
            op["op_id"], value, op["hlc"], d["device_id"], frozenset(op.get("base", []))))
    return {"registers": {k: state_of(s) for k, s in sorted(states.items())},
            "checklist_hash": checklist_hash({key: s.value for k, s in states.items()
                                              if (key := signed_key(k)) is not None})}


DEVICES = [("0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", 11), ("0193a1b2-ffff-7000-8000-000000000001", 12),
           ("05c0ffee-0000-7000-9000-00000000000c", 21)]
NUMBERS = [0, 1, -3, 813, 12.5, -3.25, 0.1, 1e-05, 1.5e-07, 123456.789, 10**16, 2**53 - 1]
TEXTS = ["营业执照悬挂于前台", "", "a\tb\nc", "😀 ok", "'quote\"", "é\u00a0x", "\u3000全角"]
CHOICES = [[], ["a"], ["b", "a"], ["中", "😀"]]


def random_sequence(rng: random.Random, steps: int = 30) -> list[dict]:
    """Ops as phones make them: each device edits on top of the heads it has seen, its
    clock wrong by up to a minute, sometimes after learning some of the others' ops; the
    arrival order is shuffled and some ops arrive twice."""
    devices = DEVICES[:rng.randint(2, 3)]
    clocks = {d: HLC(0, 0, d[:8]) for d, _ in devices}
    skew = {d: rng.randint(-60_000, 60_000) for d, _ in devices}
    seen: dict[str, dict[str, FieldState]] = {d: {} for d, _ in devices}
    known: dict[str, set[str]] = {d: set() for d, _ in devices}
    made: list[dict] = []
    for step in range(steps):
        device, inspector = rng.choice(devices)
        now = T0 + step * 1000 + skew[device]
        if made and rng.random() < 0.3:  # a sync: learn some of what the others made
            for d in rng.sample(made, rng.randint(1, len(made))):
                if d["op"]["op_id"] not in known[device]:
                    _learn(seen[device], known[device], d)
                    clocks[device] = receive(clocks[device], HLC.decode(d["op"]["hlc"]), now)
        clocks[device] = tick(clocks[device], now)
        op = _random_op(rng, clocks[device].encode(), now, inspector)
        key = register(op, inspector)
        if key is not None:
            heads = sorted(seen[device].get(key[0], FieldState()).head_ids())
            op["base"] = [] if rng.random() < 0.05 else heads  # now and then a blind write
            if op["kind"] == "resolve" and not op["base"]:
                op["kind"] = "set_answer"
        delivery = {"op": op, "device_id": device, "inspector_id": inspector}
        _learn(seen[device], known[device], delivery)
        made.append(delivery)
    arrivals = made + rng.sample(made, len(made) // 5)
    rng.shuffle(arrivals)
    return arrivals


def _learn(seen: dict[str, FieldState], known: set[str], d: dict) -> None:
    known.add(d["op"]["op_id"])
    write = register(d["op"], d["inspector_id"])
    if write is not None:
        op = d["op"]
        seen[write[0]] = apply(seen.get(write[0], FieldState()), Revision(
            op["op_id"], write[1], op["hlc"], d["device_id"], frozenset(op["base"])))


def _random_op(rng: random.Random, hlc: str, now: int, inspector: int) -> dict:
    op: dict[str, Any] = {"op_id": str(uuid7(now, rng.randbytes(10))), "visit_id": 5,
                          "hlc": hlc, "base": []}
    kind = rng.choice(["set_answer"] * 6 + ["resolve", "set_note", "attach_photo",
                                            "detach_photo", "sign", "set_result", "company_sign",
                                            "submit"])
    op["kind"] = kind
    if kind in ("set_answer", "resolve"):
        item, field, values = rng.choice([(7, "area_m2", NUMBERS), (7, "license", ["yes", "no", "na"]),
                                          (12, "checked", CHOICES), (12, "remark", TEXTS)])
        op.update(item_version_id=item, field=field,
                  value=None if rng.random() < 0.1 else rng.choice(values))
    elif kind == "set_note":
        op.update(note_id="0193a1b2-0000-7000-8000-00000000000a",
                  value=None if rng.random() < 0.2 else rng.choice(TEXTS))
    elif kind in ("attach_photo", "detach_photo"):
        op.update(sha256=SHA, **({"item_version_id": 7} if rng.random() < 0.5 else {}))
    elif kind == "sign":
        op.update(sha256=SHA, state_hash=rng.randbytes(32).hex())
    elif kind == "company_sign":
        if rng.random() < 0.3:
            op.update(refused=True, reason=rng.choice(TEXTS[:1] + ["拒绝签字"]),
                      state_hash=rng.choice([SHA, "cd" * 32]))
        else:
            op.update(representative=rng.choice(["王经理", "李四"]), sha256=SHA,
                      state_hash=rng.choice([SHA, "cd" * 32]),
                      **({"statement": rng.choice(TEXTS)} if rng.random() < 0.5 else {}))
    elif kind == "set_result":
        op.update(category=rng.choice(["no_problem", "problem_found", "not_found"]),
                  **({"item_version_id": rng.choice([7, 12])} if rng.random() < 0.5 else {}))
    return op


# --- the sections ------------------------------------------------------------------------------
def hlc_vectors() -> dict:
    ticks, receives = [], []
    for wall, counter, now in [(0, 0, T0), (T0, 0, T0), (T0, 5, T0 - 1), (T0, 999998, T0),
                               (T0 + 60_000, 3, T0)]:
        clock = HLC(wall, counter, "phone-a1")
        ticks.append({"clock": clock.encode(), "now": now, "expected": tick(clock, now).encode()})
    for mine, theirs, now in [((T0, 1), (T0, 7), T0), ((T0, 9), (T0, 2), T0 - 5),
                              ((T0, 1), (T0 + 5, 4), T0), ((T0 + 5, 4), (T0, 1), T0),
                              ((T0, 1), (T0, 1), T0 + 10), ((0, 0), (T0, 0), 0)]:
        clock, remote = HLC(*mine, "05c0ffee"), HLC(*theirs, "0193a1b2.x_y-z")
        receives.append({"clock": clock.encode(), "remote": remote.encode(), "now": now,
                         "expected": receive(clock, remote, now).encode()})
    texts = ["1764900000000-000000-a", "1764900000000-000001-0193a1b2-c3d4", "0-0-a",
             "1764900000000-000000-", "1764900000000-000000-" + "x" * 37,
             "1764900000000-000000-a b", "17649000000000-000000-a", "1764900000000-00000a-a"]
    pattern = OpSchema().fields["hlc"].validators[0].regex
    return {"tick": ticks, "receive": receives,
            "valid": [{"text": t, "valid": bool(pattern.match(t))} for t in texts]}


def uuid7_vectors() -> list[dict]:
    rng = random.Random(7)
    cases = [(T0, bytes(10)), (T0, b"\xff" * 10), (0, bytes(range(10))), (2**48 + 5, b"\x12" * 10)]
    cases += [(T0 + rng.randint(0, 10**9), rng.randbytes(10)) for _ in range(6)]
    return [{"unix_ms": ms, "random": r.hex(), "expected": str(uuid7(ms, r))} for ms, r in cases]


def register_key_vectors() -> dict:
    valid = ["a:12:temp", "a:1:x:y", "a:7:中文", "n:0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "n:x",
             f"p:-:{SHA}", f"p:3:{SHA}", "s:7", "r:-", "r:12", "a:2147483647:f", "cs:-"]
    invalid = ["", "a", "a:", "a:12", "a:12:", "a:0:temp", "a:-:temp", "a:012:temp", "a:x:temp",
               "a:+1:temp", "a: 1:temp", "a:١:temp", "n:", "n:a:b", "p:-", "p:-:", f"p:3:{SHA[:-1]}",
               f"p:3:{SHA.upper()}", f"p:0:{SHA}", f"p:-:{SHA}\n", "s:", "s:-", "s:None", "s:0",
               "s:1:2", "s:1.0", "r:", "r:0", "r:1:2", "r:x", "x:1", "answer:1:temp", "A:1:temp",
               ":1", "cs", "cs:", "cs:1", "cs:-:", "cs:--", "c:-", "CS:-"]
    for text in invalid:
        try:
            RegisterKey.parse(text)
        except ValueError:
            continue
        raise AssertionError(f"{text!r} parses")
    return {"valid": [{"text": t, "parts": RegisterKey.parse(t).parts(), "answer_key": answer_key(t),
                       "signed_key": signed_key(t)} for t in valid],
            "invalid": invalid,
            "built": [_built(kind, args) for kind, args in [
                ("answer", [12, "temp"]), ("answer", [None, "temp"]), ("answer", [1, ""]),
                ("answer", [True, "x"]), ("answer", [1.5, "x"]), ("answer", [0, "x"]),
                ("note", ["n1"]), ("note", [""]), ("note", ["a:b"]), ("note", [5]),
                ("photo", [None, SHA]), ("photo", [4, SHA]), ("photo", [1, "nothex"]),
                ("signature", [3]), ("signature", [None]), ("signature", [False]),
                ("result", [None]), ("result", [9]), ("result", [-1]),
                ("company_signature", [])]]}


def _built(kind: str, args: list) -> dict:
    try:
        key = getattr(RegisterKey, kind)(*args)
    except ValueError:
        return {"kind": kind, "args": args, "expected": None}
    return {"kind": kind, "args": args, "expected": key.format()}


def _rev(op_id: str, value: Any, hlc: str, device: str = "dev-a", base: tuple = ()) -> dict:
    return {"op_id": op_id, "value": value, "hlc": hlc, "device_id": device, "base": list(base)}


def merge_vectors() -> list[dict]:
    h = [f"{T0 + i:013d}-000000-node" for i in range(6)]
    sig = {"sha256": SHA, "state_hash": "cd" * 32}
    cases = {
        "one revision": [_rev("r1", "yes", h[0])],
        "an edit on top of another": [_rev("r1", "yes", h[0]), _rev("r2", "no", h[1], base=("r1",))],
        "concurrent different values conflict, greatest hlc wins": [
            _rev("r1", "yes", h[2], "dev-a"), _rev("r2", "no", h[1], "dev-b")],
        "equal hlc: the greater device id wins": [
            _rev("r1", 12.5, h[1], "dev-b"), _rev("r2", 813, h[1], "dev-a")],
        "equal values merge silently, whatever the dicts' key order": [
            _rev("r1", sig, h[1], "dev-a"), _rev("r2", dict(reversed(sig.items())), h[2], "dev-b")],
        "equal lists and texts merge silently": [
            _rev("r1", ["a", "中"], h[1], "dev-a"), _rev("r2", ["a", "中"], h[2], "dev-b")],
        "true is not 1": [_rev("r1", True, h[1], "dev-a"), _rev("r2", 1, h[2], "dev-b")],
        "a null value conflicts with a value": [_rev("r1", None, h[3], "dev-a"),
                                                 _rev("r2", "x", h[2], "dev-b")],
        "a resolve names the siblings and ends the conflict": [
            _rev("r1", "yes", h[1], "dev-a"), _rev("r2", "no", h[2], "dev-b"),
            _rev("r3", "na", h[3], "dev-a", ("r1", "r2"))],
        "a resolve naming some siblings leaves the others": [
            _rev("r1", "yes", h[1], "dev-a"), _rev("r2", "no", h[2], "dev-b"),
            _rev("r3", "na", h[3], "dev-c"), _rev("r4", "na", h[4], "dev-a", ("r1", "r2"))],
        "a partial resolve to another value stays conflicted": [
            _rev("r1", "yes", h[1], "dev-a"), _rev("r2", "no", h[2], "dev-b"),
            _rev("r3", "na", h[3], "dev-c"), _rev("r4", "yes", h[4], "dev-a", ("r1", "r2"))],
        "a base naming another register's revision supersedes nothing here": [
            _rev("r1", "yes", h[1], "dev-a"), _rev("r2", "no", h[2], "dev-b", ("elsewhere",))],
        "an old revision arriving late stays history": [
            _rev("r2", "no", h[2], "dev-b", ("r1",)), _rev("r1", "yes", h[1], "dev-a")],
        "a photo attached and detached concurrently": [
            _rev("r1", True, h[1], "dev-a"), _rev("r2", False, h[2], "dev-b")],
        "unicode device ids compare by code point": [
            _rev("r1", "a", h[1], "\uff01"), _rev("r2", "b", h[1], "😀")],
    }
    out = []
    for name, revs in cases.items():
        orders = list(itertools.permutations(range(len(revs))))[:24]
        orders = [list(o) for o in orders] + [[0, *range(len(revs))]]  # one arrives twice
        expected = None
        for order in orders:
            state = FieldState()
            for i in order:
                state = apply(state, Revision(**{**revs[i], "base": frozenset(revs[i]["base"])}))
            got = state_of(state)
            assert expected is None or got == expected, name  # convergence, here too
            expected = got
        last = Revision(**{**revs[-1], "base": frozenset(revs[-1]["base"])})
        before = FieldState()
        for r in revs[:-1]:
            before = apply(before, Revision(**{**r, "base": frozenset(r["base"])}))
        out.append({"name": name, "revisions": revs, "orders": orders, "expected": expected,
                    "last_is_concurrent": is_concurrent(before, last)})
    partial = apply(apply(FieldState(), Revision("r1", "yes", h[1], "dev-a")),
                    Revision("r0", "no", h[0], "dev-b"), superseded=True)
    out.append({"name": "a revision known superseded by one not held is never a head",
                "revisions": [_rev("r1", "yes", h[1], "dev-a"), _rev("r0", "no", h[0], "dev-b")],
                "superseded": ["r0"], "orders": [[0, 1]], "expected": state_of(partial),
                "last_is_concurrent": is_concurrent(
                    apply(FieldState(), Revision("r1", "yes", h[1], "dev-a")),
                    Revision("r0", "no", h[0], "dev-b"))})
    return out


CANONICAL_VALUES = [
    None, True, False, 0, -7, 813, 12.5, 0.1, -0.5, 1e-05, 1.5e-07, 0.0001, 123456.789, 1e-300,
    2**53, 10**16, 10**22, "", "营业执照", "😀", "\uff01", 'q"b\\s', "\t\n\r\b\f\x01\x1f\x7f\x80",
    "\u2028", "é", [], [1, "a", None], {}, {"b": 1, "a": [2, {"d": "中", "c": None}]},
    {"😀": 1, "\uff01": 2, "z": 3, "é": 4, "A": 5}, [[0, "@result", "no_problem"], [7, "f", 2.5]],
]


def canonical_vectors() -> list[dict]:
    return [{"value": v, "ensure_ascii": ascii_,
             "expected": json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_)}
            for v in CANONICAL_VALUES for ascii_ in (False, True)]


def checklist_vectors() -> list[dict]:
    doc = [[0, "@result", "no_problem"], [7, "license_displayed", "yes"], [7, "area_m2", 813.0],
           [7, "remark", "营业执照悬挂于前台"], [7, "photo", None], [12, "checked_items", ["a", "b"]]]
    cases = {
        "the protocol's test vector": doc,
        "no answers": [],
        "only nulls": [[3, "x", None]],
        "integral floats as integers, also in lists": [[1, "n", 5.0], [1, "m", [2.0, "x"]],
                                                      [2, "big", 1e16], [2, "huge", 1e22]],
        "other floats as Python writes them": [[1, "a", 12.5], [1, "b", 1e-05], [1, "c", 0.1],
                                               [1, "d", -3.25], [1, "e", 1.5e-07]],
        "unicode, code point order of fields": [[4, "\uff01", "全角"], [4, "😀", "emoji"],
                                                [4, "é", "\u2028"], [4, "Z", "a\tb\nc"]],
        "booleans and sort by item": [[30, "b", True], [4, "a", False], [100, "a", 0]],
    }
    out = []
    for name, rows in cases.items():
        answers = {(v, f): value for v, f, value in rows}
        text = json.dumps(sorted([v, f, _whole(value)] for (v, f), value in answers.items()
                                 if value is not None),
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        out.append({"name": name, "answers": [[v, f, _whole(value)] for v, f, value in rows],
                    "text": text, "hash": checklist_hash(answers)})
        assert hashlib.sha256(text.encode()).hexdigest() == out[-1]["hash"], name
    return out


def _whole(value: Any) -> Any:
    """What JSON can carry to JavaScript: a whole float as the int it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return [_whole(v) for v in value] if isinstance(value, list) else value


def value_problem_vectors() -> list[dict]:
    values = [None, True, 0, 1.5, "", "ok", "a\tb\nc\r", "x" * 5000, "x" * 5001, "😀" * 5000,
              "😀" * 5001, "\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x9f", "\xa0", "\u202a",
              "\u202e", "\u2066", "\u2069", "\u2067x", "\u200f", "\ud800", "a\udfff", "😀",
              [], ["a"] * 100, ["a"] * 101, ["x" * 64], ["x" * 65], ["😀" * 64], ["a", 1],
              [None], [["a"]], ["\x00"], ["\ud83d"], {}, {"a": 1}]
    return [{"value": v, "problem": value_problem(v)} for v in values]


CHOICES_FORM = [{"value": "ok", "label": "合格"}, {"value": "bad", "label": "不合格"}]
FIELDS = [
    {"key": "clean", "label": "清洁", "type": "yes_no_na"},
    {"key": "grade", "label": "等级", "type": "single_choice", "options": CHOICES_FORM,
     "help": "按现场情况"},
    {"key": "docs", "label": "证照", "type": "multiple_choice", "options": CHOICES_FORM},
    {"key": "temp", "label": "温度", "type": "number", "unit": "℃", "min": -40, "max": 10},
    {"key": "area", "type": "number", "min": 0.5, "required": False},
    {"key": "remark", "label": "说明", "type": "text", "required": False},
    {"key": "due", "label": "到期", "type": "date"},
    {"key": "pic", "label": "照片", "type": "photo"},
    {"key": "odd", "type": "signature"},
]
FIELD_VALUES = [None, True, False, 0, -40, 10, 10.5, -40.5, 0.5, 0.25, 12.5, "yes", "no", "na",
                "maybe", "ok", "bad", "other", "", ["ok"], ["bad", "ok"], ["ok", "ok"], [], ["other"],
                "2024-02-29", "2023-02-29",
                "2000-01-01", "1999-12-31", "2100-12-31", "2101-01-01", "20261205", "2026-W49",
                "2026W491", "2026-W49-7", "2026-W53", "2027-W53", "2026-W00", "2026W491xx",
                "20261205xx", "20261205é", "20261205中", "2026-12-5", "2026-1205", " 2026-12-05",
                "2026-12-05T00:00", "２０２６-12-05", "2026-12", SHA, SHA + "\n", SHA[:12]]
LONG_VALUES = ["x" * 5000, "x" * 5001, "😀" * 5000]  # only where length matters: it is big


def field_type_vectors() -> dict:
    cases = []
    for field in FIELDS:
        for value in FIELD_VALUES + (LONG_VALUES if field["type"] in ("text", "photo") else []):
            accepted = field_types.accepts(field, value)
            case = {"field": field["key"], "value": value, "accepts": accepted,
                    "problem": None if accepted else "bad_value",
                    "canonical": _whole(field_types.canonical(field, value))}
            with contextlib.suppress(TypeError):  # a list is no key of the labels
                case["words"] = field_types.words(field, value)
            if isinstance(value, str) and len(value) > 100:  # the file stays small
                assert case.pop("canonical") == case.pop("words", value) == value
                case["words_and_canonical_are_the_value"] = True
            cases.append(case)
    return {"fields": FIELDS, "cases": cases,
            "describe": [field_types.describe(f) for f in FIELDS if f["type"] in field_types.TYPES]}


TEAMMATE = {"op_id": "0193a1b2-0000-7000-8000-0000000000b1", "value": 9,
            "hlc": f"{T0 + 60_000:013d}-000003-0193a1b2", "device_id": DEVICES[1][0], "base": []}
# What the reference client is asked to record, in order; ("pull", register, revision) is
# a teammate's revision pulled in between. PHOTO, SIGNATURE, PHOTO_SHA and NOTE (the last
# note's id) stand for what only exists once recording has begun.
SCRIPT = [
    ("record_answer", (7, "temp", 4), {}),
    ("record_answer", (7, "temp", 12.5), {"note": "复查\n第二行"}),
    ("record_answer", (7, "remark", "营业执照悬挂于前台"), {}),
    ("pull", "a:7:temp", TEAMMATE),
    ("resolve", ("a:7:temp", 5), {}),
    ("record_answer", (12, "docs", ["ok", "bad"]), {}),
    ("record_answer", (12, "docs", None), {}),
    ("record_note", ("第一条记录",), {}),
    ("record_note", ("改过的记录",), {"note_id": "NOTE", "item_version_id": 7}),
    ("record_note", (None,), {"note_id": "NOTE"}),
    ("attach_photo", ("PHOTO",), {"item_version_id": 7}),
    ("attach_photo", ("PHOTO",), {}),
    ("detach_photo", ("PHOTO_SHA",), {"item_version_id": 7}),
    ("record_result", ("no_problem",), {}),
    ("record_result", ("problem_found",), {"item_version_id": 7}),
    ("sign", ("SIGNATURE",), {}),
    ("company_sign", ("SIGNATURE",), {"representative": "王经理", "statement": "无异议。\n以上属实"}),
    ("company_sign", (None,), {"representative": "王经理",
                               "refused_because": "当事人拒绝签字，执法人员二人在场见证"}),
    ("record_entry_scan", ("premises.token",), {"latitude": 31.2304, "longitude": 121.4737}),
    ("submit", (), {}),
]


def recorded_ops(script: list[tuple] = SCRIPT, times_ms: list[int] | None = None,
                 seed: int = 17) -> dict:
    """Ops recorded offline by the reference client (``sync.client.Device``) as ``script``
    asks, with the time and random bytes each used; the clock reads ``times_ms`` in turn
    (multiples of 125 ms: exact as float seconds), by default a quarter second apart."""
    from sync.client import Device  # the reference client itself; needs no server offline

    rng = random.Random(seed)
    device_id = DEVICES[0][0]
    times = iter(times_ms or [T0 + i * 250 for i in range(2 * len(script) + 2)])
    used: dict[str, Any] = {}

    def clock() -> float:
        used["now"] = next(times)
        return used["now"] / 1000

    def random_bytes(n: int) -> bytes:
        used["random"] = rng.randbytes(n)
        return used["random"]

    steps: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        device = Device(Path(tmp) / "phone.sqlite", "http://offline.invalid", clock=clock,
                        random_bytes=random_bytes)
        device.replica.put("device_id", device_id)
        device.replica.put("hlc", HLC(0, 0, device_id[:8]).encode())
        device.replica.put("user", {"inspector_id": 11})
        photo, signature = Path(tmp) / "photo.jpg", Path(tmp) / "sig.png"
        photo.write_bytes(b"\xff\xd8 a photo")
        signature.write_bytes(b"\x89PNG a signature")
        notes: list[str] = []
        stand_in = {"PHOTO": photo, "SIGNATURE": signature,
                    "PHOTO_SHA": hashlib.sha256(photo.read_bytes()).hexdigest()}

        def real(value: Any) -> Any:
            if value == "NOTE":  # the last note, or (none yet) a new one
                return notes[-1] if notes else None
            return stand_in.get(value, value) if isinstance(value, str) else value

        for action in script:
            if action[0] == "pull":  # as Device.pull does: the revision, the clock after it
                _, key, rev = action
                with device.replica.transaction() as db:
                    device.replica.add_revision(db, 5, key, Revision(
                        rev["op_id"], rev["value"], rev["hlc"], rev["device_id"],
                        frozenset(rev["base"])))
                    now = int(clock() * 1000)
                    device.replica.put("hlc", receive(HLC.decode(device.replica.get("hlc")),
                                                      HLC.decode(rev["hlc"]), now).encode(), db)
                steps.append({"pull": {"visit_id": 5, "register": key, "revision": rev},
                              "now": now, "hlc_after": device.replica.get("hlc")})
                continue
            method, args, kwargs = action
            getattr(device, method)(5, *map(real, args), **{k: real(v) for k, v in kwargs.items()})
            op = json.loads(device.replica.db.execute(
                "SELECT body FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()[0])
            fields = {k: v for k, v in op.items()
                      if k not in ("op_id", "hlc", "base", "device_time", "kind")}
            if op["kind"] == "set_note":
                notes.append(op["note_id"])
                fields.setdefault("value", None)
            steps.append({"record": op["kind"], "fields": fields, "now": used["now"],
                          "random": used["random"].hex(), "expected": op})
        device.close()
    return {"device_id": device_id, "inspector_id": 11, "steps": steps}


def op_shape_vectors(recorded: list[dict]) -> list[dict]:
    good = {"op_id": "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "kind": "set_answer", "visit_id": 5,
            "hlc": f"{T0:013d}-000000-0193a1b2", "item_version_id": 7, "field": "temp",
            "value": 4, "base": [], "device_time": "2026-12-05T10:00:00+08:00"}
    variants = [
        {}, {"op_id": "not-a-uuid"}, {"op_id": good["op_id"].upper()}, {"kind": "set_everything"},
        {"visit_id": 0}, {"visit_id": 2**31}, {"visit_id": "5"}, {"visit_id": True}, {"visit_id": None},
        {"item_version_id": None}, {"field": "x" * 65}, {"field": " temp "}, {"field": "a\nb"},
        {"value": "x" * 5001}, {"value": {"a": 1}}, {"value": None}, {"note": "多行\n备注"},
        {"note": "x" * 5001}, {"note": "\u202e"}, {"base": [good["op_id"]] * 50},
        {"base": [good["op_id"]] * 51}, {"base": ["x"]}, {"base": None}, {"base": "x"},
        {"hlc": "1764900000000-0-a"}, {"hlc": f" {T0:013d}-000000-a "}, {"hlc": None},
        {"device_time": "2026-12-05T10:00:00"}, {"device_time": "2026-12-05T10:00:00Z"},
        {"device_time": "2026-12-05 10:00:00.123+08:00"}, {"device_time": "1999-12-31T10:00:00+08:00"},
        {"device_time": "2026-02-30T10:00:00+08:00"}, {"device_time": None}, {"device_time": 5},
        {"extra": 1}, {"latitude": 91}, {"latitude": -90, "longitude": 180.0}, {"longitude": None},
        {"latitude": True}, {"premises_token": None}, {"reason": "x" * 501}, {"sha256": SHA.upper()},
        {"kind": "resolve"}, {"kind": "set_note"}, {"kind": "set_note", "note_id": good["op_id"]},
        {"kind": "attach_photo"}, {"kind": "attach_photo", "sha256": SHA},
        {"kind": "sign", "sha256": SHA}, {"kind": "sign", "sha256": SHA, "state_hash": SHA},
        {"kind": "set_result"}, {"kind": "set_result", "category": "no_problem"},
        {"kind": "set_result", "category": "No-Problem"}, {"kind": "submit"},
        {"kind": "entry_scan", "premises_token": "t", "latitude": 31.2, "longitude": 121.5},
        {"kind": "company_sign"}, {"kind": "company_sign", "state_hash": SHA},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "王经理"},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "  "},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "x" * 51},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "王\n经理"},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "王经理",
         "statement": "无异议\n属实", "refused": False},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "王经理",
         "statement": "x" * 1001},
        {"kind": "company_sign", "state_hash": SHA, "sha256": SHA, "representative": "王经理",
         "statement": None, "refused": None},
        {"kind": "company_sign", "state_hash": SHA, "refused": True},
        {"kind": "company_sign", "state_hash": SHA, "refused": True, "reason": "拒绝签字"},
        {"kind": "company_sign", "state_hash": SHA, "refused": True, "reason": "拒绝签字",
         "sha256": SHA},
        {"kind": "company_sign", "state_hash": SHA, "refused": True, "reason": " "},
        {"kind": "company_sign", "state_hash": SHA, "refused": 1, "reason": "拒绝签字"},
        {"kind": "company_sign", "state_hash": SHA, "refused": "true", "reason": "拒绝签字"},
        {"kind": "company_sign", "state_hash": SHA, "refused": False, "reason": "x"},
    ]
    cases = [{**good, **change} for change in variants]
    cases += [{k: v for k, v in good.items() if k != name} for name in ("op_id", "hlc", "value", "base")]
    cases += [step["expected"] for step in recorded if "expected" in step]
    out = []
    for op in cases:
        try:
            OpSchema().load(op)
            problems = None
        except Exception as error:  # noqa: BLE001 - marshmallow's ValidationError
            problems = sorted(error.messages)
        out.append({"op": op, "problems": problems})
    return out


def code_vectors() -> dict:
    """Signed codes (``sync.tokens``): the protocol's test vector, genuine codes of both kinds,
    and every way one is refused, with the refusal's code."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def signer(seed: bytes):
        private = Ed25519PrivateKey.from_private_bytes(seed)
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        kid = hashlib.sha256(public).hexdigest()[:16]
        return private, public, kid

    private, public, kid = signer(bytes(range(32)))
    stranger, _, stranger_kid = signer(bytes(range(32, 64)))

    def sign(payload, key=private, text: str | None = None) -> str:
        text = text if text is not None else tokens.canonical_payload(payload)
        return tokens.assemble(text, key.sign(text.encode("ascii")))

    visit = {"t": "v", "k": kid, "v": 41, "c": 1203, "s": "2026-12-01", "e": "2026-12-10",
             "m": [11, 12]}
    premises = {"t": "p", "k": kid, "c": 1203, "n": 2}
    good = sign(premises)
    body, signature = good.split(".")
    cases = [
        (good, None, None), (good, "p", None), (good, "v", None), (sign(visit), "v", "2026-12-10"),
        (sign(visit), "v", "2026-12-11"), (sign(visit), None, "2027-01-01"),
        (sign({**premises, "x": "中文 é"}), None, None),
        (sign({**premises, "k": stranger_kid}, stranger), None, None),
        (sign({**premises, "k": kid}, stranger), None, None), (sign({"t": "p", "c": 1}), None, None),
        (sign([1, 2]), None, None), (sign(premises, text=tokens.b64encode(b'{"c": 1203}')), None, None),
        (f"{body}.{signature[:-1]}{'R' if signature[-1] != 'R' else 'S'}", None, None),
        (f"{body}.{signature[:-1]}{'B' if signature[-1] == 'A' else 'A'}", None, None),
        (f"{body}=.{signature}", None, None), (f"{body}.{signature}.x", None, None), (body, None, None),
        (f"{body}.{signature}" + "A" * 1024, None, None), (f"{body[:-1]}.{signature}", None, None),
        ("", None, None), (".", None, None), (f"{body}.!{signature}", None, None),
    ]
    out = []
    for token, kind, today in cases:
        case = {"token": token, "kind": kind, "today": today}
        try:
            case["payload"] = tokens.verify(token, {kid: public}, kind=kind,
                                            today=today and dt.date.fromisoformat(today))
        except tokens.TokenError as error:
            case["error"] = error.code
        out.append(case)
    scans = [good, f" {good}\r\n", f"https://fi.example.gov.cn/p/{good}",
             f"http://127.0.0.1:5000/p/{good}", f"HTTPS://fi.example.gov.cn/app/p/{good}/",
             f"https://fi.example.gov.cn/p/{good}?from=singlemessage#x",
             f"https://fi.example.gov.cn/v/{good}", f"https://fi.example.gov.cn/q/{good}",
             f"https://fi.example.gov.cn/p/{body}", f"ftp://fi.example.gov.cn/p/{good}",
             f"https:///p/{good}", f"https://fi.example.gov.cn/p/{good} x",
             f"https://fi.example.gov.cn/p/{good}/extra", f"https://例子.中国/p/{good}",
             f"https://fi.example.gov.cn/p/{good}\u3000", f"https://h/{'a' * 2100}/p/{good}",
             "", "   ", "营业执照"]
    return {"public_keys": {kid: tokens.b64encode(public)}, "cases": out,
            "scans": [{"text": t, "token": tokens.token_from_scan(t)} for t in scans]}


# --- submission (提交条件) ----------------------------------------------------------------
SUBMIT_ITEMS = [  # a joint visit: one item on site (department 1), one written (department 2)
    {"item_version_id": 12, "department_id": 2, "method": "written_review",
     "form": {"fields": [{"key": "docs", "type": "multiple_choice", "options": CHOICES_FORM}]}},
    {"item_version_id": 7, "department_id": 1, "method": "on_site",
     "form": {"fields": [{"key": "temp", "type": "number"},
                         {"key": "remark", "type": "text", "required": False},
                         {"key": "pic", "type": "photo", "required": True}]}},
]
SUBMIT_TEAM = [{"inspector_id": 11, "department_id": 1}, {"inspector_id": 12, "department_id": 1},
               {"inspector_id": 21, "department_id": 2}, {"inspector_id": 31, "department_id": 3}]
COMPANY_SIGNED = {"refused": False, "state_hash": "cd" * 32, "representative": "王经理",
                  "statement": "无异议", "sha256": SHA, "reason": None}
COMPANY_REFUSED = {"refused": True, "state_hash": "cd" * 32, "representative": None,
                   "statement": None, "sha256": None, "reason": "当事人拒绝签字，检查人员二人在场见证"}
SUBMIT_ANSWERS = {"a:7:temp": 4, "a:7:pic": SHA, "a:12:docs": ["ok"], "r:-": "no_problem",
                  "cs:-": COMPANY_SIGNED}


def _registers(values: dict[str, Any], conflicted: tuple[str, ...] = ()) -> dict[str, dict]:
    return {k: {"value": v, "conflicted": k in conflicted} for k, v in values.items()}


def _signed(values: dict[str, Any], signers: tuple[int, ...], stale: tuple[int, ...] = ()) -> dict:
    """``values`` with the signatures of ``signers`` over them (``stale``: over another state)."""
    current = checklist_hash({key: v for k, v in values.items()
                              if (key := signed_key(k)) is not None})
    return {**values, **{f"s:{i}": {"sha256": SHA, "state_hash": "00" * 32 if i in stale
                                    else current} for i in signers}}


def submission_vectors(seeds: range = range(40)) -> list[dict]:
    """Visits in many states of readiness and the problems the server reports for each, in
    order: hand-made cases first, then seeded random ones."""
    ready = _signed(SUBMIT_ANSWERS, (11, 21))
    cases: list[tuple[str, bool, dict, list, list]] = [
        ("ready", True, _registers(ready), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("nothing done", False, {}, SUBMIT_ITEMS, SUBMIT_TEAM),
        ("nothing done, nothing on site", False, {}, SUBMIT_ITEMS[:1], SUBMIT_TEAM),
        ("not entered", False, _registers(ready), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("an optional field may stay empty, a cleared required one not", True,
         _registers({**_signed({**SUBMIT_ANSWERS, "a:7:pic": None, "a:7:remark": None},
                               (11, 21))}), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("an answer after signing makes both signatures stale", True,
         _registers({**ready, "a:7:remark": "后补"}), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("an item's result after signing does too", True,
         _registers({**ready, "r:7": "problem_found"}), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("a note or a photo after signing does not", True,
         _registers({**ready, "n:x": "备注", f"p:7:{SHA}": True}), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("the company's result cleared", True,
         _registers(_signed({**SUBMIT_ANSWERS, "r:-": None}, (11, 21))), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("two signatures of one department", True, _registers(_signed(SUBMIT_ANSWERS, (11, 12))),
         SUBMIT_ITEMS, SUBMIT_TEAM),
        ("one signature", True, _registers(_signed(SUBMIT_ANSWERS, (21,))), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("a signer no longer on the team counts for nothing", True,
         _registers(_signed(SUBMIT_ANSWERS, (11, 21, 99))), SUBMIT_ITEMS, SUBMIT_TEAM[:2]),
        ("a member of a department without items counts toward two", True,
         _registers(_signed(SUBMIT_ANSWERS, (11, 31))), SUBMIT_ITEMS[1:], SUBMIT_TEAM),
        ("one stale signature among three", True, _registers(_signed(SUBMIT_ANSWERS, (11, 12, 21),
                                                                     stale=(12,))),
         SUBMIT_ITEMS, SUBMIT_TEAM),
        ("conflicts of every kind, a conflicted signature not counted", True,
         _registers(_signed(SUBMIT_ANSWERS, (11, 21)), ("a:7:temp", "s:21", "r:-")),
         SUBMIT_ITEMS, SUBMIT_TEAM),
        ("the company refused to sign, and the refusal is recorded", True,
         _registers({**ready, "cs:-": COMPANY_REFUSED}), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("the company has not signed", True,
         _registers({k: v for k, v in ready.items() if k != "cs:-"}), SUBMIT_ITEMS, SUBMIT_TEAM),
        ("a written review needs no company signature", True,
         _registers({k: v for k, v in _signed(SUBMIT_ANSWERS, (11, 21)).items() if k != "cs:-"}),
         SUBMIT_ITEMS[:1], SUBMIT_TEAM),
        ("a conflicted company signature", True, _registers(ready, ("cs:-",)), SUBMIT_ITEMS,
         SUBMIT_TEAM),
        ("whole numbers sign as integers", True,
         _registers({**_signed({**SUBMIT_ANSWERS, "a:7:temp": 4}, (11, 21)), "a:7:temp": 4.0}),
         SUBMIT_ITEMS, SUBMIT_TEAM),
    ]
    out = [{"name": name, "entered": entered, "items": items, "team": team, "registers": regs}
           for name, entered, regs, items, team in cases]
    for seed in seeds:
        out.append({"name": f"random {seed}", **_random_visit(random.Random(seed))})
    for case in out:
        case["expected"] = submission_problems(entered=case["entered"], items=case["items"],
                                               team=case["team"], registers=case["registers"])
    return out


def _random_visit(rng: random.Random) -> dict:
    values: dict[str, Any] = {}
    choices = {"a:7:temp": [4, -3.25, 0, 12.0], "a:7:remark": TEXTS, "a:7:pic": [SHA],
               "a:12:docs": CHOICES, "r:-": ["no_problem", "problem_found"], "r:7": ["corrected"],
               "n:x": TEXTS, f"p:-:{SHA}": [True, False],
               "cs:-": [COMPANY_SIGNED, COMPANY_REFUSED]}
    for key, options in choices.items():
        if rng.random() < 0.8:
            values[key] = None if rng.random() < 0.1 else rng.choice(options)
    team = rng.sample(SUBMIT_TEAM, rng.randint(1, len(SUBMIT_TEAM)))
    signers = tuple(m["inspector_id"] for m in SUBMIT_TEAM if rng.random() < 0.6)
    values = _signed(values, signers, tuple(i for i in signers if rng.random() < 0.2))
    if rng.random() < 0.2:  # signed, then answered again
        values["a:7:temp"] = rng.choice([5, 6.5])
    conflicted = tuple(k for k in values if rng.random() < 0.08)
    return {"entered": rng.random() < 0.7, "items": rng.sample(SUBMIT_ITEMS, rng.randint(1, 2)),
            "team": team, "registers": _registers(values, conflicted)}


def sequence_vectors(seeds: range = range(12)) -> list[dict]:
    out = []
    for seed in seeds:
        deliveries = random_sequence(random.Random(seed))
        out.append({"seed": seed, "deliveries": deliveries, "expected": replay(deliveries)})
    return out


def vectors() -> dict:
    recorded = recorded_ops()
    return {
        "about": "Generated by `python -m sync.conformance` from the Python core (sync/); "
                 "checked by tests/sync/test_conformance.py and tests/js/*.test.mjs. Do not edit.",
        "hlc": hlc_vectors(), "uuid7": uuid7_vectors(), "register_keys": register_key_vectors(),
        "merge": merge_vectors(), "canonical": canonical_vectors(), "checklist": checklist_vectors(),
        "value_problem": value_problem_vectors(), "field_types": field_type_vectors(),
        "recorded": recorded, "op_shapes": op_shape_vectors(recorded["steps"]),
        "codes": code_vectors(), "sequences": sequence_vectors(),
        "submission": submission_vectors(),
    }


def dumps(data: dict) -> str:
    """The file's text: one vector a line (a change shows as the vectors it changed), in
    ASCII (a lone surrogate is a test case, and UTF-8 cannot hold one)."""
    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    def lines(value: Any, indent: str) -> str:
        if isinstance(value, dict) and any(isinstance(v, dict | list) for v in value.values()):
            inner = ",\n".join(f"{indent} {compact(k)}: {lines(v, indent + ' ')}"
                               for k, v in value.items())
            return f"{{\n{inner}\n{indent}}}"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return "[\n" + ",\n".join(f"{indent} {compact(v)}" for v in value) + f"\n{indent}]"
        return compact(value)

    return lines(data, "") + "\n"


def main() -> None:
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    VECTORS.write_text(dumps(vectors()))
    print(f"wrote {VECTORS}")


if __name__ == "__main__":
    main()
