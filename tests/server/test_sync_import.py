"""An outbox backup (导出备份) imported: its ops pushed from a device of the same
inspector, in batches, exactly once; another user's file, a file of another format and a
file too large are refused with nothing stored (both backends)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from schemas.sync import MAX_BACKUP_OPS, MAX_BATCH_OPS
from server.models import AuditEntry, SyncOp
from sync.hlc import HLC
from tests.assertions import assert_error
from tests.phones import answer, op, op_id, push


def backup(phone, ops, *, device_id="0190a6e0-0000-7000-8000-000000000000"):
    """The file the app writes: the phone's account, the device that recorded the ops."""
    me = phone[0].get("/api/v1/me").get_json()
    return {"format": "fieldinspect-outbox", "version": 1,
            "exported_at": "2026-11-22T18:00:00+08:00",
            "user": {"id": me["id"], "username": me["username"]}, "device_id": device_id,
            "ops": ops}


def import_(phone, body, **kw):
    api, device_id, credential = phone
    return api.post("/api/v1/sync/import", json=body, headers={
        "X-Device-Id": device_id, "X-Device-Credential": credential}, **kw)


def new_device(phone):
    """The same inspector's phone registered again (its credential lost, the app reinstalled)."""
    api = phone[0]
    reg = api.post("/api/v1/devices", json={"name": "新手机", "platform": "android"}).get_json()
    return api, reg["id"], reg["credential"]


def notes(visit, n, node="a"):
    return [op(visit, "set_note", note_id=op_id(), value=f"备注 {i}", hlc=HLC(100 + i, 0, node))
            for i in range(n)]


def stored(session, ops):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(SyncOp).where(
        SyncOp.op_id.in_([o["op_id"] for o in ops])))


def test_importing_ops_the_phone_pushed_already_answers_every_one_duplicate(team, world):
    a, _ = team.phones
    visit = team.visits[0]
    ops = [answer(visit, team.item, "yes", hlc=HLC(10, 0, "a")), *notes(visit, 2)]
    assert {r["outcome"] for r in push(a, ops).get_json()["results"]} == {"applied"}
    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    resp = import_(new_device(a), backup(a, ops, device_id=a[1]))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["counts"] == {"applied": 0, "duplicate": 3, "conflict": 0, "rejected": 0}
    assert [(r["op_id"], r["stored_outcome"]) for r in body["results"]] == \
        [(o["op_id"], "applied") for o in ops]
    assert world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json() == history


def test_never_pushed_ops_are_applied_once_under_the_importing_device(team, world, session):
    a, _ = team.phones
    visit = team.visits[0]
    ops = [answer(visit, team.item, "yes", hlc=HLC(10, 0, "a")),
           answer(visit, team.item, -18, field="temp", hlc=HLC(11, 0, "a")), *notes(visit, 2)]
    phone = new_device(a)
    file = backup(a, ops, device_id=a[1])
    first = import_(phone, file).get_json()
    assert first["batches"] == 1
    assert [r["outcome"] for r in first["results"]] == ["applied"] * 4
    again = import_(phone, file).get_json()  # the same file twice: nothing stored twice
    assert again["counts"] == {"applied": 0, "duplicate": 4, "conflict": 0, "rejected": 0}
    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    assert [h["op_id"] for h in history] == [o["op_id"] for o in ops]
    assert {h["device_id"] for h in history} == {phone[1]}
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "sync.backup_imported", AuditEntry.entity_id == phone[1])
        .order_by(AuditEntry.id)).first()
    assert entry.after == {"from_device": a[1], "exported_at": "2026-11-22T18:00:00+08:00",
                           "ops": 4, "applied": 4, "duplicate": 0, "conflict": 0,
                           "rejected": 0}


