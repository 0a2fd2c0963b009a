"""The company's side of a visit code (扫码核验): who is coming, on what legal basis; and,
afterwards, its rating of the visit and any request that an inspector step aside (回避).

The company proves itself by its unified social credit code. A code whose visit was
cancelled or merged, or whose team or window has changed since it was signed, is no
longer valid: the page then says so rather than show stale names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.codes import normalize_code
from schemas.errors import ErrorCode
from schemas.states import (
    VISIT_FINISHED,
    VISIT_OPEN,
    VISIT_RATEABLE,
    VISIT_VOID,
    RecusalState,
    VisitPhase,
    VisitState,
)
from server import clock
from server.iso_text import iso_text
from server.models import (
    Company,
    Department,
    InspectionItemVersion,
    Inspector,
    RecusalRequest,
    Task,
    Visit,
    VisitRating,
)
from server.services import audit, departments
from server.services.actors import Actor
from server.services.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    RuleViolation,
    TooManyAttempts,
)
from server.services.visits import team
from sync.tokens import TokenError, verify

STATE_LABELS = {VisitState.ISSUED: "待检查", VisitState.ENTERED: "检查中",
                VisitState.SUBMITTED: "已提交检查结果", VisitState.CLOSED: "已办结"}
MAX_RECUSALS_PER_VISIT = 5  # however they were decided: a page open to anyone is no inbox
PAGE_DAYS = 90  # how long after a visit ends its company reaches the page (a setting)


class InvalidCode(DomainError):
    status = 400  # where a code is looked up; an entry scan refuses it with 422
    code = ErrorCode.INVALID_CODE


class ExpiredCode(InvalidCode):
    """A genuine code whose visit ended too long ago for its page to stay reachable."""

    status = 410
    code = ErrorCode.CODE_EXPIRED


def reachable_until(session: Session, visit: Visit, days: int = PAGE_DAYS) -> dt.date:
    """The last day the company reaches the visit's page and record: ``days`` after the
    visit ended (its window's end, or the check itself when it came later)."""
    from server.models import Result

    checked = session.scalar(select(Result.checked_on).where(Result.visit_id == visit.id))
    ended = max(visit.window_end, checked) if checked else visit.window_end
    return ended + dt.timedelta(days=days)


def resolve(session: Session, token: str, public_keys: dict[str, bytes], *,
            today: dt.date | None = None, days: int = PAGE_DAYS) -> Visit:
    """The visit a code names, while its company may still reach it: a forged code, a
    cancelled, merged or changed visit, or one ended more than ``days`` ago is refused.
    The page holds the team's names and the record the legal representative's and the
    findings, so it does not stay on the open internet for ever."""
    visit = _resolve(session, token, public_keys)
    if (today or clock.today()) > reachable_until(session, visit, days):
        raise ExpiredCode(f"this visit ended more than {days} days ago")
    return visit


def _resolve(session: Session, token: str, public_keys: dict[str, bytes]) -> Visit:
    try:
        payload = verify(token, public_keys, kind="v")
    except TokenError as exc:
        raise InvalidCode(exc.message, code=exc.code) from None
    visit = session.get(Visit, payload.get("v")) if isinstance(payload.get("v"), int) else None
    if visit is None:
        raise InvalidCode("this visit was cancelled or merged", code="code_revoked")
    # A genuine code of a void or changed visit: the page names whom to ask, the task's
    # lead department, rather than a department in general.
    lead = session.get(Department, session.get(Task, visit.task_id).lead_department_id)
    issuer = {"department": lead.name, "phone": lead.phone}
    if visit.state in VISIT_VOID:
        raise InvalidCode("this visit was cancelled or merged", code="code_revoked",
                          issuer=issuer)
    current = {"c": visit.company_id, "s": iso_text(visit.window_start),
               "e": iso_text(visit.window_end),
               "m": sorted(m.inspector_id for m in visit.members)}
    if any(payload.get(k) != v for k, v in current.items()):
        raise InvalidCode("the team or window has changed since this code was issued",
                          code="code_revoked", issuer=issuer)
    return visit


def page(session: Session, visit: Visit, *, today: dt.date | None = None,
         days: int = PAGE_DAYS) -> dict:
    """What the page shows; ``phase`` says whether the visit is still to come, under way,
    or over (after its window, or once the result is in), so the page states the visit's
    real state instead of a code that looks valid for ever."""
    task = session.get(Task, visit.task_id)
    company = session.get(Company, visit.company_id)
    names = departments.names(session)
    items = []
    for link in sorted(visit.items, key=lambda i: (i.department_id, i.item_version_id)):
        version = session.get(InspectionItemVersion, link.item_version_id)
        items.append({"name": version.name, "legal_basis": version.legal_basis,
                      "department": names.get(link.department_id)})
    rated = session.get(VisitRating, visit.id) is not None
    today = today or clock.today()
    finished = visit.state in VISIT_FINISHED
    phase = VisitPhase.UPCOMING if today < visit.window_start else \
        VisitPhase.CURRENT if today <= visit.window_end and not finished else VisitPhase.ENDED
    return {"task": task.name, "company": company.name, "phase": phase,
            "reachable_until": reachable_until(session, visit, days),
            "departments": sorted({names.get(i.department_id) for i in visit.items}),
            "team": team(session, visit), "items": items, "window_start": visit.window_start,
            "window_end": visit.window_end, "state": STATE_LABELS.get(visit.state, visit.state),
            "finished": finished, "rated": rated,
            "can_rate": visit.state in VISIT_RATEABLE and not rated,
            "can_ask_recusal": visit.state in VISIT_OPEN}


def _company_actor(session: Session, visit: Visit, credit_code: str) -> Actor:
    company = session.get(Company, visit.company_id)
    if normalize_code(credit_code or "") != company.credit_code:
        raise RuleViolation("The unified social credit code is not this visit's company's.",
                            code="wrong_credit_code")
    return Actor(None, f"company:{company.credit_code}", "company")


def rate(session: Session, visit: Visit, *, credit_code: str, score: int, comment: str | None,
         now: dt.datetime) -> VisitRating:
    who = _company_actor(session, visit, credit_code)
    if visit.state not in VISIT_RATEABLE:
        raise RuleViolation("A visit can be rated once the inspectors have entered.",
                            code="not_yet_rateable")
    if session.get(VisitRating, visit.id) is not None:
        raise Conflict("This visit has been rated already.", code="already_rated")
    if not 1 <= score <= 5:
        raise InvalidInput("The score is 1 to 5.", errors={"score": ["1 to 5"]})
    rating = VisitRating(visit_id=visit.id, score=score, comment=comment, created_at=now)
    session.add(rating)
    session.flush()
    audit.record(session, who, "visit.rated", "visit", visit.id, now=now)  # no score: anonymous
    return rating


def request_recusal(session: Session, visit: Visit, *, credit_code: str, inspector_id: int,
                    reason: str, now: dt.datetime) -> RecusalRequest:
    who = _company_actor(session, visit, credit_code)
    if inspector_id not in {m.inspector_id for m in visit.members}:
        raise InvalidInput("That inspector is not on this visit's team.",
                           errors={"inspector_id": ["not on the team"]})
    if not reason:
        raise InvalidInput("Say why.", errors={"reason": ["required"]})
    if visit.state not in VISIT_OPEN:  # a recusal is asked of a team not finished
        raise Conflict(f"The visit is {visit.state}: a recusal is asked before it is done.",
                       code="visit_not_open")
    # The visit's row locked (PostgreSQL; SQLite's write transaction is already exclusive):
    # two requests sent at once are counted one after the other.
    session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())
    asked = session.execute(select(RecusalRequest.inspector_id, RecusalRequest.state).where(
        RecusalRequest.visit_id == visit.id)).all()
    if (inspector_id, RecusalState.PENDING) in {(i, state) for i, state in asked}:
        raise Conflict("A recusal of this inspector is already waiting for a decision.",
                       code="recusal_pending")
    if len(asked) >= MAX_RECUSALS_PER_VISIT:
        raise TooManyAttempts(f"At most {MAX_RECUSALS_PER_VISIT} recusal requests are taken "
                              "for one visit.", code="too_many_recusals")
    request = RecusalRequest(visit_id=visit.id, inspector_id=inspector_id, reason=reason,
                             created_at=now)
    session.add(request)
    session.flush()
    audit.record(session, who, "visit.recusal_requested", "visit", visit.id,
                 after={"inspector_id": inspector_id, "reason": reason}, now=now)
    return request


