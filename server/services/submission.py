"""When a visit can be submitted (提交条件): the rule a phone's submit op is judged by."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import InspectionItemVersion, Visit
from server.services.field_history import visit_states
from server.services.visit_rows import version_views
from sync.ops import RegisterKey, checklist_hash, signed_key


def submission_problems(session: Session, visit: Visit) -> list[dict]:
    """Why the visit cannot be submitted yet (提交条件), empty when it can: entered (扫码入企)
    if it checks anything on site, every required field of every item answered, the
    company's result entered, nothing conflicted, and signatures of the current checklist
    by at least two members, one of each department whose items it holds; and, on site,
    the company's signature of the current checklist or its recorded refusal.

    The entry is asked for here, not of each answer: in a joint team one phone scans at
    the door while the others answer offline, and their answers may reach the server
    before the scan does. Refusing them would lose what was recorded.

    The company's signature (当事人签字) is asked of on-site visits only, as the entry is:
    an on-site record (现场检查笔录) is signed by the party or states that it refused
    (拒绝签字, with the inspectors' note); a written review has nobody present to sign.
    It names the checklist the party was shown, but unlike the inspectors' a changed
    checklist does not block: after a return for correction (退回修改) the party is no
    longer at hand to sign again, so the record prints whether it matches instead."""
    from server.models import VisitEntry

    states = visit_states(session, visit.id)
    problems: list[dict] = []
    methods = {m for m, _ in version_views(session, {i.item_version_id
                                                     for i in visit.items}).values()}
    on_site = "on_site" in methods
    if on_site and session.scalar(
            select(VisitEntry.id).where(VisitEntry.visit_id == visit.id).limit(1)) is None:
        problems.append({"problem": "not_entered"})
    answers = {}
    for key, state in states.items():
        if state.conflicted:
            problems.append({"problem": "conflicted", "register": key})
        if (a := signed_key(key)) is not None:
            answers[a] = state.value
    for link in sorted(visit.items, key=lambda i: i.item_version_id):
        version = session.get(InspectionItemVersion, link.item_version_id)
        for field in version.form["fields"]:
            if field.get("required", True) and answers.get((link.item_version_id,
                                                            field["key"])) is None:
                problems.append({"problem": "unanswered", "item_version_id":
                                 link.item_version_id, "field": field["key"]})
    company_result = states.get(str(RegisterKey.result()))
    if company_result is None or company_result.value is None:
        problems.append({"problem": "result_missing"})
    current = checklist_hash(answers)
    departments = {m.inspector_id: m.department_id for m in visit.members}
    signed: set[int] = set()
    for key, state in states.items():
        if (register := RegisterKey.parse(key)).is_signature and state.value \
                and not state.conflicted:
            signer = register.inspector_id
            if state.value["state_hash"] != current:
                problems.append({"problem": "signature_stale", "inspector_id": signer})
            elif signer in departments:
                signed.add(signer)
    if len(signed) < 2:
        problems.append({"problem": "signatures_missing", "signed": len(signed), "needed": 2})
    for department in sorted({i.department_id for i in visit.items}):
        if not any(departments[s] == department for s in signed):
            problems.append({"problem": "department_unsigned", "department_id": department})
    company = states.get(str(RegisterKey.company_signature()))
    if on_site and (company is None or not isinstance(company.value, dict)):
        problems.append({"problem": "company_unsigned"})
    return problems

