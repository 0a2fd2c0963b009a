"""Sync throughput: 20 phones in teams of two push 10,000 answer edits at once, then pull.

The server runs the way ``make run`` starts it (``fieldinspect serve``: gunicorn, its
default workers, access log on) on SQLite, or with ``--database postgresql`` on the
PostgreSQL of FIELDINSPECT_BENCH_POSTGRES_URL. The field (``sync_world``): 10 visits,
each one checklist of 50 items shared by a team of two. Each phone is its own process
(``python -m sync``): it records 500 random edits offline (yes/no/n.a., each with a
note), then all 20 push at the same moment in batches of 25 over HTTP on loopback, then
all 20 pull everything since their cursor. Each phone process starts up first (Python,
its replica) and all begin at one agreed moment (``python -m sync --start-at``, 5 s
later by default): phones still starting must not share the CPU with the pushes being
measured. ``late_starts`` counts phones that were not ready in time (should be 0).

Printed, one JSON line:
- push_ops_per_s: ops pushed / wall time from the first push's start to the last's end
  (each phone reports its own start and end; process start-up is not counted, and no
  longer overlaps the pushes either);
- pull_records_per_s: records pulled by all phones / the same kind of wall time;
- lost_ops: edits recorded on a phone that the server's history does not hold with the
  same value (must be 0); duplicated_ops: ops the server holds twice (must be 0);
  heads_mismatched: registers whose stored heads differ from the merge of all their
  revisions (must be 0);
- conflicts_kept: ops answered ``conflict`` (a concurrent edit kept as a sibling) and
  conflicted_registers: answers still conflicted at the end;
- peak_server_rss_mb: the largest sum of the gunicorn master's and workers' RSS,
  sampled every 100 ms;
- server_cpu_seconds_during_push (gunicorn's workers; PostgreSQL's own processes are
  not counted), server_cpu_ms_per_op, and phones_cpu_seconds_during_push (what the 20
  phone processes spent in their push command): the same work costs more CPU when the
  machine is busier, so these tell a slow run from a slower server.

    .venv/bin/python bench/sync_bench.py [--database sqlite|postgresql] [--devices 20]
        [--edits 500] [--batch 25] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
PG_DEFAULT = "postgresql+psycopg://fieldinspect:fieldinspect@localhost/fieldinspect_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (gunicorn's workers)."""
    total = 0.0
    try:
        pids = [pid] + [int(c) for c in
                        Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def rss_mb(pid: int) -> float:
    """RSS of a process and its children (gunicorn master + workers), in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        return 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Server:
    """``fieldinspect serve`` on a free port, with an RSS sampler."""

    def __init__(self, env: dict, out: Path, workers: int | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [str(Path(PY).with_name("fieldinspect")), "serve", "--port", str(self.port),
                "--no-demo"]
        if workers:
            args += ["--workers", str(workers)]
        self.log = (out / "server.log").open("w")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.peak_rss = 0.0
        self._stop = threading.Event()
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError as exc:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"the server did not start; see {out / 'server.log'}") \
                        from exc
                time.sleep(0.2)
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, rss_mb(self.proc.pid))
            time.sleep(0.1)

    def stop(self):
        self._stop.set()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def device(server: str, replica: Path, *args: str, start_at: float | None = None
           ) -> subprocess.Popen:
    at = ["--start-at", str(start_at)] if start_at is not None else []
    return subprocess.Popen([PY, "-m", "sync", "--server", server, "--replica", str(replica),
                             *at, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def all_at_once(procs: list[subprocess.Popen]) -> list[dict]:
    out = []
    for p in procs:
        stdout, _ = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"a device failed: {p.args}: {stdout.strip()}")
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def wall(reports: list[dict]) -> float:
    return max(r["finished"] for r in reports) - min(r["started"] for r in reports)


def server_rows(database_url: str, sql: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def check_no_loss(database_url: str, replicas: list[Path]) -> dict:
    """Every edit recorded on a phone is in the server's history, once, with its value."""
    stored = {op: json.loads(v) if isinstance(v, str) else v for op, v in server_rows(
        database_url, "SELECT op_id, CAST(value AS TEXT) FROM field_revisions")}
    counts = server_rows(database_url, "SELECT count(*), count(DISTINCT op_id) FROM sync_ops")[0]
    recorded = lost = 0
    for replica in replicas:
        with sqlite3.connect(replica) as db:
            for (body,) in db.execute("SELECT body FROM outbox"):
                op = json.loads(body)
                recorded += 1
                if op["op_id"] not in stored or stored[op["op_id"]] != op["value"]:
                    lost += 1
    return {"recorded_ops": recorded, "stored_ops": counts[0], "lost_ops": lost,
            "duplicated_ops": counts[0] - counts[1]}


def heads_mismatched(database_url: str) -> int:
    """Registers whose stored heads (``register_heads``, kept batch by batch) are not
    the heads of ``sync.merge`` over every revision they hold (must be 0)."""
    from sync.merge import FieldState, Revision, apply

    states: dict[tuple, FieldState] = {}
    for op_id, visit, register, base in server_rows(
            database_url, "SELECT op_id, visit_id, register, CAST(base AS TEXT) "
                          "FROM field_revisions"):
        key = (visit, register)
        states[key] = apply(states.get(key, FieldState()),
                            Revision(op_id, None, "", "", frozenset(json.loads(base))))
    stored: dict[tuple, set] = {}
    for visit, register, op_id in server_rows(
            database_url, "SELECT visit_id, register, op_id FROM register_heads"):
        stored.setdefault((visit, register), set()).add(op_id)
    return sum(1 for key in states.keys() | stored.keys()
               if stored.get(key, set()) != (states[key].head_ids() if key in states else set()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: as make run)")
    parser.add_argument("--start-after", type=float, default=5.0, metavar="S", help=(
        "seconds given to the phone processes to start up before they all begin at once"))
    args = parser.parse_args()

    out = ROOT / "bench" / "out" / f"sync-{args.database}"
    shutil.rmtree(out, ignore_errors=True)
    (out / "phones").mkdir(parents=True)
    if args.database == "sqlite":
        url = f"sqlite:///{out / 'server.db'}"
    else:
        url = os.environ.get("FIELDINSPECT_BENCH_POSTGRES_URL", PG_DEFAULT)
    env = {**os.environ, "FIELDINSPECT_DATABASE_URL": url, "FIELDINSPECT_VAR_DIR": str(out),
           "FIELDINSPECT_SECRET_KEY": "bench-secret-key-not-for-production"}
    os.environ.update(env)
    import sync_world

    if args.database == "postgresql":
        sync_world.reset_postgres(url)
    visits = sync_world.build(teams=args.devices // 2, items_per_visit=args.items)
    server = Server(env, out, args.workers)
    try:
        replicas, logins = [], []
        for v in visits:
            for username in v["members"]:
                replicas.append(out / "phones" / f"{username}.sqlite")
                logins.append(device(server.url, replicas[-1], "login", "--username", username,
                                     "--password", sync_world.PASSWORD))
        all_at_once(logins)
        all_at_once([device(server.url, r, "record", "--edits", str(args.edits), "--seed", "1")
                     for r in replicas])
        at = time.time() + args.start_after
        procs = [device(server.url, r, "push", "--batch", str(args.batch), start_at=at)
                 for r in replicas]
        time.sleep(max(0.0, at - time.time()))
        cpu = cpu_seconds(server.proc.pid)
        pushes = all_at_once(procs)
        push_cpu = cpu_seconds(server.proc.pid) - cpu
        at = time.time() + args.start_after
        pulls = all_at_once([device(server.url, r, "pull", start_at=at) for r in replicas])
    finally:
        server.stop()
    pushed = sum(p["pushed"] for p in pushes)
    outcomes: dict[str, int] = {}
    for p in pushes:
        for k, n in p["outcomes"].items():
            outcomes[k] = outcomes.get(k, 0) + n
    pulled = sum(p["pulled"] for p in pulls)
    loss = check_no_loss(url, replicas)
    print(json.dumps({
        "bench": "sync", "database": args.database, "devices": len(replicas),
        "edits_per_device": args.edits, "batch": args.batch, "items_per_checklist": args.items,
        "start_after_s": args.start_after,
        "late_starts": sum(1 for r in pushes + pulls if r.get("late_start_s", 0) > 0),
        "push_ops": pushed, "push_seconds": round(wall(pushes), 3),
        "push_ops_per_s": round(pushed / wall(pushes), 1), "outcomes": outcomes,
        "server_cpu_seconds_during_push": round(push_cpu, 2),
        "server_cpu_ms_per_op": round(push_cpu * 1000 / max(pushed, 1), 3),
        "phones_cpu_seconds_during_push": round(sum(p["cpu_s"] for p in pushes), 2),
        "pull_records": pulled, "pull_seconds": round(wall(pulls), 3),
        "pull_records_per_s": round(pulled / wall(pulls), 1),
        **loss, "heads_mismatched": heads_mismatched(url),
        "conflicts_kept": outcomes.get("conflict", 0),
        "peak_server_rss_mb": round(server.peak_rss, 1),
    }))


if __name__ == "__main__":
    main()