# --- what staff may read of ratings and recusals ------------------------------------------------
MIN_RATINGS_SHOWN = 3  # a smaller group's average would give a company's own rating away


def rating_summary(session: Session, actor: Actor) -> dict:
    """Aggregates per department and per inspector: supervisors (their department),
    coordinators and admins. Inspectors never see ratings. A group of fewer than
    ``MIN_RATINGS_SHOWN`` ratings is left out: its average would name them."""
    from server.models import VisitItem, VisitMember

    actor.require_role("admin", "coordinator", "supervisor")
    scope = actor.department_scope()
    # each visit once per department, however many of its items the department holds
    # (joined to every item, a visit's score would weigh as many times in the average)
    visit_departments = select(VisitItem.visit_id, VisitItem.department_id).distinct().subquery()
    count = func.count(VisitRating.visit_id)
    by_dept = select(visit_departments.c.department_id, count, func.avg(VisitRating.score)).join(
        VisitRating, VisitRating.visit_id == visit_departments.c.visit_id).group_by(
        visit_departments.c.department_id).having(count >= MIN_RATINGS_SHOWN)
    by_inspector = select(VisitMember.inspector_id, VisitMember.department_id,
                          count, func.avg(VisitRating.score)).join(
        VisitRating, VisitRating.visit_id == VisitMember.visit_id).group_by(
        VisitMember.inspector_id, VisitMember.department_id).having(count >= MIN_RATINGS_SHOWN)
    if scope is not None:
        by_dept = by_dept.where(visit_departments.c.department_id == scope)
        by_inspector = by_inspector.where(VisitMember.department_id == scope)
    return {
        "min_ratings": MIN_RATINGS_SHOWN,
        "departments": [{"department_id": d, "ratings": n, "average": round(float(a), 2)}
                        for d, n, a in session.execute(by_dept.order_by(
                            visit_departments.c.department_id))],
        "inspectors": [{"inspector_id": i, "department_id": d, "ratings": n,
                        "average": round(float(a), 2)} for i, d, n, a in session.execute(
                            by_inspector.order_by(VisitMember.inspector_id,
                                                  VisitMember.department_id))],
    }


def ratings(session: Session, actor: Actor) -> list[VisitRating]:
    """Individual ratings: admins only."""
    actor.require_role("admin")
    return list(session.scalars(select(VisitRating).order_by(VisitRating.created_at.desc())))


def recusals(session: Session, actor: Actor) -> list[RecusalRequest]:
    """Requests concerning the supervisor's own department's inspectors."""
    actor.require_role("admin", "coordinator", "supervisor")
    stmt = select(RecusalRequest).join(Inspector, Inspector.id == RecusalRequest.inspector_id)
    scope = actor.department_scope()
    if scope is not None:
        stmt = stmt.where(Inspector.department_id == scope)
    return list(session.scalars(stmt.order_by(RecusalRequest.created_at.desc())))
