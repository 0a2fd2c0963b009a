"""Departments (部门). Admins keep them; every signed-in user may read them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.models import Department
from server.services.actors import Actor
from server.services.errors import Conflict
from server.services.listing import paginate
from server.services.registry import add_created, apply_changes, get_or_404, set_active

FIELDS = ("code", "name", "short_name", "region", "phone", "default_ratios", "active")


def names(session: Session) -> dict[int, str]:
    """Every department's name by id: what lists and pages show beside an id."""
    return dict(session.execute(select(Department.id, Department.name)).all())


def get_or_raise(session: Session, actor: Actor, department_id: int) -> Department:
    return get_or_404(session, Department, department_id, "department")


def _check_unique(session: Session, data: dict, exclude_id: int | None = None) -> None:
    for field in ("code", "name"):
        if field in data:
            col = getattr(Department, field)
            stmt = select(Department.id).where(col == data[field])
            if exclude_id:
                stmt = stmt.where(Department.id != exclude_id)
            if session.scalar(stmt):
                raise Conflict(f"A department with this {field} exists.", code="duplicate",
                               errors={field: ["already exists"]})


def create(session: Session, actor: Actor, data: dict) -> Department:
    actor.require_role("admin")
    _check_unique(session, data)
    dept = Department(**data)
    return add_created(session, actor, dept, fields=FIELDS, entity="department")


def update(session: Session, actor: Actor, department_id: int, changes: dict) -> Department:
    actor.require_role("admin")
    dept = get_or_raise(session, actor, department_id)
    _check_unique(session, changes, exclude_id=dept.id)
    apply_changes(session, actor, dept, changes, fields=FIELDS, entity="department")
    return dept


def set_active_state(session: Session, actor: Actor, department_id: int, active: bool) -> Department:
    actor.require_role("admin")
    return set_active(session, actor, get_or_raise(session, actor, department_id), active,
                      entity="department")


def list_(session: Session, actor: Actor, *, q=None, active=True, page=1, page_size=50, sort=None):
    stmt = select(Department)
    if active is not None:
        stmt = stmt.where(Department.active.is_(active))
    if q:
        stmt = stmt.where(or_(Department.name.contains(q, autoescape=True),
                              Department.code.contains(q, autoescape=True)))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"code": Department.code, "name": Department.name, "id": Department.id},
                    default_sort="code", tiebreak=Department.id)
