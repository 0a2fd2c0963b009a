"""Plans, tasks and draws through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select, text

from server import clock
from server.models import Company, Draw, Task, Visit
from server.models import Inspector as _Inspector
from server.services import companies as company_service
from server.services.actors import SYSTEM
from tests import factories as f
from tests.assertions import assert_error
from tests.draws import RATIOS, WINDOW, joint_task_body, make_plan, run_draw, version_id


def published_joint_task(world, field, year: int | None = None, **kw):
    """Department A's plan with a joint task, published; in ``year``'s March when given."""
    if year:
        kw = {"window_start": f"{year}-03-01", "window_end": f"{year}-03-31",
              "result_deadline": f"{year}-04-30", **kw}
    plan = make_plan(world.sup_a, world.dept_a.id, year) if year else \
        make_plan(world.sup_a, world.dept_a.id)
    task = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=joint_task_body(field, **kw))
    assert task.status_code == 201, task.get_json()
    assert world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={}).status_code == 200
    return plan, task.get_json()


def test_joint_draw_counts_per_class_and_teams_with_one_inspector_per_department(world, field):
    _, task = published_joint_task(world, field)
    assert task["department_ids"] == [d.id for d in field.depts]
    draw = run_draw(world.sup_a, task["id"])
    eligible = Counter(c.credit_risk_class for c in field.companies)
    for stratum in draw["strata"]:
        n = eligible[stratum["stratum"]]
        assert stratum["eligible"] == n
        assert stratum["count"] == -(-n * RATIOS[stratum["stratum"]] // 100)
    drawn = [c for c in draw["companies"] if c["role"] == "drawn"]
    assert len(drawn) == sum(s["count"] for s in draw["strata"])
    assert len(draw["teams"]) == len(drawn)
    names = {d.name for d in field.depts}
    for team in draw["teams"]:
        assert sorted(m["department"] for m in team["inspectors"]) == sorted(names)


def test_the_expertise_an_item_requires_is_matched(world, field, session):
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    experts = {i.id for i in session.scalars(select(_Inspector).where(
        _Inspector.department_id == world.dept_a.id)) if any(t.code == "exp-food" for t in i.tags)}
    visits = session.scalars(select(Visit).where(Visit.draw_id == draw["id"])).all()
    assert visits
    for visit in visits:
        a_members = [m.inspector_id for m in visit.members if m.department_id == world.dept_a.id]
        assert a_members and set(a_members) <= experts


def test_participants_see_the_task_and_other_departments_get_404(world, field, app):
    _, task = published_joint_task(world, field)
    assert field.sup_c.get(f"/api/v1/tasks/{task['id']}").status_code == 200
    draw = run_draw(world.sup_a, task["id"])
    from tests.factories import Api, user

    with app.extensions["fieldinspect"].db.write_session() as s:
        dept = f.department(s, code="DZ")
        _, token = user(s, "supervisor", dept.id)
        s.commit()
    outsider = Api(app.test_client(), token)
    assert_error(outsider.get(f"/api/v1/tasks/{task['id']}"), 404)
    assert_error(outsider.get(f"/api/v1/draws/{draw['id']}"), 404)
    assert outsider.get("/api/v1/tasks").get_json()["total"] == 0
    assert_error(field.sup_c.post(f"/api/v1/tasks/{task['id']}/draws", json={"reason": "x"}), 403)


def test_verify_matches_and_detects_a_changed_company_or_seed(world, field, session, app):
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    assert world.sup_a.get(f"/api/v1/draws/{draw['id']}/verify").get_json()["match"] is True
    public = app.test_client().get(f"/api/v1/public/draws/{draw['id']}/verify").get_json()
    assert public["match"] is True
    drawn_ids = {c["credit_code"] for c in draw["companies"]}
    outsider = next(c for c in field.companies if c.credit_code not in drawn_ids)
    session.execute(text("UPDATE draw_companies SET credit_code = :c, company_id = :i "
                         "WHERE draw_id = :d AND position = 1 AND stratum = 'A'"),
                    {"c": outsider.credit_code, "i": outsider.id, "d": draw["id"]})
    session.commit()
    result = app.test_client().get(f"/api/v1/public/draws/{draw['id']}/verify").get_json()
    assert result["match"] is False and result["checks"]["companies_match"] is False
    session.rollback()


def test_verify_detects_a_changed_seed(world, field, session):
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    session.execute(text("UPDATE tasks SET seed = :s WHERE id = :t"),
                    {"s": b"\x07" * 32, "t": task["id"]})
    session.commit()
    result = world.sup_a.get(f"/api/v1/draws/{draw['id']}/verify").get_json()
    assert result["match"] is False and result["checks"]["seed_matches_commitment"] is False


def test_a_ratio_over_a_general_items_cap_is_refused_and_nothing_changes(world, field, session):
    plan = make_plan(world.sup_a, world.dept_a.id)
    body = joint_task_body(field)
    body["item_versions"].append(version_id(field.general))
    before = session.scalar(select(func.count()).select_from(Task))
    body_resp = assert_error(world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body), 422,
                             "ratio_over_cap")
    assert "5" in body_resp["message"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Task)) == before


def test_items_of_a_department_not_taking_part_are_refused(world, field):
    plan = make_plan(world.sup_a, world.dept_a.id)
    body = joint_task_body(field, department_ids=[world.dept_b.id])
    assert_error(world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body), 422,
                 "item_not_participating")


def test_an_empty_scope_is_refused(world, field):
    plan = make_plan(world.sup_a, world.dept_a.id)
    assert_error(world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks",
                                  json=joint_task_body(field, scope={})), 422, "empty_scope")


def test_a_task_added_after_publication_needs_a_filing_before_it_is_drawn(world, field, app):
    plan, _ = published_joint_task(world, field)
    late = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks",
                            json=joint_task_body(field, name="计划外任务"))
    assert late.status_code == 201
    assert world.sup_a.get(f"/api/v1/plans/{plan['id']}").get_json()["state"] == "amended"
    assert_error(world.sup_a.post(f"/api/v1/tasks/{late.get_json()['id']}/draws", json={}), 422,
                 "task_not_in_published_plan")
    assert_error(world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={}), 422,
                 "filing_required")
    resp = world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish",
                            json={"filing_reason": "上级部署专项整治，增加任务"})
    assert resp.get_json()["version"] == 2
    versions = app.test_client().get(
        f"/api/v1/public/plans/{plan['id']}/versions").get_json()["items"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["filing_reason"] == "上级部署专项整治，增加任务"
    assert len(versions[0]["content"]["tasks"]) == 1 and len(versions[1]["content"]["tasks"]) == 2
    run_draw(world.sup_a, late.get_json()["id"])


def test_a_redraw_needs_a_reason_and_is_a_new_recorded_draw(world, field, session):
    _, task = published_joint_task(world, field)
    first = run_draw(world.sup_a, task["id"])
    assert_error(world.sup_a.post(f"/api/v1/tasks/{task['id']}/draws", json={}), 422,
                 "redraw_requires_reason")
    second = run_draw(world.sup_a, task["id"], reason="名录库数据更正后重新抽取")
    assert second["number"] == 2 and second["reason"]
    # same seed, same eligible set: the same companies, and the first draw is kept
    assert [c["credit_code"] for c in first["companies"]] == \
        [c["credit_code"] for c in second["companies"]]
    session.expire_all()
    states = Counter(session.scalars(select(Visit.state).where(Visit.draw_id == first["id"])))
    assert set(states) == {"cancelled"}
    assert session.scalar(select(func.count()).select_from(Draw)) == 2


def test_recently_inspected_companies_are_excluded_and_counted(world, field, session):
    _, task = published_joint_task(world, field)
    first = run_draw(world.sup_a, task["id"])
    session.execute(text("UPDATE visits SET state = 'closed'"))
    session.commit()
    _, task2 = published_joint_task(world, field, year=2027)
    second = run_draw(world.sup_a, task2["id"])
    first_codes = {c["credit_code"] for c in first["companies"] if c["role"] == "drawn"}
    assert second["excluded"]["recently_inspected"] == len(first_codes)
    assert not first_codes & {c["credit_code"] for c in second["companies"]}


def test_a_substitution_takes_the_next_in_rank_and_verify_still_matches(world, field, session):
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    stratum_a = [c for c in draw["companies"] if c["stratum"] == "A"]
    gone = next(c for c in stratum_a if c["role"] == "drawn")
    expected = next(c for c in stratum_a if c["role"] == "substitute")
    resp = world.sup_a.post(f"/api/v1/draws/{draw['id']}/substitutions",
                            json={"credit_code": gone["credit_code"], "reason": "unreachable"})
    assert resp.status_code == 201, resp.get_json()
    after = {c["credit_code"]: c for c in resp.get_json()["companies"]}
    assert after[gone["credit_code"]]["role"] == "replaced"
    assert after[expected["credit_code"]]["role"] == "drawn"
    assert world.sup_a.get(f"/api/v1/draws/{draw['id']}/verify").get_json()["match"] is True
    session.expire_all()
    assert session.scalar(select(Company.status).where(
        Company.credit_code == gone["credit_code"])) == "unreachable"


def test_a_declared_conflict_keeps_the_inspector_off_that_company(world, field, session):
    target = field.companies[0]
    dept_b_inspectors = session.scalars(select(_Inspector).where(
        _Inspector.department_id == world.dept_b.id)).all()
    for inspector in dept_b_inspectors[:2]:
        resp = world.sup_b.post(f"/api/v1/inspectors/{inspector.id}/conflicts",
                                json={"company_id": target.id, "reason": "亲属关系"})
        assert resp.status_code == 201, resp.get_json()
    _, task = published_joint_task(world, field, ratios={"A": 100, "B": 100, "C": 100, "D": 100})
    draw = run_draw(world.sup_a, task["id"])
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"],
                                               Visit.company_id == target.id))
    barred = {i.id for i in dept_b_inspectors[:2]}
    assert not {m.inspector_id for m in visit.members} & barred


def test_when_no_inspector_is_certified_the_draw_names_the_constraint_and_changes_nothing(
        world, field, session):
    session.execute(text("UPDATE inspectors SET certificate_valid_until = :d "
                         "WHERE department_id = :dept"),
                    {"d": dt.date(2026, 6, 30), "dept": field.dept_c.id})
    session.commit()
    _, task = published_joint_task(world, field)
    body = assert_error(world.sup_a.post(f"/api/v1/tasks/{task['id']}/draws", json={}), 422,
                        "draw_impossible")
    assert body["constraint"] == "certified" and body["company"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Draw)) == 0
    assert session.scalar(select(func.count()).select_from(Visit)) == 0


def far_future_task(world, field, session):
    """A task whose window has not started, whatever today's date (seed still hidden)."""
    session.execute(text("UPDATE inspectors SET certificate_valid_until = '2100-12-31'"))
    session.commit()
    return published_joint_task(world, field, year=2099)[1]


