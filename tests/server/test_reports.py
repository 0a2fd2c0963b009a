"""The monthly report (月报表) on SQLite and PostgreSQL: its JSON equals counts computed
here, in plain Python, from the rows; the XLSX equals the JSON cell for cell; the CLI
equals the endpoint; scope, roles, targets and the other platforms' figures."""

from __future__ import annotations

import datetime as dt
import io
import json
from fractions import Fraction
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from server.app import create_app
from server.cli import main
from server.clock import CHINA
from server.db import Database, make_engine
from server.migrations import upgrade
from server.models import AuditEntry, Company, Draw, ReportManualFigure, Result, Task, Visit
from server.services.reports import due_on, month_end, shortfall
from tests import factories as f
from tests.assertions import assert_error
from tests.draws import make_plan, run_draw, version_id

ROWS = ("total", "internal", "joint", "enterprise", "credit_based")
RATIOS = {"A": 25, "B": 25, "C": 50, "D": 100}
NO_CAPS = {"cap_per_department": 100, "cap_total": 100}
# The last second of October and the first of November, China time, in UTC.
OCT_LAST = dt.datetime(2026, 10, 31, 15, 59, 59, tzinfo=dt.UTC)
NOV_FIRST = dt.datetime(2026, 10, 31, 16, 0, 0, tzinfo=dt.UTC)


# --- the world -----------------------------------------------------------------------------
def window(start: dt.date, days: int = 20) -> dict:
    return {"window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(days=days)).isoformat(),
            "result_deadline": (start + dt.timedelta(days=days + 15)).isoformat()}


