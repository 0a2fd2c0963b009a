"""The change sequence behind pull, and why it has no commit-order hole.

Every writer of changes first takes the global write lock (the same one the audit log
uses: a transaction-scoped advisory lock on PostgreSQL, the database write lock that
BEGIN IMMEDIATE holds on SQLite) and keeps it until commit. Sequence numbers are drawn
under the lock, so transactions commit in sequence order: once a reader has seen number
n, no change numbered below n can still appear.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from server import clock
from server.db import is_sqlite
from server.direct import BulkInsert
from server.models import Change
from server.services.audit import AUDIT_LOCK_KEY

_INSERT = BulkInsert(Change.__table__)


def lock(session: Session) -> None:
    if not is_sqlite(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})


def record(session: Session, rows: list[tuple[int, str, str]], *,
           now: dt.datetime | None = None) -> None:
    """Append (visit id, kind, ref) changes: kind ``field`` (ref: op id) or ``visit``."""
    if not rows:
        return
    lock(session)
    now = now or clock.now()
    _INSERT(session, [
        {"visit_id": visit_id, "kind": kind, "ref": ref, "at": now} for visit_id, kind, ref in rows])
