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
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from schemas.fields import MAX_DATE, MIN_DATE
from server import clock
from server.direct import BulkDelete, BulkInsert, Statement, in_list
from server.models import (
    Device,
    FieldRevision,
    InspectionItemVersion,
    RegisterHead,
    RevisionBase,
    SyncOp,
    Visit,
    VisitItem,
    VisitMember,
)
from server.services import audit, changes
from server.services.actors import Actor
from server.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from sync.merge import FieldState, Revision, apply, is_concurrent
from sync.ops import ANSWER_KINDS, answer_key, checklist_hash, register, signed_key
from sync.tokens import b64decode, b64encode

CLOSED = ("submitted", "closed", "cancelled", "merged")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def register_device(session: Session, actor: Actor, *, name: str, platform: str | None = None,
                    now: dt.datetime | None = None) -> tuple[Device, str]:
    actor.require_role("inspector")
    credential = secrets.token_urlsafe(32)
    device = Device(id=str(uuid.uuid4()), user_id=actor.user_id, name=name, platform=platform,
                    credential_hash=_digest(credential), created_at=now or clock.now())
    session.add(device)
    session.flush()
    audit.record(session, actor, "device.register", "device", device.id,
                 after={"name": name, "platform": platform})
    return device, credential


def revoke_device(session: Session, actor: Actor, device_id: str) -> Device:
    """Supervisors (of the owner's department) and admins; the owner too (a lost phone)."""
    from server.models import User

    device = session.get(Device, device_id)
    owner = session.get(User, device.user_id) if device else None
    if device is None or not (actor.role == "admin" or actor.user_id == device.user_id or (
            actor.role == "supervisor" and owner.department_id == actor.department_id)):
        raise NotFound("No such device.")
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = clock.now(), actor.user_id
        audit.record(session, actor, "device.revoke", "device", device.id)
    return device


_DEVICE = Statement(lambda: select(*(Device.__table__.c[k] for k in (
    "id", "user_id", "credential_hash", "revoked_at"))).where(
    Device.__table__.c.id == bindparam("id")))


def check_device(session: Session, actor: Actor, device_id: str, credential: str | None,
                 *, now: dt.datetime):
    """The actor's own, unrevoked device, proven by its credential: a plain row (id,
    user_id, credential_hash, revoked_at), as this runs on every push, pull and upload."""
    actor.require_role("inspector")
    return _checked(session, actor, _device_row(session, device_id), credential, now)


def _device_row(db: Session | Connection, device_id: str):
    return next(iter(_DEVICE(db, id=device_id)), None)


def _checked(session: Session, actor: Actor, device, credential: str | None,
             now: dt.datetime):
    if device is None or device.user_id != actor.user_id or \
            _digest(credential or "") != device.credential_hash:
        raise Forbidden("Unknown device, or the wrong device credential.", code="unknown_device")
    if device.revoked_at is not None:
        _refuse_revoked(session, actor, device.id, now)
    return device


def _refuse_revoked(session: Session, actor: Actor, device_id: str, now: dt.datetime):
    # Committed at once: the refusal stays in the audit log although the request fails
    # and rolls back.
    audit.record(session, actor, "device.refused", "device", device_id, now=now)
    session.commit()
    raise Forbidden("This device has been revoked.", code="device_revoked")


def _payload(op: dict) -> tuple[str, str]:
    """The op as canonical JSON text (sorted keys), which is what is stored, and its
    SHA-256, which decides "the same op id with the same payload"."""
    text = json.dumps(op, sort_keys=True, ensure_ascii=False, default=str)
    return text, _digest(text)