def add_task(client, plan_id, w, name, items, *, others=(), **kw):
    body = {"name": name, "item_versions": [version_id(w.items[i]) for i in items],
            "department_ids": [w.depts[d].id for d in others],
            "scope": {"regions": ["130129"]}, **NO_CAPS, **kw}
    if others:
        body["joint_mode"] = "comprehensive"
    if "fixed_count" not in kw and kw.get("kind") != "individual":
        body["ratios"] = RATIOS
    resp = client.post(f"/api/v1/plans/{plan_id}/tasks", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def publish(client, plan_id):
    assert client.post(f"/api/v1/plans/{plan_id}/publish", json={}).status_code == 200


def build_world(app, db) -> SimpleNamespace:
    """Three departments, 48 companies (a third individual businesses), and tasks through
    the API: internal, joint, fixed-count, an individual case, one in 2025, one after
    October, one never published; a redraw, a substitution, and a merged visit."""
    w = SimpleNamespace(depts={}, items={}, clients={}, tasks={})
    with db.write_session() as s:
        for code, name in (("DA", "甲部门"), ("DB", "乙部门"), ("DC", "丙部门")):
            dept = f.department(s, code=code, name=name)
            w.depts[code] = dept
            for n in range(1, 5):
                w.items[f"{code}-{n}"] = f.item(s, dept.id, code=f"IT-{code}-{n}")
            for _ in range(3):
                f.inspector(s, dept.id)
        w.companies = [f.company(s, region="130129", credit_risk_class="ABCD"[i % 4],
                                 subject_type="individual_business" if i % 3 == 0 else "enterprise")
                       for i in range(48)]
        inspector_user = f.inspector(s, w.depts["DA"].id)
        for name, args in {"admin": ("admin",), "coordinator": ("coordinator",),
                           "DA": ("supervisor", w.depts["DA"].id),
                           "DB": ("supervisor", w.depts["DB"].id),
                           "DC": ("supervisor", w.depts["DC"].id),
                           "inspector": ("inspector", w.depts["DA"].id, inspector_user.id)}.items():
            _, token = f.user(s, *args)
            w.clients[name] = f.Api(app.test_client(), token)
        w.anon = f.Api(app.test_client())
        s.commit()
    a, b, c = w.clients["DA"], w.clients["DB"], w.clients["DC"]
    enterprise_id = next(co.id for co in w.companies if co.subject_type == "enterprise")

    plan_a = make_plan(a, w.depts["DA"].id)["id"]
    w.tasks["a_internal"] = add_task(a, plan_a, w, "甲内部", ["DA-1"], **window(dt.date(2026, 3, 2)))
    w.tasks["a_fixed"] = add_task(a, plan_a, w, "甲定额", ["DA-2"], fixed_count=6,
                                  scope={"regions": ["130129"], "subject_types": ["enterprise"]},
                                  **window(dt.date(2026, 5, 4)))
    w.tasks["ab_joint"] = add_task(a, plan_a, w, "甲乙联合", ["DA-3", "DB-1"], others=["DB"],
                                   **window(dt.date(2026, 6, 1)))
    w.tasks["a_november"] = add_task(a, plan_a, w, "甲十一月", ["DA-4"],
                                     **window(dt.date(2026, 11, 2)))
    publish(a, plan_a)
    plan_b = make_plan(b, w.depts["DB"].id)["id"]
    w.tasks["b_internal"] = add_task(b, plan_b, w, "乙内部", ["DB-2"], **window(dt.date(2026, 6, 8)))
    w.tasks["bc_joint_individuals"] = add_task(
        b, plan_b, w, "乙丙联合(个体)", ["DB-3", "DC-1"], others=["DC"],
        **window(dt.date(2026, 9, 1)), **{"scope": {"regions": ["130129"],
                                                   "subject_types": ["individual_business"]}})
    publish(b, plan_b)
    plan_c = make_plan(c, w.depts["DC"].id)["id"]
    w.tasks["c_case"] = add_task(c, plan_c, w, "丙个案", ["DC-2"], kind="individual",
                                 company_id=enterprise_id, case_reason="complaint",
                                 **window(dt.date(2026, 4, 1)))
    publish(c, plan_c)
    plan_a_2025 = make_plan(a, w.depts["DA"].id, year=2025)["id"]
    w.tasks["a_2025"] = add_task(a, plan_a_2025, w, "甲2025", ["DA-1"], **window(dt.date(2025, 6, 2)))
    publish(a, plan_a_2025)

    for task_id in w.tasks.values():
        run_draw(w.clients["admin"], task_id)
    run_draw(a, w.tasks["a_internal"], reason="首次抽取范围有误")  # the first draw's visits cancelled
    fixed_draw = run_draw(a, w.tasks["a_fixed"], reason="重新抽取")
    replaced = next(co for co in fixed_draw["companies"] if co["role"] == "drawn")
    resp = a.post(f"/api/v1/draws/{fixed_draw['id']}/substitutions",
                  json={"credit_code": replaced["credit_code"], "reason": "unreachable"})
    assert resp.status_code == 201, resp.get_json()
    # Added after publication, never republished: not in the report.
    w.tasks["b_unpublished"] = add_task(b, plan_b, w, "乙未公布", ["DB-4"],
                                        **window(dt.date(2026, 7, 1)))

    with db.write_session() as s:
        def live(task):
            return {v.company_id: v for v in s.scalars(select(Visit).join(Draw).where(
                Visit.task_id == w.tasks[task], Draw.current.is_(True),
                Visit.state == "issued"))}
        joint, own = live("ab_joint"), live("b_internal")
        company_id = min(set(joint) & set(own))
        w.merge = (joint[company_id].id, own[company_id].id, company_id)
    resp = a.post(f"/api/v1/visits/{w.merge[0]}/merges", json={"other_visit_id": w.merge[1]})
    assert resp.status_code == 201, resp.get_json()
    assert b.post(f"/api/v1/merges/{resp.get_json()['id']}/accept").status_code == 200

    with db.write_session() as s:
        started_before_redraw(s, w)
        make_results(s, w)
        # The coverage base: companies added to the registry before 2026 and still active.
        early = [co.id for co in w.companies[:30]]
        s.execute(update(Company).where(Company.id.in_(early)).values(
            created_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC)))
        s.execute(update(Company).where(Company.id == early[0]).values(active=False))
        s.commit()
    return w


