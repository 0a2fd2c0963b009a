"""Push: apply a device's batch of operations exactly once (离线同步).

Per op the answer is ``applied``, ``duplicate`` (the same op id with the same payload:
the stored outcome again), ``conflict`` (applied, and the field now holds concurrent
values, all kept) or ``rejected`` with a reason (kept in the history as refused; an op
for a visit the device's owner is not on, or that does not exist, is not stored at all,
only named in the audit log). The
same op id with a different payload refuses the whole batch (409): nothing applied.
The field's state is ``sync.merge`` over all its revisions, so arrival order does not
matter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from server import clock
from server.direct import BulkDelete, BulkInsert, Statement, in_list
from server.models import Device, FieldRevision, RegisterHead, RevisionBase, SyncOp, Visit
from server.services import audit, changes
from server.services.actors import Actor
from server.services.devices import check_device_row, device_row, refuse_revoked
from server.services.errors import Conflict
from server.services.field_history import field_json, register_states
from server.services.op_events import apply_event
from server.services.op_refusals import refusal
from server.services.visit_rows import VisitView, version_views, visit_items, visit_views
from sync.merge import FieldState, Revision, apply, is_concurrent
from sync.ops import answer_key, register


def _payload(op: dict) -> tuple[str, str]:
    """The op as canonical JSON text (sorted keys), which is what is stored, and its
    SHA-256, which decides "the same op id with the same payload"."""
    text = json.dumps(op, sort_keys=True, ensure_ascii=False, default=str)
    return text, hashlib.sha256(text.encode()).hexdigest()


def push(session: Session, actor: Actor, *, device_id: str, credential: str | None,
         ops: list[dict], public_keys: Callable[[], dict[str, bytes]] = dict,
         entry_rules: dict | None = None,
         reader: Callable[[], AbstractContextManager[Session | Connection]] | None = None,
         now: dt.datetime | None = None) -> list[dict]:
    """Apply a batch in order, in the caller's transaction. Register ops are merged
    (``sync.merge``) and their revisions bulk-inserted with Core: the hot path. Events
    (entry scan, submit) read the registers, so pending rows are written before one.
    ``public_keys`` is called only for an entry scan: keys are not read on the hot path.

    The database's write lock is taken by the first statement in ``session`` and held
    to the commit, so what does not need it comes first: the pure work, then, on a
    connection of ``reader`` when given (``Database.read_connection``), the device and
    its credential, the item versions, which never change, and the visits' items, which
    are only ever added to. Whether the device was revoked meanwhile is asked again
    under the lock, by the last statement."""
    run = _Push(session, actor, ops, public_keys, entry_rules or {}, now or clock.now())
    run.read_before_lock(device_id, credential, reader)
    run.refuse_reused_op_ids()
    run.read_under_lock()
    results = [run.answer(op) for op in ops]
    run.finish()
    return results


def refuse_reused_op_ids(session: Session, actor: Actor, device_id: str, ops: list[dict],
                        now: dt.datetime | None = None) -> None:
    """Refuse, before anything is stored, what a push of all ``ops`` would refuse (409
    ``op_id_reused``): an op id held by the server, or twice in ``ops``, with another
    payload. For a caller that pushes ``ops`` in several batches (an outbox import): a
    later batch would find it only after the earlier ones were stored."""
    digests: dict[str, str] = {}
    reused = []
    for op in ops:
        digest = _payload(op)[1]
        if digests.setdefault(op["op_id"], digest) != digest:
            reused.append(op["op_id"])
    db, ids = session.connection(), list(digests)
    for start in range(0, len(ids), _KNOWN_CHUNK):
        reused += [row.op_id for row in _KNOWN(db, ids=ids[start:start + _KNOWN_CHUNK])
                   if row.payload_hash != digests[row.op_id]]
    if reused:
        _refuse_reused(session, actor, device_id, reused, now or clock.now())


def _refuse_reused(session: Session, actor: Actor, device_id: str, reused: list[str],
                   now: dt.datetime):
    audit.record_refusal(session, actor, "sync.op_id_reused", "device", device_id,
                         after={"op_ids": reused}, now=now)
    raise Conflict("An op id was sent again with a different payload; nothing applied.",
                   code="op_id_reused", op_ids=reused)


class _Push:
    """One push's steps and what they learn, in the order they run: the pure work, the
    reads before the write lock, then the checks and writes under it."""

    def __init__(self, session: Session, actor: Actor, ops: list[dict],
                 public_keys: Callable[[], dict[str, bytes]], entry_rules: dict,
                 now: dt.datetime):
        self.session, self.actor, self.ops, self.now = session, actor, ops, now
        self.public_keys, self.entry_rules = public_keys, entry_rules
        self.payloads: dict[str, tuple[str, str]] = {}
        self.reused: list[str] = []
        for op in ops:
            payload = _payload(op)
            if self.payloads.setdefault(op["op_id"], payload)[1] != payload[1]:
                self.reused.append(op["op_id"])  # the same id twice in this batch, different payloads
        self.writes = {op["op_id"]: register(op, actor.inspector_id) for op in ops}
        self.done: dict[str, dict] = {}
        self.unstored: list[dict] = []  # ops for visits the owner is not on: answered, never stored

    def read_before_lock(self, device_id: str, credential: str | None,
                         reader: Callable[[], AbstractContextManager[Session | Connection]] | None):
        """The device, the item versions and the visits' items; then each op's rows."""
        ops, session, actor = self.ops, self.session, self.actor
        version_ids = {op["item_version_id"] for op in ops if op.get("item_version_id")}
        actor.require_role("inspector")
        with reader() if reader else nullcontext(session) as before:
            device = device_row(before, device_id)
            self.versions = version_views(before, version_ids)
            self.items = visit_items(before, {op["visit_id"] for op in ops})
        self.device = check_device_row(session, actor, device, credential, self.now)
        self.rows = _rows(session.get_bind().dialect, ops, self.writes, self.payloads,
                          self.device.id, actor, self.now)

    def refuse_reused_op_ids(self) -> None:
        """An op id pushed before with another payload refuses the whole batch (409)."""
        session, actor, payloads, now = self.session, self.actor, self.payloads, self.now
        self.db = db = session.connection()  # once: every statement below runs on it
        self.known = known = {row.op_id: row for row in _KNOWN(db, ids=list(payloads))}
        reused = self.reused + [op_id for op_id, row in known.items()
                                if row.payload_hash != payloads[op_id][1]]
        if reused:
            _refuse_reused(session, actor, self.device.id, reused, now)

    def read_under_lock(self) -> None:
        """The visits and the registers the ops write to, and which revisions arrive late."""
        ops, writes, db, known = self.ops, self.writes, self.db, self.known
        self.visits = visit_views(db, ops, self.items)
        self.states = states = register_states(db, {(op["visit_id"], writes[op["op_id"]][0])
                                                    for op in ops if writes[op["op_id"]]})
        # Revisions some stored revision of their register was based on: they arrive late
        # (a phone pushed out of order) and are history at once, never a head.
        fresh = {o: (op["visit_id"], writes[o][0]) for op in ops
                 if writes[(o := op["op_id"])] and o not in known}
        self.late = {row.base_op_id for row in _LATE(db, ids=list(fresh))
                     if fresh[row.base_op_id] == (row.visit_id, row.register)} if fresh else set()
        # Only a base not received yet can arrive late: only those are written down.
        named = {b for op in ops if op["op_id"] in fresh for b in op.get("base") or ()} - \
            self.payloads.keys()
        unreceived = named - {row.op_id for row in _RECEIVED(db, ids=list(named))} if named \
            else set()
        self.batch = _Batch(self.session, db, self.now, states, unreceived)

    def answer(self, op: dict) -> dict:
        """The op's outcome; what is stored of it waits in the batch."""
        first = self.known.get(op["op_id"])
        if first is not None or op["op_id"] in self.done:  # pushed before, or twice in this batch
            stored = {"outcome": first.outcome, "reason": first.reason} if first \
                else self.done[op["op_id"]]
            return {"op_id": op["op_id"], "outcome": "duplicate",
                    "stored_outcome": stored["outcome"], "reason": stored["reason"]}
        visit = self.visits.get(op["visit_id"])
        reason = refusal(self.session, self.actor, op, visit,
                         self.versions.get(op.get("item_version_id")))
        if reason == "not_a_team_member":
            # Nothing of it lands in that visit's history: re-sent, it is judged again.
            self.unstored.append({"op_id": op["op_id"], "visit_id": op["visit_id"],
                                  "reason": reason})
            return {"op_id": op["op_id"], "outcome": "rejected", "reason": reason}
        outcome, result = "rejected", {}
        op_row, revision_row, revision = self.rows[op["op_id"]]
        if reason is None and revision is not None:
            outcome, result = self._write(op, revision_row, revision)
        elif reason is None:
            reason, result = self._event(op, visit)
            outcome = "rejected" if reason else "applied"
        self.batch.op(op_row, outcome, reason)
        self.done[op["op_id"]] = {"outcome": outcome, "reason": reason}
        return {"op_id": op["op_id"], "outcome": outcome, "reason": reason, **result}

    def _write(self, op: dict, revision_row: dict, revision: Revision) -> tuple[str, dict]:
        """A register write, merged into its field's state: applied, or a conflict."""
        states, late = self.states, self.late
        key = (op["visit_id"], revision_row["register"])
        before = states[key]
        # a late revision is history at once, but what it was based on is superseded
        states[key] = apply(before, revision, superseded=op["op_id"] in late)
        outcome = "conflict" if states[key].conflicted and is_concurrent(before, revision) \
            and op["op_id"] not in late else "applied"
        self.batch.revision(revision_row, revision.base)
        if outcome == "conflict":  # the phone learns of the siblings at once
            return outcome, {"field": field_json(states[key])}
        return outcome, {}

    def _event(self, op: dict, visit: VisitView) -> tuple[str | None, dict]:
        """An entry scan or the submission, on the visit as written so far."""
        self.batch.flush()  # events read what the batch wrote so far
        orm_visit = self.session.get(Visit, visit.id)
        reason, result = apply_event(self.session, self.actor, op, orm_visit, self.device,
                                     self.public_keys, self.entry_rules, self.now)
        visit.state = orm_visit.state  # an entry or a submission moves it on
        return reason, result

    def finish(self) -> None:
        """The last rows; the refused ops' audit entry; the device asked again, under the lock."""
        session, actor, device, now = self.session, self.actor, self.device, self.now
        self.batch.flush()
        if self.unstored:  # one compact entry per push: which ops, for which visits, why
            audit.record(session, actor, "sync.ops_refused", "device", device.id,
                         after={"ops": self.unstored}, now=now)
        if not _PUSHED(self.db, device=device.id, now=now, stored=self.batch.stored):
            # revoked while this push was on its way: nothing of it stays (rolled back there)
            refuse_revoked(session, actor, device.id, now)


