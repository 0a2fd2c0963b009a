"""Running, verifying and publishing the two draws of a task.

The eligible set is read as plain rows (id, credit code, class) in credit-code order; no
ORM object per company, so a draw over a million companies stays linear. Everything the
pure algorithm (``draw_algorithm``) needs is stored with the draw, so ``verify`` can
re-run it from the stored inputs alone and compare with what was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from schemas.codes import normalize_code
from schemas.states import VISIT_FINISHED, VISIT_LIVE, VISIT_OPEN, VISIT_VOID, PlanState, VisitState
from server import clock
from server.direct import fetch_plain
from server.iso_text import iso_text
from server.models import (
    Company,
    Draw,
    DrawCompany,
    DrawStratum,
    InspectionItemVersion,
    Inspector,
    InspectorConflict,
    Tag,
    Task,
    Visit,
    VisitItem,
    VisitMember,
    company_tags,
    inspector_tags,
)
from server.services import audit, departments
from server.services.actors import Actor
from server.services.draw_algorithm import (
    ALL,
    Candidate,
    DrawImpossible,
    assign_teams,
    count_for,
    draw_stratum,
    eligible_hash,
    seed_commitment,
)
from server.services.errors import Conflict, InvalidInput, NotFound, RuleViolation
from server.services.plans import check_task_write, get_task_or_raise, participates, ratios_bp
from server.services.registry import get_by_id, get_or_404, having_tags

EXCLUSION_ORDER = ("recently_inspected", "open_task", "cap_department", "cap_total")
COVERAGE_TARGET_PERCENT = 5


def substitutes_for(count: int) -> int:
    """Substitutes kept per stratum: a tenth of the drawn, plus two."""
    return count // 10 + 2


# --- the eligible set ----------------------------------------------------------------------
def _eligible_rows(session: Session, task: Task) -> list:
    """(id, credit code, class) of active, operating companies in scope, by credit code."""
    if task.kind == "individual":
        company = session.get(Company, task.company_id)
        if company is None or not company.active:
            raise RuleViolation("The named company is not in the registry.",
                                code="no_eligible_companies")
        return [(company.id, company.credit_code, company.credit_risk_class)]
    c = Company.__table__.c
    stmt = select(c.id, c.credit_code, c.credit_risk_class).where(
        c.active.is_(True), c.status == "operating")
    scope = task.scope or {}
    if scope.get("regions"):
        stmt = stmt.where(or_(*[c.region.startswith(r, autoescape=True) for r in scope["regions"]]))
    if scope.get("industries"):
        stmt = stmt.where(c.industry.in_(scope["industries"]))
    if scope.get("subject_types"):
        stmt = stmt.where(c.subject_type.in_(scope["subject_types"]))
    if scope.get("credit_classes"):
        stmt = stmt.where(c.credit_risk_class.in_(scope["credit_classes"]))
    stmt = having_tags(stmt, c.id, company_tags, scope.get("tags"))
    return fetch_plain(session, stmt.order_by(c.credit_code))


def _exclusions(session: Session, task: Task) -> dict[str, set[int]]:
    """Company ids each exclusion rule removes (a company may match several)."""
    if task.kind == "individual":
        return {name: set() for name in EXCLUSION_ORDER}
    item_ids = {i.item_id for i in task.items}
    other = Visit.task_id != task.id
    same_items = Visit.id.in_(select(VisitItem.visit_id).where(VisitItem.item_id.in_(item_ids)))
    since = task.window_start - dt.timedelta(days=task.exclusion_days)
    recent = set(session.scalars(select(Visit.company_id).where(
        other, same_items, Visit.state.in_(VISIT_FINISHED), Visit.window_end >= since)))
    open_ = set(session.scalars(select(Visit.company_id).where(
        other, same_items, Visit.state.in_(VISIT_OPEN))))
    year = task.window_start.year
    in_year = and_(other, Visit.state.in_(VISIT_LIVE), Visit.counts_for_caps.is_(True),
                   Visit.window_start >= dt.date(year, 1, 1),
                   Visit.window_start <= dt.date(year, 12, 31))
    dept_ids = [d.id for d in task.departments]
    per_department = select(Visit.company_id, VisitItem.department_id).join(
        VisitItem, VisitItem.visit_id == Visit.id).where(
        in_year, VisitItem.department_id.in_(dept_ids)).group_by(
        Visit.company_id, VisitItem.department_id).having(
        func.count(func.distinct(Visit.id)) >= task.cap_per_department)
    cap_department = {row[0] for row in session.execute(per_department)}
    total = select(Visit.company_id).where(in_year).group_by(Visit.company_id).having(
        func.count(Visit.id) >= task.cap_total)
    cap_total = set(session.scalars(total))
    return {"recently_inspected": recent, "open_task": open_, "cap_department": cap_department,
            "cap_total": cap_total}


# --- inspectors ----------------------------------------------------------------------------
def _pools(session: Session, task: Task) -> dict[int, list[Candidate]]:
    """Certified, active inspectors of each participating department for the whole window."""
    i = Inspector
    rows = session.execute(select(i.id, i.certificate_number, i.department_id).where(
        i.active.is_(True), i.department_id.in_([d.id for d in task.departments]),
        or_(i.certificate_valid_from.is_(None), i.certificate_valid_from <= task.window_start),
        or_(i.certificate_valid_until.is_(None), i.certificate_valid_until >= task.window_end),
    ).order_by(i.certificate_number)).all()
    tags = defaultdict(set)
    for inspector_id, code in session.execute(
            select(inspector_tags.c.inspector_id, Tag.code).join(Tag, Tag.id == inspector_tags.c.tag_id)
            .where(inspector_tags.c.inspector_id.in_([r[0] for r in rows]))):
        tags[inspector_id].add(code)
    pools: dict[int, list[Candidate]] = defaultdict(list)
    for inspector_id, cert, dept in rows:
        pools[dept].append(Candidate(inspector_id, cert, dept, frozenset(tags[inspector_id])))
    return dict(pools)


def _required(session: Session, task: Task) -> dict[int, frozenset[str]]:
    versions = session.scalars(select(InspectionItemVersion).where(
        InspectionItemVersion.id.in_([i.item_version_id for i in task.items])))
    required: dict[int, set[str]] = defaultdict(set)
    for v in versions:
        required[v.item.department_id].update(v.required_expertise or ())
    return {d: frozenset(t) for d, t in required.items()}


def _barred(session: Session, task: Task, company_ids: dict[str, int]) -> dict[str, set[int]]:
    """Per credit code: declared conflicts, and the last team that checked the same items."""
    by_id = {v: k for k, v in company_ids.items()}
    barred: dict[str, set[int]] = defaultdict(set)
    ids = list(company_ids.values())
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for inspector_id, company_id in session.execute(
                select(InspectorConflict.inspector_id, InspectorConflict.company_id)
                .where(InspectorConflict.company_id.in_(chunk))):
            barred[by_id[company_id]].add(inspector_id)
        item_ids = {i.item_id for i in task.items}
        last = select(Visit.company_id, func.max(Visit.window_end).label("end")).where(
            Visit.company_id.in_(chunk), Visit.task_id != task.id,
            Visit.state.in_(VISIT_LIVE),
            Visit.id.in_(select(VisitItem.visit_id).where(VisitItem.item_id.in_(item_ids)))
        ).group_by(Visit.company_id).subquery()
        for company_id, inspector_id in session.execute(
                select(Visit.company_id, VisitMember.inspector_id)
                .join(VisitMember, VisitMember.visit_id == Visit.id)
                .join(last, and_(last.c.company_id == Visit.company_id,
                                 last.c.end == Visit.window_end))
                .where(Visit.task_id != task.id, Visit.state.in_(VISIT_LIVE),
                       Visit.id.in_(select(VisitItem.visit_id)
                                    .where(VisitItem.item_id.in_(item_ids))))):
            barred[by_id[company_id]].add(inspector_id)
    return barred


# --- running a draw ------------------------------------------------------------------------
def _candidate_json(c: Candidate) -> dict:
    return {"id": c.inspector_id, "certificate": c.certificate, "department_id": c.department_id,
            "tags": sorted(c.tags)}


@dataclass
class CompanyDraw:
    """The company half of a draw: what was eligible, what was excluded, what was drawn."""

    eligible_before_exclusions: int
    removed: dict[str, int]
    strata: dict[str, list[str]]
    company_ids: dict[str, int]
    results: list
    stratified: bool
    ratios_bp: dict | None
    fixed: int | None

    @property
    def drawn_codes(self) -> list[str]:
        """The drawn companies' credit codes, stratum by stratum, in drawn order."""
        return [code for r in self.results for code in r.drawn]