def test_a_backup_larger_than_one_push_goes_in_batches_in_the_files_order(team, world, session):
    a, _ = team.phones
    visit = team.visits[0]
    ops = notes(visit, MAX_BATCH_OPS + 2)
    ops.append(answer(visit, team.item, "maybe", hlc=HLC(9000, 0, "a")))  # refused: bad_value
    body = import_(a, backup(a, ops)).get_json()
    assert body["batches"] == 2
    assert [r["op_id"] for r in body["results"]] == [o["op_id"] for o in ops]
    assert body["counts"] == {"applied": MAX_BATCH_OPS + 2, "duplicate": 0, "conflict": 0,
                              "rejected": 1}
    assert body["results"][-1]["reason"] == "bad_value"
    assert stored(session, ops) == len(ops)


def test_another_users_backup_is_refused_and_nothing_is_stored(team, world, session):
    a, b = team.phones
    ops = notes(team.visits[0], 2)
    file = backup(a, ops)
    body = assert_error(import_(b, file), 403, "backup_of_another_user")
    assert "another account" in body["message"]
    assert stored(session, ops) == 0
    refused = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "sync.backup_refused")).all()
    assert [(e.entity_id, e.after) for e in refused] == \
        [(str(file["user"]["id"]), {"username": file["user"]["username"]})]


def test_the_device_proof_must_be_a_device_of_the_importer(team, world, session):
    a, b = team.phones
    ops = notes(team.visits[0], 1)
    for phone in ((a[0], b[1], b[2]), (a[0], a[1], "wrong"), (a[0], "", a[2])):
        assert_error(import_(phone, backup(a, ops)), 403, "unknown_device")
    assert stored(session, ops) == 0


@pytest.mark.parametrize("change", [
    {"format": "something-else"}, {"version": 2}, {"version": "1"}, {"ops": []},
    {"exported_at": "yesterday"}, {"photos": []}])
def test_a_file_of_another_format_or_version_is_refused(team, world, session, change):
    a, _ = team.phones
    ops = notes(team.visits[0], 1)
    body = assert_error(import_(a, {**backup(a, ops), **change}), 422,
                        "validation_error")
    assert set(body["errors"]["json"]) == set(change)
    assert stored(session, ops) == 0


def test_a_file_over_the_byte_cap_is_refused_with_the_limit(team, world, session, settings):
    a, _ = team.phones
    limit = MAX_BACKUP_OPS // MAX_BATCH_OPS * settings.max_body_bytes
    ops = [op(team.visits[0], "set_note", note_id=op_id(), value="x" * 5000,
              hlc=HLC(1 + i, 0, "a")) for i in range(limit // 5000 + 1)]
    body = assert_error(import_(a, backup(a, ops)), 413, "body_too_large")
    assert body["limit_bytes"] == limit
    assert stored(session, ops) == 0


def test_more_ops_than_a_backup_holds_are_refused(team, world, session, settings):
    a, _ = team.phones
    ops = [op(team.visits[0], "submit", hlc=HLC(1, 0, "a")) for _ in range(MAX_BACKUP_OPS + 1)]
    for o in ops:
        del o["base"]
    text = json.dumps(backup(a, ops), separators=(",", ":"))
    assert len(text) < MAX_BACKUP_OPS // MAX_BATCH_OPS * settings.max_body_bytes  # not the byte cap
    api, device_id, credential = a
    resp = api.post("/api/v1/sync/import", data=text, content_type="application/json",
                    headers={"X-Device-Id": device_id, "X-Device-Credential": credential})
    body = assert_error(resp, 422, "validation_error")
    assert "ops" in body["errors"]["json"]
    assert stored(session, ops[:10]) == 0


def test_an_op_id_reused_in_a_later_batch_refuses_the_import_before_the_first(team, world,
                                                                             session):
    a, _ = team.phones
    visit = team.visits[0]
    pushed = answer(visit, team.item, "yes", hlc=HLC(1, 0, "a"))
    push(a, [pushed])
    ops = [*notes(visit, MAX_BATCH_OPS), {**pushed, "value": "no"}]
    body = assert_error(import_(a, backup(a, ops)), 409, "op_id_reused")
    assert body["op_ids"] == [pushed["op_id"]]
    assert stored(session, ops[:-1]) == 0
