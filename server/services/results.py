"""Results of visits (检查结果): made when the team submits, reviewed by a supervisor of
the task's lead department, then published (一公开).

The team enters results offline like any other evidence (``set_result`` ops: one per
item, one for the company as a whole); an item without its own result takes the
company's. A returned result reopens the visit on the phones (the state change reaches
them through pull); the team fixes it and submits again, which updates the same result.
Late entry (after the task's result deadline) is allowed and recorded as ``late``.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from schemas.states import ResultState, VisitState
from server import clock
from server.models import (
    Company,
    InspectionItemVersion,
    Result,
    ResultCategory,
    ResultItem,
    Task,
    Visit,
    VisitEntry,
)
from server.services import audit, changes, deadlines, departments, visits, workdays
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput
from server.services.listing import paginate
from server.services.registry import get_or_404
from sync.merge import FieldState
from sync.ops import RegisterKey


# --- categories (抽查结果类型) ---------------------------------------------------------------------
def categories(session: Session, *, include_inactive: bool = False) -> list[ResultCategory]:
    stmt = select(ResultCategory).order_by(ResultCategory.position, ResultCategory.code)
    if not include_inactive:
        stmt = stmt.where(ResultCategory.active.is_(True))
    return list(session.scalars(stmt))


def put_category(session: Session, actor: Actor, code: str, *, name: str, problem: bool,
                 needs_follow_up: bool, position: int | None = None, active: bool = True,
                 now: dt.datetime | None = None) -> ResultCategory:
    """Add or change a category (admins). Results keep the ``problem`` flag they were
    entered with, so a later change does not rewrite past reports."""
    actor.require_role("admin")
    if re.fullmatch(r"[a-z0-9_]{1,40}", code) is None:
        raise InvalidInput("A category code is lower-case letters, digits and _.",
                           errors={"code": ["[a-z0-9_]{1,40}"]})
    category = session.get(ResultCategory, code)
    before = None
    if category is None:
        last = max((c.position for c in categories(session, include_inactive=True)), default=0)
        category = ResultCategory(code=code, position=last + 1)
        session.add(category)
    else:
        before = {"name": category.name, "problem": category.problem,
                  "needs_follow_up": category.needs_follow_up, "active": category.active}
    category.name, category.problem, category.needs_follow_up = name, problem, needs_follow_up
    category.active = active
    if position is not None:
        category.position = position
    session.flush()
    audit.record(session, actor, "result_category.put", "result_category", code, before=before,
                 after={"name": name, "problem": problem, "needs_follow_up": needs_follow_up,
                        "active": active}, now=now)
    return category


# --- submission ------------------------------------------------------------------------------------
def on_submit(session: Session, actor: Actor, visit: Visit, states: dict[str, FieldState], *,
              now: dt.datetime) -> Result:
    """The result of a visit being submitted, from its result registers (``r:-`` for
    the company, ``r:<item version>`` per item). A resubmission after a return updates
    the same result but keeps its first submission's date (when the check ended: what
    the public sees and the publication deadline counts from) and its lateness, so a
    review taking its time makes nothing late. The company counts as having a problem
    (发现问题) when its result or any item's says so."""
    flags = {c.code: c.problem for c in categories(session, include_inactive=True)}
    company_category = states[str(RegisterKey.result())].value
    result = session.scalar(select(Result).where(Result.visit_id == visit.id))
    if result is None:
        checked_on = clock.china_date(now)
        result = Result(visit_id=visit.id, task_id=visit.task_id, company_id=visit.company_id,
                        checked_on=checked_on)
        deadlines.set_entry_due(session, result, session.get(Task, visit.task_id), visit)
        result.late = checked_on > result.entry_due
        session.add(result)
    result.category_code, result.state = company_category, ResultState.SUBMITTED
    result.submitted_at, result.submitted_by = now, actor.user_id
    result.items = []
    session.flush()
    for link in sorted(visit.items, key=lambda i: i.item_version_id):
        own = states.get(str(RegisterKey.result(link.item_version_id)))
        code = own.value if own is not None and own.value is not None else company_category
        result.items.append(ResultItem(item_version_id=link.item_version_id,
                                       item_id=link.item_id, department_id=link.department_id,
                                       category_code=code, problem=flags[code]))
    result.problem = flags[company_category] or any(i.problem for i in result.items)
    session.flush()
    audit.record(session, actor, "result.submit", "result", result.id, after={
        "visit_id": visit.id, "category": company_category, "late": result.late,
        "items": {str(i.item_version_id): i.category_code for i in result.items}}, now=now)
    return result