def company_draw(session: Session, task: Task) -> CompanyDraw:
    """随机抽取检查对象: eligible set, exclusions, strata, ranking. Linear in companies."""
    seed = task.seed
    rows = _eligible_rows(session, task)
    excluded = _exclusions(session, task)
    removed: dict[str, int] = {name: 0 for name in EXCLUSION_ORDER}
    strata: dict[str, list[str]] = defaultdict(list)
    company_ids: dict[str, int] = {}
    stratified = task.fixed_count is None and task.kind != "individual"
    rules = [(name, excluded[name]) for name in EXCLUSION_ORDER]
    any_rule = set().union(*excluded.values())
    for company_id, code, klass in rows:
        if company_id in any_rule:  # name the rule only for the few rows that hit one
            removed[next(name for name, ids in rules if company_id in ids)] += 1
            continue
        strata[klass if stratified else ALL].append(code)
        company_ids[code] = company_id
    if not company_ids:
        raise RuleViolation("No company is eligible: the scope matches none, or all were "
                            "excluded.", code="no_eligible_companies",
                            errors={"exclusions": [f"{k}: {v}" for k, v in removed.items() if v]})
    if stratified:
        for klass in (task.scope or {}).get("credit_classes") or task.ratios:
            strata.setdefault(klass, [])
    bp = ratios_bp(task) if stratified else None
    fixed = task.fixed_count if task.kind != "individual" else 1
    results = []
    for name in sorted(strata):
        n = len(strata[name])
        count = count_for(n, ratio_bp=bp.get(name, 0)) if stratified else count_for(n, fixed=fixed)
        results.append(draw_stratum(seed, name, strata[name], count, substitutes_for(count)))
    return CompanyDraw(len(rows), removed, dict(strata), company_ids, results, stratified,
                       bp, fixed if not stratified else None)


