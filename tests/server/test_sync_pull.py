"""Pull: in order, scoped, paginated, and without the commit-order hole."""

from __future__ import annotations

import random
import threading
import time
import uuid

from sqlalchemy import select

from server.models import Change
from sync.hlc import HLC
from tests import factories as f
from tests.assertions import assert_error
from tests.phones import answer, op, op_id, pull, push, submit


def test_a_teammate_pulls_the_other_phones_edits_with_the_field_state(team):
    a, b = team.phones
    start = pull(b).get_json()
    assert [c["kind"] for c in start["changes"]] == ["visit", "visit"]  # the two entries
    op = answer(team.visits[0], team.item, "yes", hlc=HLC(10, 0, "a"))
    push(a, [op])
    got = pull(b, start["cursor"]).get_json()
    [change] = got["changes"]
    assert change["op_id"] == op["op_id"] and change["value"] == "yes"
    # who answered (由谁填写): phone a's inspector, as /me names them
    assert change["author_inspector_id"] == a[0].get("/api/v1/me").get_json()["inspector_id"]
    assert change["state"]["value"] == "yes" and change["state"]["conflicted"] is False
    assert pull(b, got["cursor"]).get_json()["changes"] == []


def test_pull_pages_through_everything_in_order(team):
    a, b = team.phones
    push(a, [answer(team.visits[0], team.item, v, hlc=HLC(20 + i, 0, "a"))
             for i, v in enumerate(["yes", "no", "na", "yes"])])
    seen, cursor, more = [], None, True
    while more:
        page = pull(b, cursor, limit=2).get_json()
        seen += [c["seq"] for c in page["changes"]]
        cursor, more = page["cursor"], page["more"]
    assert seen == sorted(seen) and len(seen) == 2 + 4


def test_other_peoples_visits_are_not_pulled_and_bad_cursors_are_refused(team, world, session):
    a, _ = team.phones
    push(a, [answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a"))])
    stranger = f.inspector(session, world.dept_b.id)
    _, token = f.user(session, "inspector", world.dept_b.id, stranger.id)
    session.commit()
    api = f.Api(a[0].client, token)
    reg = api.post("/api/v1/devices", json={"name": "别人的手机"}).get_json()
    assert "id" in reg, reg
    phone = (api, reg["id"], reg["credential"])
    assert pull(phone).get_json()["changes"] == []
    assert_error(pull(phone, cursor="not-a-cursor"), 422, "bad_cursor")
    assert_error(pull((api, a[1], a[2])), 403, "unknown_device")  # someone else's device


def test_concurrent_writers_never_leave_a_hole_behind_a_polling_reader(scratch_database_url):
    """Writers commit in random order with random delays; the reader advances its cursor
    to the highest number it has seen. It must end having seen every change."""
    from server.db import Database, make_engine
    from server.migrations import upgrade
    from server.services import changes

    upgrade(scratch_database_url)
    kwargs = {} if scratch_database_url.startswith("sqlite") else {"pool_size": 12}
    db = Database(make_engine(scratch_database_url, **kwargs))
    written, seen, done = [], [], threading.Event()
    lock = threading.Lock()

    def writer(n):
        rnd = random.Random(n)
        for _ in range(15):
            ref = str(uuid.uuid4())
            with db.write_session() as s:
                changes.record(s, [(1, "field", ref)])
                time.sleep(rnd.random() * 0.004)  # hold the transaction open a little
                s.commit()
            with lock:
                written.append(ref)

    def reader():
        cursor = 0
        while True:
            finished = done.is_set()
            with db.read_session() as s:
                rows = s.execute(select(Change.seq, Change.ref).where(Change.seq > cursor)
                                 .order_by(Change.seq)).all()
            if rows:
                seen.extend(r.ref for r in rows)
                cursor = rows[-1].seq
            if finished:
                return
            time.sleep(0.001)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    polling = threading.Thread(target=reader)
    polling.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    polling.join()
    db.engine.dispose()
    assert len(written) == 120
    assert sorted(seen) == sorted(written)  # nothing missed, nothing twice


def test_progress_shows_each_devices_last_sync_and_ops_known(team, world):
    a, b = team.phones
    push(a, [answer(team.visits[0], team.item, "yes", hlc=HLC(1, 0, "a")),
             answer(team.visits[0], team.item, "no", hlc=HLC(2, 0, "a"))])
    devices = {d["device_id"]: d for d in world.sup_a.get("/api/v1/progress").get_json()["devices"]}
    assert devices[a[1]]["ops_known"] == 2 and devices[a[1]]["last_sync_at"]
    assert devices[b[1]]["ops_known"] == 0 and devices[b[1]]["last_sync_at"] is None
    assert world.sup_b.get("/api/v1/progress").get_json()["devices"] == []


def test_a_pulled_note_names_the_item_it_is_about(team):
    a, b = team.phones
    start = pull(b).get_json()
    on_item = op(team.visits[0], "set_note", hlc=HLC(20, 0, "a"), note_id=op_id(),
                 value="灭火器过期", item_version_id=team.item)
    on_visit = op(team.visits[0], "set_note", hlc=HLC(21, 0, "a"), note_id=op_id(),
                  value="企业负责人在场")
    push(a, [on_item, on_visit])
    item_note, visit_note = pull(b, start["cursor"]).get_json()["changes"]
    assert (item_note["type"], item_note["item_version_id"]) == ("note", team.item)
    assert (visit_note["type"], visit_note["item_version_id"]) == ("note", None)
    assert item_note["note_id"] == on_item["note_id"]


def test_the_review_of_a_submitted_visit_reaches_the_phones_with_its_state(team, world):
    a, b = team.phones
    visit = team.visits[0]
    start = pull(b).get_json()["cursor"]

    def reviewed(cursor):
        got = pull(b, cursor).get_json()
        return [(c["state"], c["review"]) for c in got["changes"]
                if c["kind"] == "visit" and c["visit_id"] == visit][-1], got["cursor"]

    result_id = submit(team, visit)
    (state, review), cursor = reviewed(start)
    assert state == "submitted" and review["state"] == "submitted" and review["reason"] is None
    world.sup_a.post(f"/api/v1/results/{result_id}/return", json={"reason": "照片不清晰，请补拍"})
    (state, review), cursor = reviewed(cursor)
    assert state == "entered"  # reopened: the team corrects it
    assert (review["state"], review["reason"], review["returns"]) == \
        ("returned", "照片不清晰，请补拍", 1)
    assert review["reviewed_at"] is not None
    fixed = submit(team, visit, start=400)  # the same answers again: equal values merge
    assert fixed == result_id
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    (state, review), _ = reviewed(cursor)
    assert state == "closed" and (review["state"], review["reason"]) == ("approved", None)


def test_a_visit_change_before_any_submission_has_no_review(team):
    changes = pull(team.phones[1]).get_json()["changes"]
    assert [c["review"] for c in changes if c["kind"] == "visit"] == [None, None]
