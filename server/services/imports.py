"""Bulk import of the registries from CSV or XLSX (批量导入).

- An import is an upsert keyed by the natural code (credit code, ID number, item code),
  so re-importing a corrected file is safe. Blank cells leave a stored value unchanged.
- All-or-nothing by default: one bad row and nothing is written. ``dry_run`` does the
  whole import, reports every bad row (row number as the spreadsheet shows it, column
  as the file names it, message) and rolls back. Mode ``valid_rows`` writes the good rows
  and reports the bad ones.
- Rows are validated by the same marshmallow schemas as the JSON API: one contract.
- Registries: companies, inspectors, items, departments, tags.
- Companies go through a bulk path (core INSERT/UPDATE in batches, one audit entry per
  row) because registries hold millions of them; the smaller registries reuse the
  per-object services row by row, each row in a savepoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from marshmallow import Schema, ValidationError
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from schemas.registries import (
    CompanyCreateSchema,
    DepartmentSchema,
    InspectorCreateSchema,
    ItemCreateSchema,
    TagSchema,
)
from server import clock
from server.db import is_sqlite
from server.models import Company, Department, InspectionItem, Inspector, Tag, company_tags
from server.services import audit, companies, departments, inspectors, items, tags
from server.services.actors import Actor
from server.services.errors import DomainError, InvalidInput
from server.services.registry import snapshot
from server.services.tables import read_table

MODES = ("all_or_nothing", "valid_rows")
_LIST_SPLIT = re.compile(r"[;,；，|、]\s*")
CHUNK = 900  # under SQLite's bound-parameter limit for IN (...)
ANALYZE_AFTER = 1000

ENUM_ALIASES = {
    "subject_type": {"企业": "enterprise", "个体工商户": "individual_business",
                     "农民专业合作社": "farmer_cooperative", "其他": "other"},
    "status": {"在营": "operating", "存续": "operating", "开业": "operating",
               "注销": "deregistered", "吊销": "deregistered", "无法联系": "unreachable"},
    "method": {"实地核查": "on_site", "现场检查": "on_site", "书面检查": "written_review",
               "网络监测": "online_monitoring", "视频检查": "video"},
    "item_class": {"重点": "key", "重点检查事项": "key", "一般": "general",
                   "一般检查事项": "general"},
    "gender": {"男": "male", "女": "female"},
    "kind": {"行业": "industry", "风险领域": "risk_domain", "专业领域": "expertise",
             "规模": "scale", "其他": "other"},
}

DEFAULT_FORM = {"fields": [
    {"key": "compliant", "label": "是否符合要求", "type": "yes_no_na", "required": True},
    {"key": "remark", "label": "检查情况说明", "type": "text", "required": False},
]}


@dataclass
class RowError:
    row: int
    column: str | None
    message: str


@dataclass
class ImportReport:
    registry: str
    dry_run: bool
    mode: str
    file_sha256: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        if self.dry_run:
            return False
        if not self.errors:
            return True
        return self.mode == "valid_rows" and self.created + self.updated + self.unchanged > 0


@dataclass
class Importer:
    """How one registry's spreadsheet maps onto its schema."""

    registry: str
    schema: type[Schema]
    key: str
    columns: dict[str, str]  # header alias -> field
    list_fields: tuple[str, ...] = ()
    json_fields: tuple[str, ...] = ()
    roles: tuple[str, ...] = ("admin",)


