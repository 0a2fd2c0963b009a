"""States are written once, in ``schemas/states.py``: a state literal anywhere else in
server/, sync/ or schemas/ fails here.

The scanner reads the syntax tree, not the text, and looks only where a state is written:
compared (``==``, ``in``, ``.in_()``, ``.not_in()``), given as ``state=...``, assigned to
a ``state``, put under a ``"state"`` key, returned by a function named for a state, or
gathered as a set of states (two or more of one enum, in a tuple, list, set or as dict
keys). Elsewhere a word that happens to spell a state is left alone: an audit action, the
phone outbox's ``"pending"`` count, a response field called ``current``, the calendar's
``entered`` source. A comparison with something named for another vocabulary (an audit
``action``, a ``kind``, a ``source``, ...) is not a state comparison either.
"""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import pytest

import schemas.states as states

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("server", "sync", "schemas")
HOME = ROOT / "schemas" / "states.py"
# a migration is a frozen copy of the schema of its day: it must not follow today's enums
FROZEN = ROOT / "server" / "migrations"

ENUMS = [value for value in vars(states).values()
         if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum]
WORDS = {member.value for enum in ENUMS for member in enum}
# what the other side of a comparison may be named when it is not a state
OTHER_VOCABULARIES = {"action", "kind", "outcome", "source", "sources", "role", "method",
                      "media_type", "mode", "code", "reason", "type"}


class Finding(NamedTuple):
    path: str
    line: int
    word: str
    why: str


def _is_state_name(name: str | None) -> bool:
    return name is not None and (name == "state" or name.endswith("_state"))


def _name(node: ast.AST) -> str | None:
    """The name a value goes by: ``x``, ``a.x``, ``a["x"]``, ``a.x(...)``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
            and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Call):
        return _name(node.func)
    return None


def _strings(node: ast.AST | None) -> list[ast.Constant]:
    """String constants a value may be: itself, a branch of ``a if c else b`` or
    ``a or b``, an element of a tuple/list/set or of ``frozenset((...))``."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [c for value in node.values for c in _strings(value)]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [c for element in node.elts for c in _strings(element)]
    if isinstance(node, ast.Call) and _name(node.func) in ("frozenset", "set", "tuple") \
            and node.args:
        return _strings(node.args[0])
    return []


def _one_enum_set(constants: list[ast.Constant]) -> list[ast.Constant]:
    """The constants, if two or more distinct ones are values of one enum (a set of states)."""
    values = {c.value for c in constants if isinstance(c.value, str)}
    if any(len(values & {m.value for m in enum}) >= 2 for enum in ENUMS):
        return [c for c in constants if c.value in WORDS]
    return []