def run(session: Session, actor: Actor, task_id: int, *, reason: str | None = None,
        now: dt.datetime | None = None) -> Draw:
    """Draw the task's companies, then their teams, and issue the visits; a redraw (with
    its reason) retires the current draw and cancels its visits not yet entered."""
    now = now or clock.now()
    task = get_task_or_raise(session, actor, task_id)
    check_task_write(actor, task)
    previous = _check_drawable(session, task, reason)
    company = company_draw(session, task)
    teams = _team_draw(session, task, company)
    if previous is not None:
        _retire(session, previous)
    number = (session.scalar(select(func.max(Draw.number)).where(Draw.task_id == task.id)) or 0) + 1
    drawn_codes = company.drawn_codes
    draw = Draw(task_id=task.id, number=number, reason=reason, current=True, created_at=now,
                created_by=actor.user_id, seed_hash=seed_commitment(task.seed),
                eligible_hash=eligible_hash(company.strata),
                eligible_count=len(company.company_ids),
                inputs=_inputs(task, company, teams),
                report=_report(session, task, company))
    session.add(draw)
    session.flush()
    _store_heads(session, draw, company, teams.teams)
    _issue_visits(session, task, draw,
                  [(company.company_ids[c], teams.teams[c]) for c in drawn_codes], now)
    audit.record(session, actor, "draw.run", "draw", draw.id,
                 after={"task_id": task.id, "number": number, "reason": reason,
                        "eligible_hash": draw.eligible_hash, "drawn": len(drawn_codes)}, now=now)
    return draw


def _check_drawable(session: Session, task: Task, reason: str | None) -> Draw | None:
    """The task is in the published plan, and a redraw says why; the current draw, if any."""
    if task.published_in_version is None or task.plan.state != PlanState.PUBLISHED:
        raise RuleViolation("The task is not in the published plan: publish the plan (with a "
                            "filing reason, 备案, if it was already published) first.",
                            code="task_not_in_published_plan")
    previous = session.scalar(select(Draw).where(Draw.task_id == task.id, Draw.current.is_(True)))
    if previous is not None and not reason:
        raise RuleViolation("The task has been drawn. A redraw is a new, recorded draw and "
                            "needs a reason.", code="redraw_requires_reason",
                            errors={"reason": ["required for a redraw"]})
    return previous