IMPORTERS = {
    "departments": Importer(
        "departments", DepartmentSchema, "code",
        {"部门编码": "code", "部门代码": "code", "部门名称": "name", "名称": "name",
         "简称": "short_name", "区划代码": "region", "所属区域": "region",
         "联系电话": "phone", "办公电话": "phone"}),
    "tags": Importer(
        "tags", TagSchema, "code",
        {"标签编码": "code", "编码": "code", "标签名称": "name", "名称": "name",
         "类别": "kind", "标签类别": "kind"}),
    "companies": Importer(
        "companies", CompanyCreateSchema, "credit_code",
        {"统一社会信用代码": "credit_code", "企业名称": "name", "名称": "name",
         "主体类型": "subject_type", "法定代表人": "legal_representative",
         "负责人": "legal_representative", "住所": "address", "地址": "address",
         "经营范围": "business_scope", "成立日期": "established_on", "联系电话": "phone",
         "行业": "industry", "所属区域": "region", "区划代码": "region",
         "信用风险分类": "credit_risk_class", "状态": "status", "标签": "tags",
         "纬度": "latitude", "经度": "longitude"},
        list_fields=("tags",)),
    "inspectors": Importer(
        "inspectors", InspectorCreateSchema, "id_number",
        {"姓名": "name", "身份证号": "id_number", "公民身份号码": "id_number", "性别": "gender",
         "手机": "mobile", "手机号": "mobile", "执法证号": "certificate_number",
         "执法证件号": "certificate_number", "证件有效期起": "certificate_valid_from",
         "证件有效期至": "certificate_valid_until", "发证机关": "issuing_authority",
         "部门": "department_code", "所属部门": "department_code", "科室": "section",
         "专业领域": "tags", "标签": "tags"},
        list_fields=("tags",), roles=("admin", "supervisor")),
    "items": Importer(
        "items", ItemCreateSchema, "code",
        {"事项编码": "code", "编码": "code", "事项名称": "name", "部门": "department_code",
         "所属部门": "department_code", "抽查依据": "legal_basis", "检查依据": "legal_basis",
         "检查对象类型": "subject_type", "抽查内容": "content", "检查内容": "content",
         "检查方式": "method", "事项类别": "item_class", "比例上限": "ratio_cap",
         "抽查比例上限": "ratio_cap", "抽查频次": "frequency", "所需专业": "required_expertise",
         "工作指引": "work_guide", "检查表单": "form"},
        list_fields=("required_expertise",), json_fields=("form",),
        roles=("admin", "supervisor")),
}


SIMPLE_REGISTRIES = {"departments": (departments, Department), "tags": (tags, Tag)}


def _map_header(importer: Importer, header: list[str]) -> tuple[list[str | None], list[RowError]]:
    schema_fields = {n for n, f in importer.schema().fields.items() if not f.dump_only}
    schema_fields |= {"department_code"}
    mapped, errors = [], []
    seen = {}
    for index, name in enumerate(header):
        key = importer.columns.get(name, name.strip().lower())
        if not name:
            mapped.append(None)
            continue
        if key not in schema_fields or key == "department_id":
            errors.append(RowError(1, name, "unknown column"))
            mapped.append(None)
            continue
        if key in seen:
            errors.append(RowError(1, name, f"same field as column {header[seen[key]]!r}"))
        seen[key] = index
        mapped.append(key)
    required = {n for n, f in importer.schema().fields.items() if f.required}
    required = (required - {"department_id", "form"}) | (
        {"department_code"} if "department_id" in required else set())
    for missing in sorted(required - set(seen)):
        errors.append(RowError(1, missing, "required column is missing"))
    return mapped, errors


def _row_values(importer: Importer, mapped, cells) -> dict:
    values = {}
    for key, cell in zip(mapped, cells, strict=False):
        if key is None or cell == "":
            continue
        if key in importer.list_fields:
            values[key] = [v.strip() for v in _LIST_SPLIT.split(cell) if v.strip()]
        elif key in importer.json_fields:
            try:
                values[key] = json.loads(cell)
            except (ValueError, RecursionError):
                values[key] = cell  # the schema reports it as invalid
        else:
            values[key] = ENUM_ALIASES.get(key, {}).get(cell, cell)
    return values


