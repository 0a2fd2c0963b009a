"""The on-site inspection record (现场检查笔录): one printable PDF per submitted visit,
and the check that a printed copy is genuine.

Why it is built this way:

- Generated once per submission and kept in the blob store under its SHA-256, which is
  written on the result (``record_sha256``, ``record_at``): every download returns the
  same bytes, so the hash on the company's page, in the ``X-Record-SHA256`` header and in
  the public check all name one file. A result submitted again (after a return) is newer
  than its record, so the record is made again; the older hash stays in the audit log
  (``record.generate``, keyed by the hash) and the public check calls it superseded.
- Deterministic (see ``record_pdf``): regenerating an unchanged visit, e.g. after the blob
  was lost, gives the very bytes printed copies were checked against.
- Only what the record may show: the company's registry data, the task, the items and
  their legal basis, the team as the company's verification page shows it (names,
  departments, masked certificate numbers; never ID numbers or phones), the entries,
  the checklist's merged state (``sync``), notes, photos, signatures and the result.
- Generating writes (blob, hash, audit), so ``fetch``/``ensure`` do it in a short write
  transaction of their own even when a GET asks, and lock the result row meanwhile:
  two first downloads at once make one record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.states import RESULT_STANDING, RecordStatus
from server import clock
from server.config import Settings
from server.iso_text import iso_date, iso_moment, iso_text
from server.models import (
    AuditEntry,
    Blob,
    Company,
    FieldRevision,
    InspectionItem,
    InspectionItemVersion,
    Inspector,
    Result,
    ResultCategory,
    SyncOp,
    Task,
    Visit,
    VisitEntry,
)
from server.services import audit, departments, qr, uploads
from server.services.actors import SYSTEM, Actor
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.field_history import visit_states
from server.services.record_pdf import china_time, render
from server.services.visits import team
from server.storage import HASH_RE, BlobStore
from sync import field_types
from sync.ops import RegisterKey, checklist_hash, signed_key

PUBLIC_CHECK_PATH = "/api/v1/public/records/"

TASK_KINDS = {"random": "双随机抽查", "special": "专项检查", "individual": "个案检查"}
JOINT_MODES = {"comprehensive": "综合联查", "special_campaign": "专项整治联查",
               "industry": "行业部门联查"}
CASE_REASONS = {"complaint": "投诉举报", "referral": "转办交办", "recheck": "复查",
                "own_request": "企业申请"}
METHODS = {"on_site": "实地核查", "written_review": "书面检查", "online_monitoring": "网络监测",
           "video": "视频检查"}
ENTRY_FLAGS = {"manual": "未扫码登记", "recorded_late": "逾期补录",
               "synced_later": "离线扫码、事后同步", "far_from_premises": "定位距登记地址较远"}


# --- which result, and whether its record is current ----------------------------------------
def submitted_result(session: Session, visit_id: int) -> Result:
    """The visit's result while it stands submitted or approved; 409 before (or while
    returned for correction): the record is of a submitted checklist only."""
    result = session.scalar(select(Result).where(Result.visit_id == visit_id))
    if result is None or result.state not in RESULT_STANDING:
        raise Conflict("The visit has not been submitted: its on-site record is made on "
                       "submission.", code="not_submitted")
    return result


def _current(blobs: BlobStore, result: Result) -> bool:
    return bool(result.record_sha256 and result.record_at
                and result.record_at >= result.submitted_at
                and blobs.exists(result.record_sha256))


def read(blobs: BlobStore, sha256: str) -> bytes:
    with blobs.open(sha256) as fh:
        return fh.read()


def record(session: Session, blobs: BlobStore, visit_or_result: Visit | Result,
           settings: Settings, *, actor: Actor = SYSTEM,
           now: dt.datetime | None = None) -> tuple[bytes, str]:
    """The record of a submitted visit, as (PDF bytes, SHA-256): the stored one while it
    is newer than the submission, else made now, stored, written on the result and
    audited. Runs in the caller's (write) transaction."""
    result = visit_or_result if isinstance(visit_or_result, Result) else \
        submitted_result(session, visit_or_result.id)
    result = session.scalar(select(Result).where(Result.id == result.id).with_for_update()
                            .execution_options(populate_existing=True))
    if _current(blobs, result):
        return read(blobs, result.record_sha256), result.record_sha256
    now = now or clock.now()
    data = render(content(session, blobs, result, settings), font(settings))
    sha256 = hashlib.sha256(data).hexdigest()
    blobs.put(sha256, io.BytesIO(data), max_bytes=len(data))
    before = result.record_sha256
    result.record_sha256, result.record_at = sha256, max(now, result.submitted_at)
    session.flush()
    audit.record(session, actor, "record.generate", "record", sha256, now=now,
                 before={"record_sha256": before} if before else None,
                 after={"visit_id": result.visit_id, "result_id": result.id,
                        "submitted_at": result.submitted_at, "checked_on": result.checked_on,
                        "size": len(data)})
    return data, sha256


