"""Alembic migrations. ``fieldinspect db upgrade`` applies them; the app never create_all()s."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).parent


def alembic_config(url: str | None = None, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


MIGRATION_LOCK_KEY = 0x46494D47  # "FIMG"


def upgrade(url: str | None = None, connection=None, revision: str = "head") -> None:
    """Apply migrations. On PostgreSQL under a session advisory lock, so several hosts
    starting ``fieldinspect serve`` at once migrate one after the other, not together."""
    if connection is not None or url is None or url.startswith("sqlite"):
        command.upgrade(alembic_config(url, connection), revision)
        return
    from sqlalchemy import text

    from server.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                command.upgrade(alembic_config(url, conn), revision)
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()