@dataclass
class TeamDraw:
    """The inspector draw's inputs (departments in order, pools, required inspectors,
    those barred from a company) and the team drawn for each drawn company's code."""

    departments: list[int]
    pools: dict
    required: dict
    barred: dict[str, set[int]]
    teams: dict


def _team_draw(session: Session, task: Task, company: CompanyDraw) -> TeamDraw:
    departments = [task.lead_department_id] + sorted(
        d.id for d in task.departments if d.id != task.lead_department_id)
    pools = _pools(session, task)
    required = _required(session, task)
    head_codes = {code for r in company.results for code in r.drawn + r.substitutes}
    barred = _barred(session, task, {c: company.company_ids[c] for c in head_codes})
    try:
        teams = assign_teams(task.seed, company.drawn_codes, departments=departments,
                             pools=pools, required=required, barred=barred,
                             cap=task.inspector_cap)
    except DrawImpossible as exc:
        raise RuleViolation(f"The inspector draw cannot be met: {exc}", code="draw_impossible",
                            company=exc.company, constraint=exc.constraint) from None
    return TeamDraw(departments, pools, required, barred, teams)


def _retire(session: Session, previous: Draw) -> None:
    """A redraw: the previous draw is no longer current, its visits not yet entered go."""
    previous.current = False
    session.execute(update(Visit).where(Visit.draw_id == previous.id,
                                        Visit.state == VisitState.ISSUED)
                    .values(state=VisitState.CANCELLED))


def _inputs(task: Task, company: CompanyDraw, teams: TeamDraw) -> dict:
    """Everything the draw was computed from, for anyone to reproduce it once the seed
    is revealed."""
    return {
        "algorithm": "fieldinspect-draw-1",
        "stratified": company.stratified, "ratios_bp": company.ratios_bp,
        "fixed_count": company.fixed,
        "strata": {r.name: {"eligible": r.eligible, "count": r.count,
                            "substitutes": substitutes_for(r.count)} for r in company.results},
        "departments": teams.departments,
        "pools": {str(d): [_candidate_json(c) for c in pool] for d, pool in teams.pools.items()},
        "required": {str(d): sorted(t) for d, t in teams.required.items()},
        "barred": {code: sorted(ids) for code, ids in sorted(teams.barred.items()) if ids},
        "inspector_cap": task.inspector_cap,
        "window": [iso_text(task.window_start), iso_text(task.window_end)],
    }


def _report(session: Session, task: Task, company: CompanyDraw) -> dict:
    """What the draw found: eligible and excluded companies, drawn per stratum, coverage,
    and other departments' visits overlapping the drawn companies."""
    drawn_codes = company.drawn_codes
    return {
        "eligible_before_exclusions": company.eligible_before_exclusions,
        "excluded": company.removed,
        "strata": {r.name: {"eligible": r.eligible, "drawn": r.count} for r in company.results},
        "drawn": len(drawn_codes),
        "coverage": _coverage(session, task, len(drawn_codes)),
        "overlapping_visits": _overlaps(session, task,
                                        [company.company_ids[c] for c in drawn_codes]),
    }


def _store_heads(session: Session, draw: Draw, company: CompanyDraw, teams: dict) -> None:
    """Each stratum's eligible codes, and the drawn companies and substitutes in order
    (with the drawn ones' teams)."""
    session.execute(insert(DrawStratum), [
        {"draw_id": draw.id, "stratum": name, "eligible": len(codes),
         "count": next(r.count for r in company.results if r.name == name),
         "codes": "\n".join(codes)}
        for name, codes in sorted(company.strata.items())])
    head_rows = []
    for r in company.results:
        for position, code in enumerate(r.drawn + r.substitutes, start=1):
            drawn = position <= r.count
            head_rows.append({"draw_id": draw.id, "stratum": r.name, "position": position,
                              "company_id": company.company_ids[code], "credit_code": code,
                              "role": "drawn" if drawn else "substitute",
                              "team": sorted(c.inspector_id for c in teams[code])
                              if drawn else None})
    if head_rows:
        session.execute(insert(DrawCompany), head_rows)


