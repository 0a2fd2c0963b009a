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
from collections import Counter, defaultdict

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from schemas.states import VISIT_OPEN, VISIT_VOID, VISIT_WITH_TEAM, MergeState, VisitState
from server import clock
from server.clock import CHINA
from server.models import Company, Task, Visit, VisitEntry, VisitItem, VisitMember, VisitMerge
from server.services import audit, changes, departments
from server.services.actors import Actor
from server.services.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from server.services.listing import paginate
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


def in_scope(stmt, actor: Actor, visit_id):
    """``stmt`` narrowed to the rows whose visit (``visit_id``) the actor sees, as
    ``get_or_raise`` decides one by one: results use it with their visit's id too."""
    if actor.reads_everything:
        return stmt
    if actor.role == "inspector":
        return stmt.where(exists().where(VisitMember.visit_id == visit_id,
                                         VisitMember.inspector_id == actor.inspector_id))
    return stmt.where(exists().where(VisitItem.visit_id == visit_id,
                                     VisitItem.department_id == actor.department_id))


def list_visits(session: Session, actor: Actor, *, task_id=None, state=None, inspector_id=None,
                company_id=None, year=None, overdue=None, page=1, page_size=50, sort=None):
    """Visits in scope (the field, 检查进度), filtered. A visit belongs to the year its window
    starts in; overdue is past its window and not yet submitted, on the clock's today."""

    stmt = in_scope(select(Visit), actor, Visit.id)
    for column, value in ((Visit.task_id, task_id), (Visit.state, state),
                          (Visit.company_id, company_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if inspector_id is not None:
        stmt = stmt.where(exists().where(VisitMember.visit_id == Visit.id,
                                         VisitMember.inspector_id == inspector_id))
    if year is not None:
        stmt = stmt.where(Visit.window_start >= dt.date(year, 1, 1),
                          Visit.window_start <= dt.date(year, 12, 31))
    if overdue is not None:
        late = Visit.state.in_(VISIT_OPEN) & (Visit.window_end < clock.today())
        stmt = stmt.where(late if overdue else ~late)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"window_start": Visit.window_start,
                              "window_end": Visit.window_end, "id": Visit.id},
                    default_sort="window_start", tiebreak=Visit.id)


def _lead(session: Session, visit: Visit) -> int:
    return session.get(Task, visit.task_id).lead_department_id


def _speaks_for(actor: Actor, department_id: int) -> bool:
    return actor.role == "admin" or (actor.role == "supervisor"
                                     and actor.department_id == department_id)


def request_merge(session: Session, actor: Actor, host_id: int, other_id: int) -> VisitMerge:
    host = get_or_raise(session, actor, host_id)
    other = _merge_candidate_or_raise(session, actor, host, other_id)
    sides = {_lead(session, host), _lead(session, other)}
    if not any(_speaks_for(actor, d) for d in sides):
        raise Forbidden("Only a supervisor of one of the two lead departments may ask to merge.")
    if host.id == other.id or host.task_id == other.task_id:
        raise RuleViolation("Merge visits of two different tasks.", code="merge_not_possible")
    if host.company_id != other.company_id:
        raise RuleViolation("The visits are to different companies.", code="merge_not_possible")
    if host.state != VisitState.ISSUED or other.state != VisitState.ISSUED:
        raise RuleViolation("Only visits not yet started can be merged.",
                            code="merge_not_possible")
    if host.window_start > other.window_end or other.window_start > host.window_end:
        raise RuleViolation("The visit windows do not overlap.", code="merge_not_possible")
    pending = session.scalar(select(VisitMerge.id).where(
        VisitMerge.state == MergeState.PENDING,
        or_(VisitMerge.host_visit_id.in_((host.id, other.id)),
            VisitMerge.other_visit_id.in_((host.id, other.id)))))
    if pending:
        raise Conflict("A merge of these visits is already waiting for an answer.",
                       code="merge_pending", merge_id=pending)
    asking = actor.department_id if actor.role == "supervisor" else _lead(session, host)
    merge = VisitMerge(host_visit_id=host.id, other_visit_id=other.id, requested_by=actor.user_id,
                       requested_department_id=asking, state=MergeState.PENDING)
    session.add(merge)
    session.flush()
    audit.record(session, actor, "visit.merge_requested", "visit", host.id,
                 after={"merge_id": merge.id, "other_visit_id": other.id})
    return merge


