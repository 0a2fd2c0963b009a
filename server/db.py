"""Engine, sessions and the column types every model shares.

Why plain SQLAlchemy and not Flask-SQLAlchemy: models and services stay free of Flask,
so the CLI, the tests, the demo builder and the request use them the same way.

SQLite notes: the driver's own transaction handling is switched off and we emit BEGIN
ourselves (the recipe in SQLAlchemy's pysqlite docs), so SAVEPOINTs work and a request
that writes starts with ``BEGIN IMMEDIATE``. Without IMMEDIATE, two gunicorn workers
that both read and then write would get SQLITE_BUSY on the upgrade from read to write
lock, which WAL's busy timeout cannot wait out.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every backend, returned as aware UTC.

    One convention for SQLite (no time zones) and PostgreSQL, so values round-trip
    byte-identically, which the audit hash chain relies on.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


def _json_dumps(value) -> str:
    """JSON columns hold Chinese as UTF-8, not \\u escapes, so they read well in SQL."""
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("json_serializer", _json_dumps)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    queue = _WriterQueue(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "")
        if mode == "IMMEDIATE":
            queue.enter(conn.connection.info)
        # on the driver: every request begins one or two transactions, and SQLAlchemy's
        # statement machinery costs more than the BEGIN itself
        conn.connection.dbapi_connection.execute(f"BEGIN {mode}".strip())

    # The transaction ended (committed or rolled back: the connection went back to the
    # pool), or the connection is being thrown away: either way its place in the queue ends.
    for name in ("checkin", "invalidate", "soft_invalidate", "detach", "close"):
        event.listen(engine, name, lambda _dbapi, record, *_: record is not None and
                     queue.leave(record.info))


class _WriterQueue:
    """Writers wait for SQLite's write lock in a queue the OS wakes at once.

    SQLite lets one writer in at a time, and one that finds the lock taken polls for it,
    sleeping longer each time (up to 100 ms). Under load the lock then sits free while
    the writers sleep: measured on the sync push, it was free 30 % of the time with
    workers waiting. So a writer first takes an exclusive ``flock`` on a file beside the
    database, which the kernel hands to the next writer the moment it is released, just
    before BEGIN IMMEDIATE; it is released when the connection goes back to the pool,
    after its COMMIT or ROLLBACK. SQLite's own lock still decides; this only orders who
    asks. A process killed while holding it loses it with its file descriptors. The
    lock's descriptor lives in the pooled connection's ``info``.
    """

    KEY = "fieldinspect_writer_lock_fd"

    def __init__(self, database: str | None):
        self.path = None if database in (None, "", ":memory:") else f"{database}-writer.lock"

    def enter(self, info: dict) -> None:
        if self.path is None or self.KEY in info:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        info[self.KEY] = fd

    def leave(self, info: dict) -> None:
        fd = info.pop(self.KEY, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock


def is_sqlite(session_or_engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "sqlite"


def _writing(bind: Engine | Connection) -> Engine | Connection:
    """``bind`` as writers use it: on SQLite an engine's transactions BEGIN IMMEDIATE."""
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite" and \
            bind.get_execution_options().get("sqlite_begin") != "IMMEDIATE":
        return bind.execution_options(sqlite_begin="IMMEDIATE")
    return bind


@contextmanager
def for_writing(bind: Engine | Connection) -> Iterator[Session]:
    """A write session in a short transaction of its own on ``bind``'s database: committed
    when the block ends, rolled back if it raises.

    The request owns its transaction (``server.request_scope``) and services only flush
    into it. This is for the few writes that must persist whatever the request answers,
    named where they happen: a refusal's audit entry (``audit.record_refusal``), a
    resumable upload's offset. On a connection that is already in a transaction (a
    caller's, or a test's), it is a savepoint of that transaction. The caller must not
    hold a write transaction of its own meanwhile: it would wait for itself.
    """
    with Session(bind=_writing(bind), expire_on_commit=False,
                 join_transaction_mode="create_savepoint") as session, session.begin():
        yield session


class Database:
    """The engine plus two session factories: one for reads, one for writes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.read_session = sessionmaker(bind=engine, expire_on_commit=False)
        self.write_session = sessionmaker(bind=_writing(engine), expire_on_commit=False)

    def read_connection(self):
        """A connection for a few direct reads (``server.direct``) outside any write
        transaction, as a context manager: a third of the cost of a read session,
        which every request would pay (authentication, the push's device check)."""
        return self.engine.connect()