def started_before_redraw(s, w) -> None:
    """A visit of the superseded first draw that had been entered before the redraw (the
    redraw cancels only issued visits), to a company no other task drew: it has an
    approved result, yet only the current draw's visits count."""
    first = s.scalar(select(Draw).where(Draw.task_id == w.tasks["a_internal"],
                                        Draw.current.is_(False)))
    company = f.company(s, region="130129", credit_risk_class="A")
    task = s.get(Task, w.tasks["a_internal"])
    visit = Visit(task_id=task.id, draw_id=first.id, company_id=company.id, state="entered",
                  window_start=task.window_start, window_end=task.window_end)
    s.add(visit)
    s.flush()
    s.add(Result(visit_id=visit.id, task_id=task.id, company_id=company.id,
                 category_code="corrected", problem=True, state="approved",
                 checked_on=task.window_start, entry_due=task.result_deadline,
                 approved_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC)))
    w.stale_visit = visit.id


def make_results(s, w) -> None:
    """Results made directly with the ORM in every state the report tells apart (how they
    arise from submission and review is the full loop test's subject): approved in the
    last second of October, in the first of November, earlier in the year; submitted or
    returned (never counted); some with a problem. The merge's host visit gets an approved
    result with a problem: it checks the merged visit's company too."""
    visits = s.scalars(select(Visit).where(Visit.state.in_(("issued", "entered")),
                                           Visit.id != w.stale_visit).order_by(Visit.id)).all()
    for i, visit in enumerate(visits):
        host = visit.id == w.merge[0]
        kind = "early" if host else ("none", "oct_last", "nov_first", "submitted", "early",
                                     "returned")[i % 6]
        if kind == "none":
            continue
        problem = host or i % 4 == 1
        approved_at = {"oct_last": OCT_LAST, "nov_first": NOV_FIRST,
                       "early": dt.datetime.combine(visit.window_end, dt.time(9), dt.UTC)
                       + dt.timedelta(days=3)}.get(kind)
        s.add(Result(visit_id=visit.id, task_id=visit.task_id, company_id=visit.company_id,
                     category_code="corrected" if problem else "no_problem", problem=problem,
                     state="approved" if approved_at else kind, checked_on=visit.window_start,
                     entry_due=visit.window_end + dt.timedelta(days=10),
                     approved_at=approved_at, reviewed_at=approved_at))
    s.flush()


# --- the counts, independently -------------------------------------------------------------
def expected(s, year: int, month: int, department_id: int | None = None) -> dict:
    """The report's figures from the rows, in plain Python, by the documented rules."""
    s.expire_all()
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), CHINA)
    current = {d.task_id: d.id for d in s.scalars(select(Draw)) if d.current}
    visits = s.scalars(select(Visit)).all()
    approved = {r.visit_id: r for r in s.scalars(select(Result))
                if r.state == "approved" and r.approved_at < until}
    subject = {c.id: c.subject_type for c in s.scalars(select(Company))}
    sets = {row: {k: set() for k in ("tasks", "companies_drawn", "companies_checked",
                                     "companies_with_problems")} for row in ROWS}
    for task in s.scalars(select(Task)):
        departments = {d.id for d in task.departments}
        if task.published_in_version is None or task.window_start.year != year \
                or task.window_start > last:
            continue
        if department_id is not None and department_id not in departments:
            continue
        counted = [v for v in visits if v.draw_id == current.get(task.id) and v.state != "cancelled"]
        if not counted:
            continue
        rows = ["total", "joint" if len(departments) > 1 else "internal"]
        if task.fixed_count is None and task.kind != "individual":
            rows.append("credit_based")
        for visit in counted:
            result = approved.get(visit.merged_into or visit.id)
            for row in rows + (["enterprise"] if subject[visit.company_id] == "enterprise" else []):
                sets[row]["tasks"].add(task.id)
                sets[row]["companies_drawn"].add(visit.company_id)
                if result is not None:
                    sets[row]["companies_checked"].add(visit.company_id)
                    if result.problem:
                        sets[row]["companies_with_problems"].add(visit.company_id)
    return {row: {k: len(v) for k, v in figures.items()} for row, figures in sets.items()}


def report(client, month, department=None, status=200):
    query = f"month={month}" + (f"&department={department}" if department else "")
    resp = client.get(f"/api/v1/reports/monthly?{query}")
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


@pytest.fixture
def w(app, db):
    return build_world(app, db)


