"""Push: apply a device's batch of operations exactly once (离线同步).

Per op the answer is ``applied``, ``duplicate`` (the same op id with the same payload:
the stored outcome again), ``conflict`` (applied, and the field now holds concurrent
values, all kept) or ``rejected`` with a reason (kept in the history as refused). The
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

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from server.db import utcnow
from server.models import Device, FieldRevision, InspectionItemVersion, SyncOp, Visit
from server.services import audit, changes
from server.services.actors import Actor
from server.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from sync.merge import FieldState, Revision, apply, is_concurrent
from sync.tokens import b64decode, b64encode

CLOSED = ("submitted", "closed", "cancelled", "merged")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def register_device(session: Session, actor: Actor, *, name: str, platform: str | None = None,
                    now: dt.datetime | None = None) -> tuple[Device, str]:
    actor.require_role("inspector")
    credential = secrets.token_urlsafe(32)
    device = Device(id=str(uuid.uuid4()), user_id=actor.user_id, name=name, platform=platform,
                    credential_hash=_digest(credential), created_at=now or utcnow())
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
        device.revoked_at, device.revoked_by = utcnow(), actor.user_id
        audit.record(session, actor, "device.revoke", "device", device.id)
    return device


def _device(session: Session, actor: Actor, device_id: str, credential: str | None, *,
            now: dt.datetime) -> Device:
    """The actor's own, unrevoked device, proven by its credential."""
    actor.require_role("inspector")
    device = session.get(Device, device_id)
    if device is None or device.user_id != actor.user_id or \
            _digest(credential or "") != device.credential_hash:
        raise Forbidden("Unknown device, or the wrong device credential.", code="unknown_device")
    if device.revoked_at is not None:
        audit.record(session, actor, "device.refused", "device", device.id, now=now)
        raise Forbidden("This device has been revoked.", code="device_revoked")
    return device


def _payload_hash(op: dict) -> str:
    return _digest(json.dumps(op, sort_keys=True, ensure_ascii=False, default=str))


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
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
            return True
        except (TypeError, ValueError):
            return False
    if kind in ("text", "photo"):
        return isinstance(value, str) and len(value) <= 5000
    return False