def ensure(db, blobs: BlobStore, visit_id: int, settings: Settings, *,
           actor: Actor = SYSTEM, now: dt.datetime | None = None) -> str:
    """The SHA-256 of the visit's current record, made first if need be. ``db`` is the
    session factory pair: a read that finds the record current writes nothing; one that
    makes it stores it in a write transaction of its own, as the request (a download, a
    GET) holds only a read session and the record must stay once made."""
    with db.read_session() as s:
        result = submitted_result(s, visit_id)
        if _current(blobs, result):
            return result.record_sha256
    with db.write_session.begin() as s:
        _, sha256 = record(s, blobs, submitted_result(s, visit_id), settings, actor=actor,
                           now=now)
    return sha256


def fetch(db, blobs: BlobStore, visit_id: int, settings: Settings, *,
          actor: Actor = SYSTEM, now: dt.datetime | None = None) -> tuple[bytes, str]:
    """(bytes, SHA-256) of the visit's current record, made first if need be."""
    sha256 = ensure(db, blobs, visit_id, settings, actor=actor, now=now)
    return read(blobs, sha256), sha256


def font(settings: Settings) -> Path:
    """The CJK font: FIELDINSPECT_CJK_FONT when set (it must exist: a typo is said, not
    papered over), else the first one installed, found as for the premises poster."""
    if settings.cjk_font is None:
        return Path(qr.cjk_font())
    if not settings.cjk_font.is_file():
        raise qr.FontMissing(f"FIELDINSPECT_CJK_FONT names {settings.cjk_font}, which is not a "
                             "file: the on-site record cannot print Chinese. Point it at a "
                             ".ttf/.otf/.ttc with Chinese glyphs (e.g. Debian's "
                             "fonts-wqy-microhei).", package="fonts-wqy-microhei",
                             font=str(settings.cjk_font))
    return settings.cjk_font


# --- the public check of a printed copy -------------------------------------------------------
def check(session: Session, sha256: str) -> dict:
    """Whether a file with this SHA-256 is a genuine record, and of which visit, company,
    task and date; ``status`` current, returned (the result was sent back for correction)
    or superseded (submitted again since). Nothing personal: no inspectors, no answers."""
    if not isinstance(sha256, str) or not HASH_RE.match(sha256.lower()):
        raise InvalidInput("Give the file's SHA-256 as 64 hexadecimal digits.",
                           errors={"sha256": ["64 hexadecimal digits"]})
    sha256 = sha256.lower()
    result = session.scalar(select(Result).where(Result.record_sha256 == sha256))
    made = session.scalar(select(AuditEntry).where(
        AuditEntry.action == "record.generate", AuditEntry.entity_type == "record",
        AuditEntry.entity_id == sha256).order_by(AuditEntry.id).limit(1))
    if result is None and made is not None:
        result = session.get(Result, (made.after or {}).get("result_id"))
    if result is None:
        raise NotFound("No on-site record has this SHA-256.", code="record_not_found")
    if result.record_sha256 != sha256:
        status = RecordStatus.SUPERSEDED  # a later submission has a record of its own
    elif result.state not in RESULT_STANDING:
        status = RecordStatus.RETURNED  # returned for correction: a new record follows resubmission
    else:
        status = RecordStatus.CURRENT
    task = session.get(Task, result.task_id)
    company = session.get(Company, result.company_id)
    visit = session.get(Visit, result.visit_id)
    names = departments.names(session)
    then = (made.after or {}) if made else {}
    return {"sha256": sha256, "genuine": True, "status": status, "current": status == RecordStatus.CURRENT,
            "visit_id": result.visit_id, "company": company.name,
            "credit_code": company.credit_code, "task": task.name,
            "departments": sorted({names.get(i.department_id) for i in visit.items}),
            "checked_on": iso_date(then.get("checked_on")) or result.checked_on,
            "submitted_at": iso_moment(then.get("submitted_at")) or result.submitted_at,
            "generated_at": made.at if made else result.record_at}