def _targets(node: ast.Assign | ast.AnnAssign | ast.AugAssign):
    """(target, value) pairs, ``a.state, a.by = "x", y`` unpacked."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                and len(target.elts) == len(node.value.elts):
            yield from zip(target.elts, node.value.elts, strict=True)
        else:
            yield target, node.value


def find_state_literals(source: str, path: str = "<snippet>") -> list[Finding]:
    """Every state written as a bare string in ``source``."""
    found: dict[tuple[int, int], Finding] = {}

    def flag(constants, why):
        for c in constants:
            if isinstance(c.value, str) and c.value in WORDS:
                found.setdefault((c.lineno, c.col_offset), Finding(path, c.lineno, c.value, why))

    tree = ast.parse(source)
    excused: set[int] = set()  # values compared with another vocabulary's words
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_name(o) in OTHER_VOCABULARIES for o in operands):
                excused.update(id(o) for o in operands)
            else:
                flag([c for o in operands for c in _strings(o)], "compared")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("in_", "not_in"):
                if _name(func.value) in OTHER_VOCABULARIES:
                    excused.update(id(arg) for arg in node.args)
                else:
                    flag([c for arg in node.args for c in _strings(arg)], f".{func.attr}()")
            for keyword in node.keywords:
                if _is_state_name(keyword.arg):
                    flag(_strings(keyword.value), f"{keyword.arg}=")
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target, value in _targets(node):
                if _is_state_name(_name(target)):
                    flag(_strings(value), "assigned to a state")
                    if isinstance(value, ast.Call):  # state = mapped_column(..., default="x")
                        flag([c for k in value.keywords if k.arg == "default"
                              for c in _strings(k.value)], "a state's default")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) \
                        and _is_state_name(key.value):
                    flag(_strings(value), f"under the key {key.value!r}")
            flag(_one_enum_set([k for k in node.keys if isinstance(k, ast.Constant)]),
                 "dict keyed by states")
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and id(node) not in excused:
            flag(_one_enum_set(_strings(node)), "a set of states")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            positional = arguments.posonlyargs + arguments.args
            defaults = list(zip(positional[len(positional) - len(arguments.defaults):],
                                arguments.defaults, strict=True))
            defaults += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults,
                                                strict=True) if d]
            for argument, default in defaults:
                if _is_state_name(argument.arg):
                    flag(_strings(default), f"default of {argument.arg}")
            if _is_state_name(node.name):
                flag([c for sub in ast.walk(node) if isinstance(sub, ast.Return)
                      for c in _strings(sub.value)], f"returned by {node.name}()")
    return sorted(found.values())


def _scanned_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path != HOME and FROZEN not in path.parents:
                yield path


def test_no_state_literal_outside_the_states_module():
    findings = [f for path in _scanned_files()
                for f in find_state_literals(path.read_text(encoding="utf-8"),
                                             str(path.relative_to(ROOT)))]
    assert findings == [], "write these with schemas.states:\n" + "\n".join(
        f"{f.path}:{f.line}: {f.word!r} ({f.why})" for f in findings)


def test_the_scan_reads_every_layer():
    scanned = {p.relative_to(ROOT).parts[0] for p in _scanned_files()}
    assert scanned == set(SCANNED)
    assert any(p.name == "visits.py" and p.parent.name == "services" for p in _scanned_files())


@pytest.mark.parametrize("snippet, word", [
    ('if visit.state == "entered":\n    pass', "entered"),
    ('ok = "submitted" != result.state', "submitted"),
    ('ok = visit.state in ("issued", "entered")', "issued"),
    ('ok = visit.state not in ("cancelled",)', "cancelled"),
    ('stmt = select(Visit).where(Visit.state == "merged")', "merged"),
    ('stmt = select(Visit).where(Visit.state.in_(("submitted", "closed")))', "submitted"),
    ('stmt = select(Visit).where(Visit.state.not_in(["cancelled"]))', "cancelled"),
    ('rows = query.filter_by(state="pending")', "pending"),
    ('visit = Visit(task_id=1, state="issued")', "issued"),
    ('session.execute(update(Visit).values(state="cancelled"))', "cancelled"),
    ('visit.state = "closed"', "closed"),
    ('state: Mapped[str] = mapped_column(String(10), default="pending")', "pending"),
    ('f.state = "accepted" if accept else "declined"', "declined"),
    ('result.state, result.by = "approved", user', "approved"),
    ('audit(after={"state": "cancelled"})', "cancelled"),
    ('LABELS = {"issued": "待检查", "entered": "检查中"}', "issued"),
    ('OPEN = ("issued", "entered")', "entered"),
    ('OWNED = frozenset({"open", "accepted"})', "accepted"),
    ('def list_results(session, *, state="submitted"):\n    pass', "submitted"),
    ('def loop_state(fs):\n    return "closed" if fs else "none"', "none"),
    ('phase = "upcoming" if early else "ended"\nok = phase == "ended"', "ended"),
])
def test_the_scanner_finds_a_state_written_as_a_string(snippet, word):
    assert word in {f.word for f in find_state_literals(snippet)}


@pytest.mark.parametrize("snippet", [
    # an audit action or a kind that happens to spell a state is not one
    'ok = AuditEntry.action == "approved"',
    'ok = entry.action in ("merged", "closed")',
    'ok = op.kind == "submitted"',
    'stmt = select(AuditEntry).where(AuditEntry.action.in_(("closed", "merged")))',
    # the calendar's sources, one of which spells "entered"
    'SOURCES = ("official", "override", "entered", "provisional")',
    'ok = source == "entered"',
    # the phone outbox's count of ops waiting, and response fields named like states
    'n = {"pending": replica.count("outbox", "pending")}',
    'row = {"id": 1, "current": draw.current, "submitted": when}',
    # a state written with its enum
    'ok = visit.state == VisitState.ENTERED',
    'stmt = select(Visit).where(Visit.state.in_(VISIT_OPEN))',
    # docstrings and messages
    'def f():\n    """Once submitted, the visit is closed."""\n    raise Conflict("closed")',
])
def test_the_scanner_leaves_other_words_alone(snippet):
    assert find_state_literals(snippet) == []


def test_every_group_is_made_of_one_enums_states():
    groups = {name: value for name, value in vars(states).items()
              if isinstance(value, frozenset) and name.isupper()}
    assert groups, "the groups are frozensets of states"
    for name, group in groups.items():
        assert group and any(group <= set(enum) for enum in ENUMS), name