# --- figures -------------------------------------------------------------------------------
def test_figures_equal_counts_computed_from_the_rows(w, session):
    for department, client in (("DA", "DA"), ("DB", "coordinator"), ("DC", "admin"),
                               (None, "coordinator"), (None, "admin")):
        dept_id = w.depts[department].id if department else None
        for month in ("2026-10", "2026-11", "2026-02"):
            body = report(w.clients[client], month, department)
            year, m = map(int, month.split("-"))
            assert body["this_platform"] == expected(session, year, m, dept_id), (department, month)
            assert body["department"] == (None if department is None else {
                "id": dept_id, "code": department, "name": w.depts[department].name})


def test_the_figures_follow_the_documented_rules(w, session):
    """Spot checks of the definitions on a world whose shape is known."""
    region = report(w.clients["admin"], "2026-10")["this_platform"]
    # a_internal, a_fixed, ab_joint, b_internal, bc_joint_individuals, c_case: not the
    # 2025 task, not November's, not the unpublished one.
    assert region["total"]["tasks"] == 6
    assert (region["internal"]["tasks"], region["joint"]["tasks"]) == (4, 2)
    assert region["credit_based"]["tasks"] == 4  # not the fixed count, not the 个案
    assert region["enterprise"]["tasks"] == 5  # the joint task of individual businesses drew none
    enterprises = {c.id for c in w.companies if c.subject_type == "enterprise"}
    assert region["enterprise"]["companies_drawn"] <= len(enterprises)
    assert region["total"]["companies_drawn"] <= len(w.companies)
    dept_a = report(w.clients["DA"], "2026-10")["this_platform"]
    assert dept_a["total"]["tasks"] == 3 and dept_a["joint"]["tasks"] == 1
    # A joint task counts for each department; the region counts it once.
    dept_b = report(w.clients["DB"], "2026-10")["this_platform"]
    assert dept_a["joint"]["tasks"] + dept_b["joint"]["tasks"] == 3
    assert region["joint"]["tasks"] == 2
    # The approval in the first second of November counts from November on.
    nov = report(w.clients["admin"], "2026-11")["this_platform"]
    assert nov["total"]["companies_checked"] > region["total"]["companies_checked"]
    assert nov["total"]["tasks"] == 7


def test_a_merged_visit_s_company_counts_as_checked_for_its_own_task(w, session):
    host_id, merged_id, company_id = w.merge
    merged = session.get(Visit, merged_id)
    assert merged.state == "merged" and merged.merged_into == host_id
    assert session.scalar(select(Result.id).where(Result.visit_id == merged_id)) is None
    body = report(w.clients["DB"], "2026-10")["this_platform"]
    # DB's internal task holds only the merged visit for that company: checked through the host.
    internal_only = expected(session, 2026, 10, w.depts["DB"].id)
    assert body == internal_only
    assert body["internal"]["companies_with_problems"] >= 1
    # ... and the company still counts once where both tasks are counted.
    session.execute(update(Result).where(Result.visit_id != host_id).values(state="returned"))
    session.flush()
    region = report(w.clients["admin"], "2026-10")["this_platform"]
    assert region["total"]["companies_checked"] == 1
    assert region["internal"]["companies_checked"] == region["joint"]["companies_checked"] == 1


def test_period_and_due_date():
    assert month_end(2026, 2) == dt.date(2026, 2, 28) and month_end(2024, 2) == dt.date(2024, 2, 29)
    assert due_on(2026, 10) == dt.date(2026, 11, 23)
    assert due_on(2026, 12) == dt.date(2027, 1, 23)


