"""Push: exactly once, conflicts kept, ownership, revocation (both backends)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from schemas.sync import OpSchema
from server import clock
from server.models import AuditEntry, SyncOp, Visit, VisitItem
from server.services.accounts import resolve_token
from server.services.errors import Forbidden
from server.services.push import push as push_batch
from sync.hlc import HLC
from tests import factories as f
from tests.assertions import assert_error
from tests.draws import version_id
from tests.phones import answer, op_id, push


def test_two_phones_editing_one_answer_offline_keep_both_and_a_resolve_clears_it(team):
    a, b = team.phones
    visit = team.visits[0]
    first_a = answer(visit, team.item, "yes", hlc=HLC(1000, 0, a[1][:8]))
    first_b = answer(visit, team.item, "no", hlc=HLC(1001, 0, b[1][:8]))
    assert push(a, [first_a]).get_json()["results"][0]["outcome"] == "applied"
    result = push(b, [first_b]).get_json()["results"][0]
    assert result["outcome"] == "conflict"
    assert {s["value"] for s in result["field"]["siblings"]} == {"yes", "no"}
    seen_a = a[0].get(f"/api/v1/visits/{visit}/conflicts").get_json()
    seen_b = b[0].get(f"/api/v1/visits/{visit}/conflicts").get_json()
    assert seen_a == seen_b and seen_a[0]["winner_op_id"] == first_b["op_id"]  # later HLC
    fix = answer(visit, team.item, "no", hlc=HLC(1002, 0, a[1][:8]), kind="resolve",
                 base=[first_a["op_id"], first_b["op_id"]])
    assert push(a, [fix]).get_json()["results"][0]["outcome"] == "applied"
    assert a[0].get(f"/api/v1/visits/{visit}/conflicts").get_json() == []
    history = b[0].get(f"/api/v1/visits/{visit}/history").get_json()
    assert [h["value"] for h in history] == ["yes", "no", "no"]  # nothing lost


def test_the_same_op_twice_has_one_effect_and_a_changed_payload_is_refused(team, session):
    a, _ = team.phones
    op = answer(team.visits[0], team.item, "yes", hlc=HLC(5, 0, "a"))
    assert push(a, [op]).get_json()["results"][0]["outcome"] == "applied"
    again = push(a, [op, op]).get_json()["results"]
    assert [r["outcome"] for r in again] == ["duplicate", "duplicate"]
    assert again[0]["stored_outcome"] == "applied"
    changed = {**op, "value": "no"}
    fresh = answer(team.visits[0], team.item, "na", hlc=HLC(6, 0, "a"))
    body = assert_error(push(a, [fresh, changed]), 409, "op_id_reused")
    assert body["op_ids"] == [op["op_id"]]
    session.expire_all()
    assert session.scalar(select(SyncOp).where(SyncOp.op_id == fresh["op_id"])) is None


def test_refusals_are_kept_in_the_history_with_their_reason(team, world, session):
    a, _ = team.phones
    ops = [answer(team.visits[0], team.item, "maybe", hlc=HLC(1, 0, "a")),
           answer(team.visits[0], team.item, "yes", hlc=HLC(2, 0, "a"), field="nope"),
           answer(team.visits[0], 2**31 - 1, "yes", hlc=HLC(3, 0, "a"))]
    outcomes = [(r["outcome"], r["reason"]) for r in push(a, ops).get_json()["results"]]
    assert outcomes == [("rejected", "bad_value"), ("rejected", "unknown_field"),
                        ("rejected", "item_not_in_visit")]
    session.get(Visit, team.visits[0]).state = "submitted"
    session.commit()
    late = answer(team.visits[0], team.item, "yes", hlc=HLC(9, 0, "a"))
    assert push(a, [late]).get_json()["results"][0]["reason"] == "visit_closed"
    history = world.sup_a.get(f"/api/v1/visits/{team.visits[0]}/history").get_json()
    assert [h["reason"] for h in history][-1] == "visit_closed"


def test_a_revoked_device_is_refused_and_its_data_stays(team, world, session):
    a, _ = team.phones
    push(a, [answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))])
    assert world.sup_a.post(f"/api/v1/devices/{a[1]}/revoke").status_code == 200
    assert_error(push(a, [answer(team.visits[0], team.item, "no", hlc=HLC(2, 0, "a"))]), 403,
                 "device_revoked")
    assert len(world.sup_a.get(f"/api/v1/visits/{team.visits[0]}/history").get_json()) == 1
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "device.refused",
                                                       AuditEntry.entity_id == a[1])).all()
    assert len(refused) == 1  # logged, although the refused request rolled back
    assert_error(world.sup_b.post(f"/api/v1/devices/{team.phones[1][1]}/revoke"), 404)


def push_with_a_change_on_the_way(session, db, phone, ops, change):
    """The push service called directly, with ``change`` committed between the reads it
    does before the write lock and the lock itself: what a concurrent request may do."""
    @contextmanager
    def reader():
        with db.read_session() as s:
            yield s  # the push reads the device, versions and items here
        change()

    actor = resolve_token(session, phone[0].token, now=clock.now())
    return push_batch(session, actor, device_id=phone[1], credential=phone[2],
                     ops=[OpSchema().load(op) for op in ops], reader=reader)


def test_a_device_revoked_while_its_push_is_on_the_way_stores_nothing(team, world, session,
                                                                       db):
    """The push reads the device before it takes the write lock; a revocation committed
    in between is seen under the lock, and the whole batch is refused."""
    a, _ = team.phones

    def revoke():
        assert world.sup_a.post(f"/api/v1/devices/{a[1]}/revoke").status_code == 200

    op = answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))
    with pytest.raises(Forbidden) as refused:
        push_with_a_change_on_the_way(session, db, a, [op], revoke)
    assert refused.value.code == "device_revoked"
    session.rollback()
    assert session.get(SyncOp, op["op_id"]) is None
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "device.refused",
                                                    AuditEntry.entity_id == a[1])).all()


def test_an_item_added_to_the_visit_while_a_push_is_on_the_way_is_answerable(team, world,
                                                                             session, db):
    """The push reads the visits' items before it takes the write lock; an item a merge
    adds in between is found under the lock, not refused as not in the visit."""
    a, _ = team.phones
    added = f.item(session, world.dept_a.id)
    session.commit()

    def add_item():
        with db.write_session() as w:
            w.add(VisitItem(visit_id=team.visits[0], item_version_id=version_id(added),
                            item_id=added.id, department_id=world.dept_a.id))
            w.commit()

    op = answer(team.visits[0], version_id(added), "yes", hlc=HLC(1, 0, "a"))
    results = push_with_a_change_on_the_way(session, db, a, [op], add_item)
    assert [(r["outcome"], r["reason"]) for r in results] == [("applied", None)]


def test_a_wrong_credential_or_someone_elses_device_is_refused(team):
    a, b = team.phones
    op = answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))
    assert_error(push((a[0], a[1], "wrong"), [op]), 403, "unknown_device")
    assert_error(push((a[0], b[1], b[2]), [op]), 403, "unknown_device")


def test_arrival_order_does_not_change_the_final_state(team):
    """The same concurrent ops pushed in opposite orders to two visits end the same."""
    a, b = team.phones
    v1, v2 = team.visits
    def ops(visit):
        x = answer(visit, team.item, "yes", hlc=HLC(10, 0, "a"))
        y = answer(visit, team.item, "no", hlc=HLC(10, 1, "b"))
        z = answer(visit, team.item, "na", hlc=HLC(11, 0, "a"), base=[x["op_id"]])
        return x, y, z
    x1, y1, z1 = ops(v1)
    x2, y2, z2 = ops(v2)
    push(a, [x1]), push(b, [y1]), push(a, [z1])
    push(a, [z2]), push(b, [y2]), push(a, [x2])
    c1 = a[0].get(f"/api/v1/visits/{v1}/conflicts").get_json()
    c2 = a[0].get(f"/api/v1/visits/{v2}/conflicts").get_json()
    assert [(c["value"], sorted(s["value"] for s in c["siblings"])) for c in c1] == \
        [(c["value"], sorted(s["value"] for s in c["siblings"])) for c in c2] == [("na", ["na", "no"])]


def test_on_site_answers_before_the_entry_reaches_the_server_are_kept_but_block_submission(
        team, world, session):
    """A teammate's phone may push before the phone that scanned at the door: its answers
    are kept; only the submission waits for the entry (扫码入企)."""
    from server.models import VisitEntry

    a, _ = team.phones
    visit = team.visits[1]
    session.execute(VisitEntry.__table__.delete().where(VisitEntry.visit_id == visit))
    session.get(Visit, visit).state = "issued"
    session.commit()
    result = push(a, [answer(visit, team.item, "yes", hlc=HLC(1, 0, "a"))]).get_json()
    assert result["results"][0]["outcome"] == "applied"
    submit = {"op_id": op_id(), "kind": "submit", "visit_id": visit, "base": [],
              "hlc": HLC(2, 0, "a").encode()}
    refused = push(a, [submit]).get_json()["results"][0]
    assert refused["reason"] == "not_ready" and {"problem": "not_entered"} in refused["problems"]


def test_the_register_heads_a_push_reads_are_found_through_the_index(session):
    """However long a visit's history, a push reads the heads of the registers it
    writes by the key of ``register_heads`` and each head's revision by its op id, never
    by scanning (SQLite scanned for a row-value IN list; PostgreSQL is told not to scan)."""
    from sqlalchemy import text

    from server.services.field_history import _HEADS

    stmt = _HEADS.build(visits=1, registers=2).params(
        visits_0=1, registers_0="a:1:licensed", registers_1="a:2:licensed")
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    if session.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(r[-1]) for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in session.execute(text(f"EXPLAIN {sql}")))
    assert "SCAN" not in plan.replace("Index Scan", "").replace("Index Only Scan", "") \
        and "Seq Scan" not in plan, plan
    assert ("PRIMARY KEY" in plan or "pk_register_heads" in plan) and \
        ("pk_field_revisions" in plan or "sqlite_autoindex_field_revisions_1" in plan), plan


def test_an_op_for_a_visit_the_owner_is_not_on_is_refused_without_being_stored(
        team, world, session, app):
    """Another department's inspector pushing to the team's visit, or to a visit id that
    does not exist: refused, nothing of it in the visit's history, one compact audit entry;
    sent again, the same answer."""
    _, token = f.user(session, "inspector", world.dept_b.id, world.inspector_b.id)
    session.commit()
    api = f.Api(app.test_client(), token)
    reg = api.post("/api/v1/devices", json={"name": "手机", "platform": "android"}).get_json()
    outsider = (api, reg["id"], reg["credential"])
    note = {"op_id": op_id(), "kind": "set_note", "visit_id": team.visits[0],
            "note_id": op_id(), "value": "x" * 5000, "base": [],
            "hlc": HLC(1, 0, "b").encode()}
    ops = [answer(team.visits[0], team.item, "yes", hlc=HLC(2, 0, "b")), note,
           answer(2**31 - 1, team.item, "yes", hlc=HLC(3, 0, "b"))]
    for _ in range(2):
        results = push(outsider, ops).get_json()["results"]
        assert [(r["outcome"], r["reason"]) for r in results] == \
            [("rejected", "not_a_team_member")] * 3
    session.expire_all()
    assert session.scalars(select(SyncOp).where(
        SyncOp.op_id.in_([o["op_id"] for o in ops]))).all() == []
    assert world.sup_a.get(f"/api/v1/visits/{team.visits[0]}/history").get_json() == []
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "sync.ops_refused", AuditEntry.entity_id == reg["id"])).all()
    assert len(entries) == 2
    assert entries[0].after == {"ops": [
        {"op_id": o["op_id"], "visit_id": o["visit_id"], "reason": "not_a_team_member"}
        for o in ops]}
    # A member's op is still kept in the history when refused.
    a, _ = team.phones
    push(a, [answer(team.visits[0], team.item, "maybe", hlc=HLC(4, 0, "a"))])
    assert len(world.sup_a.get(f"/api/v1/visits/{team.visits[0]}/history").get_json()) == 1


@pytest.mark.parametrize("value", ["x" * 5001, ["a"] * 101, ["a" * 65], {"a": 1}, [1]])
def test_an_op_value_beyond_the_caps_refuses_the_batch_before_anything_is_stored(
        team, session, value):
    """The caps hold for every op, applied or refused, the team's or not: a 1 MB note
    never reaches a history."""
    a, _ = team.phones
    fine = answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))
    for visit in (team.visits[0], 2**31 - 1):
        big = {"op_id": op_id(), "kind": "set_note", "visit_id": visit, "note_id": op_id(),
               "value": value, "base": [], "hlc": HLC(2, 0, "a").encode()}
        body = assert_error(push(a, [fine, big]), 422)
        assert "value" in str(body)
    session.expire_all()
    assert session.scalar(select(SyncOp).where(SyncOp.op_id == fine["op_id"])) is None


@pytest.mark.parametrize("char", ["\x00", "\x85", "\x9b", "\u202e", "\u2066"])
def test_control_and_bidi_characters_in_a_note_or_text_answer_refuse_the_batch(
        team, session, char):
    """Op values are text like any other field: NUL, C1 controls and bidi controls are
    refused before anything is stored, as in every text field."""
    a, _ = team.phones
    fine = answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))
    note = {"op_id": op_id(), "kind": "set_note", "visit_id": team.visits[0],
            "note_id": op_id(), "value": f"冷库{char}门", "base": [],
            "hlc": HLC(2, 0, "a").encode()}
    text = answer(team.visits[0], team.item, f"备注{char}", hlc=HLC(3, 0, "a"), field="remark")
    for bad in (note, text):
        body = assert_error(push(a, [fine, bad]), 422)
        assert "value" in str(body["errors"])
    session.expire_all()
    assert session.scalar(select(SyncOp).where(SyncOp.op_id == fine["op_id"])) is None