def _check_value(field: dict, value) -> bool:
    kind = field["type"]
    if value is None:
        return not field.get("required", True)
    if kind == "yes_no_na":
        return value in ("yes", "no", "na")
    if kind == "single_choice":
        return value in {o["value"] for o in field.get("options", [])}
    if kind == "multiple_choice":
        allowed = {o["value"] for o in field.get("options", [])}
        return isinstance(value, list) and set(value) <= allowed and len(set(value)) == len(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        lo, hi = field.get("min"), field.get("max")
        return (lo is None or value >= lo) and (hi is None or value <= hi)
    if kind == "date":  # the API's dates lie in 2000-2100 (schemas.fields.Date)
        try:
            return MIN_DATE <= dt.date.fromisoformat(value) <= MAX_DATE
        except (TypeError, ValueError):
            return False
    if kind in ("text", "photo"):
        return isinstance(value, str) and len(value) <= 5000
    return False


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
    now = now or clock.now()
    payloads: dict[str, tuple[str, str]] = {}
    reused = []
    for op in ops:
        payload = _payload(op)
        if payloads.setdefault(op["op_id"], payload)[1] != payload[1]:
            reused.append(op["op_id"])  # the same id twice in this batch, different payloads
    writes = {op["op_id"]: register(op, actor.inspector_id) for op in ops}
    version_ids = {op["item_version_id"] for op in ops if op.get("item_version_id")}
    actor.require_role("inspector")
    with reader() if reader else nullcontext(session) as before:
        device = _device_row(before, device_id)
        versions = _version_views(before, version_ids)
        items = _visit_items(before, {op["visit_id"] for op in ops})
    device = _checked(session, actor, device, credential, now)
    rows = _rows(session.get_bind().dialect, ops, writes, payloads, device.id,
                 actor, now)

    db = session.connection()  # once: every statement below runs on it
    known = {row.op_id: row for row in _KNOWN(db, ids=list(payloads))}
    reused += [op_id for op_id, row in known.items() if row.payload_hash != payloads[op_id][1]]
    if reused:
        audit.record(session, actor, "sync.op_id_reused", "device", device.id,
                     after={"op_ids": reused}, now=now)
        raise Conflict("An op id was sent again with a different payload; nothing applied.",
                       code="op_id_reused", op_ids=reused)

    visits = _visit_views(db, ops, items)
    states = _states(db, {(op["visit_id"], writes[op["op_id"]][0]) for op in ops
                          if writes[op["op_id"]]})
    # Revisions some stored revision of their register was based on: they arrive late
    # (a phone pushed out of order) and are history at once, never a head.
    fresh = {o: (op["visit_id"], writes[o][0]) for op in ops
             if writes[(o := op["op_id"])] and o not in known}
    late = {row.base_op_id for row in _LATE(db, ids=list(fresh))
            if fresh[row.base_op_id] == (row.visit_id, row.register)} if fresh else set()
    # Only a base not received yet can arrive late: only those are written down.
    named = {b for op in ops if op["op_id"] in fresh for b in op.get("base") or ()} - \
        payloads.keys()
    unreceived = named - {row.op_id for row in _RECEIVED(db, ids=list(named))} if named \
        else set()

    batch = _Batch(session, db, now, states, unreceived)
    done: dict[str, dict] = {}
    results = []
    unstored = []  # ops for visits the owner is not on: answered, never stored
    for op in ops:
        first = known.get(op["op_id"])
        if first is not None or op["op_id"] in done:  # pushed before, or twice in this batch
            stored = {"outcome": first.outcome, "reason": first.reason} if first \
                else done[op["op_id"]]
            results.append({"op_id": op["op_id"], "outcome": "duplicate",
                            "stored_outcome": stored["outcome"], "reason": stored["reason"]})
            continue
        visit = visits.get(op["visit_id"])
        reason = _refusal(session, actor, op, visit, versions.get(op.get("item_version_id")))
        if reason == "not_a_team_member":
            # Nothing of it lands in that visit's history: re-sent, it is judged again.
            unstored.append({"op_id": op["op_id"], "visit_id": op["visit_id"],
                             "reason": reason})
            results.append({"op_id": op["op_id"], "outcome": "rejected", "reason": reason})
            continue
        outcome, result = "rejected", {}
        op_row, revision_row, revision = rows[op["op_id"]]
        if reason is None and revision is not None:
            key = (op["visit_id"], revision_row["register"])
            before = states[key]
            # a late revision is history at once, but what it was based on is superseded
            states[key] = apply(before, revision, superseded=op["op_id"] in late)
            outcome = "conflict" if states[key].conflicted and is_concurrent(before, revision) \
                and op["op_id"] not in late else "applied"
            batch.revision(revision_row, revision.base)
            if outcome == "conflict":  # the phone learns of the siblings at once
                result["field"] = _field_json(states[key])
        elif reason is None:
            batch.flush()  # events read what the batch wrote so far
            orm_visit = session.get(Visit, visit.id)
            reason, result = _event(session, actor, op, orm_visit, device, public_keys,
                                    entry_rules or {}, now)
            visit.state = orm_visit.state  # an entry or a submission moves it on
            outcome = "rejected" if reason else "applied"
        batch.op(op_row, outcome, reason)
        results.append({"op_id": op["op_id"], "outcome": outcome, "reason": reason, **result})
        done[op["op_id"]] = {"outcome": outcome, "reason": reason}
    batch.flush()
    if unstored:  # one compact entry per push: which ops, for which visits, why
        audit.record(session, actor, "sync.ops_refused", "device", device.id,
                     after={"ops": unstored}, now=now)
    if not _PUSHED(db, device=device.id, now=now, stored=batch.stored):
        session.rollback()  # revoked while this push was on its way: nothing of it stays
        _refuse_revoked(session, actor, device.id, now)
    return results


# The hot path's statements, run straight on the driver (``server.direct``): compiled
# once, no ORM, no per-execution work in SQLAlchemy's layers. Plain table columns.
_OPS, _REVISIONS = SyncOp.__table__.c, FieldRevision.__table__.c
_KNOWN = Statement(lambda ids: select(_OPS.op_id, _OPS.payload_hash, _OPS.outcome,
                                      _OPS.reason).where(in_list(_OPS.op_id, "ids", ids)))
_RECEIVED = Statement(lambda ids: select(_OPS.op_id).where(in_list(_OPS.op_id, "ids", ids)))
_BASES, _HEAD_ROWS = RevisionBase.__table__.c, RegisterHead.__table__.c
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


def _states(db: Session | Connection, keys: set[tuple[int, str]]) -> dict[tuple, FieldState]:
    """The merged state of each (visit, register), from its head revisions: the same
    heads, winner and siblings as from the whole history, in one or two rows each."""
    states: dict[tuple, FieldState] = defaultdict(FieldState)
    if keys:
        for r in _HEADS(db, visits={v for v, _ in keys}, registers={r for _, r in keys}):
            if (r.visit_id, r.register) in keys:
                # Without their bases: a head's bases are revisions the state does not
                # hold (were one another head, it would not be a head; were it a revision
                # arriving now, that one is late and held as superseded).
                states[(r.visit_id, r.register)] = apply(
                    states[(r.visit_id, r.register)],
                    Revision(r.op_id, r.value, r.hlc, r.device_id))
    return states


def visit_states(session: Session, visit_id: int) -> dict[str, FieldState]:
    states: dict[str, FieldState] = defaultdict(FieldState)
    for r in session.execute(select(*REVISION_COLUMNS).join_from(
            RegisterHead, FieldRevision, FieldRevision.op_id == RegisterHead.op_id).where(
            RegisterHead.visit_id == visit_id)):
        states[r.register] = apply(states[r.register], _revision(r))
    return states


@dataclass
class _VisitView:
    """What the refusal rules read of a visit, as plain rows (no ORM on the hot path)."""

    id: int
    state: str
    members: dict[int, int]  # inspector -> department
    items: dict[int, int]  # item version -> department


def _visit_views(db: Session | Connection, ops: list[dict],
                 items: dict[int, dict[int, int]]) -> dict[int, _VisitView]:
    """The visits the ops write to, read under the write lock: state and members may
    change at any time. ``items`` are their items as read before the lock: a visit only
    ever gains items (a merge), so they are read again only for a visit that seems to
    lack one an op names."""
    views: dict[int, _VisitView] = {}
    for vid, state, inspector, department in _VISITS(db, ids={op["visit_id"] for op in ops}):
        view = views.setdefault(vid, _VisitView(vid, state, {}, items.get(vid, {})))
        if inspector is not None:
            view.members[inspector] = department
    stale = {op["visit_id"] for op in ops if op["visit_id"] in views and
             op.get("item_version_id") is not None and
             op["item_version_id"] not in views[op["visit_id"]].items}
    for vid, version_items in _visit_items(db, stale).items():
        views[vid].items = version_items
    return views


def _visit_items(db: Session | Connection, ids: set[int]) -> dict[int, dict[int, int]]:
    """Visit -> its item versions -> the department each belongs to."""
    items: dict[int, dict[int, int]] = defaultdict(dict)
    for vid, version, department in _ITEMS(db, ids=ids) if ids else ():
        items[vid][version] = department
    return items


def _version_views(db: Session | Connection, ids: set[int]) -> dict[int, tuple[str, dict]]:
    """Item version -> (method, its form's fields by key)."""
    if not ids:
        return {}
    return {vid: (method, {f["key"]: f for f in form["fields"]})
            for vid, method, form in _VERSIONS(db, ids=ids)}


def _by_ids(*columns):
    """SELECT ``columns`` of the rows whose first column is in the list ``ids``."""
    return Statement(lambda ids: select(*columns).where(in_list(columns[0], "ids", ids)))


def _refusal(session: Session, actor: Actor, op: dict, visit: _VisitView | None,
             version: tuple[str, dict] | None) -> str | None:
    if visit is None or actor.inspector_id not in visit.members:
        return "not_a_team_member"
    kind = op["kind"]
    if visit.state in CLOSED or (kind == "entry_scan" and visit.state != "issued" and
                                 visit.state != "entered"):
        return "visit_closed"
    department = None
    if op.get("item_version_id") is not None:
        department = visit.items.get(op["item_version_id"])
        if department is None or version is None:
            return "item_not_in_visit"
    if kind in ANSWER_KINDS:
        return _answer_refusal(actor, op, visit, department, version)
    if kind == "set_note" and not (op["value"] is None or (
            isinstance(op["value"], str) and len(op["value"]) <= 5000)):
        return "bad_value"
    if kind == "set_result":
        return _result_refusal(session, actor, op, department)
    return None


def _result_refusal(session: Session, actor: Actor, op: dict,
                    department: int | None) -> str | None:
    """An item's result is its department's to enter; the company's, any member's."""
    from server.models import ResultCategory

    if department is not None and department != actor.department_id:
        return "item_of_other_department"
    category = session.get(ResultCategory, op["category"])
    if category is None or not category.active:
        return "unknown_category"
    return None


def _answer_refusal(actor: Actor, op: dict, visit: _VisitView, department: int | None,
                    version: tuple[str, dict] | None) -> str | None:
    if department is None or version is None:
        return "item_not_in_visit"
    if department != actor.department_id:
        return "item_of_other_department"
    _, fields = version
    field = fields.get(op["field"])
    if field is None:
        return "unknown_field"
    if op["kind"] == "resolve" and not op.get("base"):
        return "resolve_names_no_siblings"
    if not _check_value(field, op["value"]):
        return "bad_value"
    return None


def _event(session: Session, actor: Actor, op: dict, visit: Visit, device: Device,
           public_keys: Callable[[], dict[str, bytes]], entry_rules: dict,
           now: dt.datetime) -> tuple[str | None, dict]:
    """An entry scan (the codes verified again here) or the submission; a refusal is
    (reason, details), kept in the history like any other."""
    from server.services import visits as visit_service
    from server.services.errors import DomainError

    if op["kind"] == "entry_scan":
        keys = public_keys()
        if op.get("visit_token"):
            from sync.tokens import TokenError, verify

            try:
                payload = verify(op["visit_token"], keys, kind="v")
            except TokenError as exc:
                return exc.code, {}
            if payload.get("v") != visit.id:
                return "wrong_visit_code", {}
        try:
            with session.begin_nested():
                entry = visit_service.enter(
                    session, actor, visit.id, premises_token=op.get("premises_token"),
                    reason=op.get("reason"), photo_sha256=op.get("sha256"),
                    device_time=op.get("device_time"), latitude=op.get("latitude"),
                    longitude=op.get("longitude"), device_id=device.id,
                    public_keys=keys, at=op.get("device_time"), now=now,
                    **entry_rules)
        except DomainError as exc:
            return exc.code, {}
        return None, {"entry": {"id": entry.id, "method": entry.method, "flags": entry.flags}}
    from server.services import results

    problems = submission_problems(session, visit)
    if problems:
        return "not_ready", {"problems": problems}
    try:
        with session.begin_nested():
            result = results.on_submit(session, actor, visit, visit_states(session, visit.id),
                                       now=now)
    except DomainError as exc:  # a rule of the result refused it (e.g. beyond the calendar's 2100)
        return exc.code, {"message": exc.message}
    visit.state = "submitted"
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "visit.submit", "visit", visit.id,
                 after={"state": "submitted", "device_id": device.id, "op_id": op["op_id"],
                        "result_id": result.id, "late": result.late}, now=now)
    return None, {"result": {"id": result.id, "late": result.late,
                             "entry_due": result.entry_due.isoformat()}}