# The hot path's statements, run straight on the driver (``server.direct``): compiled
# once, no ORM, no per-execution work in SQLAlchemy's layers. Plain table columns.
_OPS, _REVISIONS = SyncOp.__table__.c, FieldRevision.__table__.c
_KNOWN = Statement(lambda ids: select(_OPS.op_id, _OPS.payload_hash, _OPS.outcome,
                                      _OPS.reason).where(in_list(_OPS.op_id, "ids", ids)))
_KNOWN_CHUNK = 500  # op ids per lookup: one push's worth, a bounded IN list
_RECEIVED = Statement(lambda ids: select(_OPS.op_id).where(in_list(_OPS.op_id, "ids", ids)))
_BASES = RevisionBase.__table__.c
_LATE = Statement(lambda ids: select(_BASES.base_op_id, _REVISIONS.visit_id,
                                     _REVISIONS.register).join_from(
    RevisionBase.__table__, FieldRevision.__table__, _REVISIONS.op_id == _BASES.op_id).where(
    in_list(_BASES.base_op_id, "ids", ids)))
_INSERT_OPS, _INSERT_REVISIONS, _INSERT_BASES, _INSERT_HEADS = (
    BulkInsert(SyncOp.__table__, encoded={"payload", "device_time", "received_at"}),
    BulkInsert(FieldRevision.__table__, encoded={"value", "base"}),
    BulkInsert(RevisionBase.__table__), BulkInsert(RegisterHead.__table__))