def test_the_public_draw_shows_its_companies_and_teams_from_the_window_and_nothing_personal(
        world, field, app, session, clock_at):
    task = far_future_task(world, field, session)
    draw = run_draw(world.sup_a, task["id"])
    public = app.test_client().get(f"/api/v1/public/draws/{draw['id']}")
    assert public.status_code == 200
    data = public.get_json()
    # before the window: the inputs' commitments and the counts, not who was drawn or who goes
    assert data["seed"] is None and data["seed_revealed"] is False
    assert (data["companies"], data["teams"], data["overlapping_visits"],
            data["inspector_substitutions"]) == (None, None, None, None)
    assert data["details_from"] == "2099-03-01"
    assert data["seed_hash"] == draw["seed_hash"] and data["eligible_hash"]
    assert sum(s["count"] for s in data["strata"]) == len(
        [c for c in draw["companies"] if c["role"] == "drawn"])
    body = public.get_data(as_text=True)
    assert not any(c["credit_code"] in body for c in draw["companies"] if c["role"] == "drawn")
    assert app.test_client().get(f"/api/v1/public/draws/{draw['id']}/verify").get_json()[
        "draw_id"] == draw["id"]  # the re-run stays possible
    # the draw as its department sees it is whole
    assert world.sup_a.get(f"/api/v1/draws/{draw['id']}").get_json()["companies"]

    clock_at(dt.datetime(2099, 3, 1, 0, 5, tzinfo=clock.CHINA))  # the window's first minutes
    data = app.test_client().get(f"/api/v1/public/draws/{draw['id']}").get_json()
    assert data["seed_revealed"] is True and data["seed"]
    assert {c["credit_code"] for c in data["companies"]} == \
        {c["credit_code"] for c in draw["companies"]}
    body = app.test_client().get(f"/api/v1/public/draws/{draw['id']}").get_data(as_text=True)
    assert "id_number" not in body and "mobile" not in body and "certificate" not in body
    assert set(data["teams"][0]["inspectors"][0]) == {"name", "department"}
    codes = app.test_client().get(f"/api/v1/public/draws/{draw['id']}/strata/A")
    assert codes.mimetype == "text/plain"
    assert len(codes.get_data(as_text=True).splitlines()) == data["strata"][0]["eligible"]


