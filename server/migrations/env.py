"""Alembic environment: one transaction per migration, short lock timeouts on PostgreSQL
(so a migration waiting behind a long query fails fast instead of blocking every request),
batch mode on SQLite (which cannot ALTER most things in place).

On SQLite, foreign keys are not enforced while migrating and are checked after each
migration instead (``PRAGMA foreign_key_check``, in its transaction): SQLite's own
procedure for changing a table's definition. A batch migration copies a table, drops
the old one and renames the copy; with enforcement on, SQLite treats that drop as a
delete of every row, and refuses it as soon as another table's rows refer to them."""

from __future__ import annotations

from alembic import context

from server.db import make_engine
from server.models import Base

config = context.config
target_metadata = Base.metadata


def _check_foreign_keys(ctx, step, **_) -> None:
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration {step.up_revision_id} breaks foreign keys: {broken[:5]}")


def _configure(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET lock_timeout = '5s'")
        connection.exec_driver_sql("SET statement_timeout = '600s'")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        transaction_per_migration=True,
        render_as_batch=sqlite,
        compare_type=True,
        on_version_apply=[_check_foreign_keys] if sqlite else [],
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # before any transaction: SQLite ignores it within
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run them against a database")
run_migrations_online()
