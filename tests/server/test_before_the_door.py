"""Before the door (入企前提示): the visit pack names the company's inspections this year by
department and item, with dates, against the yearly caps of the visit's task (both
backends)."""

from __future__ import annotations

import datetime as dt

from schemas.states import CapStatus
from server import clock
from server.models import Visit
from tests import factories as f
from tests.draws import make_plan, run_draw, version_id


def pack(team, visit=None):
    a, _ = team.phones
    resp = a[0].get(f"/api/v1/visits/{visit or team.visits[0]}/pack")
    assert resp.status_code == 200, resp.get_json()
    return resp


def another_departments_visit(world, session):
    """Department B draws the same companies for an item of its own: a second visit."""
    item = f.item(session, world.dept_b.id, name="消防安全检查", method="on_site")
    f.inspector(session, world.dept_b.id)
    session.commit()
    today = clock.today()
    plan = make_plan(world.sup_b, world.dept_b.id, year=today.year)
    start, end = today + dt.timedelta(days=2), today + dt.timedelta(days=9)
    task = world.sup_b.post(f"/api/v1/plans/{plan['id']}/tasks", json={
        "name": "消防抽查", "item_versions": [version_id(item)],
        "scope": {"tags": ["sync-target"]}, "ratios": {"A": 100, "B": 100, "C": 100, "D": 100},
        "window_start": start.isoformat(), "window_end": end.isoformat(),
        "result_deadline": (end + dt.timedelta(days=5)).isoformat()})
    assert task.status_code == 201, task.get_json()
    world.sup_b.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    run_draw(world.sup_b, task.get_json()["id"])
    return item, start


def test_the_pack_names_this_years_inspections_and_its_etag_follows_them(team, world, session):
    first = pack(team)
    block = first.get_json()["this_year"]
    visit = session.get(Visit, team.visits[0])
    assert (block["year"], block["cap_per_department"], block["cap_total"]) == (
        visit.window_start.year, 2, 4)
    [only] = block["visits"]
    assert (only["visit_id"], only["this_visit"], only["counts_for_caps"]) == (visit.id, True, True)
    assert only["entered_on"] == clock.china_date().isoformat()  # the team fixture entered it
    assert [i["department"] for i in only["items"]] == ["甲部门"]
    assert block["departments"] == [{"department_id": world.dept_a.id, "department": "甲部门",
                                     "inspections": 1, "on_this_visit": True,
                                     "status": "near"}]  # one more allowed after this one
    assert (block["inspections"], block["total_status"], block["warning"]) == (1, "below", False)

    item, start = another_departments_visit(world, session)
    later = pack(team)
    assert later.headers["ETag"] != first.headers["ETag"]  # the phone downloads it again
    assert first.get_json()["this_year"] != (block := later.get_json()["this_year"])
    assert [(v["this_visit"], v["window_start"], v["entered_on"]) for v in block["visits"]] == [
        (True, visit.window_start.isoformat(), clock.china_date().isoformat()),
        (False, start.isoformat(), None)]
    assert block["visits"][1]["items"] == [{"department_id": world.dept_b.id,
                                            "department": "乙部门", "item_code": item.code,
                                            "name": "消防安全检查"}]
    assert {(d["department"], d["inspections"], d["on_this_visit"]) for d in
            block["departments"]} == {("甲部门", 1, True), ("乙部门", 1, False)}
    assert block["inspections"] == 2
    unchanged = team.phones[0][0].get(f"/api/v1/visits/{team.visits[0]}/pack",
                                      headers={"If-None-Match": later.headers["ETag"]})
    assert unchanged.status_code == 304


def test_a_check_that_does_not_count_is_listed_but_not_counted(team, world, session):
    """A complaint, referral or re-check (counts_for_caps false) is shown, not counted."""
    visit = session.get(Visit, team.visits[0])
    visit.counts_for_caps = False
    session.commit()
    block = pack(team).get_json()["this_year"]
    assert [v["counts_for_caps"] for v in block["visits"]] == [False]
    assert block["departments"][0]["inspections"] == 0 and block["inspections"] == 0


def test_a_cap_is_near_at_or_over_as_this_visit_counts():
    assert [CapStatus.of(n, 2) for n in range(5)] == ["below", "near", "at", "over", "over"]
    assert CapStatus.of(1, 1) == "at" and CapStatus.of(0, 1) == "near"