def _merge_candidate_or_raise(session: Session, actor: Actor, host: Visit,
                              other_id: int) -> Visit:
    """The other visit of a merge: one the actor sees, or one the host's draw named as a
    candidate (an open visit of another task to the same company in an overlapping
    window). Anything else is a 404, as ``GET`` would answer: a hidden visit's company,
    task, state or window is not for the actor to learn from the refusal."""
    other = get_or_404(session, Visit, other_id, "visit")
    try:
        return get_or_raise(session, actor, other_id)
    except NotFound:
        pass
    if (other.company_id == host.company_id and other.task_id != host.task_id
            and other.state in VISIT_OPEN and host.state in VISIT_OPEN
            and other.window_start <= host.window_end
            and host.window_start <= other.window_end):
        return other
    raise NotFound("No such visit.")


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
    if merge.state != MergeState.PENDING:
        raise Conflict(f"The merge was {merge.state} already.", code="merge_decided")
    host = session.get(Visit, merge.host_visit_id)
    other = session.get(Visit, merge.other_visit_id)
    sides = [_lead(session, host), _lead(session, other)]
    answering = [d for d in sides if d != merge.requested_department_id] or sides
    if not any(_speaks_for(actor, d) for d in answering):
        raise Forbidden("The other department's supervisor answers this merge.")
    merge.state = MergeState.ACCEPTED if accept else MergeState.DECLINED
    merge.decided_by = actor.user_id
    merge.decided_at = now or clock.now()
    if accept:
        if host.state != VisitState.ISSUED or other.state != VisitState.ISSUED:
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
        other.state = VisitState.MERGED
        other.merged_into = host.id
        other.counts_for_caps = False
    session.flush()
    audit.record(session, actor, f"visit.merge_{merge.state}", "visit", host.id,
                 after={"merge_id": merge.id, "other_visit_id": other.id})
    return merge


# --- scan-to-enter (扫码入企) -----------------------------------------------------------------


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
    if visit.state not in VISIT_OPEN:
        raise Conflict(f"The visit is {visit.state}.", code="visit_not_open")
    return visit


def enter(session: Session, actor: Actor, visit_id: int, *, premises_token: str | None = None,
          reason: str | None = None, photo_sha256: str | None = None,
          device_time: dt.datetime | None = None, latitude: float | None = None,
          longitude: float | None = None, device_id: str | None = None,
          public_keys: dict[str, bytes], grace_minutes: int, distance_flag_m: int,
          manual_days: int, at: dt.datetime | None = None,
          now: dt.datetime | None = None) -> VisitEntry:
    """Record an inspector's entry into the premises.

    With the premises code: the scanner is on the team, the code is genuine, current
    and the visit company's, and now is within the window (with a grace). Without it
    (code missing or damaged, system down): a reason and a photo of the premises,
    accepted within ``manual_days`` after the window and flagged for the supervisor.
    A position far from the registered address is accepted but flagged. A scan made
    offline and synced later (``at``: the phone's time of the scan, never later than
    now) is judged at that moment and flagged ``synced_later``.
    """
    now = now or clock.now()
    visit = _visit_for_member(session, actor, visit_id)
    scanned = min(at, now) if at else now
    today = scanned.astimezone(CHINA)
    opens, closes = _entry_window(visit, grace_minutes)
    flags: list[str] = []
    company = session.get(Company, visit.company_id)
    entry = VisitEntry(visit_id=visit.id, inspector_id=actor.inspector_id, device_id=device_id,
                       device_time=device_time, server_time=now, latitude=latitude,
                       longitude=longitude)
    if premises_token:
        payload = _check_premises_code(session, visit, premises_token, public_keys)
        if not opens <= today <= closes:
            raise RuleViolation("The visit's window is not open.", code="outside_window")
        entry.method = "scan"
        entry.premises_company_id, entry.premises_version = payload["c"], payload["n"]
    else:
        flags += _enter_by_hand(entry, reason, photo_sha256, today, opens, closes, manual_days)
    if now - scanned > dt.timedelta(minutes=10):
        flags.append("synced_later")
    if latitude is not None and company.latitude is not None:
        entry.distance_m = round(_distance_m(latitude, longitude, company.latitude,
                                             company.longitude), 1)
        if entry.distance_m > distance_flag_m:
            flags.append("far_from_premises")
    entry.flags = flags
    session.add(entry)
    if visit.state == VisitState.ISSUED:
        visit.state = VisitState.ENTERED
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "visit.enter", "visit", visit.id,
                 after={"entry_id": entry.id, "method": entry.method, "flags": flags,
                        "device_id": device_id}, now=now)
    return entry


