"""The company's verification page, its rating and its recusal requests."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from server.models import Company, Department, InspectionItemVersion, Inspector, Task, Visit
from tests.assertions import assert_error
from tests.qr import page_url


def test_the_page_lists_team_items_and_legal_basis_and_escapes_hostile_text(
        world, drawn, session, app):
    company = session.get(Company, drawn.visit.company_id)
    company.name = '<script>alert("x")</script>某公司'
    version = session.get(InspectionItemVersion, drawn.visit.items[0].item_version_id)
    session.commit()
    resp = app.test_client().get(page_url(world, drawn.visit.id))
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "有效的入企检查码" in html
    for member in drawn.visit.members:
        from server.models import Inspector

        assert session.get(Inspector, member.inspector_id).name in html
    assert version.legal_basis in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "script-src" not in resp.headers["Content-Security-Policy"]


def test_a_forged_or_outdated_code_shows_the_invalid_page(world, drawn, app, session):
    client = app.test_client()
    url = page_url(world, drawn.visit.id)
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    resp = client.get(forged)
    assert resp.status_code == 400 and "不是有效的检查码" in resp.get_data(as_text=True)
    gone = next(m.inspector_id for m in drawn.visit.members)
    session.expire_all()
    dept = next(m.department_id for m in session.get(Visit, drawn.visit.id).members
                if m.inspector_id == gone)
    sup = {world.dept_a.id: world.sup_a, world.dept_b.id: world.sup_b}.get(dept, world.admin)
    changed = sup.post(f"/api/v1/draws/{drawn.draw['id']}/inspector-substitutions",
                       json={"visit_id": drawn.visit.id, "inspector_id": gone, "reason": "病假"})
    assert changed.status_code == 201, changed.get_json()
    void = client.get(url)  # the team changed: the old code is void
    assert void.status_code == 400
    # a genuine code: the page names whom to ask, the task's lead department (a forged one
    # names no department: nothing in it can be trusted)
    lead = session.get(Task, session.get(Visit, drawn.visit.id).task_id).lead_department_id
    assert f"可向{session.get(Department, lead).name}核实" in void.get_data(as_text=True)
    assert "可向当地监管部门核实" in resp.get_data(as_text=True)


def test_a_company_rates_once_after_entry_with_its_credit_code(world, drawn, app, session):
    client = app.test_client()
    url = page_url(world, drawn.visit.id)
    code = session.get(Company, drawn.visit.company_id).credit_code
    before = client.post(f"{url}/rating", data={"credit_code": code, "score": "5"})
    assert before.status_code == 422  # nobody has entered yet
    drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                      json={"premises_token": drawn.premises})
    wrong = client.post(f"{url}/rating", data={"credit_code": "91350100M000100Y43", "score": "5"})
    assert wrong.status_code == 422
    ok = client.post(f"{url}/rating", data={"credit_code": code.lower(), "score": "4",
                                            "comment": "<b>规范</b>"})
    assert ok.status_code == 201, ok.get_data(as_text=True)
    again = client.post(f"{url}/rating", data={"credit_code": code, "score": "1"})
    assert again.status_code == 409
    # anonymous towards the team: admins read it, supervisors only averages, inspectors nothing
    [rating] = world.admin.get("/api/v1/ratings").get_json()["items"]
    assert rating["score"] == 4 and rating["comment"] == "<b>规范</b>"
    assert_error(world.sup_b.get("/api/v1/ratings"), 403)
    summary = world.sup_b.get("/api/v1/ratings/summary").get_json()
    assert summary == {"min_ratings": 3, "departments": [], "inspectors": []}  # one: hidden
    assert_error(drawn.member.get("/api/v1/ratings/summary"), 403)


def test_a_recusal_request_reaches_the_inspectors_department_only(world, drawn, app, session):
    client = app.test_client()
    url = page_url(world, drawn.visit.id)
    code = session.get(Company, drawn.visit.company_id).credit_code
    target = next(m for m in drawn.visit.members if m.department_id == world.dept_b.id)
    resp = client.post(f"{url}/recusal", data={"credit_code": code, "reason": "亲属关系",
                                               "inspector_id": str(target.inspector_id)})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    [request] = world.sup_b.get("/api/v1/recusals").get_json()["items"]
    assert request["inspector_id"] == target.inspector_id and request["reason"] == "亲属关系"
    assert world.sup_a.get("/api/v1/recusals").get_json() == {"items": [], "total": 0}
    bad = client.post(f"{url}/recusal", data={"credit_code": code, "reason": "x",
                                              "inspector_id": "99999"})
    assert bad.status_code == 422
    assert session.scalar(select(Visit.state).where(Visit.id == drawn.visit.id)) == "issued"


def test_after_its_window_the_page_shows_the_real_state_and_after_90_days_it_expires(
        world, drawn, app, session, clock_at):
    client = app.test_client()
    url = page_url(world, drawn.visit.id)
    html = client.get(url).get_data(as_text=True)
    assert 'data-phase="current"' in html and "有效的入企检查码" in html
    end = drawn.visit.window_end
    clock_at(end + dt.timedelta(days=1))  # the window is over and nobody came
    resp = client.get(url)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'data-phase="ended"' in html
    assert "有效的入企检查码" not in html and "检查期限已过，检查未完成" in html
    assert (end + dt.timedelta(days=90)).isoformat() in html
    clock_at(end + dt.timedelta(days=90))  # the last day it is reachable
    assert client.get(url).status_code == 200
    clock_at(end + dt.timedelta(days=91))
    for path in (url, f"{url}/record.pdf"):
        resp = client.get(path)
        assert resp.status_code == 410 and resp.mimetype == "text/html", path
        assert "检查码已过期" in resp.get_data(as_text=True)
        for member in drawn.visit.members:  # nothing of the team is shown
            assert session.get(Inspector, member.inspector_id).name not in \
                resp.get_data(as_text=True)
    refused = client.post(f"{url}/rating", data={"credit_code": "x", "score": "5"})
    assert refused.status_code == 410


def test_the_reach_of_the_page_is_a_setting(world, drawn, app, session, clock_at):
    settings = app.extensions["fieldinspect"].settings
    short = dataclasses.replace(settings, visit_page_days=7)
    app.extensions["fieldinspect"].settings = short
    try:
        url = page_url(world, drawn.visit.id)
        clock_at(drawn.visit.window_end + dt.timedelta(days=8))
        assert app.test_client().get(url).status_code == 410
    finally:
        app.extensions["fieldinspect"].settings = settings


def test_one_open_recusal_per_inspector_and_a_limit_per_visit(world, drawn, app, session):
    """The same request sent four times in a row is taken once; a decided one may be asked
    again, up to a limit per visit; a finished visit takes none."""
    from server.models import RecusalRequest
    from server.services.verification import MAX_RECUSALS_PER_VISIT

    client = app.test_client()
    url = page_url(world, drawn.visit.id)
    code = session.get(Company, drawn.visit.company_id).credit_code
    first, second = [m.inspector_id for m in drawn.visit.members][:2]

    def ask(inspector_id):
        return client.post(f"{url}/recusal", data={"credit_code": code, "reason": "亲属关系",
                                                   "inspector_id": str(inspector_id)})

    def requests():
        session.expire_all()
        return session.scalars(select(RecusalRequest).where(
            RecusalRequest.visit_id == drawn.visit.id)).all()

    assert [ask(first).status_code for _ in range(4)] == [201, 409, 409, 409]
    assert ask(second).status_code == 201  # one open request per inspector
    assert len(requests()) == 2
    while len(requests()) < MAX_RECUSALS_PER_VISIT:
        for r in requests():
            r.state = "declined"
        session.commit()
        assert ask(first).status_code == 201
    for r in requests():
        r.state = "declined"
    session.commit()
    refused = ask(first)
    assert refused.status_code == 429 and "5" in refused.get_data(as_text=True)
    assert len(requests()) == MAX_RECUSALS_PER_VISIT
    session.get(Visit, drawn.visit.id).state = "submitted"
    session.execute(RecusalRequest.__table__.delete())
    session.commit()
    assert ask(first).status_code == 409  # the visit is done
    assert requests() == []


def test_the_rating_summary_hides_groups_under_three_ratings(world, drawn, app, session):
    """An average of one or two ratings would give a company's own score away; a visit
    counts once for its department however many of its items the department holds."""
    from server.models import VisitItem, VisitMember, VisitRating
    from tests import factories as f
    from tests.draws import version_id

    visits = session.scalars(select(Visit).where(Visit.draw_id == drawn.draw["id"])
                             .order_by(Visit.id)).all()[:3]
    extra = f.item(session, world.dept_a.id)
    session.flush()
    session.add(VisitItem(visit_id=visits[0].id, item_version_id=version_id(extra),
                          item_id=extra.id, department_id=world.dept_a.id))
    for visit, score in zip(visits, (5, 1), strict=False):
        session.add(VisitRating(visit_id=visit.id, score=score))
    session.commit()
    for api in (world.admin, world.sup_a):
        summary = api.get("/api/v1/ratings/summary").get_json()
        assert summary["departments"] == [] and summary["inspectors"] == []
    session.add(VisitRating(visit_id=visits[2].id, score=1))
    session.commit()
    summary = world.admin.get("/api/v1/ratings/summary").get_json()
    departments = sorted({i.department_id for v in visits for i in v.items})
    assert summary["departments"] == [{"department_id": d, "ratings": 3, "average": 2.33}
                                      for d in departments]
    members = [{m.inspector_id for m in v.members} for v in visits]
    on_all = set.intersection(*members)
    assert on_all  # the draw puts one inspector on every visit
    assert {i["inspector_id"] for i in summary["inspectors"]} == on_all
    assert all(i["ratings"] == 3 for i in summary["inspectors"])
    mine = world.sup_a.get("/api/v1/ratings/summary").get_json()
    assert mine["departments"] == [{"department_id": world.dept_a.id, "ratings": 3,
                                    "average": 2.33}]
    assert {i["inspector_id"] for i in mine["inspectors"]} == {
        i for i in on_all if session.scalar(select(VisitMember.department_id).where(
            VisitMember.inspector_id == i, VisitMember.visit_id == visits[0].id))
        == world.dept_a.id}