def push(session: Session, actor: Actor, *, device_id: str, credential: str | None,
         ops: list[dict], now: dt.datetime | None = None) -> list[dict]:
    now = now or utcnow()
    device = _device(session, actor, device_id, credential, now=now)

    hashes: dict[str, str] = {}
    reused = []
    for op in ops:
        digest = _payload_hash(op)
        if hashes.setdefault(op["op_id"], digest) != digest:
            reused.append(op["op_id"])  # the same id twice in this batch, different payloads
    known = {row.op_id: row for row in session.scalars(
        select(SyncOp).where(SyncOp.op_id.in_(list(hashes))))}
    reused += [op_id for op_id, row in known.items() if row.payload_hash != hashes[op_id]]
    if reused:
        audit.record(session, actor, "sync.op_id_reused", "device", device.id,
                     after={"op_ids": reused}, now=now)
        raise Conflict("An op id was sent again with a different payload; nothing applied.",
                       code="op_id_reused", op_ids=reused)

    visits = {v.id: v for v in session.scalars(
        select(Visit).where(Visit.id.in_({op["visit_id"] for op in ops})))}
    versions = {v.id: v for v in session.scalars(select(InspectionItemVersion).where(
        InspectionItemVersion.id.in_({op["item_version_id"] for op in ops})))}
    fields = {(op["visit_id"], op["item_version_id"], op["field"]) for op in ops}
    states: dict[tuple, FieldState] = defaultdict(FieldState)
    for r in session.scalars(select(FieldRevision).where(tuple_(
            FieldRevision.visit_id, FieldRevision.item_version_id, FieldRevision.field_key)
            .in_(list(fields)))):
        states[(r.visit_id, r.item_version_id, r.field_key)] = apply(
            states[(r.visit_id, r.item_version_id, r.field_key)], _revision(r))

    results = []
    op_rows: list[dict] = []
    revision_rows: list[dict] = []
    done: dict[str, dict] = {}
    for op in ops:
        if op["op_id"] in known:
            row = known[op["op_id"]]
            results.append({"op_id": row.op_id, "outcome": "duplicate",
                            "stored_outcome": row.outcome, "reason": row.reason})
            continue
        if op["op_id"] in done:  # sent twice in this batch: the first one counts
            first = done[op["op_id"]]
            results.append({"op_id": first["op_id"], "outcome": "duplicate",
                            "stored_outcome": first["outcome"], "reason": first["reason"]})
            continue
        key = (op["visit_id"], op["item_version_id"], op["field"])
        reason = _refusal(actor, op, visits.get(op["visit_id"]), versions.get(op["item_version_id"]))
        outcome = "rejected"
        if reason is None:
            revision = Revision(op["op_id"], op["value"], op["hlc"], device.id,
                                frozenset(op.get("base") or ()))
            before = states[key]
            states[key] = apply(before, revision)
            outcome = "conflict" if states[key].conflicted and is_concurrent(before, revision) \
                else "applied"
        op_rows.append({"op_id": op["op_id"], "device_id": device.id, "user_id": actor.user_id,
                        "visit_id": op["visit_id"], "kind": op["kind"],
                        "payload": json.loads(json.dumps(op, default=str)),
                        "payload_hash": hashes[op["op_id"]], "outcome": outcome,
                        "reason": reason, "hlc": op["hlc"],
                        "device_time": op.get("device_time"), "received_at": now})
        if outcome != "rejected":
            revision_rows.append({"op_id": op["op_id"], "visit_id": key[0],
                                  "item_version_id": key[1], "field_key": key[2],
                                  "value": op["value"], "base": sorted(op.get("base") or ()),
                                  "hlc": op["hlc"], "device_id": device.id,
                                  "inspector_id": actor.inspector_id, "note": op.get("note")})
        state = states[key]
        results.append({"op_id": op["op_id"], "outcome": outcome, "reason": reason,
                        "field": None if reason else _field_json(state)})
        done[op["op_id"]] = results[-1]
    # Core bulk inserts, ops before the revisions that reference them: the hot path of sync.
    if op_rows:
        session.execute(insert(SyncOp.__table__), op_rows)
    if revision_rows:
        session.execute(insert(FieldRevision.__table__), revision_rows)
        changes.record(session, [(r["visit_id"], "field", r["op_id"]) for r in revision_rows],
                       now=now)
    device.last_push_at = now
    session.flush()
    return results


def _refusal(actor: Actor, op: dict, visit: Visit | None, version) -> str | None:
    if visit is None or actor.inspector_id not in {m.inspector_id for m in visit.members}:
        return "not_a_team_member"
    if visit.state in CLOSED:
        return "visit_closed"
    link = next((i for i in visit.items if i.item_version_id == op["item_version_id"]), None)
    if link is None or version is None:
        return "item_not_in_visit"
    if link.department_id != actor.department_id:
        return "item_of_other_department"
    if version.method == "on_site" and visit.state == "issued":
        return "not_entered"  # 扫码入企: on-site answers only after entering
    field = next((f for f in version.form["fields"] if f["key"] == op["field"]), None)
    if field is None:
        return "unknown_field"
    if op["kind"] == "resolve" and not op.get("base"):
        return "resolve_names_no_siblings"
    if not _check_value(field, op["value"]):
        return "bad_value"
    return None


def _revision(r: FieldRevision) -> Revision:
    return Revision(r.op_id, r.value, r.hlc, r.device_id, frozenset(r.base or ()))


def _field_json(state: FieldState) -> dict:
    winner = state.winner
    return {"value": state.value, "conflicted": state.conflicted,
            "winner_op_id": winner.op_id if winner else None,
            "siblings": [{"op_id": r.op_id, "value": r.value, "hlc": r.hlc,
                          "device_id": r.device_id} for r in state.siblings]}