def submission_problems(session: Session, visit: Visit) -> list[dict]:
    """Why the visit cannot be submitted yet (提交条件), empty when it can: entered (扫码入企)
    if it checks anything on site, every required field of every item answered, the
    company's result entered, nothing conflicted, and signatures of the current checklist
    by at least two members, one of each department whose items it holds.

    The entry is asked for here, not of each answer: in a joint team one phone scans at
    the door while the others answer offline, and their answers may reach the server
    before the scan does. Refusing them would lose what was recorded."""
    from server.models import VisitEntry

    states = visit_states(session, visit.id)
    problems: list[dict] = []
    methods = {m for m, _ in _version_views(session, {i.item_version_id
                                                      for i in visit.items}).values()}
    if "on_site" in methods and session.scalar(
            select(VisitEntry.id).where(VisitEntry.visit_id == visit.id).limit(1)) is None:
        problems.append({"problem": "not_entered"})
    answers = {}
    for key, state in states.items():
        if state.conflicted:
            problems.append({"problem": "conflicted", "register": key})
        if (a := signed_key(key)) is not None:
            answers[a] = state.value
    for link in sorted(visit.items, key=lambda i: i.item_version_id):
        version = session.get(InspectionItemVersion, link.item_version_id)
        for field in version.form["fields"]:
            if field.get("required", True) and answers.get((link.item_version_id,
                                                            field["key"])) is None:
                problems.append({"problem": "unanswered", "item_version_id":
                                 link.item_version_id, "field": field["key"]})
    if states.get("r:-") is None or states["r:-"].value is None:
        problems.append({"problem": "result_missing"})
    current = checklist_hash(answers)
    departments = {m.inspector_id: m.department_id for m in visit.members}
    signed: set[int] = set()
    for key, state in states.items():
        if key.startswith("s:") and state.value and not state.conflicted:
            signer = int(key[2:])
            if state.value["state_hash"] != current:
                problems.append({"problem": "signature_stale", "inspector_id": signer})
            elif signer in departments:
                signed.add(signer)
    if len(signed) < 2:
        problems.append({"problem": "signatures_missing", "signed": len(signed), "needed": 2})
    for department in sorted({i.department_id for i in visit.items}):
        if not any(departments[s] == department for s in signed):
            problems.append({"problem": "department_unsigned", "department_id": department})
    return problems


