"""The ops that are events, not register writes: an entry scan (扫码入企) and the
submission (提交), each applied through the visit and result rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from schemas.states import VisitState
from server.models import Device, Visit
from server.services import audit, changes
from server.services.actors import Actor
from server.services.field_history import visit_states
from server.services.submission import submission_problems


def apply_event(session: Session, actor: Actor, op: dict, visit: Visit, device: Device,
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
    visit.state = VisitState.SUBMITTED
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "visit.submit", "visit", visit.id,
                 after={"state": VisitState.SUBMITTED, "device_id": device.id, "op_id": op["op_id"],
                        "result_id": result.id, "late": result.late}, now=now)
    return None, {"result": {"id": result.id, "late": result.late,
                             "entry_due": result.entry_due}}

