"""The whole loop on both backends, through the API and the phones' client library:
draw → visit → offline answers, photos and the entry scan → sync → submit with every
department's signature → approve → a problem followed up by another department →
published, and the public page shows it with nothing personal."""

from __future__ import annotations

from sqlalchemy import select

from server.models import Inspector, User, Visit
from tests import factories as f
from tests.e2e.devices import jpeg, phone


def test_draw_to_publication_with_a_joint_team_on_their_phones(
        drawn, world, app, session, tmp_path):
    visit = drawn.visit
    members = {m.department_id: m.inspector_id for m in visit.members}
    assert len(members) == 3  # a joint team: one inspector per department
    users = {}
    for department, inspector in members.items():
        user = session.scalar(select(User).where(User.inspector_id == inspector))
        users[department] = user or f.user(session, "inspector", department, inspector)[0]
    session.commit()
    phones = {d: phone(app, tmp_path, u, f"phone-{d}") for d, u in users.items()}
    own_item = {i.department_id: i.item_version_id for i in visit.items}
    b = phones[world.dept_b.id]

    # At the premises, without signal: the entry scan, answers, notes, photos, results.
    b.record_entry_scan(visit.id, drawn.premises, latitude=38.04, longitude=114.51)
    for department, device in phones.items():
        item = own_item[department]
        device.record_answer(visit.id, item, "licensed", "no" if device is b else "yes")
        device.record_answer(visit.id, item, "temp", -18)
        device.attach_photo(visit.id, jpeg(tmp_path / f"photo-{department}.jpg", "navy"), item)
        device.record_result(visit.id, "pending" if device is b else "no_problem", item)
    b.record_note(visit.id, "许可证已过期，现场责令停止销售", item_version_id=own_item[world.dept_b.id])
    b.record_result(visit.id, "pending")
    # Signal returns; the phone that scanned at the door is not the first to sync (its
    # teammates' answers reach the server before the entry does, and are kept).
    order = [d for d in phones.values() if d is not b] + [b]
    for device in order:
        device.sync()
    for device in order:
        device.sync()
    assert {o for d in phones.values() for o, _ in d.replica.outcomes().values()} == {"applied"}
    hashes = {device.checklist_hash(visit.id) for device in phones.values()}
    assert len(hashes) == 1  # every phone shows the same checklist
    for department, device in phones.items():
        device.sign(visit.id, jpeg(tmp_path / f"sign-{department}.jpg", "white"))
        device.sync()
    b.company_sign(visit.id, jpeg(tmp_path / "sign-company.jpg", "gray"),
                   representative="王经理", statement="对检查记录无异议")
    b.submit(visit.id)
    report = b.sync()
    assert report.outcomes == {"applied": 2}, b.replica.db.execute(
        "SELECT outcome, reason FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()
    blobs = app.extensions["fieldinspect"].blobs()
    assert blobs.missing([p for (p,) in b.replica.db.execute("SELECT sha256 FROM photos")]) == []

    # The lead department's supervisor reviews and approves.
    (result,) = world.sup_a.get("/api/v1/results?state=submitted").get_json()["items"]
    assert result["visit_id"] == visit.id and result["category"] == "pending"
    by_item = {i["department_id"]: i["category"] for i in result["items"]}
    assert by_item == {world.dept_a.id: "no_problem", world.dept_b.id: "pending",
                       drawn_dept_c(members, world): "no_problem"}
    approved = world.sup_a.post(f"/api/v1/results/{result['id']}/approve").get_json()
    assert approved["state"] == "approved" and approved["publication_due"]
    for device in phones.values():
        device.sync()
        assert device.replica.db.execute("SELECT state FROM packs WHERE visit_id = ?",
                                         (visit.id,)).fetchone() == ("closed",)

    # The problem is in department B's remit: transferred, accepted, closed.
    transfer = world.sup_a.post(f"/api/v1/results/{result['id']}/follow-ups", json={
        "kind": "transfer", "description": "无证经营，移送乙部门查处",
        "department_id": world.dept_b.id}).get_json()
    assert [q["id"] for q in world.sup_b.get("/api/v1/follow-ups?queue=true").get_json()["items"]] == [
        transfer["id"]]
    world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/accept")
    world.sup_b.post(f"/api/v1/follow-ups/{transfer['id']}/close", json={
        "outcome": "已立案并责令停业整改", "resolved": True, "case_number": "乙立〔2026〕8号"})
    record = world.sup_a.get(f"/api/v1/companies/{visit.company_id}/record").get_json()
    assert record["inspections"][0]["loop"] == "closed" and record["open_follow_ups"] == []

    # Published (一公开): the company's public page lists the result, nothing personal.
    world.sup_a.post(f"/api/v1/results/{result['id']}/publish")
    page = app.test_client().get(f"/public/companies/{result['credit_code']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert result["company_name"] in text and "发现问题待后续处理" in text
    assert drawn.draw and "联合抽查" in text
    inspectors = session.scalars(select(Inspector).where(
        Inspector.id.in_(list(members.values())))).all()
    for inspector in inspectors:
        for personal in (inspector.name, inspector.id_number_masked, inspector.mobile,
                         inspector.certificate_number):
            assert not personal or personal not in text
    assert "许可证已过期" not in text  # notes stay internal
    task_page = app.test_client().get(f"/public/tasks/{result['task_id']}/results")
    assert result["credit_code"] in task_page.get_data(as_text=True)
    session.expire_all()
    assert session.get(Visit, visit.id).state == "closed"


def drawn_dept_c(members, world):
    return next(d for d in members if d not in (world.dept_a.id, world.dept_b.id))
