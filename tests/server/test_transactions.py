"""One transaction owner: the request commits or rolls back (``server.request_scope``),
services only flush, and a refusal's audit entry is written apart from the request."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from flask import Blueprint
from sqlalchemy import func, select

from server.app import create_app
from server.db import Database, make_engine
from server.migrations import upgrade
from server.models import AuditEntry, Department, SyncOp
from server.request_scope import commit_before_answering, keep_even_if_refused, session
from server.services import audit, departments
from server.services.actors import SYSTEM
from server.services.errors import Forbidden
from sync.hlc import HLC
from tests.phones import answer, push


def probed(settings, db):
    """A client of an app with one extra route: it creates a department (and with it an
    audit entry), then ends the request in the way its URL names."""
    app = create_app(settings, db)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bp = Blueprint("transaction_probe", __name__)

    def create(code: str) -> None:
        departments.create(session(), SYSTEM, {"code": code, "name": f"部门{code}"})

    @bp.post("/probe/<ending>")
    def probe_route(ending):
        create("FIRST")
        if ending == "succeeds":
            return {}, 201
        if ending == "conflicts_at_commit":  # a duplicate code, left for the commit to flush
            session().add(Department(code="FIRST", name="另一个部门"))
            return {}, 201
        if ending == "is_refused_and_audited":
            audit.record_refusal(session(), SYSTEM, "probe.refused", "department", "FIRST",
                                 after={"code": "forbidden"})
        elif ending == "is_kept_although_refused":
            keep_even_if_refused()
        elif ending == "commits_before_answering_then_fails":
            commit_before_answering()
            create("LATER")
            raise RuntimeError("after the commit")
        elif ending == "fails":
            raise RuntimeError("half-way")
        raise Forbidden("Refused.")

    app.register_blueprint(bp)
    return app.test_client()


# --- who may end a transaction ------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("server/services", "server/api", "server/web")
# (file, function, receiver): the one place in these layers that ends the request's
# transaction: a refused request's work is rolled back before its refusal is audited apart.
ALLOWED = {("server/services/audit.py", "record_refusal", "session")}


def transaction_ends(source: str) -> list[tuple[str, str, str, int]]:
    """Every ``<receiver>.commit()`` and ``<receiver>.rollback()`` in the module, as
    (function, receiver, method, line), but those of a savepoint (a name assigned from
    ``begin_nested()``), which ends only a nested part of the request's transaction."""
    tree = ast.parse(source)
    savepoints = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                  and isinstance(node.value, ast.Call)
                  and isinstance(node.value.func, ast.Attribute)
                  and node.value.func.attr == "begin_nested"
                  for target in node.targets if isinstance(target, ast.Name)}
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and \
                    child.func.attr in ("commit", "rollback"):
                receiver = ast.unparse(child.func.value)
                if receiver not in savepoints:
                    found.append((function, receiver, child.func.attr, child.lineno))
            visit(child, child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                  else function)

    visit(tree, "<module>")
    return found


def test_services_and_views_never_commit_or_roll_back_the_request():
    """Only ``server.request_scope`` ends the request's transaction; a service that needs a
    transaction of its own says so with ``with db.write_session.begin()`` or
    ``for_writing(...)`` (server/db.py), which end themselves."""
    offending = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for function, receiver, method, line in transaction_ends(path.read_text("utf-8")):
                if (rel, function, receiver) not in ALLOWED:
                    offending.append(f"{rel}:{line} {function}: {receiver}.{method}()")
    assert offending == []


def test_the_scan_sees_a_commit_but_not_a_savepoints():
    source = ("def f(session):\n"
              "    part = session.begin_nested()\n"
              "    part.commit()\n"
              "    if part:\n"
              "        session.commit()\n")
    assert transaction_ends(source) == [("f", "session", "commit", 5)]


@pytest.fixture
def probe(app):
    fi = app.extensions["fieldinspect"]
    return probed(fi.settings, fi.db)


def departments_named(session_) -> set[str]:
    session_.expire_all()
    return set(session_.scalars(select(Department.code)))


def actions_since(session_, count: int) -> list[str]:
    return list(session_.scalars(select(AuditEntry.action).order_by(AuditEntry.id)
                                 .offset(count)))


