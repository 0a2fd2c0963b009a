"""Why an op is refused (kept in the history with its reason): not on the team, the
visit closed, an item not in the visit or of another department, a value its field
does not allow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from schemas.fields import MAX_DATE, MIN_DATE
from server.services.actors import Actor
from server.services.visit_rows import VisitView
from sync.ops import ANSWER_KINDS

CLOSED = ("submitted", "closed", "cancelled", "merged")


def refusal(session: Session, actor: Actor, op: dict, visit: VisitView | None,
            version: tuple[str, dict] | None) -> str | None:
    if visit is None or actor.inspector_id not in visit.members:
        return "not_a_team_member"
    kind = op["kind"]
    if visit.state in CLOSED or (kind == "entry_scan" and visit.state != "issued" and
                                 visit.state != "entered"):
        return "visit_closed"
    department = None
    if op.get("item_version_id") is not None:
        department = visit.items.get(op["item_version_id"])
        if department is None or version is None:
            return "item_not_in_visit"
    if kind in ANSWER_KINDS:
        return _answer_refusal(actor, op, visit, department, version)
    if kind == "set_note" and not (op["value"] is None or (
            isinstance(op["value"], str) and len(op["value"]) <= 5000)):
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
    if not _check_value(field, op["value"]):
        return "bad_value"
    return None


def _check_value(field: dict, value) -> bool:
    kind = field["type"]
    if value is None:
        return not field.get("required", True)
    if kind == "yes_no_na":
        return value in ("yes", "no", "na")
    if kind == "single_choice":
        return value in {o["value"] for o in field.get("options", [])}
    if kind == "multiple_choice":
        allowed = {o["value"] for o in field.get("options", [])}
        return isinstance(value, list) and set(value) <= allowed and len(set(value)) == len(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        lo, hi = field.get("min"), field.get("max")
        return (lo is None or value >= lo) and (hi is None or value <= hi)
    if kind == "date":  # the API's dates lie in 2000-2100 (schemas.fields.Date)
        try:
            return MIN_DATE <= dt.date.fromisoformat(value) <= MAX_DATE
        except (TypeError, ValueError):
            return False
    if kind in ("text", "photo"):
        return isinstance(value, str) and len(value) <= 5000
    return False

