"""The inspector's app (/app) in Debian's chromium: cold start, pack size, pushing a queue.

The server is what ``make run`` serves (``fieldinspect serve``: gunicorn, its default
workers) on a fresh SQLite demo database (``fieldinspect demo``, its year of work ending
today). The browser is a phone profile (Pixel 7, 390 px, zh-CN) with a persistent
profile, so the service worker's cache and IndexedDB outlive a restart, as on a phone.
The inspector is the demo inspector the start banner names first (one with open visits,
a joint visit preferred).

Printed, one JSON line:
- cold_start_ms: the browser started OFFLINE on the profile (so every byte comes from the
  worker's cache; ``from_worker`` says the navigation went through the worker), from the
  navigation's start to the app's ``app-ready`` performance mark (the visit list drawn
  from IndexedDB); median of ``--starts`` runs, with dom_content_loaded_ms and the
  shell's transfer_bytes (0: nothing from the network).
- pack_bytes / pack_gzip_bytes: the visit pack (``GET /visits/{id}/pack``) of a joint
  visit of three departments (the largest such pack of the demo) as sent and gzipped;
  its items and departments.
- push_500_ms: 500 answers recorded offline in the app's outbox (as the checklist does),
  then the signal back: from the sync's start until the outbox is empty (every op
  acknowledged); median of ``--pushes`` runs, with the push requests it took.

    .venv/bin/python bench/app_sync.py [--starts 5] [--pushes 3] [--ops 500]

Needs chromium (apt-get install chromium) and the playwright package (the dev extra).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from sync_bench import PY, Server  # noqa: E402

PASSWORD = "fieldinspect-demo"
PHONE = {"width": 390, "height": 844}

COLD_START = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const ready = performance.getEntriesByName("app-ready")[0];
  const shell = performance.getEntriesByType("resource").filter((r) => r.name.includes("/app/"));
  return {
    ready: ready ? ready.startTime : null,
    dcl: nav.domContentLoadedEventEnd,
    from_worker: nav.workerStart > 0,
    transfer: nav.transferSize + shell.reduce((s, r) => s + (r.transferSize || 0), 0),
  };
}"""

# Records `n` answers on the visit's first own-department yes/no/n.a. fields, through the
# app's own outbox module (the one the checklist calls), while offline.
RECORD = """async ([visitId, n]) => {
  const { record } = await import("/app/js/outbox.js");
  const { session } = await import("/app/js/session.js");
  const { get } = await import("/app/js/store.js");
  const s = session();
  const pack = (await get("packs", visitId)).pack;
  const mine = pack.team.find((m) => m.inspector_id === s.user.inspector_id).department_id;
  const fields = [];
  for (const item of pack.items.filter((i) => i.department_id === mine)) {
    for (const f of (item.form && item.form.fields) || []) {
      if (f.type === "yes_no_na") fields.push([item.item_version_id, f.key]);
    }
  }
  const values = ["yes", "no", "na"];
  const context = { device: s.device, inspectorId: s.user.inspector_id };
  for (let i = 0; i < n; i++) {
    const [item, key] = fields[i % fields.length];
    await record("set_answer", visitId, { item_version_id: item, field: key, value: values[i % 3] }, context);
  }
  return fields.length;
}"""

PUSH = """async () => {
  const { syncSoon } = await import("/app/js/syncer.js");
  const { pendingCount } = await import("/app/js/outbox.js");
  const start = performance.now();
  syncSoon();
  while (await pendingCount() > 0) await new Promise((r) => setTimeout(r, 10));
  return performance.now() - start;
}"""


# visits with their number of departments (d), the open one with most, any of three
OPEN_VISIT = """WITH d AS (SELECT v.id, v.state, COUNT(DISTINCT m.department_id) AS n
    FROM visits v JOIN visit_members m ON m.visit_id = v.id GROUP BY v.id)
    SELECT id FROM d WHERE state IN ('issued', 'entered') ORDER BY n DESC, id LIMIT 1"""
JOINT_VISITS = """WITH d AS (SELECT v.id, v.state, COUNT(DISTINCT m.department_id) AS n
    FROM visits v JOIN visit_members m ON m.visit_id = v.id GROUP BY v.id)
    SELECT id FROM d WHERE n >= 3 ORDER BY state IN ('issued', 'entered') DESC, id"""


def demo_database(var: Path, env: dict) -> None:
    fi = str(Path(PY).with_name("fieldinspect"))
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([fi, *args], env=env, check=True, stdout=subprocess.DEVNULL)


