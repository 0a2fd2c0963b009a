"""Devices: a phone registered to an inspector proves itself with a credential on every
push, pull and upload; a revoked one (a lost phone) is refused, and the refusal logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from server import clock
from server.direct import Statement
from server.models import Device
from server.services import audit
from server.services.actors import Actor
from server.services.errors import Forbidden, NotFound


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
    return check_device_row(session, actor, device_row(session, device_id), credential, now)


def device_row(db: Session | Connection, device_id: str):
    return next(iter(_DEVICE(db, id=device_id)), None)


def check_device_row(session: Session, actor: Actor, device, credential: str | None,
                     now: dt.datetime):
    if device is None or device.user_id != actor.user_id or \
            _digest(credential or "") != device.credential_hash:
        raise Forbidden("Unknown device, or the wrong device credential.", code="unknown_device")
    if device.revoked_at is not None:
        refuse_revoked(session, actor, device.id, now)
    return device


def refuse_revoked(session: Session, actor: Actor, device_id: str, now: dt.datetime):
    """Refuse a revoked device: nothing of its request stays, but the refusal is audited."""
    audit.record_refusal(session, actor, "device.refused", "device", device_id, now=now)
    raise Forbidden("This device has been revoked.", code="device_revoked")

