"""The monthly report (月报表) of 双随机、一公开 work, as the 2025 seed's form asks for it:
year-to-date figures of one department, or of the whole region, plus the figures of other
platforms (其他平台) entered by hand, measured against the year's targets.

Every figure is SQL aggregation over the records (one statement for this platform, one
for the other platforms, one for the coverage base, one for the targets), identical on
SQLite and PostgreSQL; no record is loaded into Python. Definitions (repeated in
docs/dashboard-and-reports.md):

- Period: 1 January of the report year through the last day of the report month, China
  time (UTC+8): a result approved before that midnight counts.
- 次数 (tasks): published tasks (in a published plan version) whose window starts in the
  period and whose current draw has a visit that is not cancelled. A department counts
  the tasks it leads or takes part in (a joint task counts for each participant); the
  region counts each task once.
- 抽查总户数: distinct companies with such a visit. A visit merged into another task's
  joint visit (进一次门、查多项事) still counts for its own task: its company was drawn and
  checked there, in the visit it was merged into; being distinct, the company is still one
  户 wherever both tasks are counted. Distinct over the whole row, so a company drawn by an
  internal and a joint task counts once in 总计 and once in each of 部门内部 and 部门联合.
- 完成检查户数: of those, companies whose visit (or the visit it was merged into) has an
  approved result, approved within the period; 发现问题户数: of those, companies whose
  approved result found a problem (the result's own ``problem`` flag).
- 部门内部 / 部门联合: tasks of exactly one / of two or more departments.
- 涉及企业: tasks that drew at least one enterprise (subject type ``enterprise``, not
  individual businesses, cooperatives or others); its 户数 count the enterprises only.
- 利用企业信用风险分级分类: tasks whose company draw was stratified by credit-risk class
  (ratios per class, not a fixed count; individual cases, 个案, are not draws).
- 其他平台: per department and row, the latest hand-entered year-to-date figures with a
  month up to the report month; the region adds up its departments.
- Targets (per year, a year without its own keeps the latest earlier one) are measured on
  this platform's figures: the other platforms' rows have no joint / total split.
  joint_tasks = 部门联合 次数 / 总计 次数; joint_companies = 部门联合 户数 / 总计 户数;
  credit_based = 信用 次数 / 总计 次数; coverage = 完成检查户数 / companies registered at the
  end of the previous year, ``companies.registered_count`` (the draw's coverage check
  counts the same).
  ``needed`` is how many more joint (credit-based) tasks or companies would reach the
  target, each also adding to the total; for coverage the base stays fixed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, literal, select, true
from sqlalchemy.orm import Session, aliased

from schemas.states import ResultState, VisitState
from server import clock
from server.clock import CHINA
from server.models import (
    Company,
    Department,
    Draw,
    ReportManualFigure,
    ReportTarget,
    Result,
    Task,
    Visit,
    task_departments,
)
from server.models.reports import MANUAL_ROWS, TARGET_KEYS
from server.services import audit, companies
from server.services.actors import Actor
from server.services.errors import InvalidInput, NotFound
from server.services.registry import get_by_id

ROWS = ("total", "internal", "joint", "enterprise", "credit_based")
FIGURES = ("tasks", "companies_drawn", "companies_checked", "companies_with_problems")
DUE_DAY = 23  # the 2025 seed: 每月23日前报送
TARGET_NAMES = {
    "joint_tasks": "联合抽查次数占随机抽查总次数的比例",
    "joint_companies": "部门联合抽查户数占随机抽查总户数的比例",
    "credit_based": "运用信用风险分级分类开展的抽查次数占抽查总次数的比例",
    "coverage": "完成检查户数占上年底登记企业数的比例",
}


# --- the period ----------------------------------------------------------------------------
def check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise InvalidInput("The year is out of range.", errors={"year": ["between 2000 and 2100"]})


def check_month(year: int, month: int) -> None:
    check_year(year)
    if not 1 <= month <= 12:
        raise InvalidInput("No such month.", errors={"month": ["between 1 and 12"]})


def _china_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), CHINA).astimezone(dt.UTC)


def _next_month(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1)


def month_end(year: int, month: int) -> dt.date:
    return _next_month(year, month) - dt.timedelta(days=1)


def due_on(year: int, month: int) -> dt.date:
    """The report of a month is due by the 23rd of the next."""
    return _next_month(year, month).replace(day=DUE_DAY)


# --- scope ---------------------------------------------------------------------------------
def department_by_code(session: Session, actor: Actor, code: str | None) -> int | None:
    """The department a report is about: ``code``, or when none is given the supervisor's
    own (None, the region, for coordinators and admins). A department outside the
    actor's scope is as unknown as one that does not exist (404)."""
    actor.require_role("admin", "coordinator", "supervisor")
    if code is None:
        return None if actor.reads_everything else actor.department_id
    department_id = session.scalar(select(Department.id).where(Department.code == code))
    if department_id is None:
        raise NotFound("No such department.")
    actor.check_department_read(department_id, "department")
    return department_id


