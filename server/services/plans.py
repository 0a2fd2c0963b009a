"""Annual plans (年度抽查计划) and their tasks (抽查任务).

A plan is drafted, then published as version 1. Any change to a published plan (a new
task) puts it in state ``amended``: its new tasks cannot be drawn until the plan is
republished as the next version with a filing reason (备案). Every version stays
readable. Publishing commits each new task's draw seed: the seed is generated then and
only its SHA-256 is published, so nobody can choose a seed after seeing the registry.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.states import PlanState
from server import clock
from server.models import Company, Department, InspectionItemVersion, Plan, PlanVersion, Task, TaskItem
from server.services import audit
from server.services.actors import Actor
from server.services.draw_algorithm import CLASSES, percent_to_bp, seed_commitment
from server.services.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from server.services.listing import paginate
from server.services.registry import active_department_or_raise, get_by_id, get_or_404

SCOPE_KEYS = ("regions", "industries", "subject_types", "tags", "credit_classes")


# --- plans ---------------------------------------------------------------------------------
def get_plan_or_raise(session: Session, actor: Actor, plan_id: int) -> Plan:
    plan = get_or_404(session, Plan, plan_id, "plan")
    actor.check_department_read(plan.department_id, "plan")
    return plan


def create_plan(session: Session, actor: Actor, data: dict) -> Plan:
    actor.require_role("admin", "supervisor")
    active_department_or_raise(session, data["department_id"])
    actor.check_department_write(data["department_id"], "department")
    if session.scalar(select(Plan.id).where(Plan.department_id == data["department_id"],
                                            Plan.year == data["year"])):
        raise Conflict("The department already has a plan for that year.", code="duplicate",
                       errors={"year": ["a plan for this year exists"]})
    plan = Plan(state=PlanState.DRAFT, version=0, **data)
    session.add(plan)
    session.flush()
    audit.record(session, actor, "plan.create", "plan", plan.id,
                 after={"department_id": plan.department_id, "year": plan.year,
                        "title": plan.title})
    return plan


def list_plans(session: Session, actor: Actor, *, department_id=None, year=None, state=None,
               page=1, page_size=50, sort=None):
    stmt = select(Plan)
    scope = actor.department_scope()
    if scope is not None:
        stmt = stmt.where(Plan.department_id == scope)
    if department_id:
        stmt = stmt.where(Plan.department_id == department_id)
    if year:
        stmt = stmt.where(Plan.year == year)
    if state:
        stmt = stmt.where(Plan.state == state)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"year": Plan.year, "id": Plan.id}, default_sort="-year",
                    tiebreak=Plan.id)


def task_summary(task: Task) -> dict:
    """What a published plan version says about a task (public)."""
    return audit.jsonable({
        "id": task.id, "name": task.name, "kind": task.kind,
        "lead_department_id": task.lead_department_id,
        "departments": [d.id for d in task.departments], "joint_mode": task.joint_mode,
        "item_versions": sorted(i.item_version_id for i in task.items),
        "scope": task.scope, "ratios": task.ratios, "fixed_count": task.fixed_count,
        "window_start": task.window_start, "window_end": task.window_end,
        "result_deadline": task.result_deadline, "seed_hash": task.seed_hash,
        "case_reason": task.case_reason,
    })


def publish_plan(session: Session, actor: Actor, plan_id: int, *, filing_reason: str | None,
                 now: dt.datetime | None = None,
                 new_seed: Callable[[Task], bytes] | None = None) -> Plan:
    """Publish (v1) or republish (v2+, with a filing reason) a plan.

    ``new_seed`` only for the reproducible demo data set (``server.demo.activity``): a
    real plan's seeds are fresh random bytes nobody can know before publication."""
    plan = get_plan_or_raise(session, actor, plan_id)
    actor.check_department_write(plan.department_id, "plan")
    if plan.state == PlanState.PUBLISHED:
        raise Conflict("The plan is published and unchanged since.", code="nothing_to_publish")
    if not plan.tasks:
        raise RuleViolation("A plan without tasks cannot be published.", code="empty_plan")
    if plan.state == PlanState.AMENDED and not filing_reason:
        raise RuleViolation("A published plan was changed: republishing needs a filing "
                            "reason (备案).", code="filing_required",
                            errors={"filing_reason": ["required to republish a changed plan"]})
    plan.version += 1
    for task in plan.tasks:
        if task.seed is None:
            task.seed = new_seed(task) if new_seed else secrets.token_bytes(32)
            task.seed_hash = seed_commitment(task.seed)
            task.published_in_version = plan.version
    content = {"title": plan.title, "year": plan.year, "department_id": plan.department_id,
               "tasks": [task_summary(t) for t in plan.tasks]}
    session.add(PlanVersion(plan_id=plan.id, version=plan.version, published_at=now or clock.now(),
                            published_by=actor.user_id,
                            filing_reason=filing_reason if plan.version > 1 else None,
                            content=content))
    plan.state = PlanState.PUBLISHED
    session.flush()
    audit.record(session, actor, "plan.publish", "plan", plan.id,
                 after={"version": plan.version, "filing_reason": filing_reason,
                        "tasks": [t.id for t in plan.tasks]})
    return plan