def _issue_visits(session: Session, task: Task, draw: Draw, companies, now) -> None:
    """One visit per drawn company, with its team and the task's items.

    Core bulk inserts, not ORM objects: a province-wide draw issues tens of thousands of
    visits, and the ORM would insert them one statement each to learn their ids.
    """
    if not companies:
        return
    table = Visit.__table__
    rows = [{"task_id": task.id, "draw_id": draw.id, "company_id": company_id,
             "state": VisitState.ISSUED, "window_start": task.window_start, "window_end": task.window_end,
             "counts_for_caps": task.kind != "individual", "created_at": now, "updated_at": now}
            for company_id, _ in companies]
    ids = []
    for start in range(0, len(rows), 5000):
        ids.extend(session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            rows[start:start + 5000]).scalars())
    items = [{"visit_id": visit_id, "item_version_id": i.item_version_id, "item_id": i.item_id,
              "department_id": i.department_id} for visit_id in ids for i in task.items]
    members = [{"visit_id": visit_id, "inspector_id": c.inspector_id,
                "department_id": c.department_id}
               for visit_id, (_, team) in zip(ids, companies, strict=True) for c in team]
    for start in range(0, len(items), 10000):
        session.execute(insert(VisitItem.__table__), items[start:start + 10000])
    for start in range(0, len(members), 10000):
        session.execute(insert(VisitMember.__table__), members[start:start + 10000])


