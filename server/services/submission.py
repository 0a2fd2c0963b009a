"""When a visit can be submitted (提交条件): the rule a phone's submit op is judged by.

The rule itself is ``sync.submission`` (pure, shared with the phone app through the
conformance vectors); this module reads what it needs of one visit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import InspectionItemVersion, Visit, VisitEntry
from server.services.field_history import visit_states
from sync.submission import submission_problems as problems_of


def submission_problems(session: Session, visit: Visit) -> list[dict]:
    """Why the visit cannot be submitted yet (提交条件), empty when it can."""
    entered = session.scalar(
        select(VisitEntry.id).where(VisitEntry.visit_id == visit.id).limit(1)) is not None
    items = []
    for link in visit.items:
        version = session.get(InspectionItemVersion, link.item_version_id)
        items.append({"item_version_id": link.item_version_id,
                      "department_id": link.department_id, "method": version.method,
                      "form": version.form})
    team = [{"inspector_id": m.inspector_id, "department_id": m.department_id}
            for m in visit.members]
    registers = {key: {"value": state.value, "conflicted": state.conflicted}
                 for key, state in visit_states(session, visit.id).items()}
    return problems_of(entered=entered, items=items, team=team, registers=registers)
