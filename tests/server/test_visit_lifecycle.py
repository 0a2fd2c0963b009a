"""Cancel, reschedule, overdue, the yearly lookup at the door, and field progress."""

from __future__ import annotations

import datetime as dt

from server.models import AuditEntry
from tests import factories as f
from tests.assertions import assert_error
from tests.draws import joint_task_body, run_draw
from tests.factories import TODAY
from tests.qr import page_url


def test_the_lead_cancels_with_a_reason_and_the_code_becomes_void(world, drawn, app, session):
    url = page_url(world, drawn.visit.id)
    assert_error(world.sup_b.post(f"/api/v1/visits/{drawn.visit.id}/cancel",
                                  json={"reason": "x"}), 403)  # takes part, does not lead
    resp = world.sup_a.post(f"/api/v1/visits/{drawn.visit.id}/cancel",
                            json={"reason": "企业已停产"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "cancelled"
    entry = session.query(AuditEntry).filter_by(action="visit.cancel").one()
    assert entry.after["reason"] == "企业已停产" and entry.actor == world.sup_a_user.username
    assert app.test_client().get(url).status_code == 400
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"premises_token": drawn.premises}), 409, "visit_not_open")


def test_rescheduling_moves_the_window_and_renews_the_code(world, drawn, app):
    old_url = page_url(world, drawn.visit.id)
    start, end = TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=5)
    resp = world.sup_a.post(f"/api/v1/visits/{drawn.visit.id}/reschedule",
                            json={"window_start": start.isoformat(),
                                  "window_end": end.isoformat(), "reason": "企业申请延期"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["window_start"] == start.isoformat()
    client = app.test_client()
    assert client.get(old_url).status_code == 400
    assert client.get(page_url(world, drawn.visit.id)).status_code == 200
    assert_error(world.sup_a.post(f"/api/v1/visits/{drawn.visit.id}/reschedule",
                                  json={"window_start": end.isoformat(),
                                        "window_end": start.isoformat(), "reason": "x"}), 422)


def test_the_door_lookup_lists_this_years_inspections(world, drawn):
    drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                      json={"premises_token": drawn.premises})
    seen = drawn.member.get(
        f"/api/v1/companies/{drawn.visit.company_id}/inspections").get_json()["items"]
    [visit] = seen
    assert visit["visit_id"] == drawn.visit.id and visit["state"] == "entered"
    assert visit["departments"] == sorted(["甲部门", "乙部门", "丙部门"])
    assert len(visit["inspectors"]) == 3 and visit["items"]


def test_progress_shows_the_entered_and_the_overdue_to_the_departments_involved(
        world, drawn, field, session, app):
    drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                      json={"premises_token": drawn.premises})
    # a second task of the same plan whose window has passed
    plan_id = world.sup_a.get("/api/v1/plans").get_json()["items"][0]["id"]
    start, end = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=20)
    if start.year != TODAY.year:  # early January: keep the past window inside this year
        start, end = dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 1, 1)
    body = joint_task_body(field, name="逾期任务", window_start=start.isoformat(),
                           window_end=end.isoformat(),
                           result_deadline=(end + dt.timedelta(days=5)).isoformat(),
                           ratios={"A": 5, "B": 5, "C": 5, "D": 5})
    late = world.sup_a.post(f"/api/v1/plans/{plan_id}/tasks", json=body).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan_id}/publish", json={"filing_reason": "补录"})
    late_draw = run_draw(world.sup_a, late["id"])
    progress = world.sup_b.get("/api/v1/progress").get_json()
    by_task = {t["task_id"]: t for t in progress["tasks"]}
    assert by_task[drawn.draw["task_id"]]["entered_not_submitted"] == 1
    if end < TODAY:
        assert by_task[late["id"]]["overdue"] == by_task[late["id"]]["visits"] > 0
        assert progress["overdue_visit_ids"]
    assert {d["department_id"] for d in progress["departments"]} == {
        world.dept_a.id, world.dept_b.id, field.dept_c.id}
    from server.models import Inspector

    own = {i.id for i in session.query(Inspector).filter_by(department_id=world.dept_b.id)}
    assert progress["inspectors"] and {i["inspector_id"] for i in progress["inspectors"]} <= own
    # an uninvolved department sees none of it
    with app.extensions["fieldinspect"].db.write_session() as s:
        other = f.department(s, code="DQ")
        _, token = f.user(s, "supervisor", other.id)
        s.commit()
    outsider = f.Api(app.test_client(), token)
    assert outsider.get("/api/v1/progress").get_json()["visits"] == 0
    assert_error(drawn.member.get("/api/v1/progress"), 403)
    assert late_draw["id"]
    filtered = world.sup_b.get(f"/api/v1/progress?task_id={late['id']}").get_json()
    assert [t["task_id"] for t in filtered["tasks"]] == [late["id"]]


def test_a_scan_outside_the_window_is_refused_and_audited(world, drawn, session):
    start, end = TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=9)
    world.sup_a.post(f"/api/v1/visits/{drawn.visit.id}/reschedule",
                     json={"window_start": start.isoformat(), "window_end": end.isoformat(),
                           "reason": "改期"})
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"premises_token": drawn.premises}), 422, "outside_window")
    refusal = session.query(AuditEntry).filter_by(action="visit.entry_refused").one()
    assert refusal.after == {"code": "outside_window"}