REVISION_COLUMNS = (FieldRevision.op_id, FieldRevision.visit_id, FieldRevision.register,
                    FieldRevision.value, FieldRevision.hlc, FieldRevision.device_id,
                    FieldRevision.base)


_VISITS = Statement(lambda ids: select(  # each visit with its members, in one statement
    Visit.__table__.c.id, Visit.__table__.c.state, VisitMember.__table__.c.inspector_id,
    VisitMember.__table__.c.department_id).outerjoin_from(
    Visit.__table__, VisitMember.__table__,
    VisitMember.__table__.c.visit_id == Visit.__table__.c.id).where(
    in_list(Visit.__table__.c.id, "ids", ids)))
_ITEMS = _by_ids(VisitItem.__table__.c.visit_id, VisitItem.__table__.c.item_version_id,
                 VisitItem.__table__.c.department_id)
_VERSIONS = _by_ids(InspectionItemVersion.__table__.c.id,
                    InspectionItemVersion.__table__.c.method,
                    InspectionItemVersion.__table__.c.form)
# Two lists, not ``(visit_id, register) IN (pairs)``: SQLite answers a row-value IN
# list by scanning the whole table; two IN lists search the key. The rows of other
# pairs the two lists also match are dropped by the caller.
_HEADS = Statement(lambda visits, registers: select(
    *(_REVISIONS[c.key] for c in REVISION_COLUMNS if c.key != "base")).join_from(
    RegisterHead.__table__, FieldRevision.__table__, _REVISIONS.op_id == _HEAD_ROWS.op_id).where(
    in_list(_HEAD_ROWS.visit_id, "visits", visits),
    in_list(_HEAD_ROWS.register, "registers", registers)))