def _department(session: Session, actor: Actor, department_id: int | None) -> Department | None:
    actor.require_role("admin", "coordinator", "supervisor")
    if department_id is None:
        if not actor.reads_everything:
            raise NotFound("No such department.")
        return None
    actor.check_department_read(department_id, "department")
    department = get_by_id(session, Department, department_id)
    if department is None:
        raise NotFound("No such department.")
    return department


# --- this platform -------------------------------------------------------------------------
def _scoped_tasks(department_id: int | None, start: dt.date, end: dt.date):
    """The published tasks of the period in scope, with their current draw and their
    flags as 0/1 integers (MAX and SUM work alike on every backend)."""
    t, td, d = Task.__table__, task_departments, Draw.__table__
    counts = select(td.c.task_id, func.count().label("n")).group_by(td.c.task_id).subquery()
    tasks = (select(t.c.id.label("task_id"), d.c.id.label("draw_id"),
                    case((counts.c.n > 1, 1), else_=0).label("joint"),
                    case((and_(t.c.fixed_count.is_(None), t.c.kind != "individual"), 1),
                         else_=0).label("credit"))
             .join(counts, counts.c.task_id == t.c.id)
             .join(d, and_(d.c.task_id == t.c.id, d.c.current.is_(True)))
             .where(t.c.published_in_version.is_not(None), t.c.window_start >= start,
                    t.c.window_start <= end))
    if department_id is not None:
        tasks = tasks.where(t.c.id.in_(select(td.c.task_id).where(
            td.c.department_id == department_id)))
    return tasks.cte("scoped_tasks")


def _live_visit(tasks, *, enterprise: bool = False):
    """EXISTS a visit of the task's current draw that is not cancelled (to an enterprise)."""
    v, c = Visit.__table__, Company.__table__
    stmt = select(v.c.id).where(v.c.draw_id == tasks.c.draw_id, v.c.state != VisitState.CANCELLED)
    if enterprise:
        stmt = stmt.join(c, c.c.id == v.c.company_id).where(c.c.subject_type == "enterprise")
    return stmt.exists()


