"""A visit's registers as merged from their revisions (``sync.merge``): the state of each
field, the ones holding concurrent values (conflicts), and every op pushed (history)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from server.direct import Statement, in_list
from server.models import FieldRevision, RegisterHead, SyncOp, Visit
from sync.merge import FieldState, Revision, apply
from sync.ops import RegisterKey, register

_REVISIONS, _HEAD_ROWS = FieldRevision.__table__.c, RegisterHead.__table__.c


REVISION_COLUMNS = (FieldRevision.op_id, FieldRevision.visit_id, FieldRevision.register,
                    FieldRevision.value, FieldRevision.hlc, FieldRevision.device_id,
                    FieldRevision.base)


# Two lists, not ``(visit_id, register) IN (pairs)``: SQLite answers a row-value IN
# list by scanning the whole table; two IN lists search the key. The rows of other
# pairs the two lists also match are dropped by the caller.
_HEADS = Statement(lambda visits, registers: select(
    *(_REVISIONS[c.key] for c in REVISION_COLUMNS if c.key != "base")).join_from(
    RegisterHead.__table__, FieldRevision.__table__, _REVISIONS.op_id == _HEAD_ROWS.op_id).where(
    in_list(_HEAD_ROWS.visit_id, "visits", visits),
    in_list(_HEAD_ROWS.register, "registers", registers)))


def register_states(db: Session | Connection,
                    keys: set[tuple[int, str]]) -> dict[tuple, FieldState]:
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


def _revision(r) -> Revision:
    return Revision(r.op_id, r.value, r.hlc, r.device_id, frozenset(r.base or ()))


def field_json(state: FieldState) -> dict:
    winner = state.winner
    return {"value": state.value, "conflicted": state.conflicted,
            "winner_op_id": winner.op_id if winner else None,
            "siblings": [{"op_id": r.op_id, "value": r.value, "hlc": r.hlc,
                          "device_id": r.device_id} for r in state.siblings]}


def register_parts(register_key: str) -> dict:
    """The register's parts, named: what a client shows next to the value."""
    return RegisterKey.parse(register_key).parts()


def conflicts(session: Session, visit: Visit) -> list[dict]:
    """Every register of the visit holding concurrent values (answers, notes, photo
    links, signatures) with its siblings and provisional winner."""
    return [{**register_parts(k), **field_json(s)}
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
                    **(register_parts(write[0]) if write else {"register": None}),
                    "value": write[1] if write else None, "note": o.payload.get("note"),
                    "outcome": o.outcome, "reason": o.reason,
                    "user": users[o.user_id].username, "device_id": o.device_id,
                    "hlc": o.hlc,
                    "device_time": o.device_time, "received_at": o.received_at})
    return out