# --- reading -------------------------------------------------------------------------------------
def get_or_raise(session: Session, actor: Actor, result_id: int) -> Result:
    """Seen by whoever sees its visit (``visits.get_or_raise``): the team, supervisors of
    the departments whose items it holds, coordinators and admins."""
    result = get_or_404(session, Result, result_id, "result")
    visits.get_or_raise(session, actor, result.visit_id)
    return result


def list_results(session: Session, actor: Actor, *, state=None, task_id=None, company_id=None,
                 late=None, published=None, page=1, page_size=50, sort=None):
    stmt = visits.in_scope(select(Result), actor, Result.visit_id)
    for column, value in ((Result.state, state), (Result.task_id, task_id),
                          (Result.company_id, company_id), (Result.late, late)):
        if value is not None:
            stmt = stmt.where(column == value)
    if published is not None:
        stmt = stmt.where(Result.published_at.is_not(None) if published
                          else Result.published_at.is_(None))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"submitted_at": Result.submitted_at,
                              "publication_due": Result.publication_due},
                    default_sort="-submitted_at", tiebreak=Result.id)


class _Names:
    """The names a page of results needs, each loaded once for the page (not per row)."""

    def __init__(self, session: Session, rows: list[Result]):
        self.categories = {c.code: c.name for c in categories(session, include_inactive=True)}
        self.companies = {c.id: c for c in session.scalars(select(Company).where(
            Company.id.in_({r.company_id for r in rows})))}
        self.tasks = {t.id: t for t in session.scalars(select(Task).where(
            Task.id.in_({r.task_id for r in rows})))}
        self.items = dict(session.execute(select(
            InspectionItemVersion.id, InspectionItemVersion.name).where(
            InspectionItemVersion.id.in_({i.item_version_id for r in rows for i in r.items}))).all())
        self.departments = departments.names(session)


def views(session: Session, rows: list[Result]) -> list[dict]:
    """Results with the names a reader needs (categories, items, company, task)."""
    n = _Names(session, rows)
    return [{
        "id": r.id, "visit_id": r.visit_id, "task_id": r.task_id,
        "task_name": n.tasks[r.task_id].name, "company_id": r.company_id,
        "company_name": n.companies[r.company_id].name,
        "credit_code": n.companies[r.company_id].credit_code, "category": r.category_code,
        "category_name": n.categories[r.category_code], "problem": r.problem,
        "state": r.state, "checked_on": r.checked_on,
        "submitted_at": r.submitted_at, "entry_due": r.entry_due,
        "entry_due_source": r.entry_due_source,
        "entry_due_provisional": r.entry_due_provisional, "late": r.late,
        "reviewed_at": r.reviewed_at, "return_reason": r.return_reason,
        "returns": r.returns, "approved_at": r.approved_at,
        "publication_due": r.publication_due,
        "publication_due_source": r.publication_due_source,
        "publication_due_provisional": r.publication_due_provisional,
        "published_at": r.published_at,
        "record_sha256": r.record_sha256,
        "items": [{"item_version_id": i.item_version_id, "item_id": i.item_id,
                   "item_name": n.items[i.item_version_id],
                   "department_id": i.department_id, "category": i.category_code,
                   "category_name": n.categories[i.category_code], "problem": i.problem}
                  for i in r.items],
    } for r in rows]


def view(session: Session, result: Result) -> dict:
    return views(session, [result])[0]


# --- review (审核) and publication (公示) ---------------------------------------------------------
def _review_target(session: Session, actor: Actor, result_id: int) -> tuple[Result, Task]:
    result = get_or_raise(session, actor, result_id)
    task = session.get(Task, result.task_id)
    actor.check_department_write(task.lead_department_id, "result")
    if result.state != ResultState.SUBMITTED:
        raise Conflict(f"The result is {result.state}, not awaiting review.",
                       code="result_not_submitted")
    return result, task


def approve(session: Session, actor: Actor, result_id: int, *, auto_publish: bool = False,
            now: dt.datetime | None = None) -> Result:
    """Approve: the visit closes and the publication deadline starts to run (working
    days after the check ended). With ``auto_publish`` it is published at once."""
    now = now or clock.now()
    result, _ = _review_target(session, actor, result_id)
    deadlines.set_publication_due(session, result)
    result.state, result.reviewed_by, result.reviewed_at = ResultState.APPROVED, actor.user_id, now
    result.approved_at = now
    visit = session.get(Visit, result.visit_id)
    visit.state = VisitState.CLOSED
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "result.approve", "result", result.id,
                 after={"publication_due": result.publication_due,
                        "source": result.publication_due_source}, now=now)
    if auto_publish:
        publish(session, actor, result.id, now=now)
    return result


