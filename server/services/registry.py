"""Pieces every registry service shares: snapshots for the audit log, field updates,
deactivation and tag resolution."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Tag
from server.services import audit
from server.services.actors import Actor
from server.services.errors import InvalidInput


def snapshot(obj, fields: Iterable[str]) -> dict:
    data = {f: getattr(obj, f) for f in fields}
    if hasattr(obj, "tags") and "tags" in data:
        data["tags"] = sorted(t.code for t in obj.tags)
    return audit.jsonable(data)


def apply_changes(session: Session, actor: Actor, obj, changes: dict, *, fields, entity: str):
    """Set ``changes`` on ``obj`` and audit the difference; returns whether anything changed."""
    before = snapshot(obj, fields)
    for key, value in changes.items():
        setattr(obj, key, value)
    session.flush()
    b, a = audit.diff(before, snapshot(obj, fields))
    if a:
        audit.record(session, actor, f"{entity}.update", entity, obj.id, before=b, after=a)
    return bool(a)


def set_active(session: Session, actor: Actor, obj, active: bool, *, entity: str) -> None:
    if obj.active == active:
        return
    obj.active = active
    session.flush()
    audit.record(session, actor, f"{entity}.{'activate' if active else 'deactivate'}", entity,
                 obj.id, before={"active": not active}, after={"active": active})


def tags_by_code(session: Session, codes: Iterable[str], *, kinds: tuple[str, ...] | None = None,
                 field: str = "tags") -> list[Tag]:
    codes = list(dict.fromkeys(codes))
    if not codes:
        return []
    found = {t.code: t for t in session.scalars(select(Tag).where(Tag.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput("Unknown tags.", errors={field: [f"unknown tag: {c}" for c in missing]})
    if kinds:
        wrong = [c for c in codes if found[c].kind not in kinds]
        if wrong:
            raise InvalidInput("Tags of the wrong kind.", errors={
                field: [f"tag {c} is not of kind {'/'.join(kinds)}" for c in wrong]})
    return [found[c] for c in codes]