def _coverage(session: Session, task: Task, drawn_now: int) -> dict:
    """Is the lead department's year on course for >= 5% of the registered companies
    (the monthly report's base: ``companies.registered_count``)?"""
    from server.services.companies import registered_count

    year = task.window_start.year
    registered = registered_count(session, year)
    already = session.scalar(select(func.count(func.distinct(Visit.company_id))).where(
        Visit.state.in_(VISIT_LIVE), Visit.task_id != task.id,
        Visit.window_start >= dt.date(year, 1, 1), Visit.window_start <= dt.date(year, 12, 31),
        Visit.id.in_(select(VisitItem.visit_id).where(
            VisitItem.department_id == task.lead_department_id)))) or 0
    target = -(-registered * COVERAGE_TARGET_PERCENT // 100)
    reached = already + drawn_now
    return {"registered": registered, "target_percent": COVERAGE_TARGET_PERCENT,
            "target": target, "inspected_or_drawn_this_year": reached,
            "on_course": reached >= target, "still_needed": max(0, target - reached)}


def _overlaps(session: Session, task: Task, company_ids: list[int]) -> list[dict]:
    """Open visits of other tasks to the same companies in an overlapping window:
    candidates for one joint visit (进一次门、查多项事)."""
    out = []
    for start in range(0, len(company_ids), 900):
        chunk = company_ids[start:start + 900]
        for visit_id, company_id, task_id in session.execute(
                select(Visit.id, Visit.company_id, Visit.task_id).where(
                    Visit.company_id.in_(chunk), Visit.task_id != task.id,
                    Visit.state.in_(VISIT_OPEN), Visit.window_start <= task.window_end,
                    Visit.window_end >= task.window_start).order_by(Visit.id)):
            out.append({"visit_id": visit_id, "company_id": company_id, "task_id": task_id})
    return out


# --- reading, verifying, substituting ------------------------------------------------------
def get_or_raise(session: Session, actor: Actor, draw_id: int) -> Draw:
    draw = get_or_404(session, Draw, draw_id, "draw")
    task = session.get(Task, draw.task_id)
    if not participates(actor, task):
        raise NotFound("No such draw.")
    return draw


def verify(session: Session, draw: Draw) -> dict:
    """Re-run both draws from the stored inputs and compare with what was recorded."""
    task = session.get(Task, draw.task_id)
    checks: dict[str, bool] = {}
    strata = {s.stratum: (s.codes.split("\n") if s.codes else [])
              for s in session.scalars(select(DrawStratum).where(DrawStratum.draw_id == draw.id))}
    checks["seed_matches_commitment"] = (task.seed is not None and
                                         seed_commitment(task.seed) == draw.seed_hash ==
                                         task.seed_hash)
    checks["eligible_set_matches_hash"] = eligible_hash(strata) == draw.eligible_hash
    recorded: dict[str, list[str]] = defaultdict(list)
    for row in session.execute(select(DrawCompany.stratum, DrawCompany.credit_code)
                               .where(DrawCompany.draw_id == draw.id)
                               .order_by(DrawCompany.stratum, DrawCompany.position)):
        recorded[row[0]].append(row[1])
    inputs = draw.inputs
    seed = task.seed or b"\0" * 32
    expected: dict[str, list[str]] = {}
    drawn_order: list[str] = []
    for name in sorted(strata):
        meta = inputs["strata"].get(name, {"count": 0, "substitutes": 0})
        result = draw_stratum(seed, name, strata[name], meta["count"], meta["substitutes"])
        expected[name] = result.drawn + result.substitutes
        drawn_order.extend(result.drawn)
    checks["companies_match"] = {k: v for k, v in expected.items() if v} == \
        {k: v for k, v in recorded.items() if v}
    pools = {int(d): [Candidate(c["id"], c["certificate"], c["department_id"],
                                frozenset(c["tags"])) for c in pool]
             for d, pool in inputs["pools"].items()}
    try:
        teams = assign_teams(seed, drawn_order,
                             departments=inputs["departments"], pools=pools,
                             required={int(d): frozenset(t) for d, t in inputs["required"].items()},
                             barred={c: set(ids) for c, ids in inputs["barred"].items()},
                             cap=inputs["inspector_cap"])
        expected_teams = {c: sorted(m.inspector_id for m in team) for c, team in teams.items()}
    except DrawImpossible:
        expected_teams = None
    recorded_teams = dict(session.execute(
        select(DrawCompany.credit_code, DrawCompany.team).where(
            DrawCompany.draw_id == draw.id, DrawCompany.role.in_(("drawn", "replaced")),
            DrawCompany.team.is_not(None))).all())
    checks["teams_match"] = expected_teams is not None and all(
        recorded_teams.get(code) == team for code, team in expected_teams.items())
    return {"draw_id": draw.id, "match": all(checks.values()), "checks": checks}


def seed_revealed(task: Task, now: dt.datetime) -> bool:
    """The seed is public once the visit window has started (a calendar day in China)."""
    return clock.china_date(now) >= task.window_start


def describe(session: Session, draw: Draw, *, now: dt.datetime) -> dict:
    """A draw as it is published: inputs' hashes, strata, companies, teams (names and
    departments only), exclusions, and the seed once revealed."""
    task = session.get(Task, draw.task_id)
    names = departments.names(session)
    companies = []
    for row in session.execute(
            select(DrawCompany.stratum, DrawCompany.position, DrawCompany.credit_code,
                   DrawCompany.role, DrawCompany.replaced_by, DrawCompany.reason, Company.name)
            .join(Company, Company.id == DrawCompany.company_id)
            .where(DrawCompany.draw_id == draw.id)
            .order_by(DrawCompany.stratum, DrawCompany.position)).mappings():
        companies.append(dict(row))
    teams = defaultdict(list)
    for code, name, dept in session.execute(
            select(Company.credit_code, Inspector.name, VisitMember.department_id)
            .join(Visit, Visit.company_id == Company.id)
            .join(VisitMember, VisitMember.visit_id == Visit.id)
            .join(Inspector, Inspector.id == VisitMember.inspector_id)
            .where(Visit.draw_id == draw.id, Visit.state.not_in(VISIT_VOID))
            .order_by(Company.credit_code, VisitMember.department_id, Inspector.name)):
        teams[code].append({"name": name, "department": names.get(dept)})
    strata = [{"stratum": s.stratum, "eligible": s.eligible, "count": s.count,
               "ratio_bp": (draw.inputs.get("ratios_bp") or {}).get(s.stratum)}
              for s in session.scalars(select(DrawStratum).where(DrawStratum.draw_id == draw.id)
                                       .order_by(DrawStratum.stratum))]
    revealed = seed_revealed(task, now)
    return {
        "id": draw.id, "task_id": draw.task_id, "number": draw.number, "reason": draw.reason,
        "current": draw.current, "created_at": draw.created_at,
        "algorithm": draw.inputs.get("algorithm"),
        "seed_hash": draw.seed_hash, "seed": task.seed.hex() if revealed else None,
        "seed_revealed": revealed, "eligible_hash": draw.eligible_hash,
        "eligible_count": draw.eligible_count, "strata": strata,
        "excluded": draw.report.get("excluded"), "coverage": draw.report.get("coverage"),
        "overlapping_visits": draw.report.get("overlapping_visits"),
        "inspector_substitutions": draw.report.get("inspector_substitutions", []),
        "companies": companies,
        "teams": [{"credit_code": c, "inspectors": t} for c, t in sorted(teams.items())],
    }


def stratum_codes(session: Session, draw: Draw, stratum: str) -> str:
    row = session.get(DrawStratum, (draw.id, stratum))
    if row is None:
        raise NotFound("No such stratum in this draw.")
    return row.codes + ("\n" if row.codes else "")


def substitute(session: Session, actor: Actor, draw_id: int, *, credit_code: str, reason: str,
               note: str | None = None, now: dt.datetime | None = None) -> DrawCompany:
    """Replace a drawn company found deregistered or unreachable by the next unused
    company of its stratum's ranking (递补). Recorded, audited, published."""
    draw = get_or_raise(session, actor, draw_id)
    task = session.get(Task, draw.task_id)
    check_task_write(actor, task)
    if not draw.current:
        raise Conflict("This draw was superseded by a redraw.", code="draw_superseded")
    code = normalize_code(credit_code)
    original = session.scalar(select(DrawCompany).where(
        DrawCompany.draw_id == draw.id, DrawCompany.credit_code == code))
    if original is None or original.role != "drawn":
        raise InvalidInput("That company is not drawn in this draw.",
                           errors={"credit_code": ["not a drawn company of this draw"]})
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw.id,
                                               Visit.company_id == original.company_id,
                                               Visit.state != VisitState.CANCELLED))
    if visit is not None and visit.state != VisitState.ISSUED:
        raise Conflict("The visit has started; the company can no longer be replaced.",
                       code="visit_started")
    replacement = session.scalar(select(DrawCompany).where(
        DrawCompany.draw_id == draw.id, DrawCompany.stratum == original.stratum,
        DrawCompany.role == "substitute").order_by(DrawCompany.position).limit(1))
    if replacement is None:
        raise RuleViolation("The stratum has no substitute left.", code="no_substitute_left")
    company = session.get(Company, original.company_id)
    company.status = reason
    original.role = "replaced"
    original.replaced_by = replacement.id
    original.reason = f"{reason}: {note}" if note else reason
    replacement.role = "drawn"
    replacement.team = original.team  # the team goes to the replacing company
    team_source = visit.members if visit is not None else []
    if visit is not None:
        visit.state = VisitState.CANCELLED
    new_visit = Visit(task_id=task.id, draw_id=draw.id, company_id=replacement.company_id,
                      state=VisitState.ISSUED, window_start=task.window_start, window_end=task.window_end,
                      counts_for_caps=task.kind != "individual")
    new_visit.items = [VisitItem(item_version_id=i.item_version_id, item_id=i.item_id,
                                 department_id=i.department_id) for i in task.items]
    new_visit.members = [VisitMember(inspector_id=m.inspector_id, department_id=m.department_id)
                         for m in team_source]
    session.add(new_visit)
    session.flush()
    audit.record(session, actor, "draw.substitute", "draw", draw.id,
                 before={"credit_code": code},
                 after={"credit_code": replacement.credit_code, "reason": reason, "note": note},
                 now=now)
    return replacement


