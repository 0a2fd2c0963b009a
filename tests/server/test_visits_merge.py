"""One entry, many checks (进一次门、查多项事): two departments' visits become one."""

from __future__ import annotations

from sqlalchemy import select

from server.models import Visit
from tests import factories as f
from tests.assertions import assert_error
from tests.draws import make_plan, run_draw, version_id

ALL = {"A": 100, "B": 100, "C": 100, "D": 100}


def one_company_task(client, plan_id, item, window=("2026-12-01", "2026-12-20"), **kw):
    body = {"name": "单户抽查", "item_versions": [version_id(item)],
            "scope": {"tags": ["merge-target"]}, "ratios": ALL,
            "window_start": window[0], "window_end": window[1], "result_deadline": "2026-12-31",
            **kw}
    resp = client.post(f"/api/v1/plans/{plan_id}/tasks", json=body)
    assert resp.status_code == 201, resp.get_json()
    assert client.post(f"/api/v1/plans/{plan_id}/publish",
                       json={"filing_reason": "追加"}).status_code == 200
    return resp.get_json()


def test_two_departments_merge_their_visits_into_one_joint_visit(world, session, app):
    f.tag(session, "merge-target", kind="other")
    company = f.company(session, tags=["merge-target"])
    item_a, item_b = f.item(session, world.dept_a.id), f.item(session, world.dept_b.id)
    for dept in (world.dept_a, world.dept_b):
        for _ in range(2):
            f.inspector(session, dept.id)
    session.commit()
    plan_a = make_plan(world.sup_a, world.dept_a.id)
    plan_b = make_plan(world.sup_b, world.dept_b.id)
    task_a = one_company_task(world.sup_a, plan_a["id"], item_a)
    draw_a = run_draw(world.sup_a, task_a["id"])
    task_b = one_company_task(world.sup_b, plan_b["id"], item_b, window=("2026-12-10", "2026-12-31"))
    draw_b = run_draw(world.sup_b, task_b["id"])
    visit_a = session.scalar(select(Visit).where(Visit.draw_id == draw_a["id"]))
    visit_b = session.scalar(select(Visit).where(Visit.draw_id == draw_b["id"]))
    assert draw_b["overlapping_visits"] == [{"visit_id": visit_a.id, "company_id": company.id,
                                             "task_id": task_a["id"]}]

    assert_error(world.sup_a.get(f"/api/v1/visits/{visit_b.id}"), 404)
    resp = world.sup_b.post(f"/api/v1/visits/{visit_b.id}/merges",
                            json={"other_visit_id": visit_a.id})
    assert resp.status_code == 201, resp.get_json()
    merge = resp.get_json()
    assert_error(world.sup_b.post(f"/api/v1/merges/{merge['id']}/accept"), 403)  # not its own
    accepted = world.sup_a.post(f"/api/v1/merges/{merge['id']}/accept")
    assert accepted.status_code == 200, accepted.get_json()

    joint = world.sup_b.get(f"/api/v1/visits/{visit_b.id}").get_json()
    assert {i["department_id"] for i in joint["items"]} == {world.dept_a.id, world.dept_b.id}
    assert {m["department_id"] for m in joint["members"]} == {world.dept_a.id, world.dept_b.id}
    assert (joint["window_start"], joint["window_end"]) == ("2026-12-10", "2026-12-20")
    absorbed = world.sup_a.get(f"/api/v1/visits/{visit_a.id}").get_json()
    assert absorbed["state"] == "merged" and absorbed["merged_into"] == visit_b.id
    assert absorbed["counts_for_caps"] is False
    # department A now sees the joint visit: its items are on it
    assert world.sup_a.get(f"/api/v1/visits/{visit_b.id}").status_code == 200
    # the draws stay verifiable: the draw recorded its own teams
    assert world.sup_a.get(f"/api/v1/draws/{draw_a['id']}/verify").get_json()["match"] is True

    # counted once: a third task capped at two inspections a year still reaches the company
    item_c = f.item(session, world.dept_a.id)
    session.commit()
    task_c = one_company_task(world.sup_a, plan_a["id"], item_c, cap_total=2,
                              window=("2026-12-21", "2026-12-30"))
    draw_c = run_draw(world.sup_a, task_c["id"])
    assert draw_c["excluded"]["cap_total"] == 0
    assert [c["credit_code"] for c in draw_c["companies"]] == [company.credit_code]