# Head rows go by their whole key: op ids alone are in no index.
_NO_LONGER_HEADS = BulkDelete(RegisterHead.__table__)
_PUSHED = Statement(lambda: update(Device.__table__).where(
    Device.__table__.c.id == bindparam("device"), Device.__table__.c.revoked_at.is_(None)).values(
    last_push_at=bindparam("now"),
    ops_known=Device.__table__.c.ops_known + bindparam("stored", type_=Device.ops_known.type)))


def _rows(dialect, ops: list[dict], writes: dict, payloads: dict[str, tuple[str, str]],
          device_id: str, actor: Actor, now: dt.datetime) -> dict[str, tuple]:
    """Per op, made before the write lock: its ``sync_ops`` row but the outcome and, for
    a register write, its revision's row and its ``Revision``; values already as the
    database stores them (``BulkInsert.encode``)."""
    encode_op, encode_revision = (partial(_INSERT_OPS.encode, dialect),
                                  partial(_INSERT_REVISIONS.encode, dialect))
    received = encode_op("received_at", now)
    rows = {}
    for op in ops:
        op_id, write = op["op_id"], writes[op["op_id"]]
        op_row = {"op_id": op_id, "device_id": device_id, "user_id": actor.user_id,
                  "visit_id": op["visit_id"], "kind": op["kind"], "payload": payloads[op_id][0],
                  "payload_hash": payloads[op_id][1], "hlc": op["hlc"],
                  "device_time": encode_op("device_time", op.get("device_time")),
                  "received_at": received}
        revision_row = revision = None
        if write is not None:
            base = sorted(op.get("base") or ())
            answer = answer_key(write[0])
            revision_row = {
                "op_id": op_id, "visit_id": op["visit_id"], "register": write[0],
                "kind": op["kind"],
                "item_version_id": answer[0] if answer else op.get("item_version_id"),
                "field_key": answer[1] if answer else None,
                "value": encode_revision("value", write[1]),
                "base": encode_revision("base", base), "hlc": op["hlc"], "device_id": device_id,
                "inspector_id": actor.inspector_id, "note": op.get("note")}
            revision = Revision(op_id, write[1], op["hlc"], device_id, frozenset(base))
        rows[op_id] = (op_row, revision_row, revision)
    return rows


