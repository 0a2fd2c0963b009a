"""What the public may read (一公开): published plans and their versions, published tasks,
and draws with their inputs' hashes and, once the window has started, the seed.
Never inspectors' ID numbers or phones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Draw, Plan, PlanVersion, Task
from server.services import draws
from server.services.errors import NotFound
from server.services.listing import paginate
from server.services.registry import get_by_id


def list_plans(session: Session, *, department_id=None, year=None, page=1, page_size=50):
    stmt = select(Plan).where(Plan.version > 0)
    if department_id:
        stmt = stmt.where(Plan.department_id == department_id)
    if year:
        stmt = stmt.where(Plan.year == year)
    return paginate(session, stmt, page=page, page_size=page_size, sort=None,
                    sortable={"year": Plan.year}, default_sort="-year", tiebreak=Plan.id)


def plan_versions(session: Session, plan_id: int) -> list[PlanVersion]:
    plan = get_by_id(session, Plan, plan_id)
    if plan is None or plan.version == 0:
        raise NotFound("No such published plan.")
    return plan.versions


def task(session: Session, task_id: int) -> Task:
    found = get_by_id(session, Task, task_id)
    if found is None or found.published_in_version is None:
        raise NotFound("No such published task.")
    return found


def task_draws(session: Session, task_id: int) -> list[dict]:
    task(session, task_id)
    return [{"id": d.id, "number": d.number, "reason": d.reason, "current": d.current,
             "created_at": d.created_at}
            for d in session.scalars(select(Draw).where(Draw.task_id == task_id).order_by(Draw.number))]


def draw(session: Session, draw_id: int) -> Draw:
    found = get_by_id(session, Draw, draw_id)
    if found is None:
        raise NotFound("No such draw.")
    return found


# What the public does not see of a draw before its visit window opens.
HIDDEN_BEFORE_WINDOW = ("companies", "teams", "overlapping_visits", "inspector_substitutions")


def describe_draw(session: Session, draw_id: int, *, now: dt.datetime) -> dict:
    """A draw as the public sees it. Before the visit window opens: the task, the counts per
    stratum, the seed commitment and the eligible set's hash (anyone can check the inputs
    were fixed), but not which companies were drawn nor who goes: a company told in advance
    could prepare for the visit. From ``window_start`` (in China) everything, with the seed
    to re-run the draw."""
    found = draw(session, draw_id)
    described = draws.describe(session, found, now=now)
    task = session.get(Task, found.task_id)
    described["details_from"] = task.window_start
    if not described["seed_revealed"]:
        described.update(dict.fromkeys(HIDDEN_BEFORE_WINDOW))
    return described