def test_the_report_says_its_period_due_date_and_coverage_base(w, db):
    body = report(w.clients["DA"], "2026-12")
    assert (body["year"], body["month"], body["through"], body["due_on"]) == (
        2026, 12, "2026-12-31", "2027-01-23")
    with db.write_session() as s:  # a drawn company found unreachable was replaced: not in business
        unreachable = s.scalar(select(func.count()).select_from(Company).where(
            Company.status == "unreachable", Company.active.is_(True),
            Company.created_at < dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    # added before 2026, still active, in business
    assert body["registered_companies"] == 29 - unreachable


# --- targets -------------------------------------------------------------------------------
def test_targets_are_measured_on_the_figures(w):
    body = report(w.clients["coordinator"], "2026-10")
    figures, targets = body["this_platform"], {t["key"]: t for t in body["targets"]}
    assert set(targets) == {"joint_tasks", "joint_companies", "credit_based", "coverage"}
    assert targets["joint_tasks"]["min_percent"] == 60 and targets["joint_tasks"]["year"] == 2026
    pairs = {"joint_tasks": (figures["joint"]["tasks"], figures["total"]["tasks"]),
             "joint_companies": (figures["joint"]["companies_drawn"],
                                 figures["total"]["companies_drawn"]),
             "credit_based": (figures["credit_based"]["tasks"], figures["total"]["tasks"]),
             "coverage": (figures["total"]["companies_checked"], body["registered_companies"])}
    for key, (num, den) in pairs.items():
        t = targets[key]
        assert (t["numerator"], t["denominator"]) == (num, den)
        assert t["actual_percent"] == round(100 * num / den, 2)
        assert t["met"] == (Fraction(100 * num, den) >= Fraction(str(t["min_percent"])))
    # 2 joint of 6 tasks is 33.33% < 60%: 4 more joint tasks make 6 of 10.
    assert targets["joint_tasks"]["met"] is False and targets["joint_tasks"]["needed"] == 4
    assert targets["joint_tasks"]["shortfall_points"] == 26.67
    assert targets["credit_based"]["shortfall_points"] == round(95 - 400 / 6, 2)


def test_admins_set_targets_others_may_not(w):
    listed = w.clients["DA"].get("/api/v1/reports/targets").get_json()["items"]
    assert [y["year"] for y in listed] == [2024, 2025, 2026]
    assert listed[0] == {"year": 2024, "joint_tasks": 20, "joint_companies": 25,
                         "credit_based": 85, "coverage": 5}
    assert_error(w.clients["DA"].put("/api/v1/reports/targets/2026", json={"joint_tasks": 1}), 403)
    assert_error(w.clients["coordinator"].put("/api/v1/reports/targets/2026",
                                              json={"joint_tasks": 1}), 403)
    assert_error(w.clients["admin"].put("/api/v1/reports/targets/2026",
                                        json={"joint_tasks": 101}), 422)
    assert_error(w.clients["admin"].put("/api/v1/reports/targets/2026", json={"bogus": 1}), 422)
    assert_error(w.clients["admin"].put("/api/v1/reports/targets/1999", json={"coverage": 5}), 422)
    assert w.clients["admin"].get("/api/v1/reports/targets").get_json()["items"] == listed  # unchanged
    resp = w.clients["admin"].put("/api/v1/reports/targets/2026",
                                  json={"joint_tasks": 30, "coverage": None})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"year": 2026, "joint_tasks": 30, "joint_companies": 50,
                               "credit_based": 95, "coverage": None}
    targets = {t["key"]: t for t in report(w.clients["admin"], "2026-10")["targets"]}
    assert targets["joint_tasks"]["min_percent"] == 30 and targets["joint_tasks"]["met"] is True
    # 2026 has no coverage target now: the latest earlier year's applies.
    assert (targets["coverage"]["year"], targets["coverage"]["min_percent"]) == (2025, 5)
    # A year without targets of its own keeps the latest.
    later = {t["key"]: t for t in report(w.clients["admin"], "2027-01")["targets"]}
    assert later["joint_tasks"]["year"] == 2026 and later["joint_tasks"]["min_percent"] == 30


def test_target_changes_are_audited(w, session):
    w.clients["admin"].put("/api/v1/reports/targets/2025", json={"credit_based": 90})
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "report_target.update")).one()
    assert (entry.before, entry.after) == ({"credit_based": 95}, {"credit_based": 90})


@given(numerator=st.integers(0, 3000), rest=st.integers(0, 3000), bp=st.integers(0, 10_000),
       grows=st.booleans())
