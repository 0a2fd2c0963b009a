"""Visits (检查) as the draws issue them, and merging two departments' visits to one
company into one joint visit (进一次门、查多项事).

A merge is asked by a supervisor of one visit's lead department and accepted by a
supervisor of the other's: both must agree. The host visit takes the union of items (each
still owned by its department, which keeps its own result) and of the teams, and the
overlap of the windows; the other visit becomes ``merged`` and no longer counts toward
the yearly caps, so the company is inspected once, not twice.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.models import Company, Task, Visit, VisitEntry, VisitItem, VisitMember, VisitMerge
from server.services import audit
from server.services.actors import Actor
from server.services.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from server.services.registry import get_or_404


def _departments(visit: Visit) -> set[int]:
    return {i.department_id for i in visit.items}


def get_or_raise(session: Session, actor: Actor, visit_id: int) -> Visit:
    """Admins and coordinators see every visit; supervisors those with their department's
    items; inspectors those they are on the team of."""
    visit = get_or_404(session, Visit, visit_id, "visit")
    if actor.reads_everything:
        return visit
    if actor.role == "inspector":
        if actor.inspector_id in {m.inspector_id for m in visit.members}:
            return visit
    elif actor.department_id in _departments(visit):
        return visit
    raise NotFound("No such visit.")


def _lead(session: Session, visit: Visit) -> int:
    return session.get(Task, visit.task_id).lead_department_id


def _speaks_for(actor: Actor, department_id: int) -> bool:
    return actor.role == "admin" or (actor.role == "supervisor"
                                     and actor.department_id == department_id)


def request_merge(session: Session, actor: Actor, host_id: int, other_id: int) -> VisitMerge:
    host = get_or_raise(session, actor, host_id)
    other = get_or_404(session, Visit, other_id, "visit")
    sides = {_lead(session, host), _lead(session, other)}
    if not any(_speaks_for(actor, d) for d in sides):
        raise Forbidden("Only a supervisor of one of the two lead departments may ask to merge.")
    if host.id == other.id or host.task_id == other.task_id:
        raise RuleViolation("Merge visits of two different tasks.", code="merge_not_possible")
    if host.company_id != other.company_id:
        raise RuleViolation("The visits are to different companies.", code="merge_not_possible")
    if host.state != "issued" or other.state != "issued":
        raise RuleViolation("Only visits not yet started can be merged.",
                            code="merge_not_possible")
    if host.window_start > other.window_end or other.window_start > host.window_end:
        raise RuleViolation("The visit windows do not overlap.", code="merge_not_possible")
    pending = session.scalar(select(VisitMerge.id).where(
        VisitMerge.state == "pending",
        or_(VisitMerge.host_visit_id.in_((host.id, other.id)),
            VisitMerge.other_visit_id.in_((host.id, other.id)))))
    if pending:
        raise Conflict("A merge of these visits is already waiting for an answer.",
                       code="merge_pending", merge_id=pending)
    asking = actor.department_id if actor.role == "supervisor" else _lead(session, host)
    merge = VisitMerge(host_visit_id=host.id, other_visit_id=other.id, requested_by=actor.user_id,
                       requested_department_id=asking, state="pending")
    session.add(merge)
    session.flush()
    audit.record(session, actor, "visit.merge_requested", "visit", host.id,
                 after={"merge_id": merge.id, "other_visit_id": other.id})
    return merge


def get_merge_or_raise(session: Session, actor: Actor, merge_id: int) -> VisitMerge:
    """A merge is visible to whoever sees either of its visits."""
    merge = get_or_404(session, VisitMerge, merge_id, "merge")
    for visit_id in (merge.host_visit_id, merge.other_visit_id):
        try:
            get_or_raise(session, actor, visit_id)
        except NotFound:
            continue
        return merge
    raise NotFound("No such merge.")


def decide_merge(session: Session, actor: Actor, merge_id: int, *, accept: bool,
                 now: dt.datetime | None = None) -> VisitMerge:
    merge = get_merge_or_raise(session, actor, merge_id)
    if merge.state != "pending":
        raise Conflict(f"The merge was {merge.state} already.", code="merge_decided")
    host = session.get(Visit, merge.host_visit_id)
    other = session.get(Visit, merge.other_visit_id)
    sides = [_lead(session, host), _lead(session, other)]
    answering = [d for d in sides if d != merge.requested_department_id] or sides
    if not any(_speaks_for(actor, d) for d in answering):
        raise Forbidden("The other department's supervisor answers this merge.")
    merge.state = "accepted" if accept else "declined"
    merge.decided_by = actor.user_id
    merge.decided_at = now or utcnow()
    if accept:
        if host.state != "issued" or other.state != "issued":
            raise RuleViolation("One of the visits has started meanwhile.",
                                code="merge_not_possible")
        have_items = {i.item_version_id for i in host.items}
        host.items.extend(VisitItem(item_version_id=i.item_version_id, item_id=i.item_id,
                                    department_id=i.department_id)
                          for i in other.items if i.item_version_id not in have_items)
        have_members = {m.inspector_id for m in host.members}
        host.members.extend(VisitMember(inspector_id=m.inspector_id, department_id=m.department_id)
                            for m in other.members if m.inspector_id not in have_members)
        host.window_start = max(host.window_start, other.window_start)
        host.window_end = min(host.window_end, other.window_end)
        other.state = "merged"
        other.merged_into = host.id
        other.counts_for_caps = False
    session.flush()
    audit.record(session, actor, f"visit.merge_{merge.state}", "visit", host.id,
                 after={"merge_id": merge.id, "other_visit_id": other.id})
    return merge


# --- scan-to-enter (扫码入企) -----------------------------------------------------------------
CHINA = dt.timezone(dt.timedelta(hours=8))  # windows are calendar days in China (no DST)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _visit_for_member(session: Session, actor: Actor, visit_id: int) -> Visit:
    actor.require_role("inspector")
    visit = get_or_404(session, Visit, visit_id, "visit")
    if actor.inspector_id not in {m.inspector_id for m in visit.members}:
        raise Forbidden("You are not on this visit's team.", code="not_on_team")
    if visit.state not in ("issued", "entered"):
        raise Conflict(f"The visit is {visit.state}.", code="visit_not_open")
    return visit


def enter(session: Session, actor: Actor, visit_id: int, *, premises_token: str | None = None,
          reason: str | None = None, photo_sha256: str | None = None,
          device_time: dt.datetime | None = None, latitude: float | None = None,
          longitude: float | None = None, device_id: str | None = None,
          public_keys: dict[str, bytes], grace_minutes: int, distance_flag_m: int,
          manual_days: int, now: dt.datetime | None = None) -> VisitEntry:
    """Record an inspector's entry into the premises.

    With the premises code: the scanner is on the team, the code is genuine, current
    and the visit company's, and now is within the window (with a grace). Without it
    (code missing or damaged, system down): a reason and a photo of the premises,
    accepted within ``manual_days`` after the window and flagged for the supervisor.
    A position far from the registered address is accepted but flagged.
    """
    from server.services.codes import current_premises
    from sync.tokens import TokenError, verify

    now = now or utcnow()
    visit = _visit_for_member(session, actor, visit_id)
    today = now.astimezone(CHINA)
    opens = dt.datetime.combine(visit.window_start, dt.time(0), CHINA) - \
        dt.timedelta(minutes=grace_minutes)
    closes = dt.datetime.combine(visit.window_end + dt.timedelta(days=1), dt.time(0), CHINA) + \
        dt.timedelta(minutes=grace_minutes)
    flags: list[str] = []
    company = session.get(Company, visit.company_id)
    entry = VisitEntry(visit_id=visit.id, inspector_id=actor.inspector_id, device_id=device_id,
                       device_time=device_time, server_time=now, latitude=latitude,
                       longitude=longitude)
    if premises_token:
        try:
            payload = verify(premises_token, public_keys, kind="p")
        except TokenError as exc:
            raise RuleViolation(f"The premises code is refused: {exc.message}.",
                                code=exc.code) from None
        if payload.get("c") != visit.company_id:
            raise RuleViolation("This premises code belongs to another company.",
                                code="wrong_premises")
        current = current_premises(session, visit.company_id)
        if current is None or payload.get("n") != current.version:
            raise RuleViolation("This premises code has been replaced by a newer one.",
                                code="code_revoked")
        if not opens <= today <= closes:
            raise RuleViolation("The visit's window is not open.", code="outside_window")
        entry.method = "scan"
        entry.premises_company_id, entry.premises_version = payload["c"], payload["n"]
    else:
        if not reason or not photo_sha256:
            raise InvalidInput("Without the premises code, give the reason and a photo of "
                               "the premises.", errors={"reason": ["required without a code"],
                                                        "photo_sha256": ["required without "
                                                                         "a code"]})
        if not opens <= today <= closes + dt.timedelta(days=manual_days):
            raise RuleViolation(f"An entry without the code must be recorded within "
                                f"{manual_days} days of the window.", code="outside_window")
        entry.method, entry.reason, entry.photo_sha256 = "manual", reason, photo_sha256
        flags.append("manual")
        if today > closes:
            flags.append("recorded_late")
    if latitude is not None and company.latitude is not None:
        entry.distance_m = round(_distance_m(latitude, longitude, company.latitude,
                                             company.longitude), 1)
        if entry.distance_m > distance_flag_m:
            flags.append("far_from_premises")
    entry.flags = flags
    session.add(entry)
    if visit.state == "issued":
        visit.state = "entered"
    session.flush()
    audit.record(session, actor, "visit.enter", "visit", visit.id,
                 after={"entry_id": entry.id, "method": entry.method, "flags": flags,
                        "device_id": device_id}, now=now)
    return entry


def record_refusal(session: Session, actor: Actor, visit_id: int, code: str) -> None:
    """全程留痕: a refused scan leaves an audit entry even though nothing else changes."""
    audit.record(session, actor, "visit.entry_refused", "visit", visit_id, after={"code": code})


# --- the visit pack: what a phone needs offline ---------------------------------------------
def mask_certificate(number: str) -> str:
    return number if len(number) <= 8 else number[:4] + "*" * (len(number) - 8) + number[-4:]


def pack(session: Session, actor: Actor, visit_id: int, *, signer, public_keys: dict[str, bytes],
         public_url: str) -> tuple[dict, str]:
    """The visit, company, team, item versions with forms and work guides, the signed
    visit code, the expected premises code and the public keys; and its ETag."""
    import hashlib
    import json

    from server.models import Department, InspectionItem, InspectionItemVersion, Inspector
    from server.services.codes import current_premises, visit_token, visit_url
    from sync.tokens import b64encode

    visit = get_or_raise(session, actor, visit_id)
    company = session.get(Company, visit.company_id)
    task = session.get(Task, visit.task_id)
    names = dict(session.execute(select(Department.id, Department.name)).all())
    team = []
    for member in sorted(visit.members, key=lambda m: (m.department_id, m.inspector_id)):
        person = session.get(Inspector, member.inspector_id)
        team.append({"inspector_id": person.id, "name": person.name,
                     "department_id": member.department_id,
                     "department": names.get(member.department_id),
                     "certificate_number": mask_certificate(person.certificate_number),
                     "certificate_valid_until": person.certificate_valid_until})
    items = []
    for link in sorted(visit.items, key=lambda i: i.item_version_id):
        version = session.get(InspectionItemVersion, link.item_version_id)
        item = session.get(InspectionItem, version.item_id)
        items.append({"item_version_id": version.id, "item_code": item.code,
                      "version": version.version, "department_id": link.department_id,
                      "name": version.name, "legal_basis": version.legal_basis,
                      "method": version.method, "item_class": version.item_class,
                      "form": version.form, "work_guide": version.work_guide})
    token = visit_token(visit, signer)
    premises = current_premises(session, company.id)
    body = audit.jsonable({
        "visit": {"id": visit.id, "state": visit.state, "task_id": task.id, "task": task.name,
                  "window_start": visit.window_start, "window_end": visit.window_end,
                  "merged_into": visit.merged_into},
        "company": {"id": company.id, "credit_code": company.credit_code, "name": company.name,
                    "address": company.address, "legal_representative":
                        company.legal_representative, "phone": company.phone,
                    "latitude": company.latitude, "longitude": company.longitude},
        "team": team,
        "items": items,
        "visit_token": token,
        "visit_url": visit_url(public_url, token),
        "premises_code": {"company_id": company.id,
                          "version": premises.version if premises else None},
        "public_keys": {kid: b64encode(key) for kid, key in sorted(public_keys.items())},
    })
    etag = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()[:32]
    return body, etag


def my_visits(session: Session, actor: Actor) -> list[Visit]:
    """An inspector's visits that are still to be done or under way."""
    actor.require_role("inspector")
    return list(session.scalars(
        select(Visit).join(VisitMember, VisitMember.visit_id == Visit.id)
        .where(VisitMember.inspector_id == actor.inspector_id,
               Visit.state.in_(("issued", "entered", "submitted")))
        .order_by(Visit.window_start, Visit.id)))