def _this_platform(session: Session, department_id: int | None, start: dt.date, end: dt.date,
                   approved_before: dt.datetime) -> dict:
    """Every figure of this platform in one statement.

    Companies: one row per counted visit (its task's flags, whether the company's check
    is complete: an approved result of the visit or of the one it was merged into, and
    found a problem), grouped per company (a flag per row and figure), then summed: a
    company is one 户 in a row however many of the row's tasks drew it. The subject type
    is joined to the grouped companies, in id order, not to every visit: 10^5 lookups in
    a million-row registry cost several times more in random order. Tasks: the scoped
    tasks with a live visit, and whether one of their visits is to an enterprise (an
    EXISTS on the visits' draw index that stops at the first).
    """
    tasks = _scoped_tasks(department_id, start, end)
    v, r, c = Visit.__table__, Result.__table__, Company.__table__
    rows = (select(tasks.c.joint, tasks.c.credit, v.c.company_id,
                   case((r.c.id.is_not(None), 1), else_=0).label("checked"),
                   case((r.c.problem.is_(True), 1), else_=0).label("problem"))
            .select_from(tasks)
            .join(v, and_(v.c.draw_id == tasks.c.draw_id, v.c.state != VisitState.CANCELLED))
            .outerjoin(r, and_(r.c.visit_id == func.coalesce(v.c.merged_into, v.c.id),
                               r.c.state == ResultState.APPROVED, r.c.approved_at < approved_before))
            .subquery("counted_visits"))
    joint, credit, checked, problem = rows.c.joint, rows.c.credit, rows.c.checked, rows.c.problem
    selectors = {"total": literal(1), "internal": 1 - joint, "joint": joint, "credit_based": credit}
    flags = []
    for row, sel in selectors.items():
        flags += [func.max(sel).label(f"{row}_drawn"), func.max(sel * checked).label(f"{row}_checked"),
                  func.max(sel * problem).label(f"{row}_problems")]
    grouped = select(rows.c.company_id, *flags).group_by(rows.c.company_id).subquery("grouped")
    per_company = select(grouped, case((c.c.subject_type == "enterprise", 1), else_=0)
                         .label("enterprise")).join(c, c.c.id == grouped.c.company_id) \
        .subquery("per_company")
    pc = per_company.c
    sums = []
    for row in selectors:
        sums += [func.sum(pc[f"{row}_drawn"]), func.sum(pc[f"{row}_checked"]),
                 func.sum(pc[f"{row}_problems"])]
    sums += [func.sum(pc.enterprise), func.sum(pc.enterprise * pc.total_checked),
             func.sum(pc.enterprise * pc.total_problems)]
    company_sums = select(*[x.label(f"c{i}") for i, x in enumerate(sums)]).subquery("company_sums")

    enterprise = case((_live_visit(tasks, enterprise=True), 1), else_=0)
    task_sums = select(func.count().label("t0"), func.sum(1 - tasks.c.joint).label("t1"),
                       func.sum(tasks.c.joint).label("t2"), func.sum(tasks.c.credit).label("t3"),
                       func.sum(enterprise).label("t4")) \
        .where(_live_visit(tasks)).subquery("task_sums")
    found = session.execute(select(company_sums, task_sums).select_from(
        company_sums.join(task_sums, true()))).one()
    companies = [int(x or 0) for x in found[:len(sums)]]
    task_counts = [int(x or 0) for x in found[len(sums):]]
    out = {}
    for i, row in enumerate((*selectors, "enterprise")):
        out[row] = {"tasks": task_counts[i], "companies_drawn": companies[3 * i],
                    "companies_checked": companies[3 * i + 1],
                    "companies_with_problems": companies[3 * i + 2]}
    return {row: out[row] for row in ROWS}


# --- other platforms -----------------------------------------------------------------------
def _other_platforms(session: Session, department_id: int | None, year: int, month: int) -> dict:
    m = ReportManualFigure.__table__
    m2 = aliased(ReportManualFigure)
    latest = select(func.max(m2.month)).where(
        m2.department_id == m.c.department_id, m2.year == m.c.year, m2.row == m.c.row,
        m2.month <= month).scalar_subquery()
    stmt = select(m.c.row, *[func.sum(m.c[f]) for f in FIGURES]).where(
        m.c.year == year, m.c.month == latest).group_by(m.c.row)
    if department_id is not None:
        stmt = stmt.where(m.c.department_id == department_id)
    found = {row: [int(x or 0) for x in figures] for row, *figures in session.execute(stmt)}
    return {row: dict(zip(FIGURES, found.get(row, [0] * len(FIGURES)), strict=True))
            for row in MANUAL_ROWS}


# --- targets -------------------------------------------------------------------------------
def _bp(percent: float) -> int:
    """Percent in basis points (1/100 %), so comparisons are exact integer arithmetic."""
    return round(percent * 100)


