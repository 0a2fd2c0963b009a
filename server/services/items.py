"""Inspection items (随机抽查事项) and their checklist forms (检查表单), versioned.

Why every content edit makes a new version instead of editing in place: a task or a
visit records the version it was run with (by version id), so a later change of law or
form can never rewrite what an inspector was asked on a past visit. Versions are
immutable; the item points at its current one. Item lists are published documents, so
every signed-in user may read them; only the owning department's supervisors (and
admins) change them.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.models import InspectionItem, InspectionItemVersion
from server.services import audit
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.listing import paginate
from server.services.registry import (
    active_department_or_raise,
    get_or_404,
    id_in_range,
    set_active,
    tags_by_code,
)

VERSION_FIELDS = ("name", "legal_basis", "subject_type", "content", "method", "item_class",
                  "ratio_cap", "frequency", "required_expertise", "work_guide", "form")


def current(item: InspectionItem) -> InspectionItemVersion:
    return next(v for v in item.versions if v.version == item.current_version)


def version_data(version: InspectionItemVersion) -> dict:
    return {f: getattr(version, f) for f in VERSION_FIELDS}


def get_or_raise(session: Session, actor: Actor, item_id: int) -> InspectionItem:
    return get_or_404(session, InspectionItem, item_id, "inspection item")


def get_version_or_raise(session: Session, actor: Actor, item_id: int,
                         version: int) -> InspectionItemVersion:
    if not (id_in_range(item_id) and id_in_range(version)):
        raise NotFound("No such version of this inspection item.")
    found = session.scalar(select(InspectionItemVersion).where(
        InspectionItemVersion.item_id == item_id, InspectionItemVersion.version == version))
    if found is None:
        raise NotFound("No such version of this inspection item.")
    return found


def _normalize(session: Session, data: dict) -> dict:
    data = dict(data)
    if "required_expertise" in data:
        tags = tags_by_code(session, data["required_expertise"], kinds=("expertise",),
                            field="required_expertise")
        data["required_expertise"] = sorted(t.code for t in tags)
    if "form" in data:
        # Absent and null mean the same in a form field; store one spelling so that sending
        # an unchanged form back never makes a new version.
        data["form"] = {"fields": [{k: v for k, v in f.items() if v is not None}
                                   for f in data["form"]["fields"]]}
    return data


def _refuse_cap_on_key_item(item_class: str, changes: dict) -> None:
    if item_class == "key" and changes.get("ratio_cap") is not None:
        raise InvalidInput("A key item (重点检查事项) has no ratio cap.",
                           errors={"ratio_cap": ["only general items have a ratio cap"]})


def _check_class(data: dict) -> None:
    if data["item_class"] == "general" and data.get("ratio_cap") is None:
        raise InvalidInput("A general item needs a ratio cap.",
                           errors={"ratio_cap": ["required for general items (一般检查事项)"]})


def create(session: Session, actor: Actor, data: dict) -> InspectionItem:
    actor.require_role("admin", "supervisor")
    data = _normalize(session, data)
    active_department_or_raise(session, data["department_id"])
    actor.check_department_write(data["department_id"], "department")
    if session.scalar(select(InspectionItem.id).where(InspectionItem.code == data["code"])):
        raise Conflict("An item with this code exists.", code="duplicate",
                       errors={"code": ["already exists"]})
    _refuse_cap_on_key_item(data["item_class"], data)
    data["ratio_cap"] = data.get("ratio_cap") if data["item_class"] == "general" else None
    _check_class(data)
    item = InspectionItem(code=data.pop("code"), department_id=data.pop("department_id"),
                          current_version=1)
    item.versions.append(InspectionItemVersion(version=1, created_by=actor.user_id, **data))
    session.add(item)
    session.flush()
    audit.record(session, actor, "item.create", "inspection_item", item.id,
                 after={"code": item.code, "department_id": item.department_id,
                        "version": 1, **version_data(current(item))})
    return item


def update(session: Session, actor: Actor, item_id: int, changes: dict) -> InspectionItem:
    """Content changes make version n+1; an edit that changes nothing makes none."""
    actor.require_role("admin", "supervisor")
    item = get_or_raise(session, actor, item_id)
    actor.check_department_write(item.department_id, "inspection item")
    if not item.active:
        raise Conflict("The item is deactivated; reactivate it before changing it.",
                       code="item_deactivated")
    changes = _normalize(session, changes)
    old = version_data(current(item))
    new = audit.jsonable({**old, **changes})
    _refuse_cap_on_key_item(new["item_class"], changes)
    if new["item_class"] == "key":
        new["ratio_cap"] = None  # a general item turned key drops its old cap
    _check_class(new)
    before, after = audit.diff(audit.jsonable(old), new)
    if not after:
        return item
    number = session.scalar(select(func.max(InspectionItemVersion.version))
                            .where(InspectionItemVersion.item_id == item.id)) + 1
    item.versions.append(InspectionItemVersion(version=number, created_by=actor.user_id, **new))
    item.current_version = number
    session.flush()
    audit.record(session, actor, "item.new_version", "inspection_item", item.id,
                 before={"version": number - 1, **before}, after={"version": number, **after})
    return item


def set_active_state(session: Session, actor: Actor, item_id: int, active: bool) -> InspectionItem:
    actor.require_role("admin", "supervisor")
    item = get_or_raise(session, actor, item_id)
    actor.check_department_write(item.department_id, "inspection item")
    set_active(session, actor, item, active, entity="inspection_item")
    return item


def list_(session: Session, actor: Actor, *, q=None, department_id=None, method=None,
          item_class=None, active=True, page=1, page_size=50, sort=None):
    stmt = (select(InspectionItem)
            .join(InspectionItemVersion, (InspectionItemVersion.item_id == InspectionItem.id)
                  & (InspectionItemVersion.version == InspectionItem.current_version)))
    if active is not None:
        stmt = stmt.where(InspectionItem.active.is_(active))
    if department_id:
        stmt = stmt.where(InspectionItem.department_id == department_id)
    if method:
        stmt = stmt.where(InspectionItemVersion.method.in_(method))
    if item_class:
        stmt = stmt.where(InspectionItemVersion.item_class == item_class)
    if q:
        stmt = stmt.where(or_(InspectionItemVersion.name.contains(q, autoescape=True),
                              InspectionItem.code.contains(q, autoescape=True)))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"code": InspectionItem.code, "name": InspectionItemVersion.name,
                              "id": InspectionItem.id, "department_id": InspectionItem.department_id},
                    default_sort="code", tiebreak=InspectionItem.id)