# --- tasks ---------------------------------------------------------------------------------
def participates(actor: Actor, task: Task) -> bool:
    if actor.reads_everything:
        return True
    return actor.department_id in {d.id for d in task.departments}


def get_task_or_raise(session: Session, actor: Actor, task_id: int) -> Task:
    """Admins and coordinators see every task; others only those their department is in."""
    task = get_or_404(session, Task, task_id, "task")
    if not participates(actor, task):
        raise NotFound("No such task.")
    return task


def check_task_write(actor: Actor, task: Task) -> None:
    """The lead department's supervisors and admins run a task; coordinators joint ones."""
    if actor.role == "admin":
        return
    if actor.role == "coordinator" and len(task.departments) > 1:
        return
    if actor.role == "supervisor" and actor.department_id == task.lead_department_id:
        return
    raise Forbidden("Only the lead department (or, for joint tasks, the coordinator) may "
                    "change or draw this task.")


def _ratios(session: Session, data: dict, lead: Department, versions) -> dict | None:
    ratios = data.get("ratios")
    if data.get("fixed_count") is not None:
        if ratios:
            raise InvalidInput("Give ratios or a fixed count, not both.",
                               errors={"fixed_count": ["not with ratios"]})
        return None
    if ratios is None:
        ratios = lead.default_ratios
    if not ratios:
        raise InvalidInput("The task needs sampling ratios per credit-risk class or a fixed "
                           "count (the department has no defaults).",
                           errors={"ratios": ["required"]})
    caps = [v.ratio_cap for v in versions if v.item_class == "general"]
    if caps:
        cap = min(caps)
        over = {k: r for k, r in ratios.items() if r > cap}
        if over:
            raise RuleViolation(
                f"A general item (一般检查事项) caps the ratio at {cap}%.", code="ratio_over_cap",
                errors={"ratios": [f"{k}: {r}% is over the cap of {cap}%" for k, r in
                                   sorted(over.items())]})
    return {k: ratios[k] for k in CLASSES if k in ratios}


