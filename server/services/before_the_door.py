"""Before the door (入企前提示): how often the company was inspected this year, by which
departments and for which items, against the yearly caps, for the visit pack.

Since 2025 each department caps its inspections of one company a year; the draw already
leaves out companies at a cap (``draws._excluded``: the task's ``cap_per_department`` and
``cap_total``, over live visits that count for caps, by the year of their window's start).
The inspector at the door sees the same count, this visit included, so a company inspected
again and again is seen before anyone knocks (Beijing's apps warn at the door). The caps
are the visit's task's: the project has no cap per department beyond what each task sets,
so every department's count is held against the task's ``cap_per_department``.

Checks that do not count (a complaint, a referral, a re-check: ``counts_for_caps`` false)
are listed, marked, and left out of the counts. Nothing personal: departments, items,
dates and states, no inspectors.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.states import VISIT_VOID, CapStatus
from server.clock import CHINA
from server.models import InspectionItem, InspectionItemVersion, Task, Visit, VisitEntry
from server.services import departments


def this_year(session: Session, visit: Visit, task: Task) -> dict:
    """The pack's ``this_year`` block for ``visit`` (of ``task``)."""
    year = visit.window_start.year
    found = list(session.scalars(select(Visit).where(
        Visit.company_id == visit.company_id, Visit.state.not_in(VISIT_VOID),
        Visit.window_start >= dt.date(year, 1, 1), Visit.window_start <= dt.date(year, 12, 31))
        .order_by(Visit.window_start, Visit.id)))
    ids = [v.id for v in found]
    entered = dict(session.execute(select(VisitEntry.visit_id, func.min(VisitEntry.server_time))
                                   .where(VisitEntry.visit_id.in_(ids))
                                   .group_by(VisitEntry.visit_id)).all()) if ids else {}
    versions = {v.id: v for v in session.scalars(select(InspectionItemVersion).where(
        InspectionItemVersion.id.in_({i.item_version_id for v in found for i in v.items})))}
    codes = dict(session.execute(select(InspectionItem.id, InspectionItem.code).where(
        InspectionItem.id.in_({v.item_id for v in versions.values()}))).all())
    names = departments.names(session)
    counts: dict[int, int] = {}
    listed = []
    for other in found:
        mine = sorted({i.department_id for i in other.items})
        if other.counts_for_caps:
            for department in mine:
                counts[department] = counts.get(department, 0) + 1
        first = entered.get(other.id)
        listed.append({
            "visit_id": other.id, "this_visit": other.id == visit.id, "state": other.state,
            "window_start": other.window_start, "window_end": other.window_end,
            "entered_on": first.astimezone(CHINA).date() if first else None,
            "counts_for_caps": other.counts_for_caps,
            "items": [{"department_id": i.department_id, "department": names.get(i.department_id),
                       "item_code": codes.get(versions[i.item_version_id].item_id),
                       "name": versions[i.item_version_id].name}
                      for i in sorted(other.items, key=lambda i: (i.department_id,
                                                                  i.item_version_id))]})
    on_visit = {i.department_id for i in visit.items}
    per_department = [
        {"department_id": d, "department": names.get(d), "inspections": counts.get(d, 0),
         "on_this_visit": d in on_visit,
         "status": CapStatus.of(counts.get(d, 0), task.cap_per_department)}
        for d in sorted(counts.keys() | on_visit)]
    total = sum(1 for v in found if v.counts_for_caps)
    total_status = CapStatus.of(total, task.cap_total)
    alarming = (CapStatus.AT, CapStatus.OVER)
    return {"year": year, "cap_per_department": task.cap_per_department,
            "cap_total": task.cap_total, "inspections": total, "total_status": total_status,
            "departments": per_department, "visits": listed,
            "warning": total_status in alarming or any(
                d["status"] in alarming for d in per_department if d["on_this_visit"])}
