"""The demo's year of work (server/demo/activity.py) on a real, committed database per
backend: what a first look at the project shows (the monthly report, the public result
pages, the dashboard) is not zeros, agrees between the CLI and the API, and the audit
chain holds; a second load adds no second year."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from server.app import create_app
from server.db import make_engine
from server.demo import DEMO_PASSWORD
from server.models import AuditEntry, Company, Draw, FollowUp, Plan, Result, Task, Visit
from tests.server.test_cli import run


def counts(conn) -> dict:
    return {model.__name__: conn.scalar(select(func.count()).select_from(model))
            for model in (Plan, Task, Draw, Visit, Result, FollowUp)}


def test_the_demo_year_shows_in_the_report_the_public_pages_and_the_audit_and_loads_once(
        scratch_database_url, tmp_path, monkeypatch):
    assert run(["db", "upgrade"], scratch_database_url, tmp_path).exit_code == 0
    first = run(["demo", "--companies", "300"], scratch_database_url, tmp_path)
    assert first.exit_code == 0, first.output
    assert "3 plans, 9 tasks" in first.output

    engine = make_engine(scratch_database_url)
    with engine.connect() as conn:
        made = counts(conn)
        states = dict(conn.execute(select(Result.state, func.count()).group_by(Result.state)).all())
        published = conn.execute(
            select(Company.credit_code, Company.name).join(Result, Result.company_id == Company.id)
            .where(Result.published_at.is_not(None)).order_by(Result.id).limit(1)).one()
        follow_up_states = set(conn.scalars(select(FollowUp.state)))
    assert made["Plan"] == 3 and made["Task"] == 9 and made["Visit"] > 20
    assert states["approved"] > states.get("submitted", 0) + states.get("returned", 0)
    assert follow_up_states  # problems found are followed up

    out = tmp_path / "report.json"
    cli = run(["report", "monthly", "--department", "SCJG", "--month", "2026-10", "--json",
               str(out)], scratch_database_url, tmp_path)
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(out.read_text(encoding="utf-8"))
    total = from_cli["this_platform"]["total"]
    assert total["tasks"] > 0 and total["companies_drawn"] > 0 and total["companies_checked"] > 0
    assert total["companies_checked"] <= total["companies_drawn"]
    assert from_cli["this_platform"]["joint"]["tasks"] == 1
    assert from_cli["registered_companies"] > 0  # the coverage base: registered before 2026

    monkeypatch.setenv("FIELDINSPECT_DATABASE_URL", scratch_database_url)
    monkeypatch.setenv("FIELDINSPECT_VAR_DIR", str(tmp_path / "var"))
    app = create_app()
    client = app.test_client()
    login = client.post("/api/v1/auth/token",
                        json={"username": "sup-scjg", "password": DEMO_PASSWORD})
    assert login.status_code == 201, login.get_json()
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    api = client.get("/api/v1/reports/monthly?month=2026-10&department=SCJG", headers=headers)
    assert api.status_code == 200 and api.get_json() == from_cli

    code, name = published
    page = client.get(f"/public/companies/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert name in html and "检查结果" in html
    app.extensions["fieldinspect"].db.engine.dispose()

    verified = run(["audit", "verify"], scratch_database_url, tmp_path)
    assert verified.exit_code == 0 and "chain intact" in verified.output

    with engine.connect() as conn:
        audit_before = conn.scalar(select(func.count()).select_from(AuditEntry))
    again = run(["demo", "--companies", "20"], scratch_database_url, tmp_path)
    assert again.exit_code == 0, again.output
    assert "0 plans, 0 tasks" in again.output
    with engine.connect() as conn:
        assert counts(conn) == made
        assert conn.scalar(select(func.count()).select_from(Company)) == 320
        # Only the 20 companies' one audit entry: nothing of the year was made again.
        assert conn.scalar(select(func.count()).select_from(AuditEntry)) == audit_before + 1
    engine.dispose()
