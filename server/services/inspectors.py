"""The inspector registry (执法检查人员名录库). Department-scoped.

Supervisors keep their own department's inspectors; coordinators and admins read all;
an inspector sees only their own record.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from schemas.codes import id_number_gender, mask_id_number
from server.models import Inspector, inspector_tags
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.listing import paginate
from server.services.registry import (
    active_department_or_raise,
    add_created,
    apply_changes,
    having_tags,
    id_in_range,
    set_active,
    tags_by_code,
)

FIELDS = ("name", "id_number_masked", "gender", "mobile", "certificate_number",
          "certificate_valid_from", "certificate_valid_until", "issuing_authority",
          "department_id", "section", "active", "tags")


def id_digest(id_number: str, key: str) -> str:
    """Keyed digest of a resident ID number: findable again, not reversible by brute force."""
    return hmac.new(key.encode(), id_number.encode(), hashlib.sha256).hexdigest()


def identity_fields(id_number: str, key: str, gender: str | None) -> dict:
    """Digest, mask and gender from an ID number; a stated gender must agree with it."""
    derived = id_number_gender(id_number)
    if gender and gender != derived:
        raise InvalidInput("Gender does not match the ID number.",
                           errors={"gender": [f"the ID number is of a {derived} person"]})
    return {"id_number_digest": id_digest(id_number, key),
            "id_number_masked": mask_id_number(id_number), "gender": derived}


def _scoped(actor: Actor, stmt):
    if actor.role == "inspector":
        return stmt.where(Inspector.id == actor.inspector_id)
    scope = actor.department_scope()
    return stmt if scope is None else stmt.where(Inspector.department_id == scope)


def get_or_raise(session: Session, actor: Actor, inspector_id: int) -> Inspector:
    inspector = session.scalar(_scoped(actor, select(Inspector).where(Inspector.id == inspector_id))) \
        if id_in_range(inspector_id) else None
    if inspector is None:
        raise NotFound("No such inspector.")
    return inspector


def _check_department(session: Session, actor: Actor, department_id: int) -> None:
    active_department_or_raise(session, department_id)
    actor.check_department_write(department_id, "department")


def _check_unique(session: Session, *, digest=None, certificate=None, exclude_id=None) -> None:
    checks = (("id_number", Inspector.id_number_digest, digest),
              ("certificate_number", Inspector.certificate_number, certificate))
    for field, column, value in checks:
        if value is None:
            continue
        stmt = select(Inspector.id).where(column == value)
        if exclude_id:
            stmt = stmt.where(Inspector.id != exclude_id)
        if session.scalar(stmt):
            raise Conflict(f"An inspector with this {field} is registered.", code="duplicate",
                           errors={field: ["already registered"]})


def create(session: Session, actor: Actor, data: dict, *, pii_key: str) -> Inspector:
    actor.require_role("admin", "supervisor")
    data = dict(data)
    _check_department(session, actor, data["department_id"])
    data.update(identity_fields(data.pop("id_number"), pii_key, data.pop("gender", None)))
    _check_unique(session, digest=data["id_number_digest"], certificate=data["certificate_number"])
    tags = tags_by_code(session, data.pop("tags", []), kinds=("expertise", "other"))
    inspector = Inspector(**data)
    inspector.tags = tags
    return add_created(session, actor, inspector, fields=FIELDS, entity="inspector")


def update(session: Session, actor: Actor, inspector_id: int, changes: dict, *,
           pii_key: str) -> Inspector:
    actor.require_role("admin", "supervisor")
    inspector = get_or_raise(session, actor, inspector_id)
    actor.check_department_write(inspector.department_id, "inspector")
    changes = dict(changes)
    if "department_id" in changes:
        _check_department(session, actor, changes["department_id"])
    if "id_number" in changes:
        changes.update(identity_fields(changes.pop("id_number"), pii_key,
                                       changes.pop("gender", None)))
    elif "gender" in changes:
        raise InvalidInput("Gender follows the ID number.",
                           errors={"gender": ["change the id_number instead"]})
    _check_unique(session, digest=changes.get("id_number_digest"),
                  certificate=changes.get("certificate_number"), exclude_id=inspector.id)
    if "tags" in changes:
        changes["tags"] = tags_by_code(session, changes["tags"], kinds=("expertise", "other"))
    valid_from = changes.get("certificate_valid_from", inspector.certificate_valid_from)
    valid_until = changes.get("certificate_valid_until", inspector.certificate_valid_until)
    if valid_from and valid_until and valid_until < valid_from:
        raise InvalidInput("The certificate ends before it starts.",
                           errors={"certificate_valid_until": ["before certificate_valid_from"]})
    apply_changes(session, actor, inspector, changes, fields=FIELDS, entity="inspector")
    return inspector


def set_active_state(session: Session, actor: Actor, inspector_id: int, active: bool) -> Inspector:
    actor.require_role("admin", "supervisor")
    inspector = get_or_raise(session, actor, inspector_id)
    actor.check_department_write(inspector.department_id, "inspector")
    if inspector.active and not active:  # its users' sessions end, and stay ended
        from server.services.accounts import revoke_tokens

        revoke_tokens(session, inspector_id=inspector.id)
    set_active(session, actor, inspector, active, entity="inspector")
    return inspector


SORTABLE = {"name": Inspector.name, "id": Inspector.id,
            "certificate_number": Inspector.certificate_number,
            "certificate_valid_until": Inspector.certificate_valid_until,
            "department_id": Inspector.department_id}


def list_(session: Session, actor: Actor, *, q=None, department_id=None, tag=None,
          certified_on=None, active=True, page=1, page_size=50, sort=None):
    stmt = _scoped(actor, select(Inspector))
    if active is not None:
        stmt = stmt.where(Inspector.active.is_(active))
    if department_id:
        stmt = stmt.where(Inspector.department_id == department_id)
    if q:
        stmt = stmt.where(or_(Inspector.name.contains(q, autoescape=True),
                              Inspector.certificate_number == q))
    if certified_on:
        # Only certificate holders may inspect: valid on the given date.
        stmt = stmt.where(or_(Inspector.certificate_valid_from.is_(None),
                              Inspector.certificate_valid_from <= certified_on),
                          or_(Inspector.certificate_valid_until.is_(None),
                              Inspector.certificate_valid_until >= certified_on))
    stmt = having_tags(stmt, Inspector.id, inspector_tags, tag)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, sortable=SORTABLE,
                    default_sort="name", tiebreak=Inspector.id)
