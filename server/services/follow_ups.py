"""Follow-up of results with a problem (后续处置), until the loop is closed.

Opened by a supervisor of the result's lead department on an approved result with a
problem:
- ``rectify``: an order to rectify by a due date (责令改正), optionally with a re-check
  visit issued to the same team;
- ``transfer``: to the department with authority (移送); it lands in that department's
  queue and counts only once accepted; a decline (with a reason) sends it back;
- ``case``: a case filed (立案), with its case number;
- ``referral``: to the judicial authorities (移送司法机关), naming them.
Each has an owning department, a due date (working days by default) and a state; the
owner closes it with an outcome, which is written back on the result's view. Overdue
follow-ups and results without the follow-up their category needs are listed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, false, or_, select
from sqlalchemy.orm import Session

from schemas.states import (
    FOLLOW_UP_OPEN,
    FOLLOW_UP_OWNED,
    FollowUpState,
    LoopState,
    ResultState,
    VisitState,
)
from server import clock
from server.models import (
    Company,
    Department,
    FollowUp,
    Result,
    ResultCategory,
    Task,
    Visit,
    VisitItem,
    VisitMember,
)
from server.services import audit, changes, deadlines, results
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput, NotFound, RuleViolation
from server.services.registry import get_or_404

MAX_DUE_DAYS = 366


def open_follow_up(session: Session, actor: Actor, result_id: int, *, kind: str,
                   description: str, due_on: dt.date | None = None,
                   department_id: int | None = None, case_number: str | None = None,
                   authority: str | None = None, recheck: bool = False,
                   now: dt.datetime | None = None) -> FollowUp:
    now = now or clock.now()
    result = results.get_or_raise(session, actor, result_id)
    task = session.get(Task, result.task_id)
    actor.check_department_write(task.lead_department_id, "result")
    if result.state != ResultState.APPROVED:
        raise Conflict("Follow-up starts from an approved result.", code="result_not_approved")
    if not result.problem and not any(i.problem for i in result.items):
        raise RuleViolation("The result found no problem: there is nothing to follow up.",
                            code="no_problem")
    today = clock.china_date(now)
    due_on, due_days, due_source = deadlines.follow_up_due(session, today, due_on)
    if due_on < today:
        raise InvalidInput("The due date is in the past.", errors={"due_on": ["in the past"]})
    if due_on > today + dt.timedelta(days=MAX_DUE_DAYS):
        raise InvalidInput("A follow-up is due within a year.",
                           errors={"due_on": [f"at most {MAX_DUE_DAYS} days ahead"]})
    owner = task.lead_department_id
    if kind == "transfer":
        if department_id is None or department_id == owner:
            raise InvalidInput("A transfer names another department.",
                               errors={"department_id": ["another department is required"]})
        get_or_404(session, Department, department_id, "department")
    elif department_id is not None:
        raise InvalidInput("Only a transfer names a department.",
                           errors={"department_id": [f"not used by {kind}"]})
    if kind == "case" and not case_number:
        raise InvalidInput("A case needs its number.", errors={"case_number": ["required"]})
    if kind == "referral" and not authority:
        raise InvalidInput("Name the authority referred to.", errors={"authority": ["required"]})
    if recheck and kind != "rectify":
        raise InvalidInput("Only an order to rectify is re-checked.",
                           errors={"recheck": ["only for rectify"]})
    follow_up = FollowUp(
        result_id=result.id, company_id=result.company_id, kind=kind,
        state=FollowUpState.PENDING_ACCEPTANCE if kind == "transfer" else FollowUpState.OPEN,
        department_id=department_id if kind == "transfer" else owner,
        from_department_id=owner, due_on=due_on, due_days=due_days,
        due_source=due_source, description=description,
        case_number=case_number, authority=authority, created_by=actor.user_id, created_at=now,
        owner_user_id=None if kind == "transfer" else actor.user_id)
    session.add(follow_up)
    session.flush()
    if recheck:
        follow_up.recheck_visit_id = _recheck_visit(session, result, today, due_on, now).id
    audit.record(session, actor, "follow_up.open", "follow_up", follow_up.id, after={
        "result_id": result.id, "kind": kind, "department_id": follow_up.department_id,
        "due_on": due_on, "case_number": case_number, "authority": authority,
        "recheck_visit_id": follow_up.recheck_visit_id}, now=now)
    return follow_up


def _recheck_visit(session: Session, result: Result, today: dt.date, due_on: dt.date,
                   now: dt.datetime) -> Visit:
    """A re-check (复查) by the same team, for the same items, before the due date. It
    reaches the phones like any visit and does not count toward the yearly caps."""
    original = session.get(Visit, result.visit_id)
    visit = Visit(task_id=original.task_id, company_id=original.company_id, state=VisitState.ISSUED,
                  window_start=today, window_end=due_on, counts_for_caps=False)
    visit.items = [VisitItem(item_version_id=i.item_version_id, item_id=i.item_id,
                             department_id=i.department_id) for i in original.items]
    visit.members = [VisitMember(inspector_id=m.inspector_id, department_id=m.department_id)
                     for m in original.members]
    session.add(visit)
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    return visit


# --- who sees a follow-up: one rule, wherever follow-ups appear ---------------------------------
# A follow-up is seen by admins and coordinators, and by supervisors of its owning or its
# originating department; nobody else (not the inspection team, not another department
# on the visit). ``sees`` decides one, ``_scoped`` a query; the follow-up endpoints, a
# result's view (its follow-ups and loop) and the company record all go through them.
def sees(actor: Actor, follow_up: FollowUp) -> bool:
    return actor.reads_everything or (actor.role == "supervisor" and actor.department_id in (
        follow_up.department_id, follow_up.from_department_id))


def get_or_raise(session: Session, actor: Actor, follow_up_id: int) -> FollowUp:
    follow_up = get_or_404(session, FollowUp, follow_up_id, "follow-up")
    if sees(actor, follow_up):
        return follow_up
    raise NotFound("No such follow-up.")


def decide(session: Session, actor: Actor, follow_up_id: int, *, accept: bool,
           reason: str | None = None, now: dt.datetime | None = None) -> FollowUp:
    """The receiving department accepts a transfer (it becomes theirs) or declines it
    with a reason (the originating department must act again)."""
    now = now or clock.now()
    follow_up = get_or_raise(session, actor, follow_up_id)
    actor.check_department_write(follow_up.department_id, "follow-up")
    if follow_up.state != FollowUpState.PENDING_ACCEPTANCE:
        raise Conflict(f"The follow-up is {follow_up.state}.", code="follow_up_not_pending")
    if not accept and not reason:
        raise InvalidInput("Say why the transfer is declined.", errors={"reason": ["required"]})
    follow_up.state = FollowUpState.ACCEPTED if accept else FollowUpState.DECLINED
    follow_up.decided_by, follow_up.decided_at = actor.user_id, now
    if accept:
        follow_up.owner_user_id = actor.user_id  # the receiving department's owner
    follow_up.decline_reason = None if accept else reason
    session.flush()
    audit.record(session, actor, "follow_up.accept" if accept else "follow_up.decline",
                 "follow_up", follow_up.id, after={"reason": reason}, now=now)
    return follow_up


def close(session: Session, actor: Actor, follow_up_id: int, *, outcome: str, resolved: bool,
          case_number: str | None = None, now: dt.datetime | None = None) -> FollowUp:
    """The owner records the outcome (rectified or not, penalty decided, case number)."""
    now = now or clock.now()
    follow_up = get_or_raise(session, actor, follow_up_id)
    actor.check_department_write(follow_up.department_id, "follow-up")
    if follow_up.state not in FOLLOW_UP_OWNED:
        raise Conflict(f"The follow-up is {follow_up.state}.", code="follow_up_not_open")
    follow_up.state, follow_up.outcome, follow_up.resolved = FollowUpState.CLOSED, outcome, resolved
    if case_number:
        follow_up.case_number = case_number
    follow_up.closed_by, follow_up.closed_at = actor.user_id, now
    session.flush()
    audit.record(session, actor, "follow_up.close", "follow_up", follow_up.id,
                 after={"outcome": outcome, "resolved": resolved, "case_number": case_number},
                 now=now)
    return follow_up


def _scoped(stmt, actor: Actor):
    """The follow-ups ``sees`` lets the actor see, as a query."""
    if actor.reads_everything:
        return stmt
    if actor.role != "supervisor" or actor.department_id is None:
        return stmt.where(false())
    return stmt.where(or_(FollowUp.department_id == actor.department_id,
                          FollowUp.from_department_id == actor.department_id))


def list_follow_ups(session: Session, actor: Actor, *, state=None, queue: bool = False,
                    overdue: bool = False, company_id=None, result_id=None,
                    today: dt.date | None = None) -> list[FollowUp]:
    """``queue``: what the actor's department must act on (incoming transfers and its
    own open follow-ups); ``overdue``: past the due date and not closed."""
    actor.require_role("admin", "coordinator", "supervisor")
    stmt = _scoped(select(FollowUp), actor)
    if queue:
        stmt = stmt.where(FollowUp.department_id == actor.department_id,
                          FollowUp.state.in_(FOLLOW_UP_OPEN))
    if overdue:
        stmt = stmt.where(FollowUp.state.in_(FOLLOW_UP_OPEN),
                          FollowUp.due_on < (today or clock.today()))
    for column, value in ((FollowUp.state, state), (FollowUp.company_id, company_id),
                          (FollowUp.result_id, result_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return list(session.scalars(stmt.order_by(FollowUp.due_on, FollowUp.id)))


def list_for_result(session: Session, actor: Actor, result_id: int) -> list[FollowUp]:
    """The follow-ups of a result the actor sees, those the actor may see."""
    return list(session.scalars(_scoped(select(FollowUp), actor)
                                .where(FollowUp.result_id == result_id)
                                .order_by(FollowUp.created_at, FollowUp.id)))


def list_for_company(session: Session, actor: Actor, company_id: int) -> list[FollowUp]:
    """A company's follow-ups, those the actor may see."""
    return list(session.scalars(_scoped(select(FollowUp), actor)
                                .where(FollowUp.company_id == company_id)
                                .order_by(FollowUp.created_at, FollowUp.id)))


