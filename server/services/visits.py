"""Visits (检查) as the draws issue them, and merging two departments' visits to one
company into one joint visit (进一次门、查多项事).

A merge is asked by a supervisor of one visit's lead department and accepted by a
supervisor of the other's: both must agree. The host visit takes the union of items (each
still owned by its department, which keeps its own result) and of the teams, and the
overlap of the windows; the other visit becomes ``merged`` and no longer counts toward
the yearly caps, so the company is inspected once, not twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.models import Task, Visit, VisitItem, VisitMember, VisitMerge
from server.services import audit
from server.services.actors import Actor
from server.services.errors import Conflict, Forbidden, NotFound, RuleViolation
from server.services.registry import get_or_404


def _departments(visit: Visit) -> set[int]:
    return {i.department_id for i in visit.items}


def get_or_raise(session: Session, actor: Actor, visit_id: int) -> Visit:
    """Admins and coordinators see every visit; supervisors those with their department's
    items; inspectors those they are on the team of."""
    visit = get_or_404(session, Visit, visit_id, "visit")
    if actor.reads_everything:
        return visit
    if actor.role == "inspector":
        if actor.inspector_id in {m.inspector_id for m in visit.members}:
            return visit
    elif actor.department_id in _departments(visit):
        return visit
    raise NotFound("No such visit.")


def _lead(session: Session, visit: Visit) -> int:
    return session.get(Task, visit.task_id).lead_department_id


def _speaks_for(actor: Actor, department_id: int) -> bool:
    return actor.role == "admin" or (actor.role == "supervisor"
                                     and actor.department_id == department_id)


def request_merge(session: Session, actor: Actor, host_id: int, other_id: int) -> VisitMerge:
    host = get_or_raise(session, actor, host_id)
    other = get_or_404(session, Visit, other_id, "visit")
    sides = {_lead(session, host), _lead(session, other)}
    if not any(_speaks_for(actor, d) for d in sides):
        raise Forbidden("Only a supervisor of one of the two lead departments may ask to merge.")
    if host.id == other.id or host.task_id == other.task_id:
        raise RuleViolation("Merge visits of two different tasks.", code="merge_not_possible")
    if host.company_id != other.company_id:
        raise RuleViolation("The visits are to different companies.", code="merge_not_possible")
    if host.state != "issued" or other.state != "issued":
        raise RuleViolation("Only visits not yet started can be merged.",
                            code="merge_not_possible")
    if host.window_start > other.window_end or other.window_start > host.window_end:
        raise RuleViolation("The visit windows do not overlap.", code="merge_not_possible")
    pending = session.scalar(select(VisitMerge.id).where(
        VisitMerge.state == "pending",
        or_(VisitMerge.host_visit_id.in_((host.id, other.id)),
            VisitMerge.other_visit_id.in_((host.id, other.id)))))
    if pending:
        raise Conflict("A merge of these visits is already waiting for an answer.",
                       code="merge_pending", merge_id=pending)
    asking = actor.department_id if actor.role == "supervisor" else _lead(session, host)
    merge = VisitMerge(host_visit_id=host.id, other_visit_id=other.id, requested_by=actor.user_id,
                       requested_department_id=asking, state="pending")
    session.add(merge)
    session.flush()
    audit.record(session, actor, "visit.merge_requested", "visit", host.id,
                 after={"merge_id": merge.id, "other_visit_id": other.id})
    return merge


def get_merge_or_raise(session: Session, actor: Actor, merge_id: int) -> VisitMerge:
    """A merge is visible to whoever sees either of its visits."""
    merge = get_or_404(session, VisitMerge, merge_id, "merge")
    for visit_id in (merge.host_visit_id, merge.other_visit_id):
        try:
            get_or_raise(session, actor, visit_id)
        except NotFound:
            continue
        return merge
    raise NotFound("No such merge.")


def decide_merge(session: Session, actor: Actor, merge_id: int, *, accept: bool,
                 now: dt.datetime | None = None) -> VisitMerge:
    merge = get_merge_or_raise(session, actor, merge_id)
    if merge.state != "pending":
        raise Conflict(f"The merge was {merge.state} already.", code="merge_decided")
    host = session.get(Visit, merge.host_visit_id)
    other = session.get(Visit, merge.other_visit_id)
    sides = [_lead(session, host), _lead(session, other)]
    answering = [d for d in sides if d != merge.requested_department_id] or sides
    if not any(_speaks_for(actor, d) for d in answering):
        raise Forbidden("The other department's supervisor answers this merge.")
    merge.state = "accepted" if accept else "declined"
    merge.decided_by = actor.user_id
    merge.decided_at = now or utcnow()
    if accept:
        if host.state != "issued" or other.state != "issued":
            raise RuleViolation("One of the visits has started meanwhile.",
                                code="merge_not_possible")
        have_items = {i.item_version_id for i in host.items}
        host.items.extend(VisitItem(item_version_id=i.item_version_id, item_id=i.item_id,
                                    department_id=i.department_id)
                          for i in other.items if i.item_version_id not in have_items)
        have_members = {m.inspector_id for m in host.members}
        host.members.extend(VisitMember(inspector_id=m.inspector_id, department_id=m.department_id)
                            for m in other.members if m.inspector_id not in have_members)
        host.window_start = max(host.window_start, other.window_start)
        host.window_end = min(host.window_end, other.window_end)
        other.state = "merged"
        other.merged_into = host.id
        other.counts_for_caps = False
    session.flush()
    audit.record(session, actor, f"visit.merge_{merge.state}", "visit", host.id,
                 after={"merge_id": merge.id, "other_visit_id": other.id})
    return merge
