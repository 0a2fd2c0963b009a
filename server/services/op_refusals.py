"""Why an op is refused (kept in the history with its reason): not on the team, the
visit closed, an item not in the visit or of another department, a value its field
does not allow."""

from __future__ import annotations

from sqlalchemy.orm import Session

from schemas.states import VISIT_ENDED, VISIT_OPEN
from server.services.actors import Actor
from server.services.visit_rows import VisitView
from sync import field_types
from sync.ops import ANSWER_KINDS, MAX_TEXT_VALUE


def refusal(session: Session, actor: Actor, op: dict, visit: VisitView | None,
            version: tuple[str, dict] | None) -> str | None:
    if visit is None or actor.inspector_id not in visit.members:
        return "not_a_team_member"
    kind = op["kind"]
    if visit.state in VISIT_ENDED or (kind == "entry_scan" and visit.state not in VISIT_OPEN):
        return "visit_closed"
    department = None
    if op.get("item_version_id") is not None:
        department = visit.items.get(op["item_version_id"])
        if department is None or version is None:
            return "item_not_in_visit"
    if kind in ANSWER_KINDS:
        return _answer_refusal(actor, op, visit, department, version)
    if kind == "set_note" and not (op["value"] is None or (
            isinstance(op["value"], str) and len(op["value"]) <= MAX_TEXT_VALUE)):
        return "bad_value"
    if kind == "set_result":
        return _result_refusal(session, actor, op, department)
    return None


def _result_refusal(session: Session, actor: Actor, op: dict,
                    department: int | None) -> str | None:
    """An item's result is its department's to enter; the company's, any member's."""
    from server.models import ResultCategory

    if department is not None and department != actor.department_id:
        return "item_of_other_department"
    category = session.get(ResultCategory, op["category"])
    if category is None or not category.active:
        return "unknown_category"
    return None


def _answer_refusal(actor: Actor, op: dict, visit: VisitView, department: int | None,
                    version: tuple[str, dict] | None) -> str | None:
    if department is None or version is None:
        return "item_not_in_visit"
    if department != actor.department_id:
        return "item_of_other_department"
    _, fields = version
    field = fields.get(op["field"])
    if field is None:
        return "unknown_field"
    if op["kind"] == "resolve" and not op.get("base"):
        return "resolve_names_no_siblings"
    if not field_types.accepts(field, op["value"]):
        return "bad_value"
    return None