def results_without_follow_up(session: Session, actor: Actor) -> list[dict]:
    """Approved results whose category needs follow-up and that have none under way or
    done (a declined transfer does not count): a failure to track (未处置)."""
    actor.require_role("admin", "coordinator", "supervisor")
    stmt = (select(Result.id, Result.category_code, Result.approved_at, Company.id.label("cid"),
                   Company.name, Company.credit_code)
            .join(ResultCategory, ResultCategory.code == Result.category_code)
            .join(Company, Company.id == Result.company_id)
            .where(Result.state == ResultState.APPROVED, ResultCategory.needs_follow_up.is_(True),
                   ~exists().where(FollowUp.result_id == Result.id,
                                   FollowUp.state != FollowUpState.DECLINED)))
    if not actor.reads_everything:
        stmt = stmt.where(exists().where(Task.id == Result.task_id,
                                         Task.lead_department_id == actor.department_id))
    return [{"result_id": r.id, "company_id": r.cid, "company_name": r.name,
             "credit_code": r.credit_code, "category": r.category_code,
             "approved_at": r.approved_at}
            for r in session.execute(stmt.order_by(Result.approved_at, Result.id))]


def loop_state(follow_ups: list[FollowUp]) -> LoopState:
    """The closed loop (闭环) of one result: none, open, or closed (every follow-up
    closed or declined, at least one closed). Given the follow-ups the reader sees
    (``list_for_result``, ``list_for_company``), it tells no more than they do."""
    live = [f for f in follow_ups if f.state != FollowUpState.DECLINED]
    if not live:
        return LoopState.NONE
    if all(f.state == FollowUpState.CLOSED for f in live):
        return LoopState.CLOSED
    return LoopState.OPEN
