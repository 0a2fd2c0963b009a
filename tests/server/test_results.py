"""Results: made on submission, reviewed, returned to the phones, published; follow-up
until the loop is closed; the company record (both backends)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from server import clock
from server.models import AuditEntry, FollowUp, Result, Task, Visit
from sync.hlc import HLC
from sync.ops import RESULT_FIELD, checklist_hash
from tests.assertions import assert_error
from tests.phones import SIGNATURE, op, outcomes, push, submit

PERSONAL = ("id_number", "phone", "inspector", "note", "photo", "sha256", "certificate")


def test_a_submission_makes_a_result_per_company_and_per_item(team, world, session):
    visit = team.visits[0]
    a, _ = team.phones
    unknown = op(visit, "set_result", category="made_up", hlc=HLC(1, 0, "a"))
    assert outcomes(push(a, [unknown])) == [("rejected", "unknown_category")]
    result_id = submit(team, visit, category="pending", item_category="corrected")
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert (body["state"], body["category_name"], body["problem"]) == (
        "submitted", "发现问题待后续处理", True)
    assert [(i["item_version_id"], i["category_name"]) for i in body["items"]] == [
        (team.item, "发现问题已责令改正")]
    assert body["late"] is False and body["loop"] == "none"
    assert world.sup_b.get(f"/api/v1/results/{result_id}").status_code == 404
    listed = world.sup_a.get("/api/v1/results?state=submitted").get_json()
    assert [r["id"] for r in listed["items"]] == [result_id]
    assert world.sup_b.get("/api/v1/results").get_json()["total"] == 0


def test_a_result_entered_after_the_task_deadline_is_accepted_and_marked_late(
        team, world, session):
    visit = session.get(Visit, team.visits[0])
    task = session.get(Task, visit.task_id)
    task.result_deadline = visit.window_end = clock.today() - dt.timedelta(days=1)
    session.commit()
    result_id = submit(team, visit.id)
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert body["late"] is True and body["entry_due"] == task.result_deadline.isoformat()
    assert world.sup_a.get("/api/v1/results?late=true").get_json()["total"] == 1


def test_approve_closes_the_visit_and_starts_the_publication_deadline(team, world, session):
    result_id = submit(team, team.visits[0])
    assert world.insp_a.post(f"/api/v1/results/{result_id}/approve").status_code == 403
    assert world.sup_b.post(f"/api/v1/results/{result_id}/approve").status_code == 404
    body = world.sup_a.post(f"/api/v1/results/{result_id}/approve").get_json()
    assert body["state"] == "approved" and body["published_at"] is None
    expected = world.sup_a.get(
        f"/api/v1/calendar/workdays/add?from={body['checked_on']}&kind=publication").get_json()
    assert body["publication_due"] == expected["date"]
    session.expire_all()
    assert session.get(Visit, team.visits[0]).state == "closed"
    again = world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    assert_error(again, 409, "result_not_submitted")


def test_a_returned_result_reopens_the_visit_on_the_phones_and_a_resubmission_updates_it(
        team, world, session):
    visit = team.visits[0]
    a, b = team.phones
    result_id = submit(team, visit)
    empty = world.sup_a.post(f"/api/v1/results/{result_id}/return", json={"reason": "  "})
    assert empty.status_code == 422
    returned = world.sup_a.post(f"/api/v1/results/{result_id}/return",
                                json={"reason": "照片不清晰，请补拍"}).get_json()
    assert (returned["state"], returned["returns"]) == ("returned", 1)
    session.expire_all()
    assert session.get(Visit, visit).state == "entered"
    pulled = a[0].get(f"/api/v1/sync/pull?device_id={a[1]}",
                      headers={"X-Device-Credential": a[2]}).get_json()["changes"]
    assert [c["state"] for c in pulled if c["kind"] == "visit" and c["visit_id"] == visit][-1] \
        == "entered"
    # The team fixes the result (based on what it supersedes) and submits again.
    (head,) = [c["op_id"] for c in pulled if c.get("register") == "r:-"]
    fix = op(visit, "set_result", category="corrected", base=[head], hlc=HLC(300, 0, "a"))
    assert outcomes(push(a, [fix])) == [("applied", None)]
    signed = checklist_hash({(team.item, "licensed"): "yes", (team.item, "temp"): -18,
                             (0, RESULT_FIELD): "corrected"})
    signatures = {c["register"]: c["op_id"] for c in pulled if c.get("type") == "signature"}
    for phone, node in ((a, "a"), (b, "b")):  # what changed is signed again
        mine = f"s:{phone[0].get('/api/v1/me').get_json()['inspector_id']}"
        resign = op(visit, "sign", sha256=SIGNATURE, state_hash=signed,
                    base=[signatures[mine]], hlc=HLC(300, 1, node))
        assert outcomes(push(phone, [resign])) == [("applied", None)]
    again = push(b, [op(visit, "submit", hlc=HLC(301, 0, "b"))]).get_json()["results"][0]
    assert again["outcome"] == "applied" and again["result"]["id"] == result_id
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert (body["state"], body["category"], body["returns"]) == ("submitted", "corrected", 1)
    assert body["return_reason"] == "照片不清晰，请补拍"


def test_publication_is_an_explicit_audited_step_and_the_public_sees_nothing_personal(
        team, world, app, session):
    client = app.test_client()
    result_id = submit(team, team.visits[0], category="pending")
    assert_error(world.sup_a.post(f"/api/v1/results/{result_id}/publish"), 409,
                 "result_not_approved")
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    credit_code = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()["credit_code"]
    assert client.get(f"/api/v1/public/results?credit_code={credit_code}").get_json()[
        "total"] == 0
    due = world.sup_a.get("/api/v1/results/publications-due?within=60").get_json()["items"]
    assert [d["result_id"] for d in due] == [result_id] and due[0]["overdue"] is False
    assert world.sup_a.post(f"/api/v1/results/{result_id}/publish").status_code == 200
    assert_error(world.sup_a.post(f"/api/v1/results/{result_id}/publish"), 409,
                 "already_published")
    public = client.get(f"/api/v1/public/results?credit_code={credit_code}").get_json()
    (row,) = public["items"]
    assert row["category_name"] == "发现问题待后续处理" and row["credit_code"] == credit_code
    assert [i["category_name"] for i in row["items"]] == ["发现问题待后续处理"]
    text = str(public).lower()
    assert not any(word in text for word in PERSONAL)
    by_task = client.get(f"/api/v1/public/results?task_id={team.task}").get_json()
    assert by_task["total"] == 1
    assert client.get("/api/v1/public/results").status_code == 422
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "result").order_by(AuditEntry.id)).all()
    assert actions == ["result.submit", "result.approve", "result.publish"]
    assert world.sup_a.get("/api/v1/results/publications-due?within=60").get_json()[
        "items"] == []


def test_a_transfer_lands_in_the_other_departments_queue_and_closes_the_loop(
        team, world, session):
    result_id = submit(team, team.visits[0], category="pending")
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    without = world.sup_a.get("/api/v1/results/without-follow-up").get_json()["items"]
    assert [w["result_id"] for w in without] == [result_id]
    bad = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "transfer", "description": "移送", "department_id": world.dept_a.id})
    assert bad.status_code == 422
    no_number = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups",
                                 json={"kind": "case", "description": "立案"})
    assert no_number.status_code == 422
    assert world.sup_b.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "x"}).status_code == 404
    transfer = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "transfer", "description": "涉及乙部门职责，移送处理",
        "department_id": world.dept_b.id}).get_json()
    assert transfer["state"] == "pending_acceptance" and transfer["due_on"] > \
        clock.today().isoformat()
    queue = world.sup_b.get("/api/v1/follow-ups?queue=true").get_json()["items"]
    assert [q["id"] for q in queue] == [transfer["id"]]
    assert world.sup_a.get("/api/v1/follow-ups?queue=true").get_json() == {"items": [], "total": 0}
    assert world.sup_a.post(f"/api/v1/follow-ups/{transfer['id']}/accept").status_code == 403
    close_early = world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/close",
                                   json={"outcome": "x", "resolved": True})
    assert_error(close_early, 409, "follow_up_not_open")
    assert world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/accept").get_json()[
        "state"] == "accepted"
    closed = world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/close", json={
        "outcome": "已立案查处，罚款五千元", "resolved": True,
        "case_number": "乙罚〔2026〕12号"}).get_json()
    assert (closed["state"], closed["case_number"]) == ("closed", "乙罚〔2026〕12号")
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert body["loop"] == "closed" and body["follow_ups"][0]["outcome"] == "已立案查处，罚款五千元"
    assert world.sup_a.get("/api/v1/results/without-follow-up").get_json()["items"] == []
    company_id = body["company_id"]
    record = world.sup_a.get(f"/api/v1/companies/{company_id}/record").get_json()
    (inspection,) = record["inspections"]
    assert inspection["result"]["category"] == "pending" and inspection["loop"] == "closed"
    assert record["this_year"][0]["inspections"] == 1 and record["open_follow_ups"] == []
    assert world.insp_a.get(f"/api/v1/companies/{company_id}/record").status_code == 403


def test_a_declined_transfer_goes_back_and_an_order_to_rectify_issues_a_recheck(
        team, world, session):
    result_id = submit(team, team.visits[0], category="pending")
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    transfer = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "transfer", "description": "移送", "department_id": world.dept_b.id}).get_json()
    assert world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/decline",
                            json={}).status_code == 422
    declined = world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/decline",
                                json={"reason": "不属本部门职责"}).get_json()
    assert declined["state"] == "declined"
    assert [w["result_id"] for w in world.sup_a.get(
        "/api/v1/results/without-follow-up").get_json()["items"]] == [result_id]
    due = (clock.today() + dt.timedelta(days=14)).isoformat()
    rectify = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "限期整改冷库温控", "due_on": due,
        "recheck": True}).get_json()
    assert rectify["state"] == "open" and rectify["due_on"] == due
    recheck = session.get(Visit, rectify["recheck_visit_id"])
    original = session.get(Visit, team.visits[0])
    assert recheck.company_id == original.company_id and not recheck.counts_for_caps
    assert {m.inspector_id for m in recheck.members} == {m.inspector_id
                                                        for m in original.members}
    past = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "x", "due_on": "2020-01-01"})
    assert past.status_code == 422
    follow_up = session.get(FollowUp, rectify["id"])
    follow_up.due_on = clock.today() - dt.timedelta(days=1)  # time passes
    session.commit()
    overdue = world.sup_a.get("/api/v1/follow-ups?overdue=true").get_json()["items"]
    assert [o["id"] for o in overdue] == [rectify["id"]] and overdue[0]["overdue"] is True


def test_no_follow_up_for_a_result_without_a_problem(team, world):
    result_id = submit(team, team.visits[0])
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    resp = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups",
                            json={"kind": "rectify", "description": "x"})
    assert_error(resp, 422, "no_problem")


def test_categories_are_seeded_and_admins_manage_them(world, session):
    names = [c["name"] for c in world.sup_a.get("/api/v1/result-categories").get_json()["items"]]
    assert len(names) == 10 and names[0] == "未发现问题" and "已注销、被吊销、被撤销" in names
    body = {"name": "其他", "problem": True, "needs_follow_up": False}
    assert world.sup_a.put("/api/v1/result-categories/other", json=body).status_code == 403
    assert world.admin.put("/api/v1/result-categories/Bad-Code", json=body).status_code == 422
    assert world.admin.put("/api/v1/result-categories/other", json={
        **body, "unknown": 1}).status_code == 422
    assert world.admin.put("/api/v1/result-categories/other", json=body).status_code == 200
    off = world.admin.put("/api/v1/result-categories/other", json={**body, "active": False})
    assert off.get_json()["active"] is False
    assert world.sup_a.get("/api/v1/result-categories").get_json()["total"] == 10


@pytest.mark.parametrize("query", ["state=nope", "task_id=-1", "late=maybe", "page=0",
                                   "sort=company"])
def test_bad_result_queries_are_clear_errors(world, query):
    resp = world.sup_a.get(f"/api/v1/results?{query}")
    assert resp.status_code == 422 and resp.get_json()["code"] == "validation_error"


def test_the_result_view_is_what_the_database_holds(team, world, session):
    result_id = submit(team, team.visits[0], category="corrected")
    row = session.scalar(select(Result).where(Result.id == result_id))
    assert row.problem is True and row.category_code == "corrected"
    assert [i.category_code for i in row.items] == ["corrected"]


def test_with_auto_publish_an_approval_publishes_at_once(team, world, app, monkeypatch):
    fi = app.extensions["fieldinspect"]
    monkeypatch.setattr(fi, "settings", dataclasses.replace(fi.settings, auto_publish=True))
    result_id = submit(team, team.visits[0])
    body = world.sup_a.post(f"/api/v1/results/{result_id}/approve").get_json()
    assert body["state"] == "approved" and body["published_at"] is not None
    public = app.test_client().get(f"/api/v1/public/results?task_id={team.task}").get_json()
    assert [r["credit_code"] for r in public["items"]] == [body["credit_code"]]


def test_a_result_changed_after_signing_makes_the_signatures_stale(team, world):
    """Both members signed a checklist saying no problem; one changes the company's
    result afterwards: the submission waits for new signatures."""
    visit = team.visits[0]
    a, b = team.phones
    result_id = submit(team, visit)
    world.sup_a.post(f"/api/v1/results/{result_id}/return", json={"reason": "再核实"})
    pulled = a[0].get(f"/api/v1/sync/pull?device_id={a[1]}",
                      headers={"X-Device-Credential": a[2]}).get_json()["changes"]
    (head,) = [c["op_id"] for c in pulled if c.get("register") == "r:-"]
    change = op(visit, "set_result", category="obstructed", base=[head], hlc=HLC(400, 0, "a"))
    assert outcomes(push(a, [change])) == [("applied", None)]
    refused = push(b, [op(visit, "submit", hlc=HLC(401, 0, "b"))]).get_json()["results"][0]
    assert refused["reason"] == "not_ready"
    assert {p["problem"] for p in refused["problems"]} == {
        "signature_stale", "signatures_missing", "department_unsigned"}


def test_another_department_sees_a_published_result_as_the_public_does_and_none_of_its_follow_ups(
        team, world):
    result_id = submit(team, team.visits[0], category="no_problem", item_category="corrected")
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert body["problem"] is True  # an item's problem makes the company 发现问题
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    case = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "case", "description": "立案调查", "case_number": "甲罚〔2026〕77号"}).get_json()
    assert case["owner_user_id"] is not None and case["due_on"][4] == "-"  # ISO dates
    too_far = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "x", "due_on": "9999-12-31", "recheck": True})
    assert too_far.status_code == 422
    company_id = body["company_id"]
    other = world.sup_b.get(f"/api/v1/companies/{company_id}/record").get_json()
    assert other["inspections"] == [] and other["follow_ups"] == []  # not published yet
    world.sup_a.post(f"/api/v1/results/{result_id}/publish")
    other = world.sup_b.get(f"/api/v1/companies/{company_id}/record").get_json()
    (seen,) = other["inspections"]
    assert "return_reason" not in seen["result"] and seen["result"]["category_name"]
    assert other["follow_ups"] == [] and "甲罚" not in str(other)
    own = world.sup_a.get(f"/api/v1/companies/{company_id}/record").get_json()
    assert own["follow_ups"][0]["case_number"] == "甲罚〔2026〕77号"
    assert own["inspections"][0]["result"]["late"] is False
    nested = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()["follow_ups"][0]
    assert nested["due_on"] == case["due_on"]


def test_a_resubmission_keeps_the_date_the_check_ended(team, world, session):
    visit = team.visits[0]
    a, b = team.phones
    result_id = submit(team, visit)
    row = session.get(Result, result_id)
    row.checked_on = row.checked_on - dt.timedelta(days=3)  # checked days ago
    session.commit()
    first = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    world.sup_a.post(f"/api/v1/results/{result_id}/return", json={"reason": "补充说明"})
    again = push(b, [op(visit, "submit", hlc=HLC(500, 0, "b"))]).get_json()["results"][0]
    assert again["outcome"] == "applied"
    after = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert (after["checked_on"], after["late"], after["state"]) == (
        first["checked_on"], first["late"], "submitted")


def test_follow_ups_are_seen_by_one_rule_in_the_result_the_record_and_their_endpoint(
        team, world):
    """The team sees the result but not its follow-ups, nor the loop they make; another
    department sees the published result but not a follow-up it neither owns nor opened,
    and its loop in the company record says nothing of it, until one is transferred to it."""
    result_id = submit(team, team.visits[0], category="pending")
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    case = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "case", "description": "立案调查", "case_number": "甲罚〔2026〕78号"}).get_json()
    world.sup_a.post(f"/api/v1/results/{result_id}/publish")
    company_id = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()["company_id"]

    def seen(client):
        """What one reader learns of the follow-ups: by their endpoint, in the result,
        in the company record."""
        by_id = client.get(f"/api/v1/follow-ups/{case['id']}").status_code
        result = client.get(f"/api/v1/results/{result_id}")
        nested = ([f["id"] for f in result.get_json()["follow_ups"]], result.get_json()["loop"]) \
            if result.status_code == 200 else None
        record = client.get(f"/api/v1/companies/{company_id}/record")
        in_record = ([f["id"] for f in record.get_json()["follow_ups"]],
                     [i["loop"] for i in record.get_json()["inspections"]]) \
            if record.status_code == 200 else None
        return by_id, nested, in_record

    assert seen(world.sup_a) == (200, ([case["id"]], "open"), ([case["id"]], ["open"]))
    assert seen(world.coordinator) == (200, ([case["id"]], "open"), ([case["id"]], ["open"]))
    assert seen(world.insp_a) == (404, ([], "none"), None)  # the team: the result only
    assert seen(world.sup_b) == (404, None, ([], ["none"]))  # the published result only
    # a transfer to B: B sees that one, and the loop it makes
    transfer = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "transfer", "description": "移送乙部门", "department_id": world.dept_b.id}).get_json()
    assert world.sup_b.get(f"/api/v1/follow-ups/{transfer['id']}").status_code == 200
    record = world.sup_b.get(f"/api/v1/companies/{company_id}/record").get_json()
    assert [f["id"] for f in record["follow_ups"]] == [transfer["id"]]
    assert [i["loop"] for i in record["inspections"]] == ["open"]
    assert world.insp_a.get(f"/api/v1/results/{result_id}").get_json()["follow_ups"] == []


def test_the_public_cannot_tell_a_registered_company_without_results_from_an_unknown_code(
        world, app, session):
    """Same status, same shape, on the API and on the page: nothing published either way."""
    from tests import factories as f

    registered = f.company(session).credit_code
    session.commit()
    unknown = "91350100M000100Y43"
    assert session.scalar(select(Result.id).limit(1)) is None
    client = app.test_client()
    answers = [client.get(f"/api/v1/public/results?credit_code={code}")
               for code in (registered, unknown)]
    assert [r.status_code for r in answers] == [200, 200]
    assert answers[0].get_json() == answers[1].get_json()
    assert answers[0].get_json()["items"] == [] and answers[0].get_json()["total"] == 0
    pages = [client.get(f"/public/companies/{code}") for code in (registered, unknown)]
    assert [p.status_code for p in pages] == [200, 200]
    assert pages[0].get_data(as_text=True).replace(registered, "X") == \
        pages[1].get_data(as_text=True).replace(unknown, "X")