def audit_count(session_) -> int:
    return session_.scalar(select(func.count()).select_from(AuditEntry))


def test_a_successful_request_commits_its_work(probe, session):
    before = audit_count(session)
    assert probe.post("/probe/succeeds").status_code == 201
    assert departments_named(session) == {"FIRST"}
    assert actions_since(session, before) == ["department.create"]


def test_a_conflict_found_at_commit_is_a_409_and_changes_nothing(probe, session):
    before = audit_count(session)
    resp = probe.post("/probe/conflicts_at_commit")
    assert resp.status_code == 409 and resp.get_json()["code"] == "conflict"
    assert departments_named(session) == set()
    assert audit_count(session) == before


def test_a_refused_request_changes_nothing(probe, session):
    before = audit_count(session)
    assert probe.post("/probe/is_refused").status_code == 403
    assert departments_named(session) == set()
    assert audit_count(session) == before


def test_a_failed_request_rolls_back(probe, session):
    before = audit_count(session)
    assert probe.post("/probe/fails").status_code == 500
    assert departments_named(session) == set()
    assert audit_count(session) == before


def test_a_refused_request_leaves_its_refusal_audited_and_nothing_else(probe, session):
    before = audit_count(session)
    assert probe.post("/probe/is_refused_and_audited").status_code == 403
    assert departments_named(session) == set()  # its half-done work is not committed with it
    assert actions_since(session, before) == ["probe.refused"]
    assert audit.verify(session).ok  # the entry chains onto the last committed one


def test_a_refusal_is_audited_on_a_real_database_while_the_request_held_the_write_lock(
        scratch_database_url, settings):
    """Outside the test harness's one connection: the request's transaction holds the
    write lock (SQLite) or the audit chain's lock (PostgreSQL) when it is refused, and
    the refusal's own transaction must not wait for it."""
    upgrade(scratch_database_url)
    db = Database(make_engine(scratch_database_url))
    answers = []
    request = threading.Thread(target=lambda: answers.append(
        probed(settings, db).post("/probe/is_refused_and_audited").status_code))
    request.start()
    request.join(timeout=60)
    assert not request.is_alive(), "the refusal's transaction waited for the request's"
    with db.read_session() as reader:
        assert answers == [403]
        assert departments_named(reader) == set()
        assert actions_since(reader, 0) == ["probe.refused"]
    db.engine.dispose()


def test_work_kept_although_refused_stays(probe, session):
    assert probe.post("/probe/is_kept_although_refused").status_code == 403
    assert departments_named(session) == {"FIRST"}


def test_what_was_committed_before_answering_stays_when_the_rest_fails(probe, session):
    assert probe.post("/probe/commits_before_answering_then_fails").status_code == 500
    assert departments_named(session) == {"FIRST"}


def test_a_revoked_phone_pulling_leaves_one_refusal_entry(world, session):
    """A pull is a GET (a read session): its refusal is still written, in a write
    transaction of its own."""
    phone = world.insp_a.post("/api/v1/devices", json={"name": "手机"}).get_json()
    assert world.sup_a.post(f"/api/v1/devices/{phone['id']}/revoke").status_code == 200
    before = audit_count(session)
    resp = world.insp_a.get(f"/api/v1/sync/pull?device_id={phone['id']}",
                            headers={"X-Device-Credential": phone["credential"]})
    assert resp.status_code == 403 and resp.get_json()["code"] == "device_revoked"
    assert actions_since(session, before) == ["device.refused"]
    assert audit.verify(session).ok


def test_a_push_refused_for_a_reused_op_id_leaves_its_refusal_audited(team, session):
    a, _ = team.phones
    op = answer(team.visits[0], team.item, "yes", hlc=HLC(5, 0, "a"))
    assert push(a, [op]).status_code == 200
    before = audit_count(session)
    fresh = answer(team.visits[0], team.item, "na", hlc=HLC(6, 0, "a"))
    resp = push(a, [fresh, {**op, "value": "no"}])
    assert resp.status_code == 409 and resp.get_json()["code"] == "op_id_reused"
    assert actions_since(session, before) == ["sync.op_id_reused"]
    assert session.get(SyncOp, fresh["op_id"]) is None
