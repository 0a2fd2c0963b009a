"""The migrations, not create_all, build the schema: they must match the models exactly,
and carry the data a database already holds down and up again."""

from __future__ import annotations

import contextlib

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from server.app import create_app
from server.db import Database, make_engine
from server.migrations import alembic_config, upgrade
from server.models import Base
from sync.hlc import HLC
from tests import factories as f
from tests.conftest import TestDatabase as OneConnection
from tests.conftest import make_world
from tests.phones import answer, make_team, push


def test_migrations_match_the_models(backend):
    _, engine, _ = backend
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_audit_table_is_at_head_revision(backend):
    _, engine, _ = backend
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0016"


@contextlib.contextmanager
def _committed_team(url: str, settings):
    """(engine, world, team) on the migrated database at ``url``; what the block does
    through the app is committed when it ends."""
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        outer = conn.begin()
        db = OneConnection(conn)
        app = create_app(settings, db)
        with db.write_session() as session:
            world = make_world(app, session)
            team = make_team(world, session, app)
        yield engine, world, team
        outer.commit()


def _sync_state(conn) -> dict:
    """What 0013 moved: the heads, the bases not yet received, each device's op count."""
    rows = {
        "heads": "SELECT visit_id, register, op_id FROM register_heads",
        "bases": "SELECT base_op_id, op_id FROM revision_bases",
        "revisions": "SELECT op_id FROM field_revisions",
        "ops_known": "SELECT id, ops_known FROM devices",
    }
    return {name: set(map(tuple, conn.execute(text(sql)))) for name, sql in rows.items()}


def test_0013_carries_heads_and_late_bases_down_and_up_again_and_the_push_goes_on(
        scratch_database_url, settings):
    """Migrations on a database holding data: a conflict (two heads), a settled register,
    and an op whose base has not arrived yet survive 0013 -> 0012 -> 0013 unchanged, and the
    late op pushed afterwards is still recognised as late."""
    url = scratch_database_url
    with _committed_team(url, settings) as (engine, _, team):
        a, b = team.phones
        visit = team.visits[0]
        first_a = answer(visit, team.item, "yes", hlc=HLC(10, 0, "a"))
        first_b = answer(visit, team.item, "no", hlc=HLC(11, 0, "b"))
        unsent = answer(visit, team.item, -20, field="temp", hlc=HLC(12, 0, "a"))
        on_top = answer(visit, team.item, -18, field="temp", base=[unsent["op_id"]],
                        hlc=HLC(13, 0, "a"))
        results = [push(a, [first_a]), push(b, [first_b]), push(a, [on_top])]
        assert [r.get_json()["results"][0]["outcome"] for r in results] == [
            "applied", "conflict", "applied"]
    with engine.connect() as conn:
        before = _sync_state(conn)
    assert len(before["heads"]) == 3 and before["bases"] == {(unsent["op_id"], on_top["op_id"])}

    command.downgrade(alembic_config(url), "0012")
    with engine.connect() as conn:
        flagged = set(map(tuple, conn.execute(text(
            "SELECT visit_id, register, op_id FROM field_revisions WHERE is_head"))))
        assert flagged == before["heads"]
        assert set(map(tuple, conn.execute(text(
            "SELECT base_op_id, op_id FROM revision_bases")))) == before["bases"]
        assert "ix_sync_ops_device_id" in {i["name"] for i in inspect(conn).get_indexes("sync_ops")}
    upgrade(url)
    with engine.connect() as conn:
        assert _sync_state(conn) == before
    engine.dispose()

    database = Database(make_engine(url))
    try:
        later = create_app(settings, database).test_client()
        phone = (f.Api(later, a[0].token), a[1], a[2])
        late = push(phone, [unsent]).get_json()["results"][0]
        assert (late["outcome"], late["reason"]) == ("applied", None)
        with database.engine.connect() as conn:
            after = _sync_state(conn)
        assert after["heads"] == before["heads"]  # the late value is history, not a head
        assert unsent["op_id"] in {r for (r,) in after["revisions"]}
        assert dict(after["ops_known"])[a[1]] == dict(before["ops_known"])[a[1]] + 1
        conflicts = phone[0].get(f"/api/v1/visits/{visit}/conflicts").get_json()
        assert [c["field"] for c in conflicts] == ["licensed"]
    finally:
        database.engine.dispose()


def test_0014_gives_an_existing_publication_deadline_its_count_and_source(
        scratch_database_url, settings):
    """A result approved before 0014 (its deadline a bare date) comes out of 0014 with the
    publication rule's days and the official source, so a notice can count it again; a
    follow-up's date is left as set by hand."""
    from tests.phones import submit

    url = scratch_database_url
    with _committed_team(url, settings) as (engine, world, team):
        result_id = submit(team, team.visits[0], category="pending")
        approved = world.sup_a.post(f"/api/v1/results/{result_id}/approve").get_json()
        world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups",
                         json={"kind": "rectify", "description": "限期整改"})
    command.downgrade(alembic_config(url), "0013")
    with engine.connect() as conn:
        assert "publication_days" not in {c["name"] for c in inspect(conn).get_columns("results")}
        # a date on PostgreSQL, text on SQLite
        assert str(conn.scalar(text("SELECT publication_due FROM results")))[:10] == \
            approved["publication_due"]
    upgrade(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT publication_days, publication_due_source, "
                                "entry_due_days, entry_due_source FROM results")).one()
        assert tuple(row) == (20, "official", None, None)
        assert tuple(conn.execute(text("SELECT due_days, due_source FROM follow_ups")).one()) \
            == (None, None)
        assert "calendar_notices" in inspect(conn).get_table_names()
    engine.dispose()