class _Batch:
    """Rows waiting for one bulk insert each: ops before the revisions that reference
    them, the revisions' bases, the registers' heads, then the change sequence."""

    def __init__(self, session: Session, db: Connection, now: dt.datetime,
                 states: dict[tuple, FieldState], unreceived: set[str]):
        self.session, self.db, self.now, self.states = session, db, now, states
        self.unreceived = unreceived
        self.ops: list[dict] = []
        self.revisions: list[dict] = []
        self.bases: list[dict] = []
        self.stored = 0  # ops written, for the device's count
        # the heads as stored, per register: a flush writes the difference
        self.heads = {key: state.head_ids() for key, state in states.items()}

    def op(self, row: dict, outcome: str, reason: str | None) -> None:
        self.ops.append({**row, "outcome": outcome, "reason": reason})

    def revision(self, row: dict, base: frozenset[str]) -> None:
        self.revisions.append(row)
        self.bases += [{"base_op_id": b, "op_id": row["op_id"]} for b in base
                       if b in self.unreceived]

    def flush(self) -> None:
        _INSERT_OPS(self.db, self.ops)
        self.stored += len(self.ops)
        if self.revisions:
            _INSERT_REVISIONS(self.db, self.revisions)
            _INSERT_BASES(self.db, self.bases)
            self._write_heads({(r["visit_id"], r["register"]) for r in self.revisions})
            changes.record(self.session, [(r["visit_id"], "field", r["op_id"])
                                          for r in self.revisions], now=self.now)
        self.ops, self.revisions, self.bases = [], [], []

    def _write_heads(self, keys: set[tuple[int, str]]) -> None:
        """Each register's heads now, from the merge: new ones in, superseded ones out."""
        added, gone = [], []
        for key in keys:
            before, now = self.heads.get(key, frozenset()), self.states[key].head_ids()
            added += [{"visit_id": key[0], "register": key[1], "op_id": o} for o in now - before]
            gone += [{"visit_id": key[0], "register": key[1], "op_id": o} for o in before - now]
            self.heads[key] = now
        _NO_LONGER_HEADS(self.db, gone)
        _INSERT_HEADS(self.db, added)

