"""When a visit can be submitted (提交条件), as a pure function of plain data: the server
judges a ``submit`` op by it (``server.services.submission``), and the phone shows the
same problems before the inspector sends one (its port, ``js/core/submission.js``, is
held to this by the conformance vectors).

The data is what both sides hold: the pack's ``items`` (``item_version_id``,
``department_id``, ``method``, ``form``) and ``team`` (``inspector_id``,
``department_id``), every register's merged ``value`` and ``conflicted`` flag, and
whether an entry (扫码入企) is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sync.ops import RegisterKey, checklist_hash, signed_key

SIGNATURES_NEEDED = 2  # two inspectors at least (两名以上执法人员), one of each department


def submission_problems(*, entered: bool, items: Iterable[Mapping[str, Any]],
                        team: Iterable[Mapping[str, Any]],
                        registers: Mapping[str, Mapping[str, Any]]) -> list[dict]:
    """Why the visit cannot be submitted yet, empty when it can: entered if it checks
    anything on site, every required field of every item answered, the company's result
    entered, nothing conflicted, and signatures of the current checklist by at least two
    members, one of each department whose items it holds; and, on site, the company's
    signature or its recorded refusal.

    The entry is asked for here, not of each answer: in a joint team one phone scans at
    the door while the others answer offline, and their answers may reach the server
    before the scan does. Refusing them would lose what was recorded.

    The company's signature (当事人签字) is asked of on-site visits only, as the entry is:
    an on-site record (现场检查笔录) is signed by the party or states that it refused
    (拒绝签字, with the inspectors' note); a written review has nobody present to sign.
    It names the checklist the party was shown, but unlike the inspectors' a changed
    checklist does not block: after a return for correction (退回修改) the party is no
    longer at hand to sign again, so the record prints whether it matches instead.

    Registers are judged in key order (code points), items by version id, departments by
    id: the same list, in the same order, on every replica."""
    items = sorted(items, key=lambda i: i["item_version_id"])
    problems: list[dict] = []
    on_site = any(i["method"] == "on_site" for i in items)
    if not entered and on_site:
        problems.append({"problem": "not_entered"})
    keys = sorted(registers)
    answers: dict[tuple[int, str], Any] = {}
    for key in keys:
        if registers[key]["conflicted"]:
            problems.append({"problem": "conflicted", "register": key})
        if (a := signed_key(key)) is not None:
            answers[a] = registers[key]["value"]
    for item in items:
        for field in item["form"]["fields"]:
            if field.get("required", True) and answers.get((item["item_version_id"],
                                                            field["key"])) is None:
                problems.append({"problem": "unanswered", "item_version_id":
                                 item["item_version_id"], "field": field["key"]})
    company_result = registers.get(str(RegisterKey.result()))
    if company_result is None or company_result["value"] is None:
        problems.append({"problem": "result_missing"})
    current = checklist_hash(answers)
    departments = {m["inspector_id"]: m["department_id"] for m in team}
    signed: set[int] = set()
    for key in keys:
        state = registers[key]
        if (register := RegisterKey.parse(key)).is_signature and state["value"] \
                and not state["conflicted"]:
            signer = register.inspector_id
            if state["value"]["state_hash"] != current:
                problems.append({"problem": "signature_stale", "inspector_id": signer})
            elif signer in departments:
                signed.add(signer)
    if len(signed) < SIGNATURES_NEEDED:
        problems.append({"problem": "signatures_missing", "signed": len(signed),
                         "needed": SIGNATURES_NEEDED})
    for department in sorted({i["department_id"] for i in items}):
        if not any(departments[s] == department for s in signed):
            problems.append({"problem": "department_unsigned", "department_id": department})
    company = registers.get(str(RegisterKey.company_signature()))
    if on_site and (company is None or not isinstance(company["value"], dict)):
        problems.append({"problem": "company_unsigned"})
    return problems
