"""Phones (the ``sync.client`` library over HTTP) against the real app, both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from server import clock
from server.models import SyncOp, User, Visit
from sync.client import Device, SyncError
from tests import factories as f
from tests.e2e.devices import jpeg, phone
from tests.wsgi_requests import BASE, session_for


@pytest.fixture
def phones(team, app, session, tmp_path):
    visit = session.get(Visit, team.visits[0])
    users = session.scalars(select(User).where(User.inspector_id.in_(
        [m.inspector_id for m in visit.members])).order_by(User.id)).all()
    return [phone(app, tmp_path, u, f"phone-{i}") for i, u in enumerate(users)]


def test_two_phones_edit_one_answer_offline_see_one_winner_and_a_resolve_clears_both(
        team, phones, world, tmp_path):
    a, b = phones
    visit, item = team.visits[0], team.item
    register = f"a:{item}:licensed"
    a.record_answer(visit, item, "licensed", "yes", note="证照齐全")
    b.record_answer(visit, item, "licensed", "no", note="许可证过期")
    assert not a.conflicts(visit) and not b.conflicts(visit)  # each offline, each sure
    a.sync(), b.sync(), a.sync()

    for device in (a, b):
        state = device.state(visit, register)
        assert state.conflicted and {s.value for s in state.siblings} == {"yes", "no"}
    assert a.state(visit, register).winner == b.state(visit, register).winner
    server = world.sup_a.get(f"/api/v1/visits/{visit}/conflicts").get_json()
    assert server[0]["winner_op_id"] == a.state(visit, register).winner.op_id

    a.resolve(visit, register, "no")
    a.sync(), b.sync()
    for device in (a, b):
        assert not device.state(visit, register).conflicted
        assert device.state(visit, register).value == "no"
    assert world.sup_a.get(f"/api/v1/visits/{visit}/conflicts").get_json() == []
    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    assert sorted(h["value"] for h in history) == ["no", "no", "yes"]  # nothing lost


def test_a_phone_records_everything_offline_and_submits_after_one_sync(
        team, phones, app, session, tmp_path):
    a, b = phones
    visit, item = team.visits[0], team.item
    photo = a.attach_photo(visit, jpeg(tmp_path / "cold-store.jpg", "navy"), item)
    a.record_answer(visit, item, "licensed", "yes")
    a.record_answer(visit, item, "temp", -18)
    a.record_note(visit, "冷库温度正常", item_version_id=item)
    a.record_result(visit, "no_problem")
    a.sign(visit, jpeg(tmp_path / "sign-a.jpg", "white"))
    a.sync()
    b.sync()  # b now holds a's answers: its signature signs the same checklist
    assert b.checklist_hash(visit) == a.checklist_hash(visit)
    b.sign(visit, jpeg(tmp_path / "sign-b.jpg", "gray"))
    b.company_sign(visit, refused_because="当事人拒绝签字，二人在场见证")
    b.submit(visit)
    report = b.sync()
    assert report.outcomes == {"applied": 3}
    assert app.extensions["fieldinspect"].blobs().missing([photo]) == []
    session.expire_all()
    assert session.get(Visit, visit).state == "submitted"
    a.sync()
    assert a.replica.db.execute("SELECT state FROM packs WHERE visit_id = ?",
                                (visit,)).fetchone() == ("submitted",)
    # A late edit is refused, kept on the server as refused, and dropped from the phone.
    late = a.record_answer(visit, item, "licensed", "no")
    a.sync()
    assert a.replica.outcomes()[late] == ("rejected", "visit_closed")
    assert a.state(visit, f"a:{item}:licensed").value == "yes"
    assert session.scalar(select(func.count()).select_from(SyncOp)
                          .where(SyncOp.op_id == late)) == 1


def test_a_sync_cut_anywhere_is_resumed_by_calling_it_again(team, phones, session):
    """The response of a push is lost: the ops go again and count once."""
    a, _ = phones
    visit, item = team.visits[0], team.item
    for value in ("yes", "no", "na", "yes"):
        a.record_answer(visit, item, "licensed", value)
    pending = a.replica.pending_ops(10)
    a.http.post(f"{BASE}/api/v1/sync/push", json={"device_id": a.device_id, "ops": pending[:3]},
                headers=a._headers(True))  # answered, but the phone never heard
    report = a.sync()
    assert report.outcomes == {"duplicate": 3, "applied": 1}
    assert a.replica.count("outbox", "pending") == 0
    assert session.scalar(select(func.count()).select_from(SyncOp)
                          .where(SyncOp.device_id == a.device_id)) == 4


def test_a_push_larger_than_the_byte_cap_goes_in_several_bodies_under_it(
        team, phones, session):
    """Long Chinese notes (three bytes a character): the phone sends its stored ops in
    bodies under the cap the server advertises, and every op arrives once."""
    a, _ = phones
    visit, item = team.visits[0], team.item
    ops = [a.record_answer(visit, item, "licensed", ("yes", "no")[i % 2],
                           note=f"{i}" + "现场检查记录" * 800) for i in range(12)]
    cap = a._call("GET", "/sync/limits")["max_bytes"]
    bodies: list[int] = []
    a.http.hooks["response"].append(
        lambda r, *_, **__: bodies.append(len(r.request.body))
        if r.request.url.endswith("/sync/push") else None)
    report = a.sync()
    assert report.pushed == 12 and report.outcomes == {"applied": 12}
    assert len(bodies) >= 12 * 14_400 // cap and max(bodies) <= cap
    assert session.scalar(select(func.count()).select_from(SyncOp)
                          .where(SyncOp.op_id.in_(ops))) == 12


def test_a_joint_team_shares_one_checklist_each_department_answering_its_own_items(
        drawn, app, session, tmp_path, world):
    visit = drawn.visit
    own = {m.department_id: m.inspector_id for m in visit.members}
    b_user = session.scalar(select(User).where(User.inspector_id == own[world.dept_b.id]))
    other_dept = next(d for d in own if d != world.dept_b.id)
    other_user, _ = f.user(session, "inspector", other_dept, own[other_dept])
    session.commit()
    b = phone(app, tmp_path, b_user, "b")
    other = phone(app, tmp_path, other_user, "other")
    b_item = next(i.item_version_id for i in visit.items if i.department_id == world.dept_b.id)

    b.record_entry_scan(visit.id, drawn.premises)  # offline, at the door
    b.record_answer(visit.id, b_item, "licensed", "yes")
    b.record_note(visit.id, "仓库整洁", item_version_id=b_item)
    not_mine = other.record_answer(visit.id, b_item, "licensed", "no")
    other.record_note(visit.id, "消防通道畅通", item_version_id=b_item)  # notes: any member
    assert b.sync().outcomes == {"applied": 3}
    other.sync()
    assert other.replica.outcomes()[not_mine] == ("rejected", "item_of_other_department")
    b.sync()
    for device in (b, other):  # one checklist: the same answer and both notes everywhere
        assert device.state(visit.id, f"a:{b_item}:licensed").value == "yes"
        notes = {s.value for k, s in device.replica.states(visit.id).items()
                 if k.startswith("n:")}
        assert notes == {"仓库整洁", "消防通道畅通"}
    assert b.replica.db.execute("SELECT state FROM packs WHERE visit_id = ?",
                                (visit.id,)).fetchone() == ("entered",)


def test_a_phone_keeps_only_its_token_and_asks_for_the_password_again_when_it_expires(
        team, app, session, tmp_path, clock_at):
    visit = session.get(Visit, team.visits[0])
    user = session.scalars(select(User).where(
        User.inspector_id == visit.members[0].inspector_id)).one()
    asked = []

    def ask(username):
        asked.append(username)
        return f.PASSWORD

    device = Device(tmp_path / "phone.sqlite", BASE, http=session_for(app),
                    clock=lambda: clock.now().timestamp(), ask_password=ask)
    device.sign_in(user.username, f.PASSWORD)
    device.register("phone")
    device.replica.db.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("phone.sqlite*"))
    assert f.PASSWORD.encode() not in stored
    assert device.replica.get("login") is None and device.replica.get("username") == user.username

    clock_at(clock.now() + dt.timedelta(days=2))  # the token has expired
    assert visit.id in device.refresh_packs() and asked == [user.username]

    device.ask_password = None  # nobody at the phone: the sync says so instead of guessing
    clock_at(clock.now() + dt.timedelta(days=4))
    with pytest.raises(SyncError) as refused:
        device.refresh_packs()
    assert refused.value.status == 401
    device.close()


def test_a_replica_that_kept_a_password_forgets_it_when_opened(tmp_path):
    from sync.replica import Replica

    old = Replica(tmp_path / "old.sqlite")
    old.put("login", ["insp-1", "the password"])
    old.close()
    device = Device(tmp_path / "old.sqlite", BASE)
    assert device.replica.get("login") is None and device.replica.get("username") == "insp-1"
    device.close()


def test_a_phone_refuses_to_record_a_value_the_server_would_refuse(team, phones):
    """The server refuses a whole batch holding a value beyond the caps: such an op never
    enters the outbox, where it would block every later push."""
    a, _ = phones
    visit = team.visits[0]
    with pytest.raises(ValueError, match="5000"):
        a.record_note(visit, "x" * 5001)
    with pytest.raises(ValueError, match="note"):
        a.record_answer(visit, team.item, "licensed", "yes", note="x" * 5001)
    a.record_note(visit, "x" * 5000)
    assert a.replica.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
    assert a.push().pushed == 1
