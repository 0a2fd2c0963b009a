"""The demo's year of work (server/demo/activity.py) on a real, committed database per
backend: what a first look at the project shows (the monthly report, the public result
pages, the dashboard) is not zeros, agrees between the CLI and the API, and the audit
chain holds; a second load adds no second year. The year ends on the day the demo is
built (the clock's today): on the suite's date, and on another day years later, where
the current month is live and the mix is the same."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.states import FOLLOW_UP_OPEN
from server import clock
from server.app import create_app
from server.db import make_engine
from server.demo import DEMO_PASSWORD, app_help
from server.models import (
    AuditEntry,
    Company,
    Draw,
    FollowUp,
    Plan,
    Result,
    Task,
    User,
    Visit,
)
from server.services import accounts, dashboard
from tests.cli_runner import run


def counts(conn) -> dict:
    return {model.__name__: conn.scalar(select(func.count()).select_from(model))
            for model in (Plan, Task, Draw, Visit, Result, FollowUp)}


def month_before(day: dt.date) -> str:
    return f"{day.replace(day=1) - dt.timedelta(days=1):%Y-%m}"


def joint_tasks_to(conn, month: str) -> int:
    """Joint tasks whose window starts in the report's period (its year, to the month)."""
    year, number = map(int, month.split("-"))
    end = (dt.date(year, number, 28) + dt.timedelta(days=4)).replace(day=1)
    return conn.scalar(select(func.count()).select_from(Task).where(
        Task.joint_mode.is_not(None), Task.window_start >= dt.date(year, 1, 1),
        Task.window_start < end))


def built_demo(url: str, tmp_path, companies: int):
    """``db upgrade`` then ``demo`` on a fresh database: the demo's output and the number
    of plans it says it made."""
    assert run(["db", "upgrade"], url, tmp_path).exit_code == 0
    made = run(["demo", "--companies", str(companies)], url, tmp_path)
    assert made.exit_code == 0, made.output
    plans_made = re.search(r"(\d+) plans, 9 tasks", made.output)
    assert plans_made, made.output
    return made.output, int(plans_made[1])


def test_the_demo_year_shows_in_the_report_the_public_pages_and_the_audit_and_loads_once(
        scratch_database_url, tmp_path, monkeypatch):
    output, plans_made = built_demo(scratch_database_url, tmp_path, 300)

    engine = make_engine(scratch_database_url)
    with engine.connect() as conn:
        made = counts(conn)
        states = dict(conn.execute(select(Result.state, func.count()).group_by(Result.state)).all())
        published = conn.execute(
            select(Company.credit_code, Company.name).join(Result, Result.company_id == Company.id)
            .where(Result.published_at.is_not(None)).order_by(Result.id).limit(1)).one()
        follow_up_states = set(conn.scalars(select(FollowUp.state)))
        accounts_made = conn.scalar(select(func.count()).select_from(User))
    # the summary counts every account, those the year of work made for its phones too
    assert f" {accounts_made} users," in output and accounts_made > 20, output
    assert made["Plan"] == plans_made and 3 <= made["Plan"] <= 6
    assert made["Task"] == 9 and made["Visit"] > 20
    assert states["approved"] > states.get("submitted", 0) + states.get("returned", 0)
    assert follow_up_states  # problems found are followed up

    month = month_before(clock.today())
    out = tmp_path / "report.json"
    cli = run(["report", "monthly", "--department", "SCJG", "--month", month, "--json",
               str(out)], scratch_database_url, tmp_path)
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(out.read_text(encoding="utf-8"))
    total = from_cli["this_platform"]["total"]
    assert total["tasks"] > 0 and total["companies_drawn"] > 0 and total["companies_checked"] > 0
    assert total["companies_checked"] <= total["companies_drawn"]
    with engine.connect() as conn:
        assert from_cli["this_platform"]["joint"]["tasks"] == joint_tasks_to(conn, month)
    assert from_cli["registered_companies"] > 0  # the coverage base: registered before the year

    monkeypatch.setenv("FIELDINSPECT_DATABASE_URL", scratch_database_url)
    monkeypatch.setenv("FIELDINSPECT_VAR_DIR", str(tmp_path / "var"))
    app = create_app()
    client = app.test_client()
    login = client.post("/api/v1/auth/token",
                        json={"username": "sup-scjg", "password": DEMO_PASSWORD})
    assert login.status_code == 201, login.get_json()
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    api = client.get(f"/api/v1/reports/monthly?month={month}&department=SCJG", headers=headers)
    assert api.status_code == 200 and api.get_json() == from_cli

    # the start banner names who can try the app: their open visits are theirs in /me/visits
    with app.extensions["fieldinspect"].db.read_session() as session:
        banner = app_help(session, "http://127.0.0.1:5000")
    listed = re.findall(r"^ +(insp-\S+) +visits ([\d, ]+)", banner, re.M)
    with engine.connect() as conn:
        open_visits = conn.scalar(select(func.count()).select_from(Visit).where(
            Visit.state.in_(("issued", "entered"))))
    assert bool(listed) == bool(open_visits), banner
    for username, visit_ids in listed[:2]:
        token = client.post("/api/v1/auth/token", json={
            "username": username, "password": DEMO_PASSWORD}).get_json()["access_token"]
        mine = client.get("/api/v1/me/visits", headers={"Authorization": f"Bearer {token}"})
        assert mine.status_code == 200
        open_ids = {v["id"] for v in mine.get_json()["items"] if v["state"] in ("issued", "entered")}
        assert open_ids == {int(v) for v in visit_ids.split(", ")}, (username, banner)

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


