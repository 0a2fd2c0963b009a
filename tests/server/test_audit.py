"""The hash-chained audit log: every change appended, tampering detected."""

from __future__ import annotations

from sqlalchemy import select, text

from server.models import AuditEntry
from tests import factories as f
from tests.assertions import assert_error


def test_a_change_is_logged_with_who_what_before_and_after(world, session):
    resp = world.admin.patch(f"/api/v1/departments/{world.dept_a.id}", json={"name": "新名称"})
    assert resp.status_code == 200
    page = world.admin.get("/api/v1/audit?entity_type=department&action=department.update").get_json()
    assert page["total"] == 1
    entry = page["items"][0]
    assert entry["actor"] == world.admin_user.username
    assert entry["entity_id"] == str(world.dept_a.id)
    assert entry["before"] == {"name": "甲部门"} and entry["after"] == {"name": "新名称"}


def test_a_refused_request_leaves_no_audit_entry(world, session):
    before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert_error(world.admin.post("/api/v1/departments", json={"code": "DA", "name": "重复"}), 409)
    session.expire_all()
    assert session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) == before


def test_verify_passes_on_an_untouched_log(world):
    result = world.admin.get("/api/v1/audit/verify").get_json()
    assert result["ok"] is True and result["checked"] >= 4


def test_editing_one_entry_by_hand_is_detected(world, session):
    f.company(session)
    session.commit()
    target = session.scalar(select(AuditEntry.id).where(AuditEntry.action == "company.create"))
    session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": target})
    session.commit()
    result = world.admin.get("/api/v1/audit/verify").get_json()
    assert result["ok"] is False and result["first_bad_id"] == target
    assert "edited" in result["reason"]


def test_deleting_an_entry_by_hand_is_detected(world, session):
    ids = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": ids[1]})
    session.commit()
    result = world.admin.get("/api/v1/audit/verify").get_json()
    assert result["ok"] is False and result["first_bad_id"] == ids[2]


def test_each_entry_chains_onto_the_previous_one(world, session):
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert rows[0].prev_hash == "0" * 64
    for prev, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == prev.hash


def test_only_admins_read_the_audit_log(world):
    for client in (world.coordinator, world.sup_a, world.insp_a):
        assert_error(client.get("/api/v1/audit"), 403)
        assert_error(client.get("/api/v1/audit/verify"), 403)


def test_audit_filters_by_actor_and_action_prefix(world, session):
    world.admin.post("/api/v1/tags", json={"code": "t-1", "name": "标签", "kind": "other"})
    page = world.admin.get(f"/api/v1/audit?actor={world.admin_user.username}&action=tag.").get_json()
    assert page["total"] == 1 and page["items"][0]["action"] == "tag.create"


def test_concurrent_writers_never_fork_the_chain(scratch_database_url):
    """Real connections, real commits, many threads: the chain must stay one line."""
    from concurrent.futures import ThreadPoolExecutor

    from server.db import Database, make_engine
    from server.migrations import upgrade
    from server.services import audit, tags
    from server.services.actors import SYSTEM

    upgrade(scratch_database_url)
    db = Database(make_engine(scratch_database_url, pool_size=8, max_overflow=0)
                  if not scratch_database_url.startswith("sqlite")
                  else make_engine(scratch_database_url))

    def write(n):
        for i in range(5):
            with db.write_session() as s:
                tags.create(s, SYSTEM, {"code": f"c-{n}-{i}", "name": "并发", "kind": "other"})
                s.commit()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    with db.read_session() as s:
        result = audit.verify(s)
    db.engine.dispose()
    assert result.ok, result
    assert result.checked == 40


def test_chinese_in_audit_entries_is_stored_readably(world, session):
    world.admin.patch(f"/api/v1/departments/{world.dept_a.id}", json={"name": "赞皇县交通运输局"})
    raw = session.execute(text("SELECT CAST(after AS TEXT) FROM audit_log "
                               "WHERE action = 'department.update'")).scalar()
    assert "赞皇县交通运输局" in raw