def _revision(r) -> Revision:
    return Revision(r.op_id, r.value, r.hlc, r.device_id, frozenset(r.base or ()))


def _field_json(state: FieldState) -> dict:
    winner = state.winner
    return {"value": state.value, "conflicted": state.conflicted,
            "winner_op_id": winner.op_id if winner else None,
            "siblings": [{"op_id": r.op_id, "value": r.value, "hlc": r.hlc,
                          "device_id": r.device_id} for r in state.siblings]}


def _register_json(register_key: str) -> dict:
    """The register's parts, named: what a client shows next to the value."""
    kind, _, rest = register_key.partition(":")
    if kind == "a":
        version, field = rest.split(":", 1)
        return {"register": register_key, "type": "answer", "item_version_id": int(version),
                "field": field}
    if kind == "p":
        version, sha256 = rest.split(":", 1)
        return {"register": register_key, "type": "photo",
                "item_version_id": None if version == "-" else int(version), "sha256": sha256}
    if kind == "n":
        return {"register": register_key, "type": "note", "note_id": rest}
    if kind == "r":
        return {"register": register_key, "type": "result",
                "item_version_id": None if rest == "-" else int(rest)}
    return {"register": register_key, "type": "signature", "inspector_id": int(rest)}


def conflicts(session: Session, visit: Visit) -> list[dict]:
    """Every register of the visit holding concurrent values (answers, notes, photo
    links, signatures) with its siblings and provisional winner."""
    return [{**_register_json(k), **_field_json(s)}
            for k, s in sorted(visit_states(session, visit.id).items()) if s.conflicted]


