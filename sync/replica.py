"""The phone's local replica: one SQLite file (本地副本).

It holds the visit packs, every revision the phone knows of (its own and its
teammates'), the durable ordered outbox of ops, the photo queue and the pull cursor.
Every ``record_*`` of the client writes its op to the outbox *and* its revision to the
local registers in one transaction, so an edit is either fully recorded or not at all,
whatever happens to the phone (WAL, synchronous=FULL).

Why SQLite: it is what phones ship, it survives being killed mid-write, and the same
merge rules (``sync.merge``) run over its rows as over the server's.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sync.merge import FieldState, Revision, apply

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS packs (visit_id INTEGER PRIMARY KEY, etag TEXT, state TEXT,
                                  body TEXT);
CREATE TABLE IF NOT EXISTS revisions (
    op_id TEXT PRIMARY KEY, visit_id INTEGER NOT NULL, register TEXT NOT NULL,
    value TEXT, hlc TEXT NOT NULL, device_id TEXT NOT NULL, base TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_revisions_register ON revisions (visit_id, register);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', outcome TEXT, reason TEXT);
CREATE INDEX IF NOT EXISTS ix_outbox_pending ON outbox (state, seq);
CREATE TABLE IF NOT EXISTS photos (
    sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', upload_url TEXT);
"""


class Replica:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """All or nothing, durable at commit."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- meta: identity, clock, cursor ---------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def put(self, key: str, value: Any, db: sqlite3.Connection | None = None) -> None:
        (db or self.db).execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                                "SET value = excluded.value", (key, json.dumps(value)))

    def forget(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    # --- registers --------------------------------------------------------------------------
    def add_revision(self, db: sqlite3.Connection, visit_id: int, register: str,
                     revision: Revision) -> None:
        db.execute("INSERT OR IGNORE INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (revision.op_id, visit_id, register, json.dumps(revision.value),
                    revision.hlc, revision.device_id, json.dumps(sorted(revision.base))))

    def state(self, visit_id: int, register: str) -> FieldState:
        state = FieldState()
        for row in self.db.execute("SELECT op_id, value, hlc, device_id, base FROM revisions "
                                   "WHERE visit_id = ? AND register = ?", (visit_id, register)):
            state = apply(state, _revision(row))
        return state

    def states(self, visit_id: int) -> dict[str, FieldState]:
        states: dict[str, FieldState] = defaultdict(FieldState)
        for row in self.db.execute("SELECT op_id, value, hlc, device_id, base, register "
                                   "FROM revisions WHERE visit_id = ?", (visit_id,)):
            states[row[5]] = apply(states[row[5]], _revision(row))
        return dict(states)

    # --- outbox -----------------------------------------------------------------------------
    def pending_ops(self, limit: int) -> list[dict]:
        return [json.loads(body) for body in self.pending_bodies(limit)]

    def pending_bodies(self, limit: int) -> list[str]:
        """The next ops as stored, JSON text: a push sends them as they are."""
        return [body for (body,) in self.db.execute(
            "SELECT body FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,))]

    def count(self, table: str, state: str) -> int:
        assert table in ("outbox", "photos")
        return self.db.execute(f"SELECT count(*) FROM {table} WHERE state = ?",  # noqa: S608
                               (state,)).fetchone()[0]

    def outcomes(self) -> dict[str, tuple[str, str | None]]:
        return {op: (outcome, reason) for op, outcome, reason in self.db.execute(
            "SELECT op_id, outcome, reason FROM outbox WHERE state = 'acked'")}

    # --- photos -----------------------------------------------------------------------------
    def pending_photos(self) -> list[tuple[str, str, int, str | None]]:
        return list(self.db.execute("SELECT sha256, path, size, upload_url FROM photos "
                                    "WHERE state = 'pending' ORDER BY sha256"))


def _revision(row) -> Revision:
    op_id, value, hlc, device_id, base = row[:5]
    return Revision(op_id, json.loads(value), hlc, device_id, frozenset(json.loads(base)))