def add_conflict(session: Session, actor: Actor, inspector_id: int, company_id: int,
                 reason: str) -> InspectorConflict:
    """Declare a conflict of interest (回避): the inspector is never drawn for the company."""
    from server.services import inspectors

    inspector = inspectors.get_or_raise(session, actor, inspector_id)
    if actor.role != "inspector" or actor.inspector_id != inspector.id:
        actor.check_department_write(inspector.department_id, "inspector")
    get_or_404(session, Company, company_id, "company")
    if session.get(InspectorConflict, (inspector.id, company_id)):
        raise Conflict("That conflict is declared already.", code="duplicate")
    conflict = InspectorConflict(inspector_id=inspector.id, company_id=company_id, reason=reason)
    session.add(conflict)
    session.flush()
    audit.record(session, actor, "inspector.conflict", "inspector", inspector.id,
                 after={"company_id": company_id, "reason": reason})
    return conflict


def replace_inspector(session: Session, actor: Actor, draw_id: int, *, visit_id: int,
                      inspector_id: int, reason: str, now: dt.datetime | None = None) -> Visit:
    """An inspector of a drawn team cannot go: the same department's next inspector by
    the draw's own rule (stored pool, expertise, least loaded, HMAC order) takes the
    place. Recorded with its reason and published with the draw."""
    now = now or clock.now()
    draw = get_or_raise(session, actor, draw_id)
    task = session.get(Task, draw.task_id)
    visit, member = _member_to_replace(session, actor, draw, task, visit_id, inspector_id)
    code = session.get(Company, visit.company_id).credit_code
    # Whoever was found unavailable for this visit stays off it (kept out of the public
    # record, which names people only).
    unavailable = set(draw.report.get("unavailable", {}).get(str(visit.id), ())) | {inspector_id}
    replacement = _replacement(session, draw, task, visit, member, code, unavailable)
    visit.members.remove(member)
    visit.members.append(VisitMember(inspector_id=replacement.inspector_id,
                                     department_id=member.department_id))
    names = dict(session.execute(select(Inspector.id, Inspector.name).where(
        Inspector.id.in_((inspector_id, replacement.inspector_id)))).all())
    entry = {"visit_id": visit.id, "credit_code": code, "department_id": member.department_id,
             "replaced": names.get(inspector_id), "by": names.get(replacement.inspector_id),
             "reason": reason, "at": iso_text(now)}
    draw.report = {**draw.report,
                   "inspector_substitutions": [*draw.report.get("inspector_substitutions", []),
                                               entry],
                   "unavailable": {**draw.report.get("unavailable", {}),
                                   str(visit.id): sorted(unavailable)}}
    session.flush()
    audit.record(session, actor, "draw.inspector_substitute", "draw", draw.id,
                 before={"visit_id": visit.id, "inspector_id": inspector_id},
                 after={"visit_id": visit.id, "inspector_id": replacement.inspector_id,
                        "reason": reason}, now=now)
    return visit