def _entry_window(visit: Visit, grace_minutes: int) -> tuple[dt.datetime, dt.datetime]:
    """From the window's first day to the end of its last (China time), with the grace
    either side."""
    grace = dt.timedelta(minutes=grace_minutes)
    opens = dt.datetime.combine(visit.window_start, dt.time(0), CHINA) - grace
    closes = dt.datetime.combine(visit.window_end + dt.timedelta(days=1), dt.time(0),
                                 CHINA) + grace
    return opens, closes


def _check_premises_code(session: Session, visit: Visit, premises_token: str,
                         public_keys: dict[str, bytes]) -> dict:
    """The scanned premises code is genuine, the visit company's, and its current one."""
    from server.services.codes import current_premises
    from sync.tokens import TokenError, token_from_scan, verify

    try:  # what the camera read: the poster's URL, or (older posters) the bare token
        payload = verify(token_from_scan(premises_token), public_keys, kind="p")
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
    return payload


def _enter_by_hand(entry: VisitEntry, reason: str | None, photo_sha256: str | None,
                   today: dt.datetime, opens: dt.datetime, closes: dt.datetime,
                   manual_days: int) -> list[str]:
    """An entry without the code: a reason and a photo, within ``manual_days`` after the
    window; flagged manual (and recorded late after the window). Its flags."""
    if not reason or not photo_sha256:
        raise InvalidInput("Without the premises code, give the reason and a photo of "
                           "the premises.", errors={"reason": ["required without a code"],
                                                    "photo_sha256": ["required without "
                                                                     "a code"]})
    if not opens <= today <= closes + dt.timedelta(days=manual_days):
        raise RuleViolation(f"An entry without the code must be recorded within "
                            f"{manual_days} days of the window.", code="outside_window")
    entry.method, entry.reason, entry.photo_sha256 = "manual", reason, photo_sha256
    return ["manual", "recorded_late"] if today > closes else ["manual"]


def record_refusal(session: Session, actor: Actor, visit_id: int, code: str) -> None:
    """全程留痕: a refused scan leaves an audit entry even though nothing else changes
    (what the request did so far is rolled back)."""
    audit.record_refusal(session, actor, "visit.entry_refused", "visit", visit_id,
                         after={"code": code})


# --- the visit pack: what a phone needs offline ---------------------------------------------
def mask_certificate(number: str) -> str:
    return number if len(number) <= 8 else number[:4] + "*" * (len(number) - 8) + number[-4:]


def team(session: Session, visit: Visit) -> list[dict]:
    """The visit's team as phones and companies see it: names, departments, masked
    certificate numbers and their validity, by department."""
    from server.models import Inspector

    names = departments.names(session)
    out = []
    for member in sorted(visit.members, key=lambda m: (m.department_id, m.inspector_id)):
        person = session.get(Inspector, member.inspector_id)
        out.append({"inspector_id": person.id, "name": person.name,
                    "department_id": member.department_id,
                    "department": names.get(member.department_id),
                    "certificate_number": mask_certificate(person.certificate_number),
                    "certificate_valid_until": person.certificate_valid_until})
    return out