def test_needed_is_the_fewest_more_that_reach_the_target(numerator, rest, bp, grows):
    denominator = numerator + rest
    target = Fraction(bp, 100)
    out = shortfall(numerator, denominator, bp / 100, base_grows=grows)
    if denominator == 0:
        assert out == {"actual_percent": None, "met": None, "shortfall_points": None,
                       "needed": None}
        return

    def meets(more):
        return Fraction(100 * (numerator + more), denominator + (more if grows else 0)) >= target

    assert out["met"] == meets(0)
    gap = target - Fraction(100 * numerator, denominator)
    if out["met"]:
        assert out["needed"] == 0 and out["shortfall_points"] == 0
        return
    points = Fraction(str(out["shortfall_points"]))
    assert points > 0 and (abs(points - gap) <= Fraction(1, 200) or points == Fraction(1, 100) > gap)
    if out["needed"] is None:
        assert grows and bp == 10_000
    else:
        assert meets(out["needed"]) and not meets(out["needed"] - 1)


# --- scope and bad input -------------------------------------------------------------------
def test_scope_roles_and_bad_input(w):
    assert_error(w.clients["DA"].get("/api/v1/reports/monthly?month=2026-10&department=DB"), 404)
    assert_error(w.clients["DA"].get("/api/v1/reports/monthly.xlsx?month=2026-10&department=DB"),
                 404)
    assert_error(w.clients["inspector"].get("/api/v1/reports/monthly?month=2026-10"), 403)
    assert_error(w.clients["inspector"].get("/api/v1/reports/monthly.xlsx?month=2026-10"), 403)
    assert_error(w.anon.get("/api/v1/reports/monthly?month=2026-10"), 401)
    assert_error(w.clients["admin"].get("/api/v1/reports/monthly?month=2026-10&department=NOPE"),
                 404)
    for month in ("2026-13", "2026-00", "2026-1", "10/2026", "1999-01", "2026-10x", ""):
        assert_error(w.clients["admin"].get(f"/api/v1/reports/monthly?month={month}"), 422)
    assert_error(w.clients["admin"].get("/api/v1/reports/monthly"), 422)
    assert_error(w.clients["admin"].get("/api/v1/reports/monthly?month=2026-10&dept=DA"), 422)
    assert_error(w.clients["admin"].get("/api/v1/reports/monthly.xlsx?month=2026-10&mobile=123"),
                 422)
    # A supervisor without a department asked for gets their own.
    assert report(w.clients["DB"], "2026-10")["department"]["code"] == "DB"
    assert report(w.clients["coordinator"], "2026-10")["department"] is None


# --- the XLSX ------------------------------------------------------------------------------
# The form of REPORT_FORM.md, restated here rather than taken from the code under test.
FORM_ROWS = {6: ("this_platform", "total"), 7: ("this_platform", "internal"),
             8: ("this_platform", "joint"), 9: ("this_platform", "enterprise"),
             10: ("this_platform", "credit_based"), 11: ("other_platforms", "internal"),
             12: ("other_platforms", "enterprise"), 13: ("other_platforms", "credit_based")}
FORM_MERGES = {"A1:G1", "A2:G2", "A4:A5", "B4:C5", "D4:G4", "A6:A10", "B6:B8", "A11:A13",
               "B11:C11", "B12:C12", "B13:C13"}


def assert_xlsx_equals(data: bytes, body: dict, *, unit: str, contact="", phone="", mobile=""):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["月报表"]
    assert {str(r) for r in ws.merged_cells.ranges} >= FORM_MERGES
    assert "“双随机、一公开”监管工作月报表" in ws["A1"].value
    assert ws["A2"].value == "(本年度累计数据)"
    assert ws["A3"].value == f"单位名称(盖章)：{unit}"
    assert ws["E3"].value.startswith("填表时间：") and "年" in ws["E3"].value
    assert [ws[c].value for c in ("A4", "B4", "D4")] == ["平台", "统计项目", "截止目前数据"]
    assert [ws[f"{c}5"].value for c in "DEFG"] == ["次数", "抽查总户数", "完成检查户数", "发现问题户数"]
    assert [ws[f"C{r}"].value for r in (6, 7, 8, 9, 10)] == ["总计", "部门内部", "部门联合", "总计", "总计"]
    assert ws["B6"].value == "本部门开展随机抽查情况"
    assert ws["B9"].value == "本部门涉及企业的随机抽查情况"
    assert ws["B10"].value == "本部门利用企业信用风险分级分类开展随机抽查的情况"
    assert ws["A11"].value == "其他平台"
    assert ws["B11"].value == "本部门开展部门内部抽查情况"
    for row, (platform, key) in FORM_ROWS.items():
        figures = body[platform][key]
        assert [ws[f"{c}{row}"].value for c in "DEFG"] == [
            figures["tasks"], figures["companies_drawn"], figures["companies_checked"],
            figures["companies_with_problems"]], (row, platform, key)
    assert [ws["A15"].value, ws["D15"].value, ws["F15"].value] == [
        f"联系人：{contact}", f"联系电话：{phone}", f"手机：{mobile}"]
    assert ws["D6"].border.left.style == "thin" and ws["A1"].font.bold
    targets = wb["目标完成情况"]
    for i, t in enumerate(body["targets"], start=2):
        met = "—" if t["met"] is None else ("达标" if t["met"] else "未达标")
        assert [targets.cell(i, col).value for col in range(1, 9)] == [
            t["name"], t["min_percent"], t["actual_percent"], t["numerator"], t["denominator"],
            met, t["shortfall_points"], t["needed"]]


