"""The classification library (分类标签库): one set of tags for both registries."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.models import Tag
from server.services.actors import Actor
from server.services.errors import Conflict
from server.services.listing import paginate
from server.services.registry import add_created, apply_changes, get_or_404, set_active

FIELDS = ("code", "name", "kind", "active")


def get_or_raise(session: Session, actor: Actor, tag_id: int) -> Tag:
    return get_or_404(session, Tag, tag_id, "tag")


def create(session: Session, actor: Actor, data: dict) -> Tag:
    actor.require_role("admin")
    if session.scalar(select(Tag.id).where(Tag.code == data["code"])):
        raise Conflict("A tag with this code exists.", code="duplicate",
                       errors={"code": ["already exists"]})
    tag = Tag(**data)
    return add_created(session, actor, tag, fields=FIELDS, entity="tag")


def update(session: Session, actor: Actor, tag_id: int, changes: dict) -> Tag:
    actor.require_role("admin")
    tag = get_or_raise(session, actor, tag_id)
    apply_changes(session, actor, tag, changes, fields=FIELDS, entity="tag")
    return tag


def set_active_state(session: Session, actor: Actor, tag_id: int, active: bool) -> Tag:
    actor.require_role("admin")
    return set_active(session, actor, get_or_raise(session, actor, tag_id), active,
                      entity="tag")


def list_(session: Session, actor: Actor, *, kind=None, q=None, active=True, page=1,
          page_size=50, sort=None):
    stmt = select(Tag)
    if kind:
        stmt = stmt.where(Tag.kind == kind)
    if active is not None:
        stmt = stmt.where(Tag.active.is_(active))
    if q:
        stmt = stmt.where(or_(Tag.name.contains(q, autoescape=True),
                              Tag.code.contains(q, autoescape=True)))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"code": Tag.code, "name": Tag.name, "kind": Tag.kind, "id": Tag.id},
                    default_sort="code", tiebreak=Tag.id)