def _versions(session: Session, ids: list[int]) -> list[InspectionItemVersion]:
    found = {v.id: v for v in session.scalars(
        select(InspectionItemVersion).where(InspectionItemVersion.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput("Unknown item versions.",
                           errors={"item_versions": [f"no item version {i}" for i in missing]})
    return [found[i] for i in ids]


def create_task(session: Session, actor: Actor, plan_id: int, data: dict) -> Task:
    plan = get_plan_or_raise(session, actor, plan_id)
    actor.require_role("admin", "supervisor")
    actor.check_department_write(plan.department_id, "plan")
    data = dict(data)
    lead = active_department_or_raise(session, plan.department_id)
    dept_ids = list(dict.fromkeys([lead.id, *data.pop("department_ids", [])]))
    departments = [active_department_or_raise(session, d, "department_ids") for d in dept_ids]
    joint = len(departments) > 1
    if joint and not data.get("joint_mode"):
        raise InvalidInput("A joint task names its mode.",
                           errors={"joint_mode": ["required when 2+ departments take part"]})
    if not joint and data.get("joint_mode"):
        raise InvalidInput("Only joint tasks have a joint mode.",
                           errors={"joint_mode": ["needs 2+ departments"]})
    versions = _versions(session, data.pop("item_versions"))
    outsiders = [v.id for v in versions if v.item.department_id not in dept_ids]
    if outsiders:
        raise RuleViolation("Items of a department that does not take part.",
                            code="item_not_participating",
                            errors={"item_versions": [f"item version {i} belongs to a "
                                                      "department not in the task"
                                                      for i in outsiders]})
    without = [d.id for d in departments if d.id not in {v.item.department_id for v in versions}]
    if without:
        raise RuleViolation("Each participating department checks at least one of its items.",
                            code="department_without_items",
                            errors={"department_ids": [f"department {d} has no item in the task"
                                                       for d in without]})
    kind = data.get("kind", "random")
    if kind == "individual":
        company = get_by_id(session, Company, data.get("company_id") or 0)
        if company is None or not data.get("case_reason"):
            raise InvalidInput("An individual case (个案) names the company and the reason.",
                               errors={"company_id": ["required for individual cases"],
                                       "case_reason": ["required for individual cases"]})
        data["ratios"], data["fixed_count"], data["scope"] = None, None, {}
    else:
        if data.get("company_id") or data.get("case_reason"):
            raise InvalidInput("Only individual cases name a company.",
                               errors={"company_id": ["only for kind=individual"]})
        scope = {k: v for k, v in (data.get("scope") or {}).items() if v}
        if not scope:
            raise RuleViolation("The scope is empty: name regions, industries, subject types, "
                                "tags or credit classes.", code="empty_scope",
                                errors={"scope": ["at least one criterion"]})
        data["scope"] = scope
        data["ratios"] = _ratios(session, data, lead, versions)
    if data["window_start"].year != plan.year:
        raise InvalidInput("The visit window starts outside the plan's year.",
                           errors={"window_start": [f"must be in {plan.year}"]})
    if data["window_end"] < data["window_start"]:
        raise InvalidInput("The window ends before it starts.",
                           errors={"window_end": ["before window_start"]})
    if data["result_deadline"] < data["window_end"]:
        raise InvalidInput("Results are due after the window ends.",
                           errors={"result_deadline": ["before window_end"]})
    task = Task(plan_id=plan.id, lead_department_id=lead.id, created_by=actor.user_id, **data)
    task.departments = departments
    task.items = [TaskItem(item_version_id=v.id, item_id=v.item_id,
                           department_id=v.item.department_id) for v in versions]
    session.add(task)
    if plan.state == PlanState.PUBLISHED:
        plan.state = PlanState.AMENDED
    session.flush()
    audit.record(session, actor, "task.create", "task", task.id, after=task_summary(task))
    return task


def list_tasks(session: Session, actor: Actor, *, plan_id=None, department_id=None, kind=None,
               page=1, page_size=50, sort=None):
    from server.models import task_departments

    stmt = select(Task)
    if not actor.reads_everything:
        stmt = stmt.where(Task.id.in_(select(task_departments.c.task_id).where(
            task_departments.c.department_id == actor.department_id)))
    if plan_id:
        stmt = stmt.where(Task.plan_id == plan_id)
    if department_id:
        stmt = stmt.where(Task.id.in_(select(task_departments.c.task_id).where(
            task_departments.c.department_id == department_id)))
    if kind:
        stmt = stmt.where(Task.kind == kind)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"id": Task.id, "window_start": Task.window_start},
                    default_sort="-id", tiebreak=Task.id)


def ratios_bp(task: Task) -> dict[str, int] | None:
    return None if task.ratios is None else {k: percent_to_bp(v) for k, v in task.ratios.items()}
