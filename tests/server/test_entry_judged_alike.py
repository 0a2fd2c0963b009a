"""An entry scan is judged on the phone as on the server: the same scans (genuine, another
company's, forged, the visit's own code, a replaced version, before the window opens, an
inspector off the team, no code at all) pushed as ``entry_scan`` ops through the API and
judged by the phone app's core (core/entry.js, run by node with the pack the phone
downloads) give the same refusal codes, or both take the entry.

The server's rule reads the database (the current premises code, the team, the state),
so the two are compared live rather than through generated vectors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from server import clock
from sync.hlc import HLC
from sync.tokens import token_from_scan
from tests import factories as f
from tests.phones import make_team, op, push
from tests.qr import decode

ROOT = Path(__file__).resolve().parents[2]
GRACE = dt.timedelta(minutes=120)  # FIELDINSPECT_ENTRY_GRACE_MINUTES's default


def _node() -> str:
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("node is not installed; CI must run this test (.ci/run installs nodejs)")
        pytest.skip("node is not installed (apt-get install nodejs)")
    return path


def _forged(token: str) -> str:
    middle = len(token) - 40  # inside the signature
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


def _premises(world, company_id: int) -> str:
    return decode(world.admin.get(f"/api/v1/companies/{company_id}/premises-code.png").get_data())


def test_the_phone_refuses_an_entry_scan_with_the_code_the_server_gives(world, session, app):
    node = _node()
    team = make_team(world, session, app, entered=False)
    visit_id, other_visit = team.visits[:2]
    company = world.sup_a.get(f"/api/v1/visits/{visit_id}").get_json()["company_id"]
    other = world.sup_a.get(f"/api/v1/visits/{other_visit}").get_json()["company_id"]
    replaced = _premises(world, company)
    assert world.admin.post(f"/api/v1/companies/{company}/premises-code").status_code == 201
    current = _premises(world, company)
    visit_code = decode(world.sup_a.get(f"/api/v1/visits/{visit_id}/code.png").get_data())
    _, token = f.user(session, "inspector", world.dept_b.id, world.inspector_b.id)
    session.commit()
    api = f.Api(app.test_client(), token)
    device = api.post("/api/v1/devices", json={"name": "手机", "platform": "android"}).get_json()
    outsider = (api, device["id"], device["credential"])
    pack = team.phones[0][0].get(f"/api/v1/visits/{visit_id}/pack").get_json()
    now = clock.now().astimezone(clock.CHINA).replace(microsecond=0)
    start = dt.date.fromisoformat(pack["visit"]["window_start"])
    opens = dt.datetime.combine(start, dt.time(0), clock.CHINA) - GRACE
    me, outsider_id = world.inspector_a.id, world.inspector_b.id
    photo = hashlib.sha256(b"the premises").hexdigest()
    cases = [  # (what the camera read, when, whose phone, manual)
        (current, now, team.phones[0], me, False),
        (current, opens - dt.timedelta(minutes=1), team.phones[0], me, False),
        (current, opens + dt.timedelta(minutes=1), team.phones[0], me, False),
        (_premises(world, other), now, team.phones[0], me, False),
        (_forged(current), now, team.phones[0], me, False),
        (visit_code, now, team.phones[0], me, False),
        ("扫码入企", now, team.phones[0], me, False),
        (replaced, now, team.phones[0], me, False),
        (current, now, outsider, outsider_id, False),
        (None, now, team.phones[0], me, True),
        (None, opens - dt.timedelta(minutes=1), team.phones[0], me, True),
    ]

    server = []
    for i, (scanned, at, phone, _, manual) in enumerate(cases):
        fields = {"reason": "场所码损坏", "sha256": photo} if manual else {
            "premises_token": token_from_scan(scanned), "visit_token": pack["visit_token"]}
        sent = op(visit_id, "entry_scan", hlc=HLC(1_700_000_000_000 + i, 0, "a"),
                  device_time=at.isoformat(), **fields)
        [result] = push(phone, [sent]).get_json()["results"]
        server.append(result["reason"] if result["outcome"] == "rejected" else None)
    phone_cases = [{"scanned": scanned, "at": int(at.timestamp() * 1000), "inspector_id": who,
                    "manual": manual} for scanned, at, _, who, manual in cases]
    run = subprocess.run([node, str(ROOT / "tests" / "js" / "judge_entry.mjs")],  # noqa: S603
                         input=json.dumps({"pack": pack, "cases": phone_cases}),
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    judged = json.loads(run.stdout)

    assert server == [None, "outside_window", None, "wrong_premises", "invalid_code",
                      "wrong_kind", "invalid_code", "code_revoked", "not_a_team_member",
                      None, "outside_window"]
    assert judged == server