def test_an_individual_case_names_its_company_and_is_exempt_from_caps(world, field, session):
    plan = make_plan(world.sup_a, world.dept_a.id)
    target = field.companies[5]
    body = {"name": "投诉举报核查", "kind": "individual", "company_id": target.id,
            "case_reason": "complaint", "case_note": "群众投诉",
            "item_versions": [version_id(field.items["DA"])], **WINDOW}
    task = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body)
    assert task.status_code == 201, task.get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    draw = run_draw(world.sup_a, task.get_json()["id"])
    assert [c["credit_code"] for c in draw["companies"]] == [target.credit_code]
    session.expire_all()
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]))
    assert visit.counts_for_caps is False and len(visit.members) == 2


def test_deregistered_companies_are_not_eligible(world, field, session):
    gone = field.companies[0]
    company_service.update(session, SYSTEM, gone.id, {"status": "deregistered"})
    session.commit()
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    assert sum(s["eligible"] for s in draw["strata"]) == len(field.companies) - 1
    assert gone.credit_code not in {c["credit_code"] for c in draw["companies"]}


def test_an_independent_script_reproduces_the_published_draw(world, field, app, session,
                                                                 capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "reproduce_draw.py"
    spec = importlib.util.spec_from_file_location("reproduce_draw", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    _, task = published_joint_task(world, field, window_start="2026-01-05")  # seed revealed
    draw = run_draw(world.sup_a, task["id"])
    client = app.test_client()

    def get(p):
        return client.get(p).get_data()

    assert script.reproduce(get, draw["id"]) == (True, [])
    hidden = run_draw(world.sup_a, far_future_task(world, field, session)["id"])
    assert script.reproduce(get, hidden["id"])[0] is False
    assert script.main(["", "http://server", str(draw["id"])], get) == 0
    assert script.main(["", "http://server", str(hidden["id"])], get) == 2
    assert capsys.readouterr().out.splitlines()[-1].startswith("seed not revealed yet")
    session.execute(text("UPDATE draw_companies SET credit_code = 'X' WHERE draw_id = :d "
                         "AND stratum = 'B' AND position = 2"), {"d": draw["id"]})
    session.commit()
    ok, why = script.reproduce(get, draw["id"])
    assert ok is False and why == ["stratum B: ranking differs"]
    assert script.main(["", "http://server", str(draw["id"])], get) == 1
    assert capsys.readouterr().out.startswith("MISMATCH: stratum B")


def test_yearly_caps_per_department_and_in_total_exclude_and_are_counted(world, field, session):
    """Earlier inspections this year with other items: not 'recent for the same items',
    but they count toward the caps."""
    plan = make_plan(world.sup_a, world.dept_a.id)
    other_item = f.item(session, world.dept_a.id, code="IT-OTHER")
    session.commit()
    earlier = {"name": "年初抽查", "item_versions": [version_id(other_item)],
               "scope": {"regions": ["130129", "130102"]},
               "ratios": {"A": 100, "B": 100, "C": 100, "D": 100},
               "window_start": "2026-02-01", "window_end": "2026-02-28",
               "result_deadline": "2026-03-31"}
    first = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=earlier).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    run_draw(world.sup_a, first["id"])
    session.execute(text("UPDATE visits SET state = 'closed'"))
    session.commit()
    body = joint_task_body(field, cap_per_department=1, cap_total=5)
    late = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={"filing_reason": "追加联合任务"})
    # every company was inspected once this year by department A, which takes part
    err = assert_error(world.sup_a.post(f"/api/v1/tasks/{late['id']}/draws", json={}), 422,
                       "no_eligible_companies")
    assert err["errors"]["exclusions"] == ["cap_department: 60"]
    body = joint_task_body(field, cap_per_department=2, cap_total=1, name="总量上限")
    capped = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={"filing_reason": "再次追加"})
    resp = world.sup_a.post(f"/api/v1/tasks/{capped['id']}/draws", json={})
    err = assert_error(resp, 422, "no_eligible_companies")
    assert "cap_total: 60" in err["errors"]["exclusions"]
    body = joint_task_body(field, cap_per_department=2, cap_total=2, name="未达上限")
    ok = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={"filing_reason": "第三次追加"})
    draw = run_draw(world.sup_a, ok["id"])
    assert draw["excluded"] == {"recently_inspected": 0, "open_task": 0, "cap_department": 0,
                                "cap_total": 0}


