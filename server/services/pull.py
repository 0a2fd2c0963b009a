"""Pull: the changes to the visits a device's owner is on, after an opaque cursor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.states import ResultState
from server import clock
from server.models import FieldRevision, Result, Visit
from server.services.actors import Actor
from server.services.devices import check_device
from server.services.errors import InvalidInput
from server.services.field_history import field_json, register_parts, register_states
from sync.tokens import b64decode, b64encode


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


def review(result: Result) -> dict:
    """A result's review as the phones are told it with the visit's state: approved, or
    returned with the reason (the visit reopens), or submitted and awaiting review."""
    return {"state": result.state, "returns": result.returns, "reviewed_at": result.reviewed_at,
            "reason": result.return_reason if result.state == ResultState.RETURNED else None}


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
    states = register_states(session, {(r.visit_id, r.register) for r in revisions.values()})
    changed = {r.visit_id for r in rows if r.kind == "visit"}
    visits = {v.id: v for v in session.scalars(select(Visit).where(Visit.id.in_(changed)))}
    reviews = {r.visit_id: review(r) for r in session.scalars(
        select(Result).where(Result.visit_id.in_(changed)))} if changed else {}
    out = []
    for change in rows:
        item = {"seq": change.seq, "kind": change.kind, "visit_id": change.visit_id}
        if change.kind == "field":
            r = revisions[change.ref]
            item.update({"op_id": r.op_id, "op_kind": r.kind, **register_parts(r.register),
                         "value": r.value, "base": r.base, "hlc": r.hlc,
                         "device_id": r.device_id, "author_inspector_id": r.inspector_id,
                         "note": r.note,
                         "state": field_json(states[(r.visit_id, r.register)])})
            if item["type"] == "note":  # the item a note is about (null: the visit)
                item["item_version_id"] = r.item_version_id
        else:
            v = visits[change.visit_id]
            item.update({"state": v.state, "window_start": v.window_start,
                         "window_end": v.window_end, "review": reviews.get(v.id)})
        out.append(item)
    next_seq = rows[-1].seq if rows else after
    return {"changes": out, "cursor": encode_cursor(next_seq), "more": more}

