"""What push reads of visits, their items and item versions: plain rows on the driver,
no ORM, as these reads run for every batch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from server.direct import Statement, in_list
from server.models import InspectionItemVersion, Visit, VisitItem, VisitMember


def _by_ids(*columns):
    """SELECT ``columns`` of the rows whose first column is in the list ``ids``."""
    return Statement(lambda ids: select(*columns).where(in_list(columns[0], "ids", ids)))


_VISITS = Statement(lambda ids: select(  # each visit with its members, in one statement
    Visit.__table__.c.id, Visit.__table__.c.state, VisitMember.__table__.c.inspector_id,
    VisitMember.__table__.c.department_id).outerjoin_from(
    Visit.__table__, VisitMember.__table__,
    VisitMember.__table__.c.visit_id == Visit.__table__.c.id).where(
    in_list(Visit.__table__.c.id, "ids", ids)))
_ITEMS = _by_ids(VisitItem.__table__.c.visit_id, VisitItem.__table__.c.item_version_id,
                 VisitItem.__table__.c.department_id)
_VERSIONS = _by_ids(InspectionItemVersion.__table__.c.id,
                    InspectionItemVersion.__table__.c.method,
                    InspectionItemVersion.__table__.c.form)


@dataclass
class VisitView:
    """What the refusal rules read of a visit, as plain rows (no ORM on the hot path)."""

    id: int
    state: str
    members: dict[int, int]  # inspector -> department
    items: dict[int, int]  # item version -> department


def visit_views(db: Session | Connection, ops: list[dict],
                items: dict[int, dict[int, int]]) -> dict[int, VisitView]:
    """The visits the ops write to, read under the write lock: state and members may
    change at any time. ``items`` are their items as read before the lock: a visit only
    ever gains items (a merge), so they are read again only for a visit that seems to
    lack one an op names."""
    views: dict[int, VisitView] = {}
    for vid, state, inspector, department in _VISITS(db, ids={op["visit_id"] for op in ops}):
        view = views.setdefault(vid, VisitView(vid, state, {}, items.get(vid, {})))
        if inspector is not None:
            view.members[inspector] = department
    stale = {op["visit_id"] for op in ops if op["visit_id"] in views and
             op.get("item_version_id") is not None and
             op["item_version_id"] not in views[op["visit_id"]].items}
    for vid, version_items in visit_items(db, stale).items():
        views[vid].items = version_items
    return views


def visit_items(db: Session | Connection, ids: set[int]) -> dict[int, dict[int, int]]:
    """Visit -> its item versions -> the department each belongs to."""
    items: dict[int, dict[int, int]] = defaultdict(dict)
    for vid, version, department in _ITEMS(db, ids=ids) if ids else ():
        items[vid][version] = department
    return items


def version_views(db: Session | Connection, ids: set[int]) -> dict[int, tuple[str, dict]]:
    """Item version -> (method, its form's fields by key)."""
    if not ids:
        return {}
    return {vid: (method, {f["key"]: f for f in form["fields"]})
            for vid, method, form in _VERSIONS(db, ids=ids)}