def _schema_errors(exc: ValidationError, columns: dict[str, str], row: int) -> list[RowError]:
    out = []
    for name, messages in exc.messages.items():
        if isinstance(messages, dict):
            messages = [json.dumps(messages, ensure_ascii=False)]
        for message in messages:
            out.append(RowError(row, columns.get(name, name), str(message)))
    return out


def _domain_errors(exc: DomainError, columns: dict[str, str], row: int) -> list[RowError]:
    if not exc.errors:
        return [RowError(row, None, exc.message)]
    return [RowError(row, columns.get(name, name), str(m))
            for name, msgs in exc.errors.items() for m in (msgs if isinstance(msgs, list) else [msgs])]


def run(session: Session, actor: Actor, registry: str, data: bytes, fmt: str, *,
        dry_run: bool = False, mode: str = "all_or_nothing", max_rows: int = 200_000,
        pii_key: str = "") -> ImportReport:
    importer = IMPORTERS[registry]
    actor.require_role(*importer.roles)
    if mode not in MODES:
        raise InvalidInput("Unknown import mode.", errors={"query": {"mode": list(MODES)}})
    report = ImportReport(registry, dry_run, mode, hashlib.sha256(data).hexdigest())
    header, rows = read_table(data, fmt, max_rows=max_rows)
    mapped, header_errors = _map_header(importer, header)
    if header_errors:
        report.errors = header_errors
        return report
    columns = {key: name for key, name in zip(mapped, header, strict=False) if key}
    schema = importer.schema()
    department_ids = dict(session.execute(select(Department.code, Department.id)).all())
    valid: list[tuple[int, dict, set[str]]] = []
    first_seen: dict[str, int] = {}
    for number, cells in rows:
        report.rows += 1
        values = _row_values(importer, mapped, cells)
        present = set(values)
        if "department_code" in values:
            code = values.pop("department_code")
            if code not in department_ids:
                report.errors.append(RowError(number, columns["department_code"],
                                              f"no department with code {code!r}"))
                continue
            values["department_id"] = department_ids[code]
            present = (present - {"department_code"}) | {"department_id"}
        if registry == "items" and "form" not in values:
            values["form"] = DEFAULT_FORM
        try:
            clean = schema.load(values)
        except ValidationError as exc:
            report.errors.extend(_schema_errors(exc, columns, number))
            continue
        key = clean[importer.key]
        if key in first_seen:
            report.errors.append(RowError(number, columns.get(importer.key),
                                          f"duplicate of row {first_seen[key]}"))
            continue
        first_seen[key] = number
        valid.append((number, clean, present))

    savepoint = session.begin_nested()
    if registry == "companies":
        _apply_companies(session, actor, valid, report, columns)
    else:
        _apply_rowwise(session, actor, importer, valid, report, columns, pii_key)
    report.errors.sort(key=lambda e: (e.row, e.column or ""))
    report.rejected = len({e.row for e in report.errors})
    if report.applied:
        savepoint.commit()
        audit.record(session, actor, f"{registry}.import", "import", report.file_sha256[:16],
                     after={"rows": report.rows, "created": report.created,
                            "updated": report.updated, "unchanged": report.unchanged,
                            "rejected": report.rejected, "file_sha256": report.file_sha256})
    else:
        savepoint.rollback()
    return report


# --- companies: the bulk path ----------------------------------------------------------------
_COMPANY_COLUMNS = [f for f in companies.FIELDS if f not in ("tags", "active")]


