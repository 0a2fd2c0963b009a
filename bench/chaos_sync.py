"""Chaos: phones killed mid-sync, connections cut mid-upload, a server worker killed;
in the end every op is stored exactly once and every photo's hash matches.

The server runs as ``make run`` starts it (``fieldinspect serve``: gunicorn, SQLite) on
the ``sync_world`` field (10 visits, teams of two). 20 phones (``python -m sync``
processes) each record 200 answer edits with notes and attach 10 photos of a few
hundred kB, then sync again and again until nothing is pending, while:

- each sync attempt is SIGKILLed at a random moment with probability --kill-rate
  (mid-push, mid-upload, mid-pull: wherever it happens to be);
- the phones reach the server through a TCP proxy that cuts a share (--cut-rate) of
  connections after a random number of bytes, so requests and tus PATCH bodies stop
  half way (uploads go in 64 kB chunks, so a photo spans several);
- one gunicorn worker is SIGKILLed while the phones sync.

Then the central store is checked against every phone's outbox and photo queue:
ops pushed (on the phones), stored (on the server), duplicated (must be 0), lost
(must be 0), registers whose stored heads differ from the merge of all their revisions
(heads_mismatched, must be 0), and photos whose stored bytes hash to their name. One
JSON line.

    .venv/bin/python bench/chaos_sync.py [--devices 20] [--edits 200] [--photos 10]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sync_bench import PY, Server, free_port, heads_mismatched, server_rows  # noqa: E402


class CuttingProxy:
    """Forwards loopback TCP to the server; cuts some connections part way through."""

    def __init__(self, target_port: int, cut_rate: float, seed: int):
        self.target, self.cut_rate = target_port, cut_rate
        self.rnd = random.Random(seed)
        self.lock = threading.Lock()
        self.cuts = 0
        self.port = free_port()
        self.sock = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.sock.accept()
            with self.lock:
                limit = self.rnd.randrange(200, 400_000) \
                    if self.rnd.random() < self.cut_rate else None
            threading.Thread(target=self._serve, args=(client, limit), daemon=True).start()

    def _serve(self, client: socket.socket, limit: int | None):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target))
        except OSError:
            client.close()
            return
        def pipe(src, dst, budget):
            sent = 0
            try:
                while chunk := src.recv(65536):
                    if budget is not None and sent + len(chunk) > budget:
                        dst.sendall(chunk[:budget - sent])
                        with self.lock:
                            self.cuts += 1
                        break
                    dst.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
        threading.Thread(target=pipe, args=(upstream, client, None), daemon=True).start()
        pipe(client, upstream, limit)


def run_device(args, url: str, direct: str, replica: Path, username: str, password: str,
               rnd: random.Random, stats: dict, lock: threading.Lock) -> None:
    """Log in, record offline, then sync until nothing is pending, killed now and then."""
    log = replica.with_suffix(".log").open("a")

    def attempt(server: str, *command: str, killable: bool) -> bool:
        proc = subprocess.Popen([PY, "-m", "sync", "--server", server, "--replica",
                                 str(replica), "--chunk-kb", "64", *command], cwd=ROOT,
                                stdout=log, stderr=log)
        if killable and rnd.random() < args.kill_rate:
            time.sleep(rnd.uniform(0.05, 2.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                with lock:
                    stats["phones_killed"] += 1
        proc.wait()
        with lock:
            stats["attempts"] += 1
        return proc.returncode == 0

    while not attempt(direct, "login", "--username", username, "--password", password,
                      killable=False):
        time.sleep(0.5)
    while not attempt(url, "record", "--edits", str(args.edits), "--photos", str(args.photos),
                      "--seed", "7", killable=True):
        pass
    while True:
        attempt(url, "sync", killable=True)
        with sqlite3.connect(replica) as db:
            pending = db.execute("SELECT (SELECT count(*) FROM outbox WHERE state = 'pending')"
                                 " + (SELECT count(*) FROM photos WHERE state = 'pending')"
                                 ).fetchone()[0]
        if pending == 0:
            break
    log.close()


def check(database_url: str, blob_dir: Path, replicas: list[Path]) -> dict:
    on_phones: dict[str, str] = {}
    photos: set[str] = set()
    for replica in replicas:
        with sqlite3.connect(replica) as db:
            device = json.loads(db.execute("SELECT value FROM meta WHERE key = 'device_id'")
                                .fetchone()[0])
            on_phones.update({op: device for (op,) in db.execute("SELECT op_id FROM outbox")})
            photos |= {h for (h,) in db.execute("SELECT sha256 FROM photos")}
    stored = server_rows(database_url, "SELECT op_id, device_id FROM sync_ops")
    counts: dict[str, int] = {}
    for op_id, _ in stored:
        counts[op_id] = counts.get(op_id, 0) + 1
    ok = 0
    for h in photos:
        path = blob_dir / h[:2] / h[2:4] / h
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == h:
            ok += 1
    return {"ops_pushed": len(on_phones),
            "ops_stored": sum(1 for op, _ in stored if op in on_phones),
            "duplicated": sum(n - 1 for n in counts.values()),
            "lost": sum(1 for op in on_phones if op not in counts),
            "wrong_device": sum(1 for op, dev in stored if on_phones.get(op, dev) != dev),
            "heads_mismatched": heads_mismatched(database_url),
            "photos": len(photos), "photos_hash_ok": ok, "photos_lost": len(photos) - ok}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--kill-rate", type=float, default=0.35)
    parser.add_argument("--cut-rate", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    out = ROOT / "bench" / "out" / "chaos"
    shutil.rmtree(out, ignore_errors=True)
    (out / "phones").mkdir(parents=True)
    url = f"sqlite:///{out / 'server.db'}"
    env = {**os.environ, "FIELDINSPECT_DATABASE_URL": url, "FIELDINSPECT_VAR_DIR": str(out),
           "FIELDINSPECT_SECRET_KEY": "chaos-secret-key-not-for-production"}
    os.environ.update(env)
    import sync_world

    visits = sync_world.build(teams=args.devices // 2)
    server = Server(env, out, None)
    proxy = CuttingProxy(server.port, args.cut_rate, args.seed)
    stats = {"phones_killed": 0, "attempts": 0, "worker_killed": None}
    lock = threading.Lock()
    master = random.Random(args.seed)
    replicas, threads = [], []
    started = time.time()
    try:
        for v in visits:
            for username in v["members"]:
                replicas.append(out / "phones" / f"{username}.sqlite")
                t = threading.Thread(target=run_device, args=(
                    args, f"http://127.0.0.1:{proxy.port}", server.url, replicas[-1], username,
                    sync_world.PASSWORD, random.Random(master.random()), stats, lock))
                t.start()
                threads.append(t)
        time.sleep(8)  # phones are recording and syncing by now
        workers = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children") \
            .read_text().split()
        if workers:
            victim = int(master.choice(workers))
            os.kill(victim, signal.SIGKILL)
            stats["worker_killed"] = victim
        for t in threads:
            t.join()
    finally:
        server.stop()
    print(json.dumps({"bench": "chaos_sync", "devices": len(replicas),
                      "edits_per_device": args.edits, "photos_per_device": args.photos,
                      **check(url, out / "blobs", replicas), **stats,
                      "connections_cut": proxy.cuts, "seconds": round(time.time() - started, 1)}))


if __name__ == "__main__":
    main()