def test_xlsx_cells_equal_the_json(w):
    body = report(w.clients["DA"], "2026-10")
    resp = w.clients["DA"].get("/api/v1/reports/monthly.xlsx?month=2026-10&contact=苏鹏"
                               "&phone=8182330&mobile=13800138000")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="monthly-report-2026-10-DA.xlsx"')
    assert "filename*=UTF-8''" in disposition
    assert_xlsx_equals(resp.data, body, unit="甲部门", contact="苏鹏", phone="8182330",
                       mobile="13800138000")
    region = report(w.clients["coordinator"], "2026-10")
    resp = w.clients["coordinator"].get("/api/v1/reports/monthly.xlsx?month=2026-10&unit=县市场监管局")
    assert 'filename="monthly-report-2026-10-region.xlsx"' in resp.headers["Content-Disposition"]
    assert_xlsx_equals(resp.data, region, unit="县市场监管局")


# --- other platforms -----------------------------------------------------------------------
def figures(n):
    return {"tasks": n, "companies_drawn": 10 * n, "companies_checked": 9 * n,
            "companies_with_problems": n}


def put_figure(client, department, year, month, row, body):
    return client.put(f"/api/v1/reports/manual-figures/{department}/{year}/{month}/{row}",
                      json=body)


def test_other_platforms_take_the_latest_entry_up_to_the_month_and_the_region_sums(w, session):
    a, b = w.clients["DA"], w.clients["DB"]
    assert put_figure(a, "DA", 2026, 3, "internal", figures(1)).status_code == 200
    assert put_figure(a, "DA", 2026, 9, "internal", figures(4)).status_code == 200
    assert put_figure(a, "DA", 2026, 11, "internal", figures(7)).status_code == 200
    assert put_figure(a, "DA", 2026, 9, "enterprise", figures(2)).status_code == 200
    assert put_figure(w.clients["admin"], "DB", 2026, 10, "internal", figures(3)).status_code == 200
    assert put_figure(b, "DB", 2025, 12, "credit_based", figures(5)).status_code == 200
    # A correction of the same month replaces the entry.
    resp = put_figure(b, "DB", 2026, 10, "internal", figures(6))
    assert resp.status_code == 200 and resp.get_json()["tasks"] == 6
    zero = figures(0)
    assert report(a, "2026-10")["other_platforms"] == {
        "internal": figures(4), "enterprise": figures(2), "credit_based": zero}
    assert report(a, "2026-02")["other_platforms"]["internal"] == zero
    assert report(a, "2026-12")["other_platforms"]["internal"] == figures(7)
    assert report(w.clients["admin"], "2026-10")["other_platforms"] == {
        "internal": figures(4 + 6), "enterprise": figures(2), "credit_based": zero}
    listed = w.clients["coordinator"].get(
        "/api/v1/reports/manual-figures?year=2026").get_json()["items"]
    assert [(e["department"], e["month"], e["row"]) for e in listed] == [
        ("DA", 3, "internal"), ("DA", 9, "enterprise"), ("DA", 9, "internal"),
        ("DA", 11, "internal"), ("DB", 10, "internal")]
    assert [e["department"] for e in
            b.get("/api/v1/reports/manual-figures?year=2026").get_json()["items"]] == ["DB"]
    assert_error(b.get("/api/v1/reports/manual-figures?year=2026&department=DA"), 404)
    body = report(a, "2026-10")
    resp = a.get("/api/v1/reports/monthly.xlsx?month=2026-10")
    assert_xlsx_equals(resp.data, body, unit="甲部门")