def conflicts(session: Session, visit: Visit) -> list[dict]:
    by_field: dict[tuple, FieldState] = defaultdict(FieldState)
    for r in session.scalars(select(FieldRevision).where(FieldRevision.visit_id == visit.id)):
        key = (r.item_version_id, r.field_key)
        by_field[key] = apply(by_field[key], _revision(r))
    return [{"item_version_id": k[0], "field": k[1], **_field_json(s)}
            for k, s in sorted(by_field.items()) if s.conflicted]


def history(session: Session, visit: Visit) -> list[dict]:
    """Every op pushed for the visit, applied or refused: who, device, when, value, outcome."""
    from server.models import User

    users = dict(session.execute(select(User.id, User.username)).all())
    return [{"op_id": o.op_id, "kind": o.kind, "item_version_id": o.payload.get("item_version_id"),
             "field": o.payload.get("field"), "value": o.payload.get("value"),
             "outcome": o.outcome, "reason": o.reason, "user": users.get(o.user_id),
             "device_id": o.device_id, "hlc": o.hlc,
             "device_time": o.device_time.isoformat() if o.device_time else None,
             "received_at": o.received_at.isoformat()}
            for o in session.scalars(select(SyncOp).where(SyncOp.visit_id == visit.id)
                                     .order_by(SyncOp.hlc, SyncOp.op_id))]


# --- pull ----------------------------------------------------------------------------------
def encode_cursor(seq: int) -> str:
    return b64encode(f"c1:{seq}".encode())


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        tag, seq = b64decode(cursor).decode().split(":")
        if tag != "c1" or not seq.isdigit():
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The cursor is not one this server gave.",
                           code="bad_cursor", errors={"cursor": ["unknown cursor"]}) from None


def pull(session: Session, actor: Actor, *, device_id: str, credential: str | None,
         cursor: str | None, limit: int, now: dt.datetime | None = None) -> dict:
    """Changes after ``cursor`` to the visits the device's owner is on, in sequence
    order, at most ``limit``; the next cursor, and whether more are waiting."""
    from server.models import Change, VisitMember

    now = now or utcnow()
    _device(session, actor, device_id, credential, now=now)
    after = decode_cursor(cursor)
    mine = select(VisitMember.visit_id).where(VisitMember.inspector_id == actor.inspector_id)
    rows = session.scalars(select(Change).where(Change.seq > after, Change.visit_id.in_(mine))
                           .order_by(Change.seq).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    op_ids = [r.ref for r in rows if r.kind == "field"]
    revisions = {r.op_id: r for r in session.scalars(
        select(FieldRevision).where(FieldRevision.op_id.in_(op_ids)))} if op_ids else {}
    keys = {(r.visit_id, r.item_version_id, r.field_key) for r in revisions.values()}
    states: dict[tuple, FieldState] = defaultdict(FieldState)
    if keys:
        for r in session.scalars(select(FieldRevision).where(tuple_(
                FieldRevision.visit_id, FieldRevision.item_version_id, FieldRevision.field_key)
                .in_(list(keys)))):
            k = (r.visit_id, r.item_version_id, r.field_key)
            states[k] = apply(states[k], _revision(r))
    visits = {v.id: v for v in session.scalars(select(Visit).where(
        Visit.id.in_({r.visit_id for r in rows if r.kind == "visit"})))}
    out = []
    for change in rows:
        item = {"seq": change.seq, "kind": change.kind, "visit_id": change.visit_id}
        if change.kind == "field":
            r = revisions[change.ref]
            item.update({"op_id": r.op_id, "item_version_id": r.item_version_id,
                         "field": r.field_key, "value": r.value, "base": r.base, "hlc": r.hlc,
                         "device_id": r.device_id, "note": r.note,
                         "state": _field_json(states[(r.visit_id, r.item_version_id,
                                                      r.field_key)])})
        else:
            v = visits[change.visit_id]
            item.update({"state": v.state, "window_start": v.window_start.isoformat(),
                         "window_end": v.window_end.isoformat()})
        out.append(item)
    next_seq = rows[-1].seq if rows else after
    return {"changes": out, "cursor": encode_cursor(next_seq), "more": more}