# --- what the record shows ----------------------------------------------------------------------
def content(session: Session, blobs: BlobStore, result: Result, settings: Settings) -> dict:
    """The record's content as plain data, in a fixed order (the layout is ``record_pdf``)."""
    visit = session.get(Visit, result.visit_id)
    task = session.get(Task, visit.task_id)
    company = session.get(Company, visit.company_id)
    names = departments.names(session)
    categories = dict(session.execute(select(ResultCategory.code, ResultCategory.name)).all())
    states = visit_states(session, visit.id)
    signed = {k: s.value for key, s in states.items() if (k := signed_key(key)) is not None}
    meta = _register_meta(session, visit.id, states)
    linked = {i.item_version_id for i in visit.items}
    photos = _by_item(_photo_links(states, meta), linked)
    notes = _by_item(_notes(states, meta), linked)
    item_results = {i.item_version_id: categories.get(i.category_code, i.category_code)
                    for i in result.items}

    items = []
    for link in sorted(visit.items, key=lambda i: (i.department_id, i.item_version_id)):
        version = session.get(InspectionItemVersion, link.item_version_id)
        item = session.get(InspectionItem, version.item_id)
        fields = []
        for spec in version.form.get("fields", []):
            state = states.get(str(RegisterKey.answer(version.id, spec["key"])))
            text = answer_text(spec, state.value if state else None)
            if state is not None and state.conflicted:
                text += "（存在未解决的冲突，显示暂定值）"
            fields.append((spec.get("label") or spec["key"], text))
        items.append({
            "item_version_id": version.id, "name": version.name, "code": item.code,
            "version": version.version, "department": names.get(link.department_id),
            "legal_basis": version.legal_basis, "method": METHODS.get(version.method,
                                                                      version.method),
            "fields": fields, "notes": notes.get(version.id, []),
            "photos": [_photo(session, blobs, sha, "检查照片") for sha in photos.get(version.id, [])],
            "result": item_results.get(version.id)})

    kind = TASK_KINDS.get(task.kind, task.kind)
    if task.joint_mode:
        kind += f"（联合检查：{JOINT_MODES.get(task.joint_mode, task.joint_mode)}）"
    if task.case_reason:
        kind += f"（{CASE_REASONS.get(task.case_reason, task.case_reason)}）"
    base = settings.public_url.rstrip("/") + PUBLIC_CHECK_PATH
    return {
        "visit_id": visit.id, "created": result.submitted_at,
        "submitted": china_time(result.submitted_at),
        "footer": f"核验：本笔录文件的 SHA-256 已登记。计算文件的 SHA-256，访问 {base}<SHA-256> "
                  "即可核验真伪；被检查单位扫描检查码打开的核验页面亦列出该值。",
        "company": {"name": company.name, "credit_code": company.credit_code,
                    "address": company.address,
                    "legal_representative": company.legal_representative},
        "task": {"name": task.name, "kind": kind,
                 "lead_department": names.get(task.lead_department_id),
                 "departments": sorted({names.get(i.department_id) for i in visit.items}),
                 "window": f"{iso_text(visit.window_start)} 至 {iso_text(visit.window_end)}",
                 "checked_on": iso_text(result.checked_on)},
        "team": [{"name": m["name"], "department": m["department"],
                  "certificate_number": m["certificate_number"],
                  "valid_until": iso_text(m["certificate_valid_until"])
                  if m["certificate_valid_until"] else "—"} for m in team(session, visit)],
        "entries": _entries(session, blobs, visit),
        "items": items,
        "notes": notes.get(None, []),
        "photos": [_photo(session, blobs, sha, "现场照片") for sha in photos.get(None, [])],
        "result": {"category": categories.get(result.category_code, result.category_code),
                   "items": [(i["name"], i["result"]) for i in items if i["result"]]},
        "signatures": _signatures(session, blobs, visit, states, meta, checklist_hash(signed)),
        "company_signature": _company_signature(session, blobs, states, meta,
                                                checklist_hash(signed)),
    }


