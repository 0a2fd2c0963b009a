"""Time the monthly report (月报表) on SQLite: 10^6 companies, 10^5 results; print one JSON line.

The database is built once under bench/out/report-<N>/ and reused while its recorded
shape (bench/out/report-<N>/world.json) matches this script's. It starts as a copy of the
draw benchmark's demo database (bench/out/draw-<N>/, N companies, built by
``fieldinspect demo`` when missing), migrated to head, and gets a year and a half of
work, bulk-inserted with SQLAlchemy Core (seeded, so the same every time):

- 2% of the companies added to the registry in 2026, the rest in 2025 (the coverage base);
- per department (the demo's 6) and year, a published plan; 2026: 1,200 tasks, 2025: 300,
  with windows spread over the months, 60% joint (the lead plus 1-2 departments), 5% with
  a fixed count instead of credit-class ratios, 1% individual cases (个案);
- a current draw per task with 20-180 visits to distinct random companies; 2% of the
  tasks were redrawn (a superseded draw whose visits are cancelled), 2% of the visits
  were cancelled by a substitution, 1% merged into another task's visit to the company;
- 100,000 results: for visits whose window ended before November 2026, approved some
  days after the window (12% found a problem), a few submitted or returned.

Timed with time.perf_counter(): ``reports.monthly`` for October 2026, for the market
regulation department (SCJG, the busiest) and for the region, each in a fresh read
session; reported: the medians of --runs runs, every run, and the first (cold) run.
The target is under 2 s for each on SQLite.

    .venv/bin/python bench/report.py [--companies 1000000] [--results 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from draw import _cli, _company_count  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from server.db import Database, make_engine  # noqa: E402
from server.models import (  # noqa: E402
    Company,
    Department,
    Draw,
    InspectionItem,
    InspectionItemVersion,
    Plan,
    Result,
    Task,
    TaskItem,
    Visit,
    task_departments,
)
from server.services import reports  # noqa: E402
from server.services.actors import SYSTEM  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_SECONDS = 2.0
SHAPE = {"version": 1, "tasks_2026": 1200, "tasks_2025": 300, "seed": 20261022}
UTC = dt.UTC


# --- the database --------------------------------------------------------------------------
def _migrate(var_dir: Path, url: str) -> None:
    env = {**os.environ, "FIELDINSPECT_VAR_DIR": str(var_dir), "FIELDINSPECT_DATABASE_URL": url}
    subprocess.run([_cli(), "db", "upgrade"], env=env, check=True, cwd=ROOT,  # noqa: S603
                   stdout=sys.stderr)


def _registry(companies: int, var_dir: Path, path: Path, url: str) -> None:
    """A migrated copy of the draw benchmark's demo database (built when missing)."""
    source = OUT / f"draw-{companies}" / "fieldinspect.db"
    var_dir.mkdir(parents=True, exist_ok=True)
    if _company_count(source) == companies:
        print(f"copying {source} ...", file=sys.stderr)
        src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(path)
        try:
            src.backup(dst)  # a consistent copy even in WAL mode
        finally:
            src.close()
            dst.close()
    else:
        print(f"building {path} with {companies} demo companies ...", file=sys.stderr)
        env = {**os.environ, "FIELDINSPECT_VAR_DIR": str(var_dir), "FIELDINSPECT_DATABASE_URL": url}
        _migrate(var_dir, url)
        # No demo activity: the benchmark builds its own 2025-2026 plans and tasks.
        subprocess.run([_cli(), "demo", "--companies", str(companies), "--no-activity"],  # noqa: S603
                       env=env,
                       check=True, cwd=ROOT, stdout=sys.stderr)
    _migrate(var_dir, url)


def database(companies: int, results: int) -> str:
    var_dir = OUT / f"report-{companies}"
    path, marker = var_dir / "fieldinspect.db", var_dir / "world.json"
    url = f"sqlite:///{path}"
    shape = {**SHAPE, "companies": companies, "results": results}
    if marker.exists() and json.loads(marker.read_text()) == shape and path.exists():
        _migrate(var_dir, url)
        return url
    if var_dir.exists():
        shutil.rmtree(var_dir)
    _registry(companies, var_dir, path, url)
    db = Database(make_engine(url))
    try:
        with db.write_session() as session:
            start = time.perf_counter()
            counts = World(session, results).build()
            session.commit()
        print(f"world inserted in {time.perf_counter() - start:.1f} s: {counts}", file=sys.stderr)
    finally:
        db.engine.dispose()
    marker.write_text(json.dumps(shape))
    return url


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), UTC)