def shortfall(numerator: int, denominator: int, min_percent: float, *,
              base_grows: bool) -> dict:
    """Where ``numerator / denominator`` stands against ``min_percent``.

    ``needed``: the fewest more counted items that reach the target. With ``base_grows``
    each added item (a joint task) also adds to the denominator (all tasks); otherwise the
    denominator is fixed (registered companies). None when no number can: a 100% target
    missed while the base grows, or an empty base.
    """
    bp = _bp(min_percent)
    if denominator <= 0:
        return {"actual_percent": None, "met": None, "shortfall_points": None, "needed": None}
    actual = 100 * numerator / denominator
    met = 10_000 * numerator >= bp * denominator
    if met:
        needed = 0
    elif base_grows:
        needed = None if bp >= 10_000 else \
            -(-(bp * denominator - 10_000 * numerator) // (10_000 - bp))
    else:
        needed = -(-bp * denominator // 10_000) - numerator
    # Rounded to 1/100 point in integers (half up), and a miss never shows as 0.00.
    gap = bp * denominator - 10_000 * numerator  # in 1/100 points, times the denominator
    points = 0.0 if met else max(1, (2 * gap + denominator) // (2 * denominator)) / 100
    return {"actual_percent": round(actual, 2), "met": met, "shortfall_points": points,
            "needed": needed}


def _target_values(session: Session, year: int) -> dict[str, tuple[int, float]]:
    """key -> (year set, min percent): the year's own, or the latest earlier year's."""
    latest = select(ReportTarget.key, func.max(ReportTarget.year).label("year")).where(
        ReportTarget.year <= year).group_by(ReportTarget.key).subquery()
    rows = session.execute(select(ReportTarget.key, ReportTarget.year, ReportTarget.min_percent)
                           .join(latest, and_(latest.c.key == ReportTarget.key,
                                              latest.c.year == ReportTarget.year)))
    return {key: (y, p) for key, y, p in rows}


def _targets(session: Session, year: int, figures: dict, registered: int) -> list[dict]:
    total, joint, credit = figures["total"], figures["joint"], figures["credit_based"]
    measures = {
        "joint_tasks": (joint["tasks"], total["tasks"], "tasks", True),
        "joint_companies": (joint["companies_drawn"], total["companies_drawn"], "companies", True),
        "credit_based": (credit["tasks"], total["tasks"], "tasks", True),
        "coverage": (total["companies_checked"], registered, "companies", False),
    }
    values = _target_values(session, year)
    out = []
    for key in TARGET_KEYS:
        if key not in values:
            continue
        set_in, min_percent = values[key]
        numerator, denominator, unit, grows = measures[key]
        out.append({"key": key, "name": TARGET_NAMES[key], "year": set_in,
                    "min_percent": min_percent, "numerator": numerator,
                    "denominator": denominator, "unit": unit,
                    **shortfall(numerator, denominator, min_percent, base_grows=grows)})
    return out


# --- the report ----------------------------------------------------------------------------
def monthly(session: Session, actor: Actor, *, year: int, month: int,
            department_id: int | None = None) -> dict:
    """The monthly report of ``department_id``, or of the region when None (coordinators
    and admins only). Supervisors see their own department's; inspectors none (403)."""
    check_month(year, month)
    department = _department(session, actor, department_id)
    dept_id = department.id if department else None
    start, end = dt.date(year, 1, 1), month_end(year, month)
    figures = _this_platform(session, dept_id, start, end, _china_midnight(_next_month(year, month)))
    registered = companies.registered_count(session, year)
    return {
        "year": year, "month": month, "through": end, "due_on": due_on(year, month),
        "department": None if department is None else
        {"id": department.id, "code": department.code, "name": department.name},
        "this_platform": figures,
        "other_platforms": _other_platforms(session, dept_id, year, month),
        "registered_companies": registered,
        "targets": _targets(session, year, figures, registered),
    }


def monthly_for(session: Session, actor: Actor, *, month: tuple[int, int],
                department: str | None = None) -> dict:
    """``monthly`` for a department given by its code, as the API and the CLI name it."""
    department_id = department_by_code(session, actor, department)
    return monthly(session, actor, year=month[0], month=month[1], department_id=department_id)


# --- targets: read and set ---------------------------------------------------------------
def list_targets(session: Session, actor: Actor) -> list[dict]:
    actor.require_role("admin", "coordinator", "supervisor")
    years: dict[int, dict] = {}
    for target in session.scalars(select(ReportTarget).order_by(ReportTarget.year)):
        years.setdefault(target.year, {"year": target.year, **dict.fromkeys(TARGET_KEYS)})
        years[target.year][target.key] = target.min_percent
    return list(years.values())


def set_targets(session: Session, actor: Actor, year: int, changes: dict) -> dict:
    """Set (a number) or remove (null) some of a year's targets; admins only."""
    actor.require_role("admin")
    check_year(year)
    current = {t.key: t for t in session.scalars(select(ReportTarget).where(
        ReportTarget.year == year))}
    before = {k: t.min_percent for k, t in current.items()}
    for key, value in changes.items():
        if value is None:
            if key in current:
                session.delete(current.pop(key))
        elif key in current:
            current[key].min_percent = value
        else:
            current[key] = ReportTarget(year=year, key=key, min_percent=value)
            session.add(current[key])
    session.flush()
    after = {k: t.min_percent for k, t in current.items()}
    b, a = audit.diff({k: before.get(k) for k in TARGET_KEYS}, {k: after.get(k) for k in TARGET_KEYS})
    if a:
        audit.record(session, actor, "report_target.update", "report_target", year,
                     before=b, after=a)
    return {"year": year, **{k: after.get(k) for k in TARGET_KEYS}}


# --- other platforms: enter and list -----------------------------------------------------
def _figure_json(figure: ReportManualFigure, code: str) -> dict:
    return {"id": figure.id, "department": code, "year": figure.year, "month": figure.month,
            "row": figure.row, **{f: getattr(figure, f) for f in FIGURES},
            "entered_by": figure.entered_by, "entered_at": figure.entered_at}


def set_manual_figure(session: Session, actor: Actor, *, department: str, year: int, month: int,
                      row: str, figures: dict, now: dt.datetime | None = None) -> dict:
    """Enter (or correct) a department's year-to-date figures of one 其他平台 row as of a
    month: the department's own supervisors or an admin."""
    department_id = department_by_code(session, actor, department)
    actor.check_department_write(department_id, "department's report")
    check_month(year, month)
    if row not in MANUAL_ROWS:
        raise InvalidInput("No such row of the other platforms.",
                           errors={"row": [f"one of {', '.join(MANUAL_ROWS)}"]})
    figure = session.scalar(select(ReportManualFigure).where(
        ReportManualFigure.department_id == department_id, ReportManualFigure.year == year,
        ReportManualFigure.month == month, ReportManualFigure.row == row))
    before = None if figure is None else {f: getattr(figure, f) for f in FIGURES}
    if figure is None:
        figure = ReportManualFigure(department_id=department_id, year=year, month=month, row=row)
        session.add(figure)
    for field in FIGURES:
        setattr(figure, field, figures[field])
    figure.entered_by = actor.user_id
    figure.entered_at = now or clock.now()
    session.flush()
    audit.record(session, actor, "report_figure.set", "report_manual_figure", figure.id,
                 before=before, after={"department_id": department_id, "year": year,
                                       "month": month, "row": row, **figures})
    return _figure_json(figure, department)


def list_manual_figures(session: Session, actor: Actor, *, year: int,
                        department: str | None = None) -> list[dict]:
    """A year's entries, by department and month; supervisors see their own department's."""
    department_id = department_by_code(session, actor, department)
    stmt = (select(ReportManualFigure, Department.code)
            .join(Department, Department.id == ReportManualFigure.department_id)
            .where(ReportManualFigure.year == year)
            .order_by(Department.code, ReportManualFigure.month, ReportManualFigure.row))
    if department_id is not None:
        stmt = stmt.where(ReportManualFigure.department_id == department_id)
    return [_figure_json(figure, code) for figure, code in session.execute(stmt)]
