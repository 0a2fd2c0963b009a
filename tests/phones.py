"""A phone's side of sync through the API: the ops it writes, push and pull with its device
credential, a team of two phones on an entered visit, and a visit submitted from them."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from sqlalchemy import select

from server import clock
from server.models import Visit
from sync.hlc import HLC
from sync.ids import uuid7
from sync.ops import RESULT_FIELD, checklist_hash
from tests import factories as f
from tests.draws import make_plan, run_draw, version_id
from tests.qr import decode

RND = random.Random(7)


SIGNATURE = hashlib.sha256(b"a signature").hexdigest()


def op_id() -> str:
    return str(uuid7(1_700_000_000_000 + RND.randrange(10**9), RND.randbytes(10)))


def answer(visit, item_version_id, value, *, hlc, base=(), field="licensed", kind="set_answer"):
    return {"op_id": op_id(), "kind": kind, "visit_id": visit, "item_version_id": item_version_id,
            "field": field, "value": value, "base": list(base), "hlc": hlc.encode(),
            "device_time": "2026-11-22T10:00:00+08:00"}


def op(visit, kind, *, hlc, base=(), **fields):
    return {"op_id": op_id(), "kind": kind, "visit_id": visit, "base": list(base),
            "hlc": hlc.encode(), **fields}


def company_sign(visit, *, hlc, state_hash="0" * 64, base=(), representative="王经理",
                 statement="无异议", sha256=SIGNATURE):
    """The company's representative signs on a phone (当事人签字)."""
    return op(visit, "company_sign", hlc=hlc, base=base, representative=representative,
              statement=statement, sha256=sha256, state_hash=state_hash)


def outcomes(response):
    return [(r["outcome"], r["reason"]) for r in response.get_json()["results"]]


def full_answers(visit, item, node, start=100):
    values = {"licensed": "yes", "temp": -18, "remark": None}
    return [answer(visit, item, value, field=key, hlc=HLC(start + i, 0, node))
            for i, (key, value) in enumerate(values.items())]


def push(phone, ops):
    api, device_id, credential = phone
    return api.post("/api/v1/sync/push", json={"device_id": device_id, "ops": ops},
                    headers={"X-Device-Credential": credential})


def pull(phone, cursor=None, limit=500):
    api, device_id, credential = phone
    query = f"device_id={device_id}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    return api.get(f"/api/v1/sync/pull?{query}", headers={"X-Device-Credential": credential})


def make_team(world, session, app, *, entered=True, **item):
    """The team fixture's body, for a test that builds one on a database of its own
    (``item``: the checklist item's fields other than the default, e.g. its form). Every
    company gets its premises code; with ``entered`` the first phone enters every visit."""
    f.tag(session, "sync-target", kind="other")
    f.company(session, tags=["sync-target"])
    f.company(session, tags=["sync-target"])
    item = f.item(session, world.dept_a.id, **{"method": "on_site", **item})
    f.inspector(session, world.dept_a.id)  # with inspector_a: exactly the two on every visit
    session.commit()
    today = clock.today()  # the suite's date, or the one a test set before the team
    plan = make_plan(world.sup_a, world.dept_a.id, year=today.year)
    start, end = today - dt.timedelta(days=1), today + dt.timedelta(days=7)
    task = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json={
        "name": "同步测试", "item_versions": [version_id(item)],
        "scope": {"tags": ["sync-target"]}, "ratios": {"A": 100, "B": 100, "C": 100, "D": 100},
        "window_start": start.isoformat(), "window_end": end.isoformat(),
        "result_deadline": (end + dt.timedelta(days=5)).isoformat()}).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    draw = run_draw(world.sup_a, task["id"])
    visits = session.scalars(select(Visit).where(Visit.draw_id == draw["id"])
                             .order_by(Visit.id)).all()
    client = app.test_client()

    class T:
        pass

    t = T()
    t.item = version_id(item)
    t.task = task["id"]
    t.visits = [v.id for v in visits]
    t.phones = []
    t.usernames = []  # the members' accounts (password f.PASSWORD), in the phones' order
    for member in visits[0].members:
        if member.inspector_id == world.inspector_a.id:
            api = world.insp_a  # already has an account
            t.usernames.append(world.insp_a_user.username)
        else:
            account, token = f.user(session, "inspector", world.dept_a.id, member.inspector_id)
            session.commit()
            api = f.Api(client, token)
            t.usernames.append(account.username)
        reg = api.post("/api/v1/devices", json={"name": "手机", "platform": "android"}).get_json()
        t.phones.append((api, reg["id"], reg["credential"]))
    for visit in visits:
        world.admin.post(f"/api/v1/companies/{visit.company_id}/premises-code")
        if not entered:
            continue
        code = decode(world.admin.get(
            f"/api/v1/companies/{visit.company_id}/premises-code.png").get_data())
        resp = t.phones[0][0].post(f"/api/v1/visits/{visit.id}/entries",
                                   json={"premises_token": code})
        assert resp.status_code == 201, resp.get_json()
    return t


def submit(team, visit, *, category="no_problem", item_category=None, start=100):
    """Fill the checklist, enter the results, sign on both phones (and the company's
    representative on one) and submit."""
    a, b = team.phones
    ops = full_answers(visit, team.item, "a", start=start)
    ops.append(op(visit, "set_result", category=category, hlc=HLC(start + 10, 0, "a")))
    if item_category:
        ops.append(op(visit, "set_result", category=item_category, item_version_id=team.item,
                      hlc=HLC(start + 11, 0, "a")))
    assert {o for o, _ in outcomes(push(a, ops))} == {"applied"}
    signed = {(team.item, "licensed"): "yes", (team.item, "temp"): -18,
              (0, RESULT_FIELD): category}
    if item_category:
        signed[(team.item, RESULT_FIELD)] = item_category
    state = checklist_hash(signed)
    signs = [op(visit, "sign", sha256=SIGNATURE, state_hash=state, hlc=HLC(start + 20, 0, n))
             for n in "ab"]
    push(a, [signs[0], company_sign(visit, state_hash=state, hlc=HLC(start + 20, 1, "a"))])
    done = push(b, [signs[1], op(visit, "submit", hlc=HLC(start + 21, 0, "b"))])
    assert outcomes(done)[-1] == ("applied", None), done.get_json()
    return done.get_json()["results"][-1]["result"]["id"]
