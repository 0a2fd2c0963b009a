"""Pieces every registry service shares: snapshots for the audit log, field updates,
deactivation and tag resolution."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Tag
from server.services import audit
from server.services.actors import Actor
from server.services.errors import InvalidInput, NotFound

MAX_ID = 2**31 - 1  # ids are 32-bit integer columns


def id_in_range(row_id: int) -> bool:
    """Whether ``row_id`` can be an id at all. A path like /companies/99999999999 must be
    a plain 404: PostgreSQL refuses to compare an integer column with it (DataError) and
    SQLite's driver cannot even bind numbers past 64 bits (OverflowError)."""
    return isinstance(row_id, int) and 1 <= row_id <= MAX_ID


def get_by_id(session: Session, model, row_id: int):
    """``session.get`` that answers None for ids no row can have."""
    return session.get(model, row_id) if id_in_range(row_id) else None


def get_or_404(session: Session, model, row_id: int, what: str):
    """The row, or NotFound saying ``No such <what>.``."""
    obj = get_by_id(session, model, row_id)
    if obj is None:
        raise NotFound(f"No such {what}.")
    return obj


def add_created(session: Session, actor: Actor, obj, *, fields, entity: str):
    """Insert ``obj`` and audit its creation with a snapshot of ``fields``."""
    session.add(obj)
    session.flush()
    audit.record(session, actor, f"{entity}.create", entity, obj.id, after=snapshot(obj, fields))
    return obj


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


def set_active(session: Session, actor: Actor, obj, active: bool, *, entity: str):
    """Deactivate or reactivate ``obj`` (audited when it changes); returns ``obj``."""
    if obj.active != active:
        obj.active = active
        session.flush()
        audit.record(session, actor, f"{entity}.{'activate' if active else 'deactivate'}",
                     entity, obj.id, before={"active": not active}, after={"active": active})
    return obj


def tags_by_code(session: Session, codes: Iterable[str], *, kinds: tuple[str, ...] | None = None,
                 field: str = "tags") -> list[Tag]:
    codes = list(dict.fromkeys(codes))
    if not codes:
        return []
    found = {t.code: t for t in session.scalars(select(Tag).where(Tag.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput("Unknown tags.", errors={field: [f"unknown tag: {c}" for c in missing]})
    retired = [c for c in codes if not found[c].active]
    if retired:
        raise InvalidInput("Deactivated tags.", errors={
            field: [f"tag {c} is deactivated" for c in retired]})
    if kinds:
        wrong = [c for c in codes if found[c].kind not in kinds]
        if wrong:
            raise InvalidInput("Tags of the wrong kind.", errors={
                field: [f"tag {c} is not of kind {'/'.join(kinds)}" for c in wrong]})
    # In code order, as the relationships load them: a create answers like a later read.
    return sorted(found.values(), key=lambda t: t.code)


def active_department_or_raise(session: Session, department_id: int, field: str = "department_id"):
    """The department new records may be attached to: it must exist and be active."""
    from server.models import Department

    dept = get_by_id(session, Department, department_id)
    if dept is None:
        raise InvalidInput("No such department.", errors={field: ["no such department"]})
    if not dept.active:
        raise InvalidInput("The department is deactivated.",
                           errors={field: ["department is deactivated"]})
    return dept


def having_tags(stmt, id_column, link_table, codes):
    """Narrow ``stmt`` to rows carrying every tag in ``codes`` (``link_table`` joins the
    registry to tags: company_tags or inspector_tags)."""
    owner = next(c for c in link_table.c if c.name != "tag_id")
    for code in codes or ():
        stmt = stmt.where(id_column.in_(
            select(owner).join(Tag, Tag.id == link_table.c.tag_id).where(Tag.code == code)))
    return stmt