def pack(session: Session, actor: Actor, visit_id: int, *, signer, public_keys: dict[str, bytes],
         public_url: str) -> tuple[dict, str]:
    """The visit, company, team, item versions with forms and work guides, the signed
    visit code, the expected premises code, the public keys and the company's inspections
    this year (``before_the_door``); and its ETag, a hash of all of it, so it changes
    when any of it does."""
    import hashlib
    import json

    from server.models import InspectionItem, InspectionItemVersion
    from server.services.before_the_door import this_year
    from server.services.codes import current_premises, visit_token, visit_url
    from sync.tokens import b64encode

    visit = get_or_raise(session, actor, visit_id)
    company = session.get(Company, visit.company_id)
    task = session.get(Task, visit.task_id)
    members = team(session, visit)
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
    body = {
        "visit": {"id": visit.id, "state": visit.state, "task_id": task.id, "task": task.name,
                  "window_start": visit.window_start, "window_end": visit.window_end,
                  "merged_into": visit.merged_into},
        "company": {"id": company.id, "credit_code": company.credit_code, "name": company.name,
                    "address": company.address, "legal_representative":
                        company.legal_representative, "phone": company.phone,
                    "latitude": company.latitude, "longitude": company.longitude},
        "team": members,
        "items": items,
        "visit_token": token,
        "visit_url": visit_url(public_url, token),
        "premises_code": {"company_id": company.id,
                          "version": premises.version if premises else None},
        "public_keys": {kid: b64encode(key) for kid, key in sorted(public_keys.items())},
        "this_year": this_year(session, visit, task),
    }
    # Of the body as it goes on the wire (dates as ISO text), which is what it answers.
    etag = hashlib.sha256(json.dumps(audit.jsonable(body), sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()[:32]
    return body, etag


def my_visits(session: Session, actor: Actor) -> list[Visit]:
    """An inspector's visits that are still to be done or under way."""
    actor.require_role("inspector")
    return list(session.scalars(
        select(Visit).join(VisitMember, VisitMember.visit_id == Visit.id)
        .where(VisitMember.inspector_id == actor.inspector_id,
               Visit.state.in_(VISIT_WITH_TEAM))
        .order_by(Visit.window_start, Visit.id)))


# --- lifecycle: cancel, reschedule, overdue ------------------------------------------------------
def is_overdue(visit: Visit, today: dt.date) -> bool:
    """Past its window and not yet submitted."""
    return visit.overdue_on(today)


def _check_manage(session: Session, actor: Actor, visit: Visit) -> Task:
    from server.services.plans import check_task_write

    task = session.get(Task, visit.task_id)
    check_task_write(actor, task)
    return task


def cancel(session: Session, actor: Actor, visit_id: int, *, reason: str,
           now: dt.datetime | None = None) -> Visit:
    visit = get_or_raise(session, actor, visit_id)
    _check_manage(session, actor, visit)
    if visit.state not in VISIT_OPEN:
        raise Conflict(f"The visit is {visit.state}.", code="visit_not_open")
    before = visit.state
    visit.state = VisitState.CANCELLED
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "visit.cancel", "visit", visit.id, before={"state": before},
                 after={"state": VisitState.CANCELLED, "reason": reason}, now=now)
    return visit


def reschedule(session: Session, actor: Actor, visit_id: int, *, window_start: dt.date,
               window_end: dt.date, reason: str, now: dt.datetime | None = None) -> Visit:
    """A new window (the visit code changes with it: codes of the old window are void)."""
    visit = get_or_raise(session, actor, visit_id)
    _check_manage(session, actor, visit)
    if visit.state != VisitState.ISSUED:
        raise Conflict("Only a visit not yet entered can be rescheduled.", code="visit_not_open")
    if window_end < window_start:
        raise InvalidInput("The window ends before it starts.",
                           errors={"window_end": ["before window_start"]})
    before = {"window_start": visit.window_start, "window_end": visit.window_end}
    visit.window_start, visit.window_end = window_start, window_end
    session.flush()
    changes.record(session, [(visit.id, "visit", str(visit.id))], now=now)
    audit.record(session, actor, "visit.reschedule", "visit", visit.id, before=before,
                 after={"window_start": window_start, "window_end": window_end,
                        "reason": reason}, now=now)
    return visit


def inspections_this_year(session: Session, actor: Actor, company_id: int, *,
                          year: int) -> list[dict]:
    """Who inspected the company this year, for which items: shown before entering, so
    repeat visits are seen at the door."""
    from server.models import InspectionItemVersion, Inspector

    actor.require_role("admin", "coordinator", "supervisor", "inspector")
    get_or_404(session, Company, company_id, "company")
    names = departments.names(session)
    out = []
    for visit in session.scalars(select(Visit).where(
            Visit.company_id == company_id, Visit.state.not_in(VISIT_VOID),
            Visit.window_start >= dt.date(year, 1, 1), Visit.window_start <= dt.date(year, 12, 31))
            .order_by(Visit.window_start)):
        out.append({
            "visit_id": visit.id, "state": visit.state,
            "window_start": visit.window_start,
            "window_end": visit.window_end,
            "departments": sorted({names[i.department_id] for i in visit.items}),
            "items": sorted({session.get(InspectionItemVersion, i.item_version_id).name
                             for i in visit.items}),
            "inspectors": sorted(session.get(Inspector, m.inspector_id).name
                                 for m in visit.members),
            "counts_for_caps": visit.counts_for_caps,
        })
    return out


# --- field progress for supervisors -------------------------------------------------------------
def progress(session: Session, actor: Actor, *, task_id=None, department_id=None, region=None,
             date_from=None, date_to=None, now: dt.datetime | None = None) -> dict:
    """Visits by state per task, department and inspector; entered but not submitted;
    overdue; entries flagged (manual, far from the premises, recorded late). Supervisors
    see visits carrying their department's items (joint visits for each department)."""
    from server.models import Inspector

    actor.require_role("admin", "coordinator", "supervisor")
    today = clock.china_date(now)
    scope = actor.department_scope()
    visits = _progress_visits(session, scope, task_id=task_id, department_id=department_id,
                              region=region, date_from=date_from, date_to=date_to)
    groups, overdue_ids = _tally(visits, _flagged_entries(session, [v.id for v in visits]),
                                 scope, today)
    task_names = dict(session.execute(select(Task.id, Task.name)).all())
    dept_names = departments.names(session)
    person = dict(session.execute(select(Inspector.id, Inspector.name)).all())

    def rows(group, label, names):
        return [{label: key, "name": names.get(key), **{k: (dict(v) if k == "by_state" else v)
                                                       for k, v in g.items()}}
                for key, g in sorted(groups[group].items())]

    return {"as_of": today, "visits": len(visits),
            "overdue_visit_ids": sorted(overdue_ids),
            "tasks": rows("tasks", "task_id", task_names),
            "departments": rows("departments", "department_id", dept_names),
            "inspectors": rows("inspectors", "inspector_id", person),
            "devices": _devices(session, scope)}


def _progress_visits(session: Session, scope: int | None, *, task_id, department_id, region,
                     date_from, date_to) -> list[Visit]:
    """The visits progress counts: not merged away, within the actor's department and the
    filters given."""
    stmt = select(Visit).join(Company, Company.id == Visit.company_id).where(
        Visit.state != VisitState.MERGED)
    for dept in (scope, department_id):
        if dept is not None:
            stmt = stmt.where(Visit.id.in_(select(VisitItem.visit_id)
                                           .where(VisitItem.department_id == dept)))
    if task_id:
        stmt = stmt.where(Visit.task_id == task_id)
    if region:
        stmt = stmt.where(Company.region.startswith(region, autoescape=True))
    if date_from:
        stmt = stmt.where(Visit.window_end >= date_from)
    if date_to:
        stmt = stmt.where(Visit.window_start <= date_to)
    return list(session.scalars(stmt))


def _flagged_entries(session: Session, ids: list[int]) -> Counter:
    """Per visit, how many of its entries carry a flag (read in chunks of ids)."""
    flagged = Counter()
    for start in range(0, len(ids), 900):
        for visit_id, flags in session.execute(select(VisitEntry.visit_id, VisitEntry.flags)
                                               .where(VisitEntry.visit_id.in_(ids[start:start + 900]))):
            if flags:
                flagged[visit_id] += 1
    return flagged


def _tally(visits: list[Visit], flagged: Counter, scope: int | None,
           today: dt.date) -> tuple[dict, list[int]]:
    """The counts per task, department and inspector (a supervisor's own inspectors only),
    and the overdue visits' ids."""
    def blank():
        return {"visits": 0, "by_state": Counter(), "entered_not_submitted": 0, "overdue": 0,
                "flagged_entries": 0}

    groups = {"tasks": defaultdict(blank), "departments": defaultdict(blank),
              "inspectors": defaultdict(blank)}
    overdue_ids = []
    for visit in visits:
        keys = {"tasks": [visit.task_id],
                "departments": sorted({i.department_id for i in visit.items}),
                "inspectors": [m.inspector_id for m in visit.members]}
        late = is_overdue(visit, today)
        if late:
            overdue_ids.append(visit.id)
        for group, members in keys.items():
            if group == "inspectors" and scope is not None:  # only their own people
                members = [m.inspector_id for m in visit.members if m.department_id == scope]
            for key in members:
                g = groups[group][key]
                g["visits"] += 1
                g["by_state"][visit.state] += 1
                g["entered_not_submitted"] += visit.state == VisitState.ENTERED
                g["overdue"] += late
                g["flagged_entries"] += flagged[visit.id]
    return groups, overdue_ids


def _devices(session: Session, department_id: int | None) -> list[dict]:
    """Each phone's last push and how many of its ops the server holds."""
    from server.models import Device, User

    stmt = (select(Device.id, Device.name, User.username, Device.last_push_at,
                   Device.revoked_at, Device.ops_known)
            .join(User, User.id == Device.user_id).order_by(Device.created_at))
    if department_id is not None:
        stmt = stmt.where(User.department_id == department_id)
    return [{"device_id": d, "name": n, "user": u,
             "last_sync_at": last, "revoked": revoked is not None,
             "ops_known": ops} for d, n, u, last, revoked, ops in session.execute(stmt)]
