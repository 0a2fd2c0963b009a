"""The migrations, not create_all, build the schema: they must match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.models import Base


def test_migrations_match_the_models(backend):
    _, engine, _ = backend
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_audit_table_is_at_head_revision(backend):
    _, engine, _ = backend
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0013"