def test_a_demo_built_on_another_day_ends_on_that_day_with_the_same_mix(
        scratch_database_url, tmp_path, clock_at):
    """Built on 10 March 2031: the twelve months before it span two calendar years, so
    departments have a plan for each; the current month has work in it, and the dashboard
    shows overdue visits, results awaiting review, a returned one, and follow-ups open and
    closed. Nothing depends on the calendar package knowing 2031."""
    built = dt.date(2031, 3, 10)
    clock_at(built)
    _, plans_made = built_demo(scratch_database_url, tmp_path, 1000)

    engine = make_engine(scratch_database_url)
    month_start = dt.datetime.combine(built.replace(day=1), dt.time(0), clock.CHINA)
    with Session(engine) as session:
        plans = session.scalars(select(Plan)).all()
        tasks = session.scalars(select(Task)).all()
        draws = session.scalars(select(Draw.id).order_by(Draw.id)).all()
        assert len(plans) == plans_made
        assert {p.year for p in plans} == {2030, 2031}
        assert all(f"{p.year}年度" in p.title for p in plans)
        by_id = {p.id: p for p in plans}
        assert all(t.window_start.year == by_id[t.plan_id].year for t in tasks)
        # The twelve months before the build day; one task is still running.
        assert all(built - dt.timedelta(days=365) < t.window_start < built for t in tasks)
        assert sum(t.window_start <= built <= t.window_end for t in tasks) == 1
        assert len(draws) == 9
        # Each plan published before its first draw.
        first_draw = dict(session.execute(select(Task.plan_id, func.min(Draw.created_at))
                                          .join(Draw, Draw.task_id == Task.id)
                                          .group_by(Task.plan_id)).all())
        assert all(p.versions[0].published_at < first_draw[p.id] for p in plans)

        results = dict(session.execute(
            select(Result.state, func.count()).group_by(Result.state)).all())
        assert results["returned"] == 1 and results["submitted"] > 0
        follow_ups = set(session.scalars(select(FollowUp.state)))
        assert follow_ups & set(FOLLOW_UP_OPEN) and "closed" in follow_ups
        this_month = session.scalar(select(func.count()).select_from(Result).where(
            Result.submitted_at >= month_start))
        assert this_month > 0
        # No event after the build day's end.
        latest = session.scalar(select(func.max(AuditEntry.at)))
        assert clock.china_date(latest) == built

        coordinator = accounts.actor_for(session.scalar(
            select(User).where(User.username == "coordinator")))
        page = dashboard.overview(session, coordinator)
        assert page["today"] == built
        assert page["overdue_visits"]["total"] > 0 and page["progress"]["overdue"] > 0
        assert page["review"]["total"] == results["submitted"]
        total = page["monthly"]["this_platform"]["total"]
        assert (page["monthly"]["year"], page["monthly"]["month"]) == (2031, 3)
        assert total["tasks"] > 0 and total["companies_checked"] > 0
        # registered before 2031, in business: the demo closes some of its 1000 companies
        in_business = session.scalar(select(func.count()).select_from(Company).where(
            Company.status == "operating", Company.active.is_(True)))
        assert 900 < in_business < 1000
        assert page["monthly"]["registered_companies"] == in_business
        # and a draw of that year checks its coverage against the same number
        draw = session.scalar(select(Draw).join(Task, Task.id == Draw.task_id).where(
            Task.window_start >= dt.date(2031, 1, 1)).order_by(Draw.id.desc()).limit(1))
        assert draw.report["coverage"]["registered"] == in_business
    engine.dispose()

    verified = run(["audit", "verify"], scratch_database_url, tmp_path)
    assert verified.exit_code == 0 and "chain intact" in verified.output
    for draw_id in draws:
        checked = run(["draw", "verify", str(draw_id)], scratch_database_url, tmp_path)
        assert checked.exit_code == 0 and f"draw {draw_id}: match" in checked.output