def test_an_unavailable_inspector_is_replaced_from_the_same_department(world, field, session):
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]).order_by(Visit.id))
    gone = next(m.inspector_id for m in visit.members if m.department_id == world.dept_b.id)
    before = {m.inspector_id for m in visit.members}
    resp = world.sup_b.post(f"/api/v1/draws/{draw['id']}/inspector-substitutions",
                            json={"visit_id": visit.id, "inspector_id": gone, "reason": "病假"})
    assert resp.status_code == 201, resp.get_json()
    session.expire_all()
    after = {m.inspector_id: m.department_id for m in
             session.get(Visit, visit.id).members}
    assert gone not in after
    [new] = set(after) - before
    assert after[new] == world.dept_b.id
    entry = resp.get_json()["inspector_substitutions"][0]
    assert entry["reason"] == "病假" and entry["by"] and entry["replaced"]
    assert world.sup_a.get(f"/api/v1/draws/{draw['id']}/verify").get_json()["match"] is True
    assert_error(field.sup_c.post(f"/api/v1/draws/{draw['id']}/inspector-substitutions",
                                  json={"visit_id": visit.id, "inspector_id": new,
                                        "reason": "x"}), 403)


def test_when_the_department_has_nobody_left_the_replacement_names_the_constraint(
        world, field, session):
    _, task = published_joint_task(world, field, ratios={"A": 1, "B": 1, "C": 1, "D": 1})
    draw = run_draw(world.sup_a, task["id"])
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]).order_by(Visit.id))
    [current] = [m.inspector_id for m in visit.members if m.department_id == field.dept_c.id]
    replaced = []
    for _ in range(10):
        resp = field.sup_c.post(f"/api/v1/draws/{draw['id']}/inspector-substitutions",
                                json={"visit_id": visit.id, "inspector_id": current,
                                      "reason": "公出"})
        if resp.status_code != 201:
            break
        replaced.append(current)
        session.expire_all()
        current = next(m.inspector_id for m in session.get(Visit, visit.id).members
                       if m.department_id == field.dept_c.id)
        assert current not in replaced  # whoever could not go is never drawn back
    assert len(replaced) == 2  # three certified inspectors in the department
    body = assert_error(resp, 422, "draw_impossible")
    assert body["constraint"] == "no_replacement"


