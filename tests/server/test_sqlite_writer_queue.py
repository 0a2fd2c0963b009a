"""SQLite's writers queue on a file lock (server.db._WriterQueue): every writer gets in,
and a transaction that ends any way (commit, rollback, a connection thrown away) gives
up its place, or every later writer in every worker would wait for ever."""

from __future__ import annotations

import threading

from sqlalchemy import text

from server.db import Database, make_engine


def database(tmp_path) -> Database:
    db = Database(make_engine(f"sqlite:///{tmp_path / 'queue.db'}"))
    with db.write_session() as s:
        s.execute(text("CREATE TABLE t (x INTEGER)"))
        s.commit()
    return db


def finishes(target) -> bool:
    """Runs ``target`` in a thread: False if it is still waiting after 20 s (a writer
    stuck behind a place in the queue nobody gave up)."""
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(20)
    return not thread.is_alive()


def write(db: Database, x: int) -> None:
    with db.write_session() as s:
        s.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})
        s.commit()


def test_concurrent_writers_all_get_in_one_at_a_time(tmp_path):
    db = database(tmp_path)
    threads = [threading.Thread(target=write, args=(db, i)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with db.read_session() as s:
        assert s.execute(text("SELECT count(*), count(DISTINCT x) FROM t")).one() == (8, 8)
    assert (tmp_path / "queue.db-writer.lock").exists()


def test_a_rolled_back_or_abandoned_transaction_gives_up_its_place(tmp_path):
    db = database(tmp_path)
    s = db.write_session()
    s.execute(text("INSERT INTO t VALUES (1)"))
    s.rollback()
    s.close()
    assert finishes(lambda: write(db, 2))

    s = db.write_session()
    s.execute(text("INSERT INTO t VALUES (3)"))
    s.close()  # never committed: rolled back as the connection goes back to the pool
    assert finishes(lambda: write(db, 4))

    s = db.write_session()
    s.execute(text("INSERT INTO t VALUES (5)"))
    s.connection().invalidate()  # the connection is thrown away mid-transaction
    s.close()
    assert finishes(lambda: write(db, 6))
    with db.read_session() as r:
        assert [x for (x,) in r.execute(text("SELECT x FROM t ORDER BY x"))] == [2, 4, 6]