def answer_text(spec: dict, value) -> str:
    """An answer as the record prints it (``sync.field_types.words``)."""
    return field_types.words(spec, value)


def _register_meta(session: Session, visit_id: int, states: dict) -> dict[str, dict]:
    """Per register of notes, photos and signatures: when it was first written (its
    order in the record) and, of the current value, the item, the writer and the times."""
    first = dict(session.execute(
        select(FieldRevision.register, func.min(FieldRevision.hlc))
        .where(FieldRevision.visit_id == visit_id, FieldRevision.kind.in_(
            ("set_note", "attach_photo", "detach_photo", "sign", "company_sign")))
        .group_by(FieldRevision.register)).all())
    winners = {s.winner.op_id: key for key, s in states.items()
               if s.winner is not None and not (k := RegisterKey.parse(key)).is_answer
               and not k.is_result}
    meta = {key: {"first": first.get(key, "")} for key in winners.values()}
    if winners:
        for op_id, item_version_id, inspector_id, device_time, received_at in session.execute(
                select(FieldRevision.op_id, FieldRevision.item_version_id,
                       FieldRevision.inspector_id, SyncOp.device_time, SyncOp.received_at)
                .join(SyncOp, SyncOp.op_id == FieldRevision.op_id)
                .where(FieldRevision.op_id.in_(list(winners)))):
            meta[winners[op_id]].update(item_version_id=item_version_id,
                                        inspector_id=inspector_id, device_time=device_time,
                                        received_at=received_at)
    return meta


def _by_item(groups: dict[int | None, list], linked: set[int]) -> dict[int | None, list]:
    """Anything on an item the visit no longer holds goes with the visit's own."""
    out: dict[int | None, list] = {}
    for version, values in groups.items():
        out.setdefault(version if version in linked else None, []).extend(values)
    return out


def _ordered(keys, meta) -> list[str]:
    return sorted(keys, key=lambda k: (meta.get(k, {}).get("first", ""), k))


def _photo_links(states: dict, meta: dict) -> dict[int | None, list[str]]:
    """Attached photos by item version (None: the visit's own), in the order attached."""
    out: dict[int | None, list[str]] = {}
    for key in _ordered([k for k, s in states.items() if s.value is True
                         and RegisterKey.parse(k).is_photo], meta):
        photo = RegisterKey.parse(key)
        out.setdefault(photo.item_version_id, []).append(photo.sha256)
    return out


def _notes(states: dict, meta: dict) -> dict[int | None, list[str]]:
    """Notes (deleted ones left out: their text stays in the history) by item version."""
    out: dict[int | None, list[str]] = {}
    for key in _ordered([k for k in states if RegisterKey.parse(k).is_note], meta):
        value = states[key].value
        if isinstance(value, str) and value.strip():
            out.setdefault(meta.get(key, {}).get("item_version_id"), []).append(value)
    return out


def _image(session: Session, blobs: BlobStore, sha256: str) -> bytes | None:
    """The photo's thumbnail, or None when the photo never arrived."""
    return uploads.stored_thumbnail(session, blobs, sha256)


