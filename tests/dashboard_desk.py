"""A supervisor's desk with something in every count, and the counts the services give."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server import clock
from server.models import Company, FollowUp, Result, Task, Visit
from server.services import follow_ups, results, visits
from tests import factories as f
from tests.draws import make_plan, run_draw, version_id
from tests.phones import submit

HOSTILE = '<script>alert("x")</script>某&公司'
B_ONLY = "乙部门专属检查对象<b>有限公司</b>"


def china_yesterday() -> dt.date:
    return clock.today() - dt.timedelta(days=1)


def make_desk(team, world, session):
    """The ``desk`` fixture. Department A: a problem found, approved, ordered to rectify with a re-check visit
    that is now overdue, as are the follow-up and the publication deadline; a second
    result submitted after the task's deadline (late), awaiting review, its company named
    with markup. Department B: one overdue visit of its own company."""
    first, second = team.visits
    approved = submit(team, first, category="pending")
    assert world.sup_a.post(f"/api/v1/results/{approved}/approve").status_code == 200
    rectify = world.sup_a.post(f"/api/v1/results/{approved}/follow-ups", json={
        "kind": "rectify", "description": "限期整改", "recheck": True})
    assert rectify.status_code == 201, rectify.get_json()
    visit = session.get(Visit, second)
    task = session.get(Task, visit.task_id)
    task.result_deadline = visit.window_end = china_yesterday()
    session.get(Company, visit.company_id).name = HOSTILE
    session.commit()
    waiting = submit(team, second, start=500)
    session.expire_all()
    follow_up = session.get(FollowUp, rectify.get_json()["id"])
    follow_up.due_on = china_yesterday()
    recheck = session.get(Visit, follow_up.recheck_visit_id)
    recheck.window_start = recheck.window_end = china_yesterday()
    session.get(Result, approved).publication_due = china_yesterday()

    f.tag(session, "dash-b", kind="other")
    company_b = f.company(session, tags=["dash-b"], name=B_ONLY)
    item_b = f.item(session, world.dept_b.id, method="on_site")
    f.inspector(session, world.dept_b.id)
    session.commit()
    plan = make_plan(world.sup_b, world.dept_b.id, year=clock.today().year)
    start = clock.today()
    task_b = world.sup_b.post(f"/api/v1/plans/{plan['id']}/tasks", json={
        "name": "乙部门抽查", "item_versions": [version_id(item_b)], "scope": {"tags": ["dash-b"]},
        "ratios": {"A": 100, "B": 100, "C": 100, "D": 100}, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(days=7)).isoformat(),
        "result_deadline": (start + dt.timedelta(days=12)).isoformat()})
    assert task_b.status_code == 201, task_b.get_json()
    world.sup_b.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    draw_b = run_draw(world.sup_b, task_b.get_json()["id"])
    (visit_b,) = session.scalars(select(Visit).where(Visit.draw_id == draw_b["id"])).all()
    visit_b.window_start = visit_b.window_end = china_yesterday()  # overdue: listed by name
    session.commit()

    class Desk:
        pass

    d = Desk()
    d.approved, d.waiting, d.follow_up = approved, waiting, follow_up.id
    d.recheck, d.company_b = recheck.id, company_b.id
    return d


def expected_counts(session, actor) -> dict:
    """The figures straight from the services, as the API gives them."""
    progress = visits.progress(session, actor)
    due = results.publications_due(session, actor, within=5)
    queue = follow_ups.list_follow_ups(session, actor, queue=True) if not actor.reads_everything \
        else follow_ups.list_follow_ups(session, actor, state="pending_acceptance")
    return {
        "count-visits": progress["visits"],
        "count-entered-not-submitted": sum(t["entered_not_submitted"] for t in progress["tasks"]),
        "count-overdue-visits": len(progress["overdue_visit_ids"]),
        "count-awaiting-review": results.list_results(session, actor, state="submitted").total,
        "count-follow-ups-overdue": len(follow_ups.list_follow_ups(session, actor, overdue=True)),
        "count-queue": len(queue),
        "count-publications-due": len(due),
        "count-publications-overdue": sum(d["overdue"] for d in due),
    }