def test_a_task_without_ratios_takes_its_departments_defaults(world, field):
    resp = world.admin.patch(f"/api/v1/departments/{world.dept_a.id}",
                             json={"default_ratios": {"A": 2, "B": 4, "C": 20, "D": 50}})
    assert resp.status_code == 200 and resp.get_json()["default_ratios"]["D"] == 50
    plan = make_plan(world.sup_a, world.dept_a.id)
    body = joint_task_body(field)
    del body["ratios"]
    task = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body).get_json()
    assert task["ratios"] == {"A": 2, "B": 4, "C": 20, "D": 50}
    world.admin.patch(f"/api/v1/departments/{world.dept_a.id}", json={"default_ratios": None})
    assert_error(world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json=body), 422)


def test_responses_carry_chinese_as_utf8(world, app):
    raw = world.admin.get(f"/api/v1/departments/{world.dept_a.id}").get_data()
    assert "甲部门".encode() in raw


def test_the_draw_and_the_monthly_report_count_the_same_registered_companies(
        world, field, session):
    """One definition of 登记企业数: in the registry before 1 January, still in it, in
    business. The draw's coverage check and the report's coverage base agree."""
    before = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    older = field.companies[:5]
    for company in older:
        session.get(Company, company.id).created_at = before
    company_service.update(session, SYSTEM, older[0].id, {"status": "deregistered"})
    session.get(Company, older[1].id).active = False
    session.commit()  # the rest of field.companies entered the registry this year
    _, task = published_joint_task(world, field)
    draw = run_draw(world.sup_a, task["id"])
    report = world.sup_a.get(f"/api/v1/reports/monthly?month=2026-11&department={world.dept_a.code}")
    assert report.status_code == 200, report.get_json()
    assert draw["coverage"]["registered"] == report.get_json()["registered_companies"] == 3
