"""Architecture rules as tests: sync/ is the device's code too and must not depend on the
server; schemas/ is the wire contract, which the server implements and a second client
reads, so it imports nothing of the server; the web pages stand beside the API, never on
it (what both use lives in neutral modules: server/app_state.py, server/sign_in.py,
server/request_scope.py, server/downloads.py); test modules stand alone (shared setup lives
in tests/conftest.py, tests/factories.py and the helper modules beside them, never in
another test_*.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYNC = ROOT / "sync"
SCHEMAS = ROOT / "schemas"
WEB = ROOT / "server" / "web"
TESTS = ROOT / "tests"


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth (relative imports spelled with dots)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names += [module] + [f"{module}.{a.name}" for a in node.names]
    return names


def test_sync_never_imports_the_server_or_flask():
    for path in SYNC.rglob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith(("server", "flask", "sqlalchemy")), (path, name)


def test_schemas_never_import_the_server():
    for path in SCHEMAS.rglob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith("server"), (path, name)


def test_web_pages_never_import_the_api():
    for path in WEB.rglob("*.py"):
        for name in imported_modules(path):
            assert not name.startswith(("server.api", "..api")), (path, name)


def test_no_test_module_imports_another_test_module():
    offenders = [
        (str(path.relative_to(ROOT)), name)
        for path in TESTS.rglob("*.py")
        for name in imported_modules(path)
        if name.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert offenders == []