def return_(session: Session, actor: Actor, result_id: int, *, reason: str,
            now: dt.datetime | None = None) -> Result:
    """Return to the team with a reason: the visit reopens (entered again if it was
    entered) and the phones learn it at their next pull."""
    now = now or clock.now()
    result, _ = _review_target(session, actor, result_id)
    result.state, result.reviewed_by, result.reviewed_at = ResultState.RETURNED, actor.user_id, now
    result.return_reason, result.returns = reason, result.returns + 1
    visit = session.get(Visit, result.visit_id)
    entered = session.scalar(select(exists().where(VisitEntry.visit_id == visit.id)))
    visit.state = VisitState.ENTERED if entered else VisitState.ISSUED
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "result.return", "result", result.id,
                 after={"reason": reason, "visit_state": visit.state}, now=now)
    return result


def publish(session: Session, actor: Actor, result_id: int,
            now: dt.datetime | None = None) -> Result:
    """Make an approved result public: an explicit, audited step."""
    now = now or clock.now()
    result = get_or_raise(session, actor, result_id)
    task = session.get(Task, result.task_id)
    actor.check_department_write(task.lead_department_id, "result")
    if result.state != ResultState.APPROVED:
        raise Conflict("Only an approved result can be published.", code="result_not_approved")
    if result.published_at is not None:
        raise Conflict("The result is already published.", code="already_published")
    result.published_at, result.published_by = now, actor.user_id
    session.flush()
    audit.record(session, actor, "result.publish", "result", result.id,
                 after={"published_at": now, "due": result.publication_due}, now=now)
    return result


def publications_due(session: Session, actor: Actor, *, within: int = 5,
                     today: dt.date | None = None) -> list[dict]:
    """Approved results not yet public whose deadline is at most ``within`` working days
    away, or already missed: what the dashboard warns about."""
    actor.require_role("admin", "coordinator", "supervisor")
    today = today or clock.today()
    stmt = visits.in_scope(select(Result).where(
        *deadlines.OPEN_PUBLICATION, Result.publication_due.is_not(None)), actor,
        Result.visit_id)
    out = []
    # By due date: stop at the first one further away than ``within`` (no horizon date to
    # compute: counting working days forward from today is the walk this loop already does).
    for result in session.scalars(stmt.order_by(Result.publication_due, Result.id)):
        left = workdays.working_days_between(session, today, result.publication_due) \
            if result.publication_due > today else 0
        if left > within:
            break
        company = session.get(Company, result.company_id)
        out.append({"result_id": result.id, "company_name": company.name,
                    "credit_code": company.credit_code, "task_id": result.task_id,
                    "publication_due": result.publication_due,
                    "publication_due_source": result.publication_due_source,
                    "publication_due_provisional": result.publication_due_provisional,
                    "overdue": result.publication_due < today, "working_days_left": left})
    return out


# --- what the public sees (一公开) -----------------------------------------------------------------
def public_results(session: Session, *, task_id: int | None = None,
                   credit_code: str | None = None, page: int = 1, page_size: int = 50,
                   sort: str | None = None):
    """Published results only: company, task, departments, items checked, category and
    date. Never inspectors, notes, photos or anything personal."""
    if task_id is None and credit_code is None:
        raise InvalidInput("Name a task or a company.", errors={"task_id": ["or credit_code"]})
    stmt = select(Result).where(Result.published_at.is_not(None))
    if task_id is not None:
        stmt = stmt.where(Result.task_id == task_id)
    if credit_code is not None:
        # A code not in the registry reads as a company with nothing published: the
        # answer does not tell whether a company is registered.
        stmt = stmt.where(Result.company_id.in_(
            select(Company.id).where(Company.credit_code == credit_code)))
    found = paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                     sortable={"published_at": Result.published_at,
                               "checked_on": Result.checked_on},
                     default_sort="-published_at", tiebreak=Result.id)
    found.items = public_views(session, found.items)
    return found


def public_views(session: Session, rows: list[Result]) -> list[dict]:
    n = _Names(session, rows)
    return [{
        "company_name": n.companies[r.company_id].name,
        "credit_code": n.companies[r.company_id].credit_code,
        "task_id": r.task_id, "task_name": n.tasks[r.task_id].name,
        "departments": sorted({n.departments[i.department_id] for i in r.items}),
        "items": [{"name": n.items[i.item_version_id],
                   "department": n.departments[i.department_id],
                   "category_name": n.categories[i.category_code]} for i in r.items],
        "category": r.category_code, "category_name": n.categories[r.category_code],
        "checked_on": r.checked_on, "published_at": r.published_at,
    } for r in rows]
