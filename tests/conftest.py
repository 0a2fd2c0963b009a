"""Test harness: every database test runs on SQLite and, when
FIELDINSPECT_TEST_POSTGRES_URL is set, on PostgreSQL too (one parametrized fixture, not
two suites). Migrations run once per backend; each test runs inside a transaction that is
rolled back (savepoint mode), so tests see a clean database and never mocks."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from server import clock
from server.app import create_app
from server.config import Settings
from server.db import make_engine
from server.migrations import upgrade
from tests.dashboard_desk import make_desk
from tests.draws import make_drawn, make_field
from tests.factories import SUITE_START
from tests.phones import make_team

# Property tests judge what is computed, never how fast: a machine that stalls (CI) must not
# fail a validator's example for taking over hypothesis's default 200 ms.
hypothesis.settings.register_profile("fieldinspect", deadline=None)
hypothesis.settings.load_profile("fieldinspect")

PG_URL = os.environ.get("FIELDINSPECT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_report_header(config):
    if PG_URL:
        return f"database backends: sqlite, postgresql ({PG_URL.rsplit('@', 1)[-1]})"
    return ("database backends: sqlite only -- FIELDINSPECT_TEST_POSTGRES_URL is not set "
            "(make test and .ci/run set it)")


def pytest_terminal_summary(terminalreporter):
    counts = {b: Counter() for b in BACKENDS}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            for backend in BACKENDS:
                if f"[{backend}" in getattr(report, "nodeid", "") or \
                        f"-{backend}]" in getattr(report, "nodeid", ""):
                    counts[backend][outcome] += 1
    terminalreporter.section("database backends")
    for backend, c in counts.items():
        terminalreporter.write_line(
            f"{backend}: {c['passed']} passed, {c['failed']} failed, {c['error']} errors, "
            f"{c['skipped']} skipped")


def _reset_postgres(url: str):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return engine


@pytest.fixture(autouse=True)
def suite_clock():
    """Every test on the suite's date (``factories.SUITE_START``), never the machine's."""
    with clock.using(clock.StartedClock(SUITE_START)) as started:
        yield started


@pytest.fixture
def frozen_clock():
    """The app's clock standing still at the suite's moment until the test moves it
    (``frozen_clock.set(...)``): for rules measured in seconds, which a slow machine
    would otherwise blur."""
    frozen = clock.FixedClock(SUITE_START)
    clock.install(frozen)
    return frozen


@pytest.fixture
def clock_at():
    """``clock_at(moment)``: the app's clock starts at ``moment`` (a date: 10:00 in China)
    for the rest of the test."""
    def start(moment):
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(10, 0), clock.CHINA)
        clock.install(clock.StartedClock(moment))
    return start


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    """(name, engine, url) of a migrated, empty database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        engine = make_engine(url)
    else:
        url = PG_URL
        engine = _reset_postgres(url)
    upgrade(url)
    yield request.param, engine, url
    engine.dispose()


class TestDatabase:
    """Quacks like server.db.Database, bound to one connection inside a rolled-back
    transaction; every session joins it through a savepoint."""

    def __init__(self, connection):
        self.engine = connection.engine
        factory = sessionmaker(bind=connection, expire_on_commit=False,
                               join_transaction_mode="create_savepoint")
        self.read_session = self.write_session = self.read_connection = factory


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    return Settings.from_env(
        database_url="unused", secret_key="test-secret-key",
        blob_dir=Path(tempfile.mkdtemp()), keys_dir=Path(tempfile.mkdtemp()) / "keys",
        max_body_bytes=64 * 1024,
        max_import_bytes=8 << 20, login_lock_seconds=900,
    )


@pytest.fixture(scope="session")
def app_for_backend(backend, settings):
    _, engine, _ = backend
    with engine.connect() as conn:
        app = create_app(settings, TestDatabase(conn))
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    return app


@pytest.fixture
def db(backend):
    _, engine, _ = backend
    with engine.connect() as conn:
        trans = conn.begin()
        database = TestDatabase(conn)
        yield database
        trans.rollback()


@pytest.fixture
def app(app_for_backend, db):
    app_for_backend.extensions["fieldinspect"].db = db
    return app_for_backend


@pytest.fixture
def session(db):
    with db.write_session() as s:
        yield s


@pytest.fixture
def backend_name(backend):
    return backend[0]


# --- actors: one department pair (A, B) and a user of every role ---------------------------
class World:
    """Two departments and a signed-in client for every role."""


@pytest.fixture
def world(app, session):
    return make_world(app, session)


def make_world(app, session) -> World:
    """The world fixture's body, for a test that builds one on a database of its own."""
    from tests import factories as f

    w = World()
    w.dept_a = f.department(session, code="DA", name="甲部门")
    w.dept_b = f.department(session, code="DB", name="乙部门")
    w.inspector_a = f.inspector(session, w.dept_a.id)
    w.inspector_b = f.inspector(session, w.dept_b.id)
    client = app.test_client()
    for name, args in {
        "admin": ("admin",), "coordinator": ("coordinator",),
        "sup_a": ("supervisor", w.dept_a.id), "sup_b": ("supervisor", w.dept_b.id),
        "insp_a": ("inspector", w.dept_a.id, w.inspector_a.id),
    }.items():
        user, token = f.user(session, *args)
        setattr(w, name, f.Api(client, token))
        setattr(w, f"{name}_user", user)
    w.anon = f.Api(client)
    session.commit()
    return w


@pytest.fixture
def scratch_database_url(backend, tmp_path):
    """An empty database of its own, for tests that must commit (CLI, concurrent writers)."""
    name, _, url = backend
    if name == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    # Named after the test database, so two suites on two test databases of one server
    # (a second checkout, a second run) never share a scratch database.
    base, _, test_db = url.rpartition("/")
    scratch = f"{test_db.split('?')[0]}_scratch"
    admin = create_engine(make_engine(url).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        _drop_scratch(conn, scratch)
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    yield f"{base}/{scratch}"
    with admin.connect() as conn:
        _drop_scratch(conn, scratch)
    admin.dispose()


def _drop_scratch(conn, scratch: str) -> None:
    """Drop the scratch database, ending the test's own connections to it first. Not
    ``WITH (FORCE)``: that also tries to terminate an autovacuum worker busy in it, which
    a role that is not superuser may not do (InsufficientPrivilege), while a plain DROP
    DATABASE tells autovacuum to leave and waits a few seconds for ended backends."""
    conn.execute(text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = :name AND usename = current_user "
        "AND pid <> pg_backend_pid()"), {"name": scratch})
    conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))


@pytest.fixture
def live_url(app):
    """The app on a real port, for clients that speak HTTP (tuspy, a browser)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


# --- shared scenes, built through the API (their bodies live in helper modules) ------------
@pytest.fixture
def field(world, session, app):
    """Three departments with items and certified inspectors, and 60 companies."""
    return make_field(world, session, app)


@pytest.fixture
def drawn(world, field, session, app):
    """A joint draw whose window is open today; a member and a non-member signed in."""
    return make_drawn(world, field, session, app)


@pytest.fixture
def team(world, session, app):
    """A one-department visit (two inspectors of A), entered; each member with a phone."""
    return make_team(world, session, app)


@pytest.fixture
def desk(team, world, session):
    """A supervisor's desk with something in every count (tests/dashboard_desk.py)."""
    return make_desk(team, world, session)