def chosen(db: Path) -> tuple[str, int, int, str]:
    """(inspector, open visit, three-department visit): the open visit with most
    departments and one of its members; any visit of three departments for the pack."""
    with sqlite3.connect(db) as conn:
        open_visit = conn.execute(OPEN_VISIT).fetchone()
        joint = conn.execute(JOINT_VISITS).fetchall()
        if open_visit is None or not joint:
            raise SystemExit(json.dumps({"error": "no open visit or no three-department visit in "
                                         "the demo built today"}))
        user = conn.execute(
            "SELECT u.username FROM users u JOIN visit_members m ON m.inspector_id = u.inspector_id "
            "WHERE m.visit_id = ? ORDER BY u.username LIMIT 1", open_visit).fetchone()[0]
        joint_user = conn.execute(
            "SELECT u.username FROM users u JOIN visit_members m ON m.inspector_id = u.inspector_id "
            "WHERE m.visit_id = ? ORDER BY u.username LIMIT 1", joint[0]).fetchone()[0]
    return user, open_visit[0], joint[0][0], joint_user


def api(url: str, path: str, token: str | None = None, body: dict | None = None) -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request("POST" if body is not None else "GET", url + path, json=body,
                                headers=headers, timeout=60)
    if not response.ok:
        raise SystemExit(json.dumps({"error": f"{path}: {response.status_code}",
                                     "answer": response.text[:300]}))
    return response.content


def pack_size(url: str, username: str, visit_id: int) -> dict:
    token = json.loads(api(url, "/api/v1/auth/token", body={
        "username": username, "password": PASSWORD}))["access_token"]
    raw = api(url, f"/api/v1/visits/{visit_id}/pack", token)
    pack = json.loads(raw)
    return {"pack_visit": visit_id, "pack_bytes": len(raw),
            "pack_gzip_bytes": len(gzip.compress(raw)), "pack_items": len(pack["items"]),
            "pack_departments": len({i["department_id"] for i in pack["items"]})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--pushes", type=int, default=3)
    parser.add_argument("--ops", type=int, default=500)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit(json.dumps({"error": "chromium is not installed"}))
    from playwright.sync_api import sync_playwright

    out = Path(tempfile.mkdtemp(prefix="fieldinspect-app-bench-"))
    env = {**os.environ, "FIELDINSPECT_VAR_DIR": str(out / "var")}
    env.pop("FIELDINSPECT_DATABASE_URL", None)
    demo_database(out / "var", env)
    username, visit_id, joint_visit, joint_user = chosen(out / "var" / "fieldinspect.db")
    server = Server(env, out, None)
    try:
        figures = pack_size(server.url, joint_user, joint_visit)
        with sync_playwright() as p:
            device = {k: v for k, v in p.devices["Pixel 7"].items() if k != "default_browser_type"}
            options = {**device, "viewport": PHONE, "screen": PHONE, "locale": "zh-CN",
                       "timezone_id": "Asia/Shanghai", "executable_path": chromium,
                       "args": ["--disable-dev-shm-usage"]}
            profile = out / "profile"

            def launch(offline: bool):
                return p.chromium.launch_persistent_context(profile, offline=offline, **options)

            context = launch(False)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"{server.url}/app/")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("#login-submit")
            page.wait_for_selector("a.visit-card .badge.ok", timeout=60_000)
            page.wait_for_selector("html[data-offline-ready]", timeout=60_000)
            context.close()

            starts = []
            for _ in range(args.starts):
                context = launch(True)
                page = context.pages[0] if context.pages else context.new_page()
                page.goto(f"{server.url}/app/")
                page.wait_for_selector("html[data-ready='1']")
                starts.append(page.evaluate(COLD_START))
                context.close()

            pushes, requests = [], []
            context = launch(True)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"{server.url}/app/")
            page.wait_for_selector("html[data-ready='1']")
            seen: list[str] = []
            context.on("request", lambda r: seen.append(r.url)
                       if re.search(r"/api/v1/sync/push$", r.url) else None)
            for _ in range(args.pushes):
                context.set_offline(True)
                page.evaluate(RECORD, [visit_id, args.ops])
                seen.clear()
                context.set_offline(False)
                pushes.append(page.evaluate(PUSH))
                requests.append(len(seen))
            context.close()
    finally:
        server.stop()
    ready = [s["ready"] for s in starts]
    print(json.dumps({
        "cold_start_ms": round(statistics.median(ready)),
        "cold_start_runs_ms": [round(r) for r in ready],
        "dom_content_loaded_ms": round(statistics.median(s["dcl"] for s in starts)),
        "from_worker": all(s["from_worker"] for s in starts),
        "transfer_bytes": max(s["transfer"] for s in starts),
        **figures,
        f"push_{args.ops}_ms": round(statistics.median(pushes)),
        "push_runs_ms": [round(x) for x in pushes],
        "push_requests": requests,
        "inspector": username, "visit": visit_id,
    }, ensure_ascii=False))
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