def history(session: Session, visit: Visit) -> list[dict]:
    """Every op pushed for the visit, applied or refused: who, device, when, what, outcome."""
    from server.models import User

    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(
        select(SyncOp.user_id).where(SyncOp.visit_id == visit.id))))}
    out = []
    for o in session.scalars(select(SyncOp).where(SyncOp.visit_id == visit.id)
                             .order_by(SyncOp.hlc, SyncOp.op_id)):
        write = register(o.payload, users[o.user_id].inspector_id)
        out.append({"op_id": o.op_id, "kind": o.kind,
                    **(_register_json(write[0]) if write else {"register": None}),
                    "value": write[1] if write else None, "note": o.payload.get("note"),
                    "outcome": o.outcome, "reason": o.reason,
                    "user": users[o.user_id].username, "device_id": o.device_id,
                    "hlc": o.hlc,
                    "device_time": o.device_time.isoformat() if o.device_time else None,
                    "received_at": o.received_at.isoformat()})
    return out


# --- pull ----------------------------------------------------------------------------------
def encode_cursor(seq: int) -> str:
    return b64encode(f"c1:{seq}".encode())


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        tag, seq = b64decode(cursor).decode().split(":")
        if tag != "c1" or not (seq.isascii() and seq.isdigit()) or len(seq) > 18:
            raise ValueError  # ASCII digits only, and a number the database can compare
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The cursor is not one this server gave.",
                           code="bad_cursor", errors={"cursor": ["unknown cursor"]}) from None


def pull(session: Session, actor: Actor, *, device_id: str, credential: str | None,
         cursor: str | None, limit: int, now: dt.datetime | None = None) -> dict:
    """Changes after ``cursor`` to the visits the device's owner is on, in sequence
    order, at most ``limit``; the next cursor, and whether more are waiting."""
    from server.models import Change, VisitMember

    now = now or clock.now()
    check_device(session, actor, device_id, credential, now=now)
    after = decode_cursor(cursor)
    mine = select(VisitMember.visit_id).where(VisitMember.inspector_id == actor.inspector_id)
    rows = session.scalars(select(Change).where(Change.seq > after, Change.visit_id.in_(mine))
                           .order_by(Change.seq).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    op_ids = [r.ref for r in rows if r.kind == "field"]
    revisions = {r.op_id: r for r in session.scalars(
        select(FieldRevision).where(FieldRevision.op_id.in_(op_ids)))} if op_ids else {}
    states = _states(session, {(r.visit_id, r.register) for r in revisions.values()})
    visits = {v.id: v for v in session.scalars(select(Visit).where(
        Visit.id.in_({r.visit_id for r in rows if r.kind == "visit"})))}
    out = []
    for change in rows:
        item = {"seq": change.seq, "kind": change.kind, "visit_id": change.visit_id}
        if change.kind == "field":
            r = revisions[change.ref]
            item.update({"op_id": r.op_id, "op_kind": r.kind, **_register_json(r.register),
                         "value": r.value, "base": r.base, "hlc": r.hlc,
                         "device_id": r.device_id, "note": r.note,
                         "state": _field_json(states[(r.visit_id, r.register)])})
        else:
            v = visits[change.visit_id]
            item.update({"state": v.state, "window_start": v.window_start.isoformat(),
                         "window_end": v.window_end.isoformat()})
        out.append(item)
    next_seq = rows[-1].seq if rows else after
    return {"changes": out, "cursor": encode_cursor(next_seq), "more": more}
