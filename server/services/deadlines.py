"""Stored deadlines counted in working days, and counting them again when the calendar
changes.

Three deadlines are stored, each with the working days it counted (``*_days``; None for a
date set by hand) and the least settled source of the days it counted (``*_source``;
provisional when a day of a year without its notice was among them):
- a result's entry deadline (``Result.entry_due``), when its visit was moved past the
  task's own result deadline: the result-entry rule's days after the visit's window;
- a result's publication deadline (``Result.publication_due``): days after the check;
- a follow-up's due date (``FollowUp.due_on``) when not given by hand: days after it
  was opened.

When the calendar of a span changes (a year's notice entered, corrected or withdrawn; an
override put or removed), ``recount`` counts every *open* deadline whose span touches it
again, from the same start with the same number of days, in the caller's transaction:
an entry deadline of a result not yet approved (its lateness is judged again), a
publication deadline not yet met, a follow-up not yet closed. Each move is audited and
returned, so the admin sees what the change did.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.states import FOLLOW_UP_OPEN, RESULT_UNAPPROVED, ResultState
from server import clock
from server.models import FollowUp, Result, Task, Visit
from server.services import audit, workdays
from server.services.actors import Actor


# --- setting them -------------------------------------------------------------------------------
def set_entry_due(session: Session, result: Result, task: Task, visit: Visit) -> None:
    """The task's result deadline; a visit moved past it gets the result-entry rule's
    working days after its own window."""
    if visit.window_end <= task.result_deadline:
        result.entry_due, result.entry_due_days = task.result_deadline, None
        result.entry_due_source = None
        return
    counted = workdays.deadline(session, "result_entry", visit.window_end)
    result.entry_due, result.entry_due_days = counted.date, counted.days
    result.entry_due_source = counted.source


def set_publication_due(session: Session, result: Result) -> None:
    counted = workdays.deadline(session, "publication", result.checked_on)
    result.publication_due, result.publication_days = counted.date, counted.days
    result.publication_due_source = counted.source


def follow_up_due(session: Session, start: dt.date,
                  due_on: dt.date | None) -> tuple[dt.date, int | None, str | None]:
    """(due date, working days counted, their source) of a follow-up opened on ``start``;
    a date given by hand counts no days and has no source."""
    if due_on is not None:
        return due_on, None, None
    counted = workdays.deadline(session, "follow_up", start)
    return counted.date, counted.days, counted.source


# --- counting them again ---------------------------------------------------------------------------
# When each deadline is still open: a publication not yet made, the entry of a result not
# yet approved, a follow-up not closed or declined.
OPEN_PUBLICATION = (Result.state == ResultState.APPROVED, Result.published_at.is_(None))
OPEN_ENTRY = (Result.state.in_(RESULT_UNAPPROVED),)
OPEN_FOLLOW_UP = (FollowUp.state.in_(FOLLOW_UP_OPEN),)


def _touches(start_col, due_col, first: dt.date, last: dt.date):
    """The span (start, due] meets [first, last]."""
    return (start_col < last) & (due_col >= first)


def recount(session: Session, actor: Actor, first: dt.date, last: dt.date, *, reason: str,
            now: dt.datetime | None = None) -> list[dict]:
    """Count again every open stored deadline whose span touches [first, last]; what moved,
    each with the old and new date and the move in calendar days."""
    now = now or clock.now()
    moved: list[dict] = []

    def note(kind: str, object_type: str, object_id: int, old: dt.date, new, old_source: str):
        """A changed date is listed and audited; a changed source alone (provisional days
        now entered) is audited too, as what the deadline rests on has changed."""
        if old == new.date and old_source == new.source:
            return
        row = {"kind": kind, "object_type": object_type, "object_id": object_id,
               "before": old, "after": new.date, "moved_days": (new.date - old).days,
               "provisional": new.provisional, "source": new.source}
        if old != new.date:
            moved.append(row)
        audit.record(session, actor, "deadline.recount", object_type, object_id,
                     before={kind: old, "source": old_source},
                     after={kind: new.date, "source": new.source,
                            "moved_days": row["moved_days"], "reason": reason}, now=now)

    published = select(Result).where(
        *OPEN_PUBLICATION, Result.publication_days.is_not(None),
        _touches(Result.checked_on, Result.publication_due, first, last))
    for result in session.scalars(published.order_by(Result.id)):
        counted = workdays.deadline_after(session, result.checked_on, result.publication_days)
        note("publication_due", "result", result.id, result.publication_due, counted,
             result.publication_due_source)
        result.publication_due, result.publication_due_source = counted.date, counted.source

    entries = select(Result, Visit.window_end).join(Visit, Visit.id == Result.visit_id).where(
        *OPEN_ENTRY, Result.entry_due_days.is_not(None),
        _touches(Visit.window_end, Result.entry_due, first, last))
    for result, window_end in session.execute(entries.order_by(Result.id)).all():
        counted = workdays.deadline_after(session, window_end, result.entry_due_days)
        late = result.checked_on > counted.date
        note("entry_due", "result", result.id, result.entry_due, counted,
             result.entry_due_source)
        result.entry_due, result.entry_due_source = counted.date, counted.source
        result.late = late

    follow = select(FollowUp).where(
        *OPEN_FOLLOW_UP, FollowUp.due_days.is_not(None),
        FollowUp.due_on >= first)
    for follow_up in session.scalars(follow.order_by(FollowUp.id)):
        start = clock.china_date(follow_up.created_at)
        if not start < last:
            continue
        counted = workdays.deadline_after(session, start, follow_up.due_days)
        note("due_on", "follow_up", follow_up.id, follow_up.due_on, counted,
             follow_up.due_source)
        follow_up.due_on, follow_up.due_source = counted.date, counted.source
    session.flush()
    return moved


UNSETTLED = ("entered", "provisional")  # sources a package release may still overrule


def unsettled_due_dates(session: Session) -> list[dt.date]:
    """The dates of open deadlines counted over provisional or entered days."""
    return [*session.scalars(select(Result.publication_due).where(
                *OPEN_PUBLICATION, Result.publication_due_source.in_(UNSETTLED))),
            *session.scalars(select(Result.entry_due).where(
                *OPEN_ENTRY, Result.entry_due_source.in_(UNSETTLED))),
            *session.scalars(select(FollowUp.due_on).where(
                *OPEN_FOLLOW_UP, FollowUp.due_source.in_(UNSETTLED)))]
