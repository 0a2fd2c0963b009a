"""Plans, tasks and draws made through the API, and the departments, items, inspectors and
companies they draw from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.models import Inspector, Visit
from sync.tokens import token_from_scan
from tests import factories as f
from tests.factories import TODAY
from tests.qr import decode

WINDOW = {"window_start": "2026-12-01", "window_end": "2026-12-20",
          "result_deadline": "2026-12-31"}
RATIOS = {"A": 10, "B": 20, "C": 50, "D": 100}


class Setup:
    pass


def make_field(world, session, app):
    """The ``field`` fixture: three departments with items and certified inspectors, and 60 companies."""
    s = Setup()
    s.dept_c = f.department(session, code="DC", name="丙部门")
    s.depts = [world.dept_a, world.dept_b, s.dept_c]
    f.tag(session, "exp-food", kind="expertise")
    s.items = {}
    for d in s.depts:
        s.items[d.code] = f.item(session, d.id, code=f"IT-{d.code}",
                                 required_expertise=["exp-food"] if d.code == "DA" else [])
        for n in range(3):
            f.inspector(session, d.id, tags=["exp-food"] if n == 0 else [])
    s.general = f.item(session, world.dept_a.id, code="IT-GEN", item_class="general",
                       ratio_cap=5)
    s.companies = []
    for i in range(60):
        s.companies.append(f.company(session, credit_risk_class="ABCD"[i % 4],
                                     region="130129" if i % 3 else "130102"))
    f.company(session, region="140101")  # out of scope
    s.sup_c_user, token = f.user(session, "supervisor", s.dept_c.id)
    s.sup_c = f.Api(app.test_client(), token)
    session.commit()
    return s


def version_id(item):
    return next(v.id for v in item.versions if v.version == item.current_version)


def make_plan(client, dept_id, year=2026):
    resp = client.post("/api/v1/plans", json={"department_id": dept_id, "year": year,
                                              "title": f"{year}年度抽查计划"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def joint_task_body(field, **kw):
    return {"name": "联合抽查", "department_ids": [d.id for d in field.depts[1:]],
            "joint_mode": "comprehensive",
            "item_versions": [version_id(field.items[d.code]) for d in field.depts],
            "scope": {"regions": ["130129", "130102"]}, "ratios": RATIOS, **WINDOW, **kw}


def run_draw(client, task_id, **body):
    resp = client.post(f"/api/v1/tasks/{task_id}/draws", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def make_drawn(world, field, session, app):
    """The ``drawn`` fixture: a joint draw whose window is open today; a member and a non-member signed in."""
    start, end = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=10)
    plan = make_plan(world.sup_a, world.dept_a.id, year=start.year)
    body = joint_task_body(field, window_start=start.isoformat(), window_end=end.isoformat(),
                           result_deadline=(end + dt.timedelta(days=10)).isoformat(),
                           ratios={"A": 10, "B": 10, "C": 10, "D": 10})
    task = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    draw = run_draw(world.sup_a, task["id"])
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]).order_by(Visit.id))
    member = next(m for m in visit.members if m.department_id == world.dept_b.id)
    outsider = next(i for i in _inspector_ids(session, world.dept_b.id)
                    if i not in {m.inspector_id for m in visit.members})
    client = app.test_client()
    _, member_token = f.user(session, "inspector", world.dept_b.id, member.inspector_id)
    _, outsider_token = f.user(session, "inspector", world.dept_b.id, outsider)
    session.commit()
    issued = world.admin.post(f"/api/v1/companies/{visit.company_id}/premises-code")
    assert issued.status_code == 201, issued.get_json()
    scanned = decode(world.admin.get(
        f"/api/v1/companies/{visit.company_id}/premises-code.png").get_data())

    class D:
        pass

    d = D()
    # the code holds its page's URL; the token is what an older poster holds
    d.visit, d.draw, d.premises_url = visit, draw, scanned
    d.premises = token_from_scan(scanned)
    d.member, d.outsider = f.Api(client, member_token), f.Api(client, outsider_token)
    return d


def _inspector_ids(session, dept_id):
    return session.scalars(select(Inspector.id).where(Inspector.department_id == dept_id)).all()