def _apply_companies(session: Session, actor: Actor, valid, report: ImportReport, columns) -> None:
    actor.require_role("admin")
    tag_ids = _active_tag_ids(session, {code for _, clean, _ in valid
                                        for code in clean.get("tags", ())})
    rows = []
    for number, clean, present in valid:
        unknown = [t for t in clean.get("tags", ()) if t not in tag_ids]
        if unknown:
            report.errors.append(RowError(number, columns.get("tags"),
                                          f"unknown or deactivated tag: {', '.join(unknown)}"))
        else:
            rows.append((number, clean, present))
    existing = _existing_companies(session, [clean["credit_code"] for _, clean, _ in rows])
    current_tags = _current_tags(session, [e["id"] for e in existing.values()])
    now = clock.now()
    plan = _company_changes(rows, existing, current_tags, report, now)
    report.created, report.updated = len(plan.inserts), len(plan.updates)
    if report.errors and report.mode == "all_or_nothing":
        return  # nothing will be kept: skip the writes, the report is complete
    ids_by_code = _write_companies(session, plan, existing, tag_ids)
    for change in plan.changes:
        if "code" in change:
            change["entity_id"] = ids_by_code[change.pop("code")]
    audit.record_many(session, actor, plan.changes, now=now)
    if len(plan.inserts) >= ANALYZE_AFTER and not is_sqlite(session):
        # Fresh statistics after a bulk load: without them PostgreSQL plans the next
        # import's lookups by credit code as sequential scans (seconds instead of ms).
        session.execute(text("ANALYZE companies"))
        session.execute(text("ANALYZE company_tags"))


def _active_tag_ids(session: Session, codes: set[str]) -> dict[str, int]:
    """Id of each active tag among ``codes`` (an unknown or deactivated one is absent)."""
    tag_ids = {}
    for start in range(0, len(codes), CHUNK):
        chunk = list(codes)[start:start + CHUNK]
        tag_ids.update(session.execute(select(Tag.code, Tag.id).where(
            Tag.code.in_(chunk), Tag.active.is_(True))).all())
    return tag_ids


def _existing_companies(session: Session, codes: list[str]) -> dict[str, dict]:
    """The registered companies among the credit codes, by code: id and imported columns."""
    existing: dict[str, dict] = {}
    cols = [Company.id] + [getattr(Company, c) for c in _COMPANY_COLUMNS]
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start:start + CHUNK]
        for row in session.execute(select(*cols).where(Company.credit_code.in_(chunk))).mappings():
            existing[row["credit_code"]] = dict(row)
    return existing