class World:
    """The bulk-inserted plans, tasks, draws, visits and results (explicit ids, no RETURNING)."""

    def __init__(self, session, results: int):
        self.s = session
        self.results = results
        self.rng = random.Random(SHAPE["seed"])
        self.max_company = session.scalar(select(func.max(Company.id)))
        self.departments = list(session.scalars(select(Department.id).order_by(Department.id)))
        self.versions = {}
        for version_id, item_id, dept in session.execute(
                select(InspectionItemVersion.id, InspectionItemVersion.item_id,
                       InspectionItem.department_id)
                .join(InspectionItem, InspectionItem.id == InspectionItemVersion.item_id)
                .order_by(InspectionItemVersion.id)):
            self.versions.setdefault(dept, (version_id, item_id))
        self.next = {name: (session.scalar(select(func.max(model.id))) or 0) + 1
                     for name, model in (("plan", Plan), ("task", Task), ("draw", Draw),
                                         ("visit", Visit), ("result", Result))}
        self.rows = {name: [] for name in ("plans", "tasks", "task_departments", "task_items",
                                           "draws", "visits", "results")}

    def _id(self, name: str) -> int:
        self.next[name] += 1
        return self.next[name] - 1

    def build(self) -> dict:
        now = dt.datetime(2026, 11, 22, tzinfo=UTC)
        self.s.execute(update(Company).values(created_at=_at(dt.date(2025, 3, 1))))
        self.s.execute(update(Company).where(Company.id % 50 == 0).values(
            created_at=_at(dt.date(2026, 3, 1))))
        for year, count in ((2025, SHAPE["tasks_2025"]), (2026, SHAPE["tasks_2026"])):
            plans = {}
            for dept in self.departments:
                plans[dept] = self._id("plan")
                self.rows["plans"].append({"id": plans[dept], "department_id": dept, "year": year,
                                           "title": f"{year}年度抽查计划", "state": "published",
                                           "version": 1, "created_at": now, "updated_at": now})
            for n in range(count):
                self._task(year, n, plans, now)
        self._merge()
        self._results(now)
        # A merged visit points at its host: hosts first (foreign keys are checked per row).
        self.rows["visits"].sort(key=lambda v: v["merged_into"] is not None)
        for name, model in (("plans", Plan), ("tasks", Task), ("task_departments", None),
                            ("task_items", TaskItem), ("draws", Draw), ("visits", Visit),
                            ("results", Result)):
            table = task_departments if model is None else model.__table__
            rows = self.rows[name]
            for start in range(0, len(rows), 10_000):
                self.s.execute(insert(table), rows[start:start + 10_000])
        return {name: len(rows) for name, rows in self.rows.items()}

    def _task(self, year: int, n: int, plans: dict, now: dt.datetime) -> None:
        rng = self.rng
        lead = self.departments[n % len(self.departments)]
        roll = rng.random()
        kind = "individual" if roll < 0.01 else "random"
        others = [] if kind == "individual" or rng.random() >= 0.6 else \
            rng.sample([d for d in self.departments if d != lead], rng.choice((1, 1, 2)))
        fixed = kind == "random" and rng.random() < 0.05
        start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 350))
        end = start + dt.timedelta(days=rng.randrange(10, 30))
        task_id = self._id("task")
        company = rng.randrange(1, self.max_company + 1) if kind == "individual" else None
        self.rows["tasks"].append({
            "id": task_id, "plan_id": plans[lead], "name": f"bench task {task_id}", "kind": kind,
            "lead_department_id": lead, "joint_mode": "comprehensive" if others else None,
            "scope": {} if kind == "individual" else {"regions": ["13"]},
            "ratios": None if fixed or kind == "individual" else {"A": 1, "B": 2, "C": 10, "D": 30},
            "fixed_count": 100 if fixed else None, "window_start": start, "window_end": end,
            "result_deadline": end + dt.timedelta(days=20), "exclusion_days": 365,
            "cap_per_department": 2, "cap_total": 4, "company_id": company,
            "case_reason": "complaint" if company else None, "seed_hash": _hash(f"seed{task_id}"),
            "published_in_version": 1, "created_at": now, "updated_at": now})
        for dept in [lead, *others]:
            self.rows["task_departments"].append({"task_id": task_id, "department_id": dept})
            version_id, item_id = self.versions[dept]
            self.rows["task_items"].append({"task_id": task_id, "item_version_id": version_id,
                                            "item_id": item_id, "department_id": dept})
        companies = [company] if company else rng.sample(range(1, self.max_company + 1),
                                                         rng.randrange(20, 181))
        if rng.random() < 0.02:  # redrawn: the first draw's visits were cancelled
            self._draw(task_id, 1, False, companies, start, end, now)
            self._draw(task_id, 2, True, companies, start, end, now)
        else:
            self._draw(task_id, 1, True, companies, start, end, now)

    def _draw(self, task_id, number, current, companies, start, end, now) -> None:
        draw_id = self._id("draw")
        self.rows["draws"].append({
            "id": draw_id, "task_id": task_id, "number": number, "current": current,
            "reason": None if number == 1 else "bench redraw", "created_at": now,
            "seed_hash": _hash(f"seed{task_id}"), "eligible_hash": _hash(f"eligible{draw_id}"),
            "eligible_count": len(companies), "inputs": {}, "report": {}})
        for company_id in companies:
            state = "cancelled" if not current or self.rng.random() < 0.02 else \
                ("closed" if end < dt.date(2026, 11, 1) else "issued")
            self.rows["visits"].append({
                "id": self._id("visit"), "task_id": task_id, "draw_id": draw_id,
                "company_id": company_id, "state": state, "window_start": start,
                "window_end": end, "counts_for_caps": True, "merged_into": None,
                "created_at": now, "updated_at": now})

    def _merge(self) -> None:
        """1% of the visits merged into a visit of another task to the same company."""
        visits = self.rows["visits"]
        closed = [v for v in visits if v["state"] == "closed"]
        hosts = set()
        for other in self.rng.sample(closed, len(closed) // 100):
            host = self.rng.choice(closed)
            if host["task_id"] == other["task_id"] or host["state"] != "closed" \
                    or other["id"] in hosts:
                continue
            hosts.add(host["id"])
            other.update(state="merged", merged_into=host["id"], company_id=host["company_id"],
                         counts_for_caps=False)

    def _results(self, now: dt.datetime) -> None:
        candidates = [v for v in self.rows["visits"] if v["state"] == "closed"]
        for visit in self.rng.sample(candidates, min(self.results, len(candidates))):
            roll = self.rng.random()
            state = "submitted" if roll < 0.02 else ("returned" if roll < 0.03 else "approved")
            problem = self.rng.random() < 0.12
            approved = _at(visit["window_end"] + dt.timedelta(days=self.rng.randrange(1, 40)))
            self.rows["results"].append({
                "id": self._id("result"), "visit_id": visit["id"], "task_id": visit["task_id"],
                "company_id": visit["company_id"],
                "category_code": "corrected" if problem else "no_problem", "problem": problem,
                "state": state, "checked_on": visit["window_end"], "submitted_at": now,
                "entry_due": visit["window_end"] + dt.timedelta(days=14), "late": False,
                "returns": 1 if state == "returned" else 0,
                "approved_at": approved if state == "approved" else None,
                "reviewed_at": approved if state != "submitted" else None})


# --- timing --------------------------------------------------------------------------------
def time_report(db: Database, department_id: int | None) -> tuple[float, dict]:
    with db.read_session() as session:
        start = time.perf_counter()
        report = reports.monthly(session, SYSTEM, year=2026, month=10, department_id=department_id)
        return time.perf_counter() - start, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=1_000_000)
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = database(args.companies, args.results)
    db = Database(make_engine(url))
    try:
        with db.read_session() as session:
            scjg = session.scalar(select(Department.id).where(Department.code == "SCJG"))
            counts = {name: session.scalar(select(func.count()).select_from(model)) for name, model
                      in (("companies", Company), ("tasks", Task), ("visits", Visit),
                          ("results", Result))}
        timings: dict[str, list[float]] = {"department": [], "region": []}
        first, last = {}, {}
        for _ in range(args.runs):
            for name, dept in (("department", scjg), ("region", None)):
                seconds, last[name] = time_report(db, dept)
                timings[name].append(seconds)
                first.setdefault(name, seconds)
    finally:
        db.engine.dispose()
    medians = {name: round(statistics.median(runs), 3) for name, runs in timings.items()}
    out = {
        "bench": "report", "backend": "sqlite", "month": "2026-10", **counts,
        "department": "SCJG",
        "department_seconds": medians["department"], "region_seconds": medians["region"],
        "department_seconds_all": [round(t, 3) for t in timings["department"]],
        "region_seconds_all": [round(t, 3) for t in timings["region"]],
        "first_run_seconds": {k: round(v, 3) for k, v in first.items()},
        "runs": args.runs,
        "region_total": last["region"]["this_platform"]["total"],
        "department_total": last["department"]["this_platform"]["total"],
        "target_seconds": TARGET_SECONDS,
        "met": max(medians.values()) < TARGET_SECONDS,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
