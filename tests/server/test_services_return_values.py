"""Services return data, views serialize it: no service formats a date as text for an
answer. Dates and moments leave a service as ``date``/``datetime`` values and the schemas
in ``schemas/`` format them; text a service stores or signs (audit snapshots, JSON columns,
token payloads, messages) goes through ``server.iso_text``."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "server" / "services"

# Sync modules still formatting dates themselves; their schemas (schemas/sync.py) are on
# the way. Empty this set as they move to values.
NOT_YET = {"uploads.py"}


def isoformat_calls(path: Path) -> list[int]:
    """Lines calling ``<anything>.isoformat()`` (``fromisoformat`` parses and is fine)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "isoformat")


def test_no_service_formats_dates_as_text():
    found = {path.name: isoformat_calls(path) for path in sorted(SERVICES.glob("*.py"))}
    offending = {name: lines for name, lines in found.items() if lines and name not in NOT_YET}
    assert offending == {}, "return the date; let the schema format it (or use server.iso_text)"


def test_the_not_yet_list_holds_only_modules_that_still_need_it():
    stale = {name for name in NOT_YET
             if not (SERVICES / name).exists() or not isoformat_calls(SERVICES / name)}
    assert stale == set(), "these modules no longer format dates: take them off NOT_YET"


def test_the_scan_sees_a_call_it_must_refuse(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\n\n"
                      "def answer(day):\n    return {'day': day.isoformat()}\n\n"
                      "def parse(text):\n    return dt.date.fromisoformat(text)\n")
    assert isoformat_calls(sample) == [4]
