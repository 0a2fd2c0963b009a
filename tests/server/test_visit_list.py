"""GET /api/v1/visits: the field in scope, filtered by task, state, inspector, company, year
and overdue, paged; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server.models import Visit, VisitMember
from tests.assertions import assert_error
from tests.draws import RATIOS, WINDOW, joint_task_body, make_plan, run_draw, version_id


@pytest.fixture
def drawn(world, field):
    """Department A's published plan with a joint task (A, B, C) and A's own task, drawn."""
    plan = make_plan(world.sup_a, world.dept_a.id)
    joint = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=joint_task_body(field))
    own = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json={
        "name": "本部门抽查", "department_ids": [], "scope": {"regions": ["130129"]},
        "item_versions": [version_id(field.items["DA"])], "ratios": RATIOS, **WINDOW})
    assert joint.status_code == own.status_code == 201, (joint.get_json(), own.get_json())
    assert world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={}).status_code == 200
    joint, own = joint.get_json()["id"], own.get_json()["id"]
    return {"joint": (joint, run_draw(world.sup_a, joint)), "own": (own, run_draw(world.sup_a, own))}


def listed(client, query=""):
    resp = client.get(f"/api/v1/visits?page_size=200{query}")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_each_supervisor_sees_the_visits_of_their_department_and_filters_narrow_them(
        world, field, drawn, session):
    joint_task, _ = drawn["joint"]
    own_task, _ = drawn["own"]
    by_task = {t: set(session.scalars(select(Visit.id).where(Visit.task_id == t)))
               for t in (joint_task, own_task)}
    assert by_task[joint_task] and by_task[own_task]

    assert {v["id"] for v in listed(world.sup_a)} == by_task[joint_task] | by_task[own_task]
    assert {v["id"] for v in listed(world.sup_b)} == by_task[joint_task]  # B has no own task
    assert {v["id"] for v in listed(field.sup_c)} == by_task[joint_task]
    assert {v["id"] for v in listed(world.coordinator)} == by_task[joint_task] | by_task[own_task]

    assert {v["id"] for v in listed(world.sup_a, f"&task_id={own_task}")} == by_task[own_task]
    assert {v["id"] for v in listed(world.sup_b, f"&task_id={own_task}")} == set()  # not B's
    assert len(listed(world.sup_a, "&state=issued")) == len(by_task[joint_task] | by_task[own_task])
    assert listed(world.sup_a, "&state=submitted") == []
    assert len(listed(world.sup_a, "&year=2026")) == len(by_task[joint_task] | by_task[own_task])
    assert listed(world.sup_a, "&year=2027") == []

    member = session.scalar(select(VisitMember).where(VisitMember.visit_id == min(by_task[joint_task])))
    theirs = listed(world.sup_a, f"&inspector_id={member.inspector_id}")
    assert min(by_task[joint_task]) in {v["id"] for v in theirs}
    assert all(member.inspector_id in {m["inspector_id"] for m in v["members"]} for v in theirs)

    page = world.sup_a.get("/api/v1/visits?page_size=2&page=2&sort=-window_start").get_json()
    assert len(page["items"]) == 2 and page["total"] == len(by_task[joint_task] | by_task[own_task])


def test_overdue_visits_are_those_past_their_window_and_not_submitted(world, field, drawn,
                                                                        session):
    _, draw = drawn["own"]
    late = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]).order_by(Visit.id))
    late.window_start, late.window_end = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    session.commit()
    overdue = listed(world.sup_a, "&overdue=true")
    assert [v["id"] for v in overdue] == [late.id] and overdue[0]["overdue"] is True
    assert late.id not in {v["id"] for v in listed(world.sup_a, "&overdue=false")}


def test_an_inspector_sees_only_the_visits_they_are_on(world, field, drawn, session, app):
    from tests import factories as f

    _, draw = drawn["joint"]
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]).order_by(Visit.id))
    member = visit.members[0]
    _, token = f.user(session, "inspector", member.department_id, member.inspector_id)
    session.commit()
    inspector = f.Api(app.test_client(), token)
    mine = set(session.scalars(select(VisitMember.visit_id).where(
        VisitMember.inspector_id == member.inspector_id)))
    assert {v["id"] for v in listed(inspector)} == mine
    # another inspector's filter shows only the visits they share, nothing of the other's own
    other = next(m for v in session.scalars(select(Visit)) for m in v.members
                 if m.inspector_id != member.inspector_id and v.id not in mine)
    theirs = set(session.scalars(select(VisitMember.visit_id).where(
        VisitMember.inspector_id == other.inspector_id)))
    assert theirs - mine
    assert {v["id"] for v in listed(inspector, f"&inspector_id={other.inspector_id}")} == \
        theirs & mine


@pytest.mark.parametrize("query", ["state=bogus", "year=abc", "year=1999", "task_id=0",
                                   "overdue=perhaps", "sort=company", "page_size=100000"])
def test_bad_filters_are_a_clear_422(world, query):
    assert_error(world.sup_a.get(f"/api/v1/visits?{query}"), 422)


def test_signing_in_is_required(world):
    assert_error(world.anon.get("/api/v1/visits"), 401)
