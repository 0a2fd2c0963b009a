"""The field the sync benchmarks run on: N teams of two, each on one visit whose
checklist has M items (one yes/no/n.a. answer each), all in one department.

Registries go in through the services as the system (as ``fieldinspect demo`` does);
the plan, the task, its publication and the draw go through the HTTP API as the
department's supervisor, so the teams are drawn by the real inspector draw (20
inspectors, 10 visits, two per visit: least loaded first, so everyone goes once).
Items are written reviews (书面检查): answering needs no entry scan, which is not what
these benchmarks measure.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_companies import credit_code  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from schemas.codes import id_check_char  # noqa: E402
from server.app import create_app  # noqa: E402
from server.clock import CHINA  # noqa: E402
from server.config import Settings  # noqa: E402
from server.migrations import upgrade  # noqa: E402
from server.models import Visit  # noqa: E402
from server.services import (  # noqa: E402
    accounts,
    companies,
    departments,
    inspectors,
    items,
    tags,
)
from server.services.actors import SYSTEM  # noqa: E402

PASSWORD = "bench-password-2026"
FORM = {"fields": [{"key": "result", "label": "检查结果", "type": "yes_no_na"}]}


def id_number(n: int) -> str:
    body = f"13012919800101{n % 1000:03d}"
    return body + id_check_char(body)


def reset_postgres(url: str) -> None:
    from server.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build(*, teams: int = 10, items_per_visit: int = 50) -> list[dict]:
    """Build the field in the database of FIELDINSPECT_DATABASE_URL (migrated here);
    returns one entry per visit: its id, item version ids and the two members' logins."""
    settings = Settings.from_env()
    upgrade(settings.database_url)
    app = create_app(settings)
    db = app.extensions["fieldinspect"].db
    with db.write_session() as s:
        dept = departments.create(s, SYSTEM, {"code": "BENCH", "name": "同步测试局"})
        tags.create(s, SYSTEM, {"code": "bench-target", "name": "同步测试对象", "kind": "other"})
        for n in range(teams):
            companies.create(s, SYSTEM, {"credit_code": credit_code(1000 + n),
                                         "name": f"同步测试企业{n}有限公司",
                                         "tags": ["bench-target"]})
        people = [inspectors.create(s, SYSTEM, {
            "name": f"检查员{n}", "id_number": id_number(n), "certificate_number": f"SB{n:06d}",
            "department_id": dept.id, "certificate_valid_from": dt.date(2024, 1, 1),
            "certificate_valid_until": dt.date(2030, 12, 31)}, pii_key=settings.secret_key)
            for n in range(2 * teams)]
        versions = []
        for n in range(items_per_visit):
            item = items.create(s, SYSTEM, {
                "code": f"SB-{n:03d}", "department_id": dept.id, "name": f"同步检查事项{n}",
                "legal_basis": "《市场监督管理行政执法程序规定》", "subject_type": "enterprise",
                "method": "written_review", "item_class": "key", "form": FORM})
            versions.append(next(v.id for v in item.versions if v.version == item.current_version))
        accounts.create_user(s, SYSTEM, {"username": "bench-supervisor", "role": "supervisor",
                                         "department_id": dept.id, "password": PASSWORD})
        logins = {}
        for person in people:
            username = f"bench-inspector-{person.id}"
            accounts.create_user(s, SYSTEM, {"username": username, "role": "inspector",
                                             "department_id": dept.id,
                                             "inspector_id": person.id, "password": PASSWORD})
            logins[person.id] = username
        dept_id = dept.id
        s.commit()

    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"username": "bench-supervisor",
                                                  "password": PASSWORD}).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    def post(path, body):
        resp = api.post(f"/api/v1{path}", json=body, headers=auth)
        if resp.status_code >= 300:
            raise RuntimeError(f"{path}: {resp.status_code} {resp.get_json()}")
        return resp.get_json()

    today = dt.datetime.now(CHINA).date()
    plan = post("/plans", {"department_id": dept_id, "year": today.year, "title": "同步压测计划"})
    task = post(f"/plans/{plan['id']}/tasks", {
        "name": "同步压测", "item_versions": versions, "scope": {"tags": ["bench-target"]},
        "ratios": {"A": 100, "B": 100, "C": 100, "D": 100},
        "window_start": (today - dt.timedelta(days=1)).isoformat(),
        "window_end": (today + dt.timedelta(days=7)).isoformat(),
        "result_deadline": (today + dt.timedelta(days=14)).isoformat()})
    post(f"/plans/{plan['id']}/publish", {})
    draw = post(f"/tasks/{task['id']}/draws", {})
    with db.read_session() as s:
        visits = s.scalars(select(Visit).where(Visit.draw_id == draw["id"])
                           .order_by(Visit.id)).all()
        out = [{"visit_id": v.id, "item_versions": versions,
                "members": [logins[m.inspector_id] for m in
                            sorted(v.members, key=lambda m: m.inspector_id)]} for v in visits]
    db.engine.dispose()
    if len(out) != teams or any(len(v["members"]) != 2 for v in out):
        raise RuntimeError(f"expected {teams} visits of two, got {out}")
    return out
