"""Time a task's company draw on SQLite at 10^5 and 10^6 companies; print one JSON line.

The demo databases are built once under bench/out/draw-<N>/ (``fieldinspect db upgrade``
then ``fieldinspect demo --companies N``; the 10^6 one takes a few minutes) and reused
while they hold N companies. Each run is one write session that is rolled back at the
end, so the databases stay as built: in it a plan for SCJG (2027) gets the widest
realistic task (SCJG alone, item SCJG-003, scope: every region "13...", ratios A 1% /
B 2% / C 10% / D 30%, no inspector cap), the plan is published, and then two things
are timed with time.perf_counter():

- company_draw_seconds: ``draws.company_draw``, the very function ``draws.run`` calls
  for the companies: eligible rows, exclusion sets, strata, ranking. The breakdown times
  the eligible-set query once more on its own. The drawn count is checked against the
  full run's.
- full_run_seconds: the whole ``draws.run``: the company draw again, the inspector draw,
  the draw record, strata, ranked head, one visit (items, two inspectors) per drawn
  company, audit; up to the flush it ends with (the rollback is not timed).

Reported: medians of --runs runs per size (each in its own rolled-back session), all
runs, and the 10^6 / 10^5 ratio of the medians (about 10 when the draw grows linearly).
The target is a 10^6 company draw under 3 s. --profile prints, on stderr, the top of a
cProfile of one full run at the largest size (server/ functions by cumulative time).

    .venv/bin/python bench/draw.py [--sizes 100000,1000000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from server.db import Database, make_engine  # noqa: E402
from server.models import Department, InspectionItem, InspectionItemVersion  # noqa: E402
from server.services import draws, plans  # noqa: E402
from server.services.actors import SYSTEM  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_SECONDS = 3.0
RATIOS = {"A": 1, "B": 2, "C": 10, "D": 30}


# --- the databases -------------------------------------------------------------------------
def _cli() -> str:
    for candidate in (ROOT / ".venv" / "bin" / "fieldinspect",
                      Path(sys.executable).parent / "fieldinspect"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("fieldinspect") or "fieldinspect"


def _company_count(path: Path) -> int | None:
    """Companies in the database at ``path``, or None when it has no registry yet."""
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM companies").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def database(companies: int) -> str:
    """The URL of a migrated demo database with exactly ``companies`` companies."""
    var_dir = OUT / f"draw-{companies}"
    path = var_dir / "fieldinspect.db"
    url = f"sqlite:///{path}"
    have = _company_count(path)
    if have == companies:
        # A database built by an older release gets this release's indexes first.
        env = {**os.environ, "FIELDINSPECT_VAR_DIR": str(var_dir), "FIELDINSPECT_DATABASE_URL": url}
        subprocess.run([_cli(), "db", "upgrade"], env=env, check=True, cwd=ROOT,  # noqa: S603
                       stdout=sys.stderr)
        return url
    if have is not None and have > companies:
        shutil.rmtree(var_dir)
        have = None
    var_dir.mkdir(parents=True, exist_ok=True)
    # Explicit URL: an inherited FIELDINSPECT_DATABASE_URL must not send the demo elsewhere.
    env = {**os.environ, "FIELDINSPECT_VAR_DIR": str(var_dir), "FIELDINSPECT_DATABASE_URL": url}
    print(f"building {path} ({have or 0} -> {companies} companies) ...", file=sys.stderr)
    subprocess.run([_cli(), "db", "upgrade"], env=env, check=True, cwd=ROOT,  # noqa: S603
                   stdout=sys.stderr)
    # The demo adds companies after the existing ones, so an interrupted build is topped up.
    # No demo activity: the benchmark times draws over the registry alone.
    subprocess.run([_cli(), "demo", "--companies", str(companies - (have or 0)),  # noqa: S603
                    "--no-activity"],
                   env=env, check=True, cwd=ROOT, stdout=sys.stderr)
    assert _company_count(path) == companies, path
    return url


# --- one run -------------------------------------------------------------------------------
def make_task(session):
    scjg = session.scalar(select(Department).where(Department.code == "SCJG"))
    item = session.scalar(select(InspectionItem).where(InspectionItem.code == "SCJG-003"))
    version = session.scalar(select(InspectionItemVersion).where(
        InspectionItemVersion.item_id == item.id,
        InspectionItemVersion.version == item.current_version))
    plan = plans.create_plan(session, SYSTEM, {"department_id": scjg.id, "year": 2027,
                                               "title": "bench: 2027 draw"})
    task = plans.create_task(session, SYSTEM, plan.id, {
        "name": "bench: every company", "kind": "random", "item_versions": [version.id],
        "scope": {"regions": ["13"]}, "ratios": dict(RATIOS),
        "window_start": dt.date(2027, 3, 1), "window_end": dt.date(2027, 3, 31),
        "result_deadline": dt.date(2027, 4, 30), "inspector_cap": None})
    plans.publish_plan(session, SYSTEM, plan.id, filing_reason=None)
    return task


def company_draw(session, task) -> dict:
    """Time ``draws.company_draw`` (exactly what ``draws.run`` does for the companies), and,
    separately, the eligible-set query alone, to show where the time goes."""
    t0 = time.perf_counter()
    rows = draws._eligible_rows(session, task)
    t1 = time.perf_counter()
    result = draws.company_draw(session, task)
    t2 = time.perf_counter()
    return {"seconds": t2 - t1, "eligible_rows": t1 - t0,
            "ranking_and_rest": (t2 - t1) - (t1 - t0),
            "eligible": len(result.company_ids), "drawn": sum(r.count for r in result.results),
            "rows": len(rows)}


def one_run(db: Database, profile: cProfile.Profile | None = None) -> dict:
    with db.write_session() as session:
        try:
            task = make_task(session)
            session.flush()
            company = company_draw(session, task)
            if profile is not None:
                profile.enable()
            start = time.perf_counter()
            draw = draws.run(session, SYSTEM, task.id)
            full = time.perf_counter() - start
            if profile is not None:
                profile.disable()
            assert draw.report["drawn"] == company["drawn"], (draw.report, company)
            assert draw.eligible_count == company["eligible"], (draw.eligible_count, company)
            return {**company, "full": full,
                    "eligible_before_exclusions": draw.report["eligible_before_exclusions"]}
        finally:
            session.rollback()


def bench_size(companies: int, runs: int) -> dict:
    db = Database(make_engine(database(companies)))
    try:
        results = [one_run(db) for _ in range(runs)]
    finally:
        db.engine.dispose()
    med = {k: statistics.median(r[k] for r in results)
           for k in ("seconds", "eligible_rows", "ranking_and_rest", "full")}
    return {
        "company_draw_seconds": round(med["seconds"], 3),
        "full_run_seconds": round(med["full"], 3),
        "drawn": results[0]["drawn"], "eligible": results[0]["eligible"],
        "eligible_before_exclusions": results[0]["eligible_before_exclusions"],
        "company_draw_seconds_all": [round(r["seconds"], 3) for r in results],
        "full_run_seconds_all": [round(r["full"], 3) for r in results],
        "company_draw_breakdown_seconds": {k: round(med[k], 3) for k in
                                           ("eligible_rows", "ranking_and_rest")},
    }


def profile_full_run(companies: int, top: int = 15) -> None:
    db = Database(make_engine(database(companies)))
    profile = cProfile.Profile()
    try:
        one_run(db, profile)
    finally:
        db.engine.dispose()
    buf = io.StringIO()
    stats = pstats.Stats(profile, stream=buf)
    stats.sort_stats("cumulative").print_stats(str(ROOT / "server") + "/", top)
    print(f"--- cProfile of one draws.run at {companies} companies, top {top} by "
          f"cumulative time within server/ ---", file=sys.stderr)
    print(buf.getvalue(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated company counts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one full run at the largest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)
    for n in sizes:  # build everything first, so no build interleaves with timing
        database(n)
    results = {str(n): bench_size(n, args.runs) for n in sizes}
    small, large = results.get("100000"), results.get("1000000")
    largest = results[str(max(sizes))]
    out = {"bench": "draw", "backend": "sqlite", "runs": args.runs, "ratios": RATIOS,
           "sizes": results}
    if small and large:
        out["ratio_1m_to_100k"] = round(large["company_draw_seconds"] /
                                        small["company_draw_seconds"], 2)
        out["full_run_ratio_1m_to_100k"] = round(large["full_run_seconds"] /
                                                 small["full_run_seconds"], 2)
    out["target_seconds"] = TARGET_SECONDS
    out["met"] = (large or largest)["company_draw_seconds"] < TARGET_SECONDS
    if args.profile:
        profile_full_run(max(sizes))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
