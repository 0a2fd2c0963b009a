"""A company's record (企业检查记录): every inspection and its result, the inspections this
year per department (the yearly caps count them), and the follow-ups with their closed
loop. The feed a credit-risk model reads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from schemas.states import FOLLOW_UP_OPEN, VISIT_VOID
from server import clock
from server.models import Company, FollowUp, Result, Task, Visit, VisitItem
from server.services import departments, follow_ups, results
from server.services.actors import Actor
from server.services.registry import get_or_404


def record(session: Session, actor: Actor, company_id: int, *,
           today: dt.date | None = None) -> dict:
    """Supervisors see the inspections carrying their department's items in full, other
    departments' published results as the public sees them, and the follow-ups (and
    their loop) as ``follow_ups.sees`` decides; coordinators and admins see everything."""
    actor.require_role("admin", "coordinator", "supervisor")
    company = get_or_404(session, Company, company_id, "company")
    today = today or clock.today()
    names = departments.names(session)

    stmt = select(Visit).where(Visit.company_id == company.id,
                               Visit.state.not_in(VISIT_VOID))
    if not actor.reads_everything:
        stmt = stmt.where(or_(
            exists().where(VisitItem.visit_id == Visit.id,
                           VisitItem.department_id == actor.department_id),
            exists().where(Result.visit_id == Visit.id, Result.published_at.is_not(None))))
    found = list(session.scalars(stmt.order_by(Visit.window_start.desc(), Visit.id.desc())))
    found_results = list(session.scalars(select(Result).where(
        Result.visit_id.in_([v.id for v in found]))))
    full = {v.id for v in found if actor.reads_everything
            or actor.department_id in {i.department_id for i in v.items}}
    own = [r for r in found_results if r.visit_id in full]
    published = [r for r in found_results if r.visit_id not in full]
    shown = dict(zip([r.visit_id for r in own], results.views(session, own), strict=True))
    shown |= dict(zip([r.visit_id for r in published], results.public_views(session, published),
                      strict=True))
    by_visit = {r.visit_id: r for r in found_results}
    fus = follow_ups.list_for_company(session, actor, company.id)  # those the actor sees
    tasks = {t.id: t for t in session.scalars(select(Task).where(
        Task.id.in_({v.task_id for v in found})))}
    inspections = []
    for visit in found:
        task = tasks[visit.task_id]
        result = by_visit.get(visit.id)
        inspections.append({
            "visit_id": visit.id, "task_id": task.id, "task_name": task.name,
            "state": visit.state, "window_start": visit.window_start,
            "window_end": visit.window_end, "recheck": not visit.counts_for_caps,
            "departments": [names[d] for d in sorted({i.department_id for i in visit.items})],
            "result": shown.get(visit.id),
            "loop": follow_ups.loop_state([f for f in fus if f.result_id == result.id])
            if result is not None else None,
        })
    # Counted over every department's visits, whoever asks: what the yearly caps count.
    this_year = dict(session.execute(
        select(VisitItem.department_id, func.count(func.distinct(Visit.id)))
        .join(Visit, Visit.id == VisitItem.visit_id)
        .where(Visit.company_id == company.id, Visit.counts_for_caps.is_(True),
               Visit.state.not_in(VISIT_VOID),
               Visit.window_start >= dt.date(today.year, 1, 1),
               Visit.window_start <= dt.date(today.year, 12, 31))
        .group_by(VisitItem.department_id)).all())
    return {
        "company": {"id": company.id, "name": company.name, "credit_code": company.credit_code,
                    "credit_risk_class": company.credit_risk_class, "status": company.status},
        "inspections": inspections,
        "this_year": [{"department_id": d, "department": names[d], "inspections": n}
                      for d, n in sorted(this_year.items())],
        "open_follow_ups": [follow_up_view(session, f, names) for f in fus
                            if f.state in FOLLOW_UP_OPEN],
        "follow_ups": [follow_up_view(session, f, names) for f in fus],
    }


def follow_up_view(session: Session, f: FollowUp, names: dict | None = None) -> dict:
    names = names or departments.names(session)
    return {"id": f.id, "result_id": f.result_id, "company_id": f.company_id, "kind": f.kind,
            "state": f.state, "department_id": f.department_id,
            "department": names[f.department_id], "from_department_id": f.from_department_id,
            "due_on": f.due_on, "due_source": f.due_source,
            "due_provisional": f.due_provisional,
            "description": f.description, "case_number": f.case_number,
            "authority": f.authority, "recheck_visit_id": f.recheck_visit_id,
            "decline_reason": f.decline_reason, "outcome": f.outcome, "resolved": f.resolved,
            "owner_user_id": f.owner_user_id,
            "created_at": f.created_at, "decided_at": f.decided_at, "closed_at": f.closed_at,
            "overdue": f.state in FOLLOW_UP_OPEN and f.due_on < clock.today()}