def _member_to_replace(session: Session, actor: Actor, draw: Draw, task: Task, visit_id: int,
                       inspector_id: int) -> tuple[Visit, VisitMember]:
    """The draw's visit, not yet entered, and the inspector's place on its team; the
    department's supervisor may replace its own inspector, others need the task's write."""
    visit = get_by_id(session, Visit, visit_id)
    if visit is None or visit.draw_id != draw.id:
        raise NotFound("No such visit in this draw.")
    member = next((m for m in visit.members if m.inspector_id == inspector_id), None)
    if member is None:
        raise InvalidInput("That inspector is not on the visit's team.",
                           errors={"inspector_id": ["not on this team"]})
    if not (actor.role == "admin" or actor.role == "supervisor"
            and actor.department_id == member.department_id):
        check_task_write(actor, task)
    if visit.state != VisitState.ISSUED:
        raise Conflict("The visit has started; its team can no longer be redrawn.",
                       code="visit_started")
    return visit, member


def _replacement(session: Session, draw: Draw, task: Task, visit: Visit, member: VisitMember,
                 code: str, unavailable: set[int]) -> Candidate:
    """The department's next inspector by the draw's rule: from its stored pool, not on
    the team, not barred from the company, not unavailable, active and under the cap."""
    from server.services.draw_algorithm import pick

    team = {m.inspector_id for m in visit.members}
    barred = set(draw.inputs.get("barred", {}).get(code, ())) | set(session.scalars(
        select(InspectorConflict.inspector_id).where(
            InspectorConflict.company_id == visit.company_id)))
    active = set(session.scalars(select(Inspector.id).where(Inspector.active.is_(True))))
    load: dict[int, int] = defaultdict(int)
    for member_id in session.scalars(select(VisitMember.inspector_id).join(
            Visit, Visit.id == VisitMember.visit_id).where(
            Visit.draw_id == draw.id, Visit.state.not_in(VISIT_VOID))):
        load[member_id] += 1
    cap = draw.inputs.get("inspector_cap")
    pool = [Candidate(c["id"], c["certificate"], c["department_id"], frozenset(c["tags"]))
            for c in draw.inputs["pools"].get(str(member.department_id), [])]
    free = [c for c in pool if c.inspector_id not in team | barred | unavailable
            and c.inspector_id in active and (cap is None or load[c.inspector_id] < cap)]
    wanted = frozenset(draw.inputs.get("required", {}).get(str(member.department_id), ()))
    chosen = pick(task.seed, code, free, count=1, load=load, wanted=wanted)
    if not chosen:
        raise RuleViolation("No other inspector of the department can take this place.",
                            code="draw_impossible", company=code, constraint="no_replacement")
    return chosen[0]
