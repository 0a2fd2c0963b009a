"""The append-only, hash-chained audit log (全程留痕).

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON of
its own fields, so editing or deleting any row breaks every later link, which
``verify`` reports. Appends are serialized: on PostgreSQL by a transaction-scoped
advisory lock held to commit, on SQLite by the write lock that BEGIN IMMEDIATE already
holds, so two workers can never chain onto the same predecessor.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from server import clock
from server.db import for_writing, is_sqlite
from server.iso_text import iso_text
from server.models import AuditEntry
from server.services.actors import Actor

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x46494E53  # "FINS": the advisory lock every audit append takes


_PLAIN = (str, int, float, bool, type(None))


def jsonable(value):
    """Snapshot values as JSON (dates as ISO strings) so they hash the same after storage."""
    if type(value) in _PLAIN:  # the common case first: bulk imports call this per cell
        return value
    if isinstance(value, dict):
        return {str(k): v if type(v) in _PLAIN else jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return iso_text(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(fields)).hexdigest()


def _hashed_fields(row: dict) -> dict:
    return {
        "at": iso_text(row["at"].astimezone(dt.UTC)),
        "actor_id": row["actor_id"],
        "actor": row["actor"],
        "action": row["action"],
        "entity_type": row["entity_type"],
        "entity_id": row["entity_id"],
        "before": row["before"],
        "after": row["after"],
    }


def _lock_and_head(session: Session) -> str:
    if not is_sqlite(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return head or GENESIS


def record_many(session: Session, actor: Actor, changes: Iterable[dict], *,
                now: dt.datetime | None = None) -> int:
    """Append entries for ``changes`` (dicts of action, entity_type, entity_id, before, after)."""
    now = now or clock.now()
    rows = []
    prev = None
    for change in changes:
        if prev is None:
            session.flush()
            prev = _lock_and_head(session)
        row = {
            "at": now,
            "actor_id": actor.user_id,
            "actor": actor.username,
            "action": change["action"],
            "entity_type": change["entity_type"],
            "entity_id": None if change.get("entity_id") is None else str(change["entity_id"]),
            "before": jsonable(change.get("before")),
            "after": jsonable(change.get("after")),
        }
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, _hashed_fields(row))
        rows.append(row)
    for start in range(0, len(rows), 5000):
        session.execute(insert(AuditEntry), rows[start:start + 5000])
    return len(rows)


def record(session: Session, actor: Actor, action: str, entity_type: str, entity_id=None,
           before: dict | None = None, after: dict | None = None, *,
           now: dt.datetime | None = None) -> None:
    record_many(session, actor, [dict(action=action, entity_type=entity_type,
                                      entity_id=entity_id, before=before, after=after)], now=now)


def record_refusal(session: Session, actor: Actor, action: str, entity_type: str,
                   entity_id=None, *, after: dict | None = None,
                   now: dt.datetime | None = None) -> None:
    """全程留痕 of a refusal: its entry stays although the refused request rolls back.

    What the request did so far is rolled back first: it is refused, so none of it may
    stay (nor be committed along with the entry), and its open transaction would hold
    the locks the entry needs (SQLite's write lock, the audit chain's advisory lock). The
    entry is then written in a short transaction of its own. The caller raises the
    refusal next; ``session`` can still be used, in a new transaction.
    """
    session.rollback()
    with for_writing(session.get_bind()) as own:
        record(own, actor, action, entity_type, entity_id, after=after, now=now)


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass
class Verification:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str | None = None


def verify(session: Session, *, batch: int = 10_000) -> Verification:
    """Recompute the chain from the first entry; stop at the first broken link."""
    prev = GENESIS
    checked = 0
    last_id = 0
    cols = [AuditEntry.id, AuditEntry.at, AuditEntry.actor_id, AuditEntry.actor,
            AuditEntry.action, AuditEntry.entity_type, AuditEntry.entity_id,
            AuditEntry.before, AuditEntry.after, AuditEntry.prev_hash, AuditEntry.hash]
    while True:
        rows = session.execute(
            select(*cols).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).mappings().all()
        if not rows:
            return Verification(True, checked)
        for row in rows:
            if row["prev_hash"] != prev:
                return Verification(False, checked, row["id"], "prev_hash does not match "
                                    "the previous entry (row deleted or reordered)")
            expected = entry_hash(prev, _hashed_fields(row))
            if expected != row["hash"]:
                return Verification(False, checked, row["id"],
                                    "content does not match its hash (row edited)")
            prev = row["hash"]
            checked += 1
            last_id = row["id"]


def list_(session: Session, actor: Actor, *, actor_name=None, actor_id=None, action=None,
          entity_type=None, entity_id=None, since=None, until=None, page=1, page_size=50,
          sort=None):
    from server.services.listing import paginate

    actor.require_role("admin")
    stmt = select(AuditEntry)
    if actor_name:
        stmt = stmt.where(AuditEntry.actor == actor_name)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True)
                          if action.endswith(".") else AuditEntry.action == action)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"id": AuditEntry.id, "at": AuditEntry.at},
                    default_sort="-id", tiebreak=AuditEntry.id)
