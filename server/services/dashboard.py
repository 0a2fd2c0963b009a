"""What the supervisor dashboard (监管工作台) shows, put together from the services that
compute each part: field progress (``visits.progress``), results awaiting review
(``results.list_results``), follow-ups overdue and the department's queue
(``follow_ups``), publications due (``results.publications_due``), the year's
monthly report figures (``reports.monthly``) and, from 1 November, whether next year's
holiday notice is still missing (``calendar_notices.missing_notice``). A deadline counted
over days of a year without its notice is shown as provisional (预计).

Nothing is counted here that a service already counts (totals over the progress rows are
sums of its per-task rows, each visit being in exactly one task), so the page and the
API never disagree. Lists are capped at ``LIST_LIMIT`` rows with their full count shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from sqlalchemy.orm import Session

from schemas.states import FollowUpState, ResultState, VisitState
from server import clock
from server.models import Company
from server.models.plans import VISIT_STATES
from server.services import calendar_notices, departments, follow_ups, reports, results, visits
from server.services.actors import Actor

LIST_LIMIT = 50
PUBLICATION_WARNING_DAYS = 5  # working days before the deadline a result shows as due
ROLES = ("admin", "coordinator", "supervisor")
CALENDAR_WARNED = ("admin", "supervisor")  # who enters the notice, whose deadlines it moves


def view_actor(actor: Actor, department_id: int | None) -> Actor:
    """Whom the services are asked as. A coordinator or admin who narrows the page to one
    department sees exactly what that department's supervisor sees: the services scope
    by the actor, so they are asked as that supervisor would be. Only ever used to read."""
    if department_id is None or not actor.reads_everything:
        return actor
    return dataclasses.replace(actor, role="supervisor", department_id=department_id)


def overview(session: Session, actor: Actor, *, department_id: int | None = None,
             now: dt.datetime | None = None) -> dict:
    """The whole page's data. Supervisors always see their own department (``department_id``
    is theirs whatever is asked); coordinators and admins the region, or one department."""
    actor.require_role(*ROLES)
    now = now or clock.now()
    today = clock.china_date(now)
    if not actor.reads_everything:
        department_id = actor.department_id
    department = None if department_id is None else \
        departments.get_or_raise(session, actor, department_id)
    as_ = view_actor(actor, department_id)
    names = {d.id: d.name for d in departments.list_(session, actor, active=None,
                                                     page_size=10_000).items}
    progress = visits.progress(session, as_, now=now)
    return {
        "today": today,
        "department": None if department is None else
        {"id": department.id, "code": department.code, "name": department.name},
        "progress": _progress(progress),
        "overdue_visits": _overdue_visits(session, as_, progress, today),
        "review": _review(session, as_),
        "follow_ups": _follow_ups(session, as_, names, today),
        "publications": _publications(session, as_, today),
        "monthly": reports.monthly(session, as_, year=today.year, month=today.month,
                                   department_id=department_id),
        "calendar": calendar_notices.missing_notice(session, today)
        if actor.role in CALENDAR_WARNED else None,
    }


def _progress(progress: dict) -> dict:
    by_state = Counter()
    for task in progress["tasks"]:
        by_state.update(task["by_state"])
    return {
        "visits": progress["visits"],
        "by_state": {state: by_state.get(state, 0) for state in VISIT_STATES
                     if state != VisitState.MERGED},
        "entered_not_submitted": sum(t["entered_not_submitted"] for t in progress["tasks"]),
        "overdue": len(progress["overdue_visit_ids"]),
        "flagged_entries": sum(t["flagged_entries"] for t in progress["tasks"]),
        "tasks": progress["tasks"],
        "devices": progress["devices"],
    }


def _company_name(session: Session, company_id: int) -> str:
    return session.get(Company, company_id).name


def _overdue_visits(session: Session, actor: Actor, progress: dict, today: dt.date) -> dict:
    task_names = {t["task_id"]: t["name"] for t in progress["tasks"]}
    items = []
    for visit_id in progress["overdue_visit_ids"][:LIST_LIMIT]:
        visit = visits.get_or_raise(session, actor, visit_id)
        items.append({"visit_id": visit.id, "company_name": _company_name(session, visit.company_id),
                      "task_name": task_names.get(visit.task_id), "state": visit.state,
                      "window_end": visit.window_end,
                      "days_overdue": (today - visit.window_end).days})
    return {"total": len(progress["overdue_visit_ids"]), "rows": items}


def _review(session: Session, actor: Actor) -> dict:
    """Oldest first: what has waited longest is reviewed first."""
    waiting = results.list_results(session, actor, state=ResultState.SUBMITTED, page_size=LIST_LIMIT,
                                   sort="submitted_at")
    late = results.list_results(session, actor, state=ResultState.SUBMITTED, late=True, page_size=1)
    items = [{key: v[key] for key in ("id", "company_name", "credit_code", "task_name",
                                      "category_name", "problem", "submitted_at", "entry_due",
                                      "entry_due_provisional", "late")}
             for v in results.views(session, waiting.items)]
    return {"total": waiting.total, "late": late.total, "rows": items}


def _follow_up_row(session: Session, follow_up, names: dict, today: dt.date) -> dict:
    return {"id": follow_up.id, "result_id": follow_up.result_id, "kind": follow_up.kind,
            "state": follow_up.state,
            "company_name": _company_name(session, follow_up.company_id),
            "department": names.get(follow_up.department_id),
            "from_department": names.get(follow_up.from_department_id),
            "due_on": follow_up.due_on, "due_provisional": follow_up.due_provisional,
            "days_overdue": max((today - follow_up.due_on).days, 0)}


def _follow_ups(session: Session, actor: Actor, names: dict, today: dt.date) -> dict:
    """Overdue ones; the department's queue (incoming transfers to accept and its own
    open follow-ups), or across the region every transfer awaiting acceptance; and
    results whose category needs a follow-up that has none (未处置)."""
    overdue = follow_ups.list_follow_ups(session, actor, overdue=True, today=today)
    if actor.reads_everything:
        queue = follow_ups.list_follow_ups(session, actor, state=FollowUpState.PENDING_ACCEPTANCE)
    else:
        queue = follow_ups.list_follow_ups(session, actor, queue=True)
    without = follow_ups.results_without_follow_up(session, actor)
    return {
        "overdue": {"total": len(overdue),
                    "rows": [_follow_up_row(session, f, names, today) for f in overdue[:LIST_LIMIT]]},
        "queue": {"total": len(queue),
                  "incoming": sum(f.state == FollowUpState.PENDING_ACCEPTANCE for f in queue),
                  "rows": [_follow_up_row(session, f, names, today) for f in queue[:LIST_LIMIT]]},
        "without": {"total": len(without), "rows": without[:LIST_LIMIT]},
    }


def _publications(session: Session, actor: Actor, today: dt.date) -> dict:
    due = results.publications_due(session, actor, within=PUBLICATION_WARNING_DAYS, today=today)
    return {"total": len(due), "overdue": sum(d["overdue"] for d in due),
            "rows": due[:LIST_LIMIT]}
