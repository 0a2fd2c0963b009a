"""The error catalogue (schemas/errors.py) against the code: every code the server raises
is in it with the status its raise site answers, every catalogued code is raised somewhere
or marked reserved, the sync refusals' reasons are catalogued too, and docs/errors.md is
the generated table. Read from the source (ast), so a code raised on a path no test walks
is found as well."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from schemas.errors import (
    ENTRY_SCAN_REFUSALS,
    RESERVED,
    ErrorCode,
    RejectReason,
    SubmissionProblem,
    markdown,
)

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
# Where the sync push judges ops: a function here returning a string literal (alone or
# first of a tuple) returns a reject reason.
REFUSAL_MODULES = ("op_refusals.py", "op_events.py", "push.py", "devices.py", "pull.py",
                   "field_history.py", "submission.py")


@dataclass
class Found:
    raised: dict[str, set[tuple[int, str]]] = field(default_factory=dict)  # code: {(status, where)}
    referenced: set[str] = field(default_factory=set)  # ErrorCode.X anywhere in server/
    reasons: dict[str, str] = field(default_factory=dict)  # reject reason: where
    problems: dict[str, str] = field(default_factory=dict)  # submission problem: where
    dynamic: list[str] = field(default_factory=list)  # code=<expression> raise sites


def _trees(root: Path) -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text()) for p in root.rglob("*.py")
            if "migrations/versions" not in p.as_posix()}


def _name(node) -> str | None:
    return node.id if isinstance(node, ast.Name) else \
        node.attr if isinstance(node, ast.Attribute) else None


def _code(node) -> str | None:
    """A code written as a literal or as ``ErrorCode.NAME``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and _name(node.value) == "ErrorCode":
        return ErrorCode[node.attr].value
    return None


def _error_classes(trees) -> dict[str, tuple[int, str]]:
    """DomainError and its subclasses (by name) with their (status, code); a class that
    names its code but no status takes the code's, as DomainError.__init_subclass__ does."""
    classes = {"DomainError": (ErrorCode.BAD_REQUEST.status, ErrorCode.BAD_REQUEST.value)}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in classes:
                    continue
                parent = next((_name(b) for b in node.bases if _name(b) in classes), None)
                if parent is None:
                    continue
                status, code = classes[parent]
                own = {_name(s.targets[0]): s.value for s in node.body if isinstance(s, ast.Assign)}
                if "code" in own:
                    code = _code(own["code"])
                    status = ErrorCode(code).status if code in set(ErrorCode) else status
                if "status" in own:
                    status = own["status"].value
                classes[node.name] = (status, code)
                grew = True
    return classes


def scan() -> Found:
    trees = _trees(SERVER)
    classes = _error_classes(trees)
    found = Found()

    def raised(code: str, status: int, path: Path, node) -> None:
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        found.raised.setdefault(code, set()).add((status, where))

    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _name(node.value) == "ErrorCode":
                found.referenced.add(ErrorCode[node.attr].value)
            if isinstance(node, ast.ClassDef) and node.name in classes:
                status, code = classes[node.name]
                raised(code, status, path, node)
            _problems(found, path, node)
            if not isinstance(node, ast.Call):
                continue
            called = _name(node.func)
            if called in classes:
                status, code = classes[called]
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        code = _code(keyword.value)
                        if code is None:
                            found.dynamic.append(f"{path.relative_to(ROOT)}:{node.lineno} "
                                                 f"code={ast.unparse(keyword.value)}")
                if code is not None:
                    raised(code, status, path, node)
            if called == "respond" and len(node.args) >= 2 and _code(node.args[1]):
                raised(_code(node.args[1]), node.args[0].value, path, node)
    rule = ROOT / "sync" / "submission.py"  # the submission rule, pure, shared with the phone
    for node in ast.walk(ast.parse(rule.read_text())):
        _problems(found, rule, node)
    for name in REFUSAL_MODULES:
        path = SERVER / "services" / name
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Return) and node.value is not None:
                value = node.value.elts[0] if isinstance(node.value, ast.Tuple) else node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.reasons[value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def _problems(found: Found, path: Path, node) -> None:
    """The submission problems a dict literal names (``{"problem": "..."}``)."""
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "problem" and \
                    isinstance(value, ast.Constant):
                found.problems[value.value] = f"{path.relative_to(ROOT)}:{node.lineno}"


def token_error_codes() -> set[str]:
    """The codes sync/tokens.py refuses a signed code with (raised on as ``exc.code``)."""
    tree = ast.parse((ROOT / "sync" / "tokens.py").read_text())
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _name(node.func) == "TokenError"}


FOUND = scan()


def test_every_code_the_server_raises_is_catalogued():
    unknown = {code: sorted(w for _, w in sites) for code, sites in FOUND.raised.items()
               if code not in set(ErrorCode)}
    assert unknown == {}


def test_every_raise_site_answers_with_a_status_its_code_is_catalogued_with():
    wrong = sorted((code, status, where) for code, sites in FOUND.raised.items()
                   if code in set(ErrorCode) for status, where in sites
                   if status not in ErrorCode(code).statuses)
    assert wrong == []


# Raise sites whose code is an expression, and where its values come from.
PASSED_ON = {
    "server/services/visits.py": "code=exc.code",  # sync/tokens.py's TokenError codes
    "server/services/verification.py": "code=exc.code",  # the same
    "server/services/premises_page.py": "code=exc.code",  # the same
    "server/app.py": "code=code",  # the body limits' ErrorCode members (LARGE_BODIES)
}


def test_codes_passed_on_come_from_known_places_and_refused_signed_codes_are_catalogued():
    assert FOUND.dynamic, "the scan no longer sees the raise sites that pass a code on"
    assert [s for s in FOUND.dynamic if PASSED_ON.get(s.split(":")[0]) != s.split(" ")[1]] == []
    assert token_error_codes() <= ENTRY_SCAN_REFUSALS


def test_every_reject_reason_and_submission_problem_is_catalogued():
    assert {r: w for r, w in FOUND.reasons.items() if r not in set(RejectReason)} == {}
    assert {p: w for p, w in FOUND.problems.items() if p not in set(SubmissionProblem)} == {}


def test_every_catalogued_code_is_raised_somewhere_or_reserved():
    used = set(FOUND.raised) | FOUND.referenced | token_error_codes()
    assert {c.value for c in ErrorCode if c not in used and c not in RESERVED} == set()
    assert {c.value for c in RESERVED if c in set(FOUND.raised) | token_error_codes()} == set()
    assert {r.value for r in RejectReason if r not in FOUND.reasons} == set()
    assert {p.value for p in SubmissionProblem if p not in FOUND.problems} == set()


def test_docs_error_table_is_the_generated_one():
    """Regenerate with ``python -m schemas.errors > docs/errors.md``."""
    assert (ROOT / "docs" / "errors.md").read_text() == markdown()


def test_an_answer_carries_the_catalogued_status_of_its_code(app, world):
    resp = world.insp_a.get("/api/v1/sync/pull?device_id=nope")
    assert resp.status_code == ErrorCode.UNKNOWN_DEVICE.status == 403
    assert resp.get_json()["code"] == ErrorCode.UNKNOWN_DEVICE
    resp = world.admin.get("/api/v1/companies/2147483647")
    assert resp.status_code == ErrorCode.NOT_FOUND.status
    assert resp.get_json()["code"] == "not_found"
