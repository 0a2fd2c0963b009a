"""sync/ is the device's code too: it must not depend on the server."""

from __future__ import annotations

import ast
from pathlib import Path

SYNC = Path(__file__).resolve().parents[2] / "sync"


def test_sync_never_imports_the_server_or_flask():
    for path in SYNC.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith(("server", "flask", "sqlalchemy")), (path, name)