def test_manual_figures_refuse_bad_input_and_other_roles(w, session):
    a = w.clients["DA"]
    assert_error(put_figure(w.clients["DB"], "DA", 2026, 9, "internal", figures(1)), 404)
    assert_error(put_figure(w.clients["coordinator"], "DA", 2026, 9, "internal", figures(1)), 403)
    assert_error(put_figure(w.clients["inspector"], "DA", 2026, 9, "internal", figures(1)), 403)
    assert_error(put_figure(a, "NOPE", 2026, 9, "internal", figures(1)), 404)
    assert_error(put_figure(a, "DA", 2026, 13, "internal", figures(1)), 422)
    assert_error(put_figure(a, "DA", 1999, 1, "internal", figures(1)), 422)
    assert_error(put_figure(a, "DA", 2026, 9, "joint", figures(1)), 422)
    assert_error(put_figure(a, "DA", 2026, 9, "internal", {**figures(1), "companies_checked": 11}),
                 422)
    assert_error(put_figure(a, "DA", 2026, 9, "internal", {**figures(1), "tasks": -1}), 422)
    assert_error(put_figure(a, "DA", 2026, 9, "internal", {**figures(1), "tasks": "3"}), 422)
    assert_error(put_figure(a, "DA", 2026, 9, "internal", {**figures(1), "extra": 1}), 422)
    assert_error(put_figure(a, "DA", 2026, 9, "internal", {"tasks": 1}), 422)
    assert session.scalar(select(ReportManualFigure.id)) is None
    assert put_figure(a, "DA", 2026, 9, "internal", figures(1)).status_code == 200
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report_figure.set")).one()
    assert entry.after["tasks"] == 1 and entry.after["row"] == "internal"


# --- the command line ----------------------------------------------------------------------
def test_cli_writes_the_report_the_endpoint_answers(scratch_database_url, settings, tmp_path):
    upgrade(scratch_database_url)
    database = Database(make_engine(scratch_database_url))
    try:
        app = create_app(settings, database)
        w = build_world(app, database)
        put_figure(w.clients["DA"], "DA", 2026, 8, "credit_based", figures(2))
        env = {"FIELDINSPECT_DATABASE_URL": scratch_database_url,
               "FIELDINSPECT_VAR_DIR": str(tmp_path / "var")}
        out_json, out_xlsx = tmp_path / "out.json", tmp_path / "out.xlsx"
        result = CliRunner().invoke(main, [
            "report", "monthly", "--department", "DA", "--month", "2026-10", "--xlsx",
            str(out_xlsx), "--json", str(out_json), "--contact", "田婷婷"], env=env,
            catch_exceptions=False)
        assert result.exit_code == 0, result.output
        endpoint = report(w.clients["DA"], "2026-10")
        assert json.loads(out_json.read_text(encoding="utf-8")) == endpoint
        assert endpoint["this_platform"]["total"]["tasks"] == 3
        assert_xlsx_equals(out_xlsx.read_bytes(), endpoint, unit="甲部门", contact="田婷婷")

        region = CliRunner().invoke(main, ["report", "monthly", "--month", "2026-11"], env=env,
                                    catch_exceptions=False)
        assert region.exit_code == 0, region.output
        assert json.loads(region.output) == report(w.clients["admin"], "2026-11")

        bad = CliRunner().invoke(main, ["report", "monthly", "--month", "2026-13"], env=env)
        assert bad.exit_code == 2 and "--month" in bad.output
        unknown = CliRunner().invoke(main, ["report", "monthly", "--month", "2026-10",
                                            "--department", "NOPE"], env=env)
        assert unknown.exit_code == 1 and "No such department" in unknown.output
    finally:
        database.engine.dispose()