def _photo(session: Session, blobs: BlobStore, sha256: str, what: str) -> dict:
    blob = session.get(Blob, sha256) if HASH_RE.match(sha256 or "") else None
    caption = f"{what} {sha256[:12]}"
    if blob is not None and blob.taken_at:
        caption += f"\n拍摄 {blob.taken_at[:16].replace('T', ' ')}"
    return {"sha256": sha256, "image": _image(session, blobs, sha256), "caption": caption}


def _entries(session: Session, blobs: BlobStore, visit: Visit) -> list[dict]:
    out = []
    for entry in session.scalars(select(VisitEntry).where(VisitEntry.visit_id == visit.id)
                                 .order_by(VisitEntry.server_time, VisitEntry.id)):
        person = session.get(Inspector, entry.inspector_id)
        time = china_time(entry.server_time)
        if entry.device_time and abs(entry.device_time - entry.server_time) > dt.timedelta(minutes=5):
            time += f"（手机记录时间 {china_time(entry.device_time)}）"
        method = f"扫码入企（入企码第 {entry.premises_version} 版）" if entry.method == "scan" \
            else "未扫码，登记原因并拍摄现场照片"
        place = "未提供定位"
        if entry.latitude is not None and entry.longitude is not None:
            place = f"北纬 {entry.latitude:.6f}，东经 {entry.longitude:.6f}"
            if entry.distance_m is not None:
                place += f"，距登记地址约 {entry.distance_m:.0f} 米"
        out.append({"inspector": person.name, "time": time, "method": method, "place": place,
                    "reason": entry.reason,
                    "flags": [ENTRY_FLAGS.get(f, f) for f in entry.flags or []],
                    "photos": [_photo(session, blobs, entry.photo_sha256, "入企现场照片")]
                    if entry.photo_sha256 else []})
    return out


def _signatures(session: Session, blobs: BlobStore, visit: Visit, states: dict, meta: dict,
                final_hash: str) -> list[dict]:
    """Each member's signature, in team order; whether it signed the final checklist."""
    order = {m.inspector_id: (m.department_id, m.inspector_id) for m in visit.members}
    names = departments.names(session)
    signed = [(key.inspector_id, s.value) for k, s in states.items()
              if (key := RegisterKey.parse(k)).is_signature and isinstance(s.value, dict)]
    out = []
    for inspector_id, value in sorted(signed, key=lambda x: order.get(x[0], (2**31, x[0]))):
        person = session.get(Inspector, inspector_id)
        info = meta.get(str(RegisterKey.signature(inspector_id)), {})
        when = china_time(info.get("device_time") or info.get("received_at"))
        if info.get("device_time") and info.get("received_at"):
            when += f"（服务器接收 {china_time(info['received_at'])}）"
        department = next((m.department_id for m in visit.members
                           if m.inspector_id == inspector_id), person.department_id)
        out.append({"name": person.name, "department": names.get(department),
                    "sha256": value.get("sha256", ""), "signed_at": when,
                    "image": _image(session, blobs, value.get("sha256", "")),
                    "matches": value.get("state_hash") == final_hash})
    return out



def _company_signature(session: Session, blobs: BlobStore, states: dict, meta: dict,
                       final_hash: str) -> dict | None:
    """The company's signature (当事人签字) with its statement, or its refusal with the
    inspectors' note and who recorded it; None when neither was recorded."""
    key = str(RegisterKey.company_signature())
    state = states.get(key)
    if state is None or not isinstance(state.value, dict):
        return None
    value, info = state.value, meta.get(key, {})
    when = china_time(info.get("device_time") or info.get("received_at"))
    if info.get("device_time") and info.get("received_at"):
        when += f"（服务器接收 {china_time(info['received_at'])}）"
    recorder = session.get(Inspector, info["inspector_id"]) if info.get("inspector_id") else None
    sha256 = value.get("sha256") or ""
    return {"refused": bool(value.get("refused")),
            "representative": value.get("representative") or "",
            "statement": value.get("statement") or "", "reason": value.get("reason") or "",
            "sha256": sha256, "image": _image(session, blobs, sha256) if sha256 else None,
            "signed_at": when, "recorded_by": recorder.name if recorder else "—",
            "matches": value.get("state_hash") == final_hash}