def _current_tags(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The tag codes each of these companies carries now."""
    current_tags: dict[int, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for company_id, code in session.execute(
                select(company_tags.c.company_id, Tag.code).join(Tag, Tag.id == company_tags.c.tag_id)
                .where(company_tags.c.company_id.in_(chunk))):
            current_tags.setdefault(company_id, []).append(code)
    return current_tags


@dataclass
class _CompanyChanges:
    """What an import will write: rows to insert, updates by id, new tag sets by credit
    code, and the audit entries (a new company's by its code until it has an id)."""

    inserts: list[dict]
    updates: list[dict]
    retag: dict[str, list[str]]
    changes: list[dict]


def _company_changes(rows, existing: dict[str, dict], current_tags: dict[int, list[str]],
                     report: ImportReport, now: dt.datetime) -> _CompanyChanges:
    """Each row compared with the company as registered: new, changed (only the columns
    the file has), or unchanged (counted in the report)."""
    plan = _CompanyChanges([], [], {}, [])
    for _number, clean, present in rows:
        old = existing.get(clean["credit_code"])
        new_tags = sorted(set(clean.get("tags", ())))
        if old is None:
            plan.inserts.append({c: clean.get(c) for c in _COMPANY_COLUMNS}
                                | {"created_at": now, "updated_at": now, "active": True})
            plan.retag[clean["credit_code"]] = new_tags
            plan.changes.append({"action": "company.create", "entity_type": "company",
                                 "code": clean["credit_code"],
                                 "after": audit.jsonable({**plan.inserts[-1], "tags": new_tags})})
            continue
        new = {c: clean[c] for c in _COMPANY_COLUMNS if c in present}
        before, after = audit.diff(audit.jsonable(old), audit.jsonable(new))
        new_values = {c: new[c] for c in after}
        old_tags = sorted(current_tags.get(old["id"], []))
        if "tags" in present and new_tags != old_tags:
            before["tags"], after["tags"] = old_tags, new_tags
            plan.retag[clean["credit_code"]] = new_tags
        if not after:
            report.unchanged += 1
            continue
        plan.updates.append({"id": old["id"], **new_values, "updated_at": now})
        plan.changes.append({"action": "company.update", "entity_type": "company",
                             "entity_id": old["id"], "before": before, "after": after})
    return plan


def _write_companies(session: Session, plan: _CompanyChanges, existing: dict[str, dict],
                     tag_ids: dict[str, int]) -> dict[str, int]:
    """Inserts in batches (core insert: the ORM's per-row bookkeeping costs 2x here),
    updates, and the changed tag sets replaced; every company's id by credit code."""
    ids_by_code = {code: e["id"] for code, e in existing.items()}
    for start in range(0, len(plan.inserts), 5000):
        batch = plan.inserts[start:start + 5000]
        table = Company.__table__
        for company_id, code in session.execute(
                insert(table).returning(table.c.id, table.c.credit_code), batch):
            ids_by_code[code] = company_id
    for values in plan.updates:
        session.execute(update(Company).where(Company.id == values["id"])
                        .values({k: v for k, v in values.items() if k != "id"}))
    retag_ids = [ids_by_code[code] for code in plan.retag if code in existing]
    for start in range(0, len(retag_ids), CHUNK):
        session.execute(delete(company_tags).where(
            company_tags.c.company_id.in_(retag_ids[start:start + CHUNK])))
    links = [{"company_id": ids_by_code[code], "tag_id": tag_ids[t]}
             for code, tags in plan.retag.items() for t in tags]
    for start in range(0, len(links), 5000):
        session.execute(insert(company_tags), links[start:start + 5000])
    return ids_by_code


# --- the smaller registries: row by row through their services ------------------------------
def _apply_rowwise(session: Session, actor: Actor, importer: Importer, valid, report, columns,
                   pii_key: str) -> None:
    for number, clean, present in valid:
        savepoint = session.begin_nested()
        try:
            outcome = _upsert_one(session, actor, importer.registry, clean, present, pii_key)
        except DomainError as exc:
            savepoint.rollback()
            report.errors.extend(_domain_errors(exc, columns, number))
            continue
        savepoint.commit()
        setattr(report, outcome, getattr(report, outcome) + 1)


def _upsert_one(session, actor, registry, clean, present, pii_key) -> str:
    """Create or update one row through its service; say which it was."""
    if registry == "items":
        return _upsert_item(session, actor, clean, present)
    if registry == "inspectors":
        digest = inspectors.id_digest(clean["id_number"], pii_key)
        found = session.scalar(select(Inspector).where(Inspector.id_number_digest == digest))
        service, extra = inspectors, {"pii_key": pii_key}
        changes = {k: clean[k] for k in present if k not in ("id_number", "gender")}
    else:
        service, model = SIMPLE_REGISTRIES[registry]
        found = session.scalar(select(model).where(model.code == clean["code"]))
        extra = {}
        changes = {k: clean[k] for k in present if k != "code"}
    if found is None:
        service.create(session, actor, clean, **extra)
        return "created"
    before = snapshot(found, service.FIELDS)
    service.update(session, actor, found.id, changes, **extra)
    return "updated" if before != snapshot(found, service.FIELDS) else "unchanged"


def _upsert_item(session, actor, clean, present) -> str:
    found = session.scalar(select(InspectionItem).where(InspectionItem.code == clean["code"]))
    if found is None:
        items.create(session, actor, clean)
        return "created"
    if found.department_id != clean["department_id"]:
        raise InvalidInput("The item belongs to another department.",
                           errors={"department_id": ["an item cannot move between departments"]})
    version = found.current_version
    changes = {k: clean[k] for k in present if k in items.VERSION_FIELDS}
    items.update(session, actor, found.id, changes)
    return "updated" if found.current_version != version else "unchanged"