def test_merging_needs_the_same_company_and_overlapping_windows(world, session):
    f.tag(session, "merge-target", kind="other")
    f.company(session, tags=["merge-target"])
    item_a, item_b = f.item(session, world.dept_a.id), f.item(session, world.dept_b.id)
    for dept in (world.dept_a, world.dept_b):
        f.inspector(session, dept.id)
    session.commit()
    task_a = one_company_task(world.sup_a, make_plan(world.sup_a, world.dept_a.id)["id"], item_a)
    task_b = one_company_task(world.sup_b, make_plan(world.sup_b, world.dept_b.id)["id"], item_b,
                              window=("2026-12-21", "2026-12-31"))
    run_draw(world.sup_a, task_a["id"])
    run_draw(world.sup_b, task_b["id"])
    visit_a = session.scalar(select(Visit).where(Visit.task_id == task_a["id"]))
    visit_b = session.scalar(select(Visit).where(Visit.task_id == task_b["id"]))
    # the windows do not overlap: not a candidate, so A's visit is as hidden to B as GET says
    assert_error(world.sup_b.get(f"/api/v1/visits/{visit_a.id}"), 404)
    assert_error(world.sup_b.post(f"/api/v1/visits/{visit_b.id}/merges",
                                  json={"other_visit_id": visit_a.id}), 404, "not_found")
    assert_error(world.admin.post(f"/api/v1/visits/{visit_b.id}/merges",
                                  json={"other_visit_id": visit_a.id}), 422, "merge_not_possible")
    assert_error(world.coordinator.post(f"/api/v1/visits/{visit_b.id}/merges",
                                        json={"other_visit_id": visit_a.id}), 403)


def test_another_departments_hidden_visit_is_a_404_whatever_would_refuse_the_merge(world, session):
    """A visit the actor cannot see and that its draw did not name as a candidate (another
    company, a cancelled one) answers as GET does: 404, never why it could not merge."""
    f.tag(session, "merge-target", kind="other")
    f.tag(session, "elsewhere", kind="other")
    f.company(session, tags=["merge-target"])
    f.company(session, tags=["elsewhere"])
    item_a, item_b = f.item(session, world.dept_a.id), f.item(session, world.dept_b.id)
    for dept in (world.dept_a, world.dept_b):
        f.inspector(session, dept.id)
    session.commit()
    task_a = one_company_task(world.sup_a, make_plan(world.sup_a, world.dept_a.id)["id"], item_a,
                              scope={"tags": ["elsewhere"]})
    task_b = one_company_task(world.sup_b, make_plan(world.sup_b, world.dept_b.id)["id"], item_b)
    run_draw(world.sup_a, task_a["id"])
    run_draw(world.sup_b, task_b["id"])
    visit_a = session.scalar(select(Visit).where(Visit.task_id == task_a["id"]))
    visit_b = session.scalar(select(Visit).where(Visit.task_id == task_b["id"]))
    assert visit_a.company_id != visit_b.company_id
    assert_error(world.sup_b.get(f"/api/v1/visits/{visit_a.id}"), 404)
    assert_error(world.sup_b.post(f"/api/v1/visits/{visit_b.id}/merges",
                                  json={"other_visit_id": visit_a.id}), 404, "not_found")
    assert_error(world.sup_b.post(f"/api/v1/visits/{visit_b.id}/merges",
                                  json={"other_visit_id": 2**31 - 1}), 404, "not_found")
    # whoever sees both is told why
    assert_error(world.admin.post(f"/api/v1/visits/{visit_b.id}/merges",
                                  json={"other_visit_id": visit_a.id}), 422, "merge_not_possible")
