"""Statements run straight on the driver's cursor, inside the session's transaction.

For the hot paths only: the sync push, which runs a dozen small statements per batch
under the database's write lock, and the draw, which reads 10^6 rows. There SQLAlchemy's
per-execution work (cache keys, parameter and row processing through its layers) costs
more than the database's own. Statements are still written with SQLAlchemy Core and
compiled by it, once per dialect (and per length of their lists); values go through each
type's own bind and result processors for that dialect (the public
``dialect_impl(dialect).bind_processor`` / ``result_processor``), so what is stored and
read is exactly what a Core statement would store and read.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from contextlib import closing

from sqlalchemy import Connection, Table, bindparam, delete, insert
from sqlalchemy.orm import Session


def fetch_plain(session: Session, stmt) -> list[tuple]:
    """All rows of ``stmt`` as plain tuples, compiled for this one call and without type
    processing: for a one-off read of 10^6 rows (the draw's eligible set), so select
    plain columns (ints, strings)."""
    conn = session.connection()
    compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    with closing(conn.connection.cursor()) as cursor:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()


def _connection(db: Session | Connection) -> Connection:
    """The session's connection, in its transaction; a caller running many statements
    passes it once (``Session.connection()`` costs more than a small statement)."""
    return db.connection() if isinstance(db, Session) else db


def in_list(column, name: str, n: int):
    """``column IN (:name_0, ..., :name_{n-1})``, for a ``Statement`` builder."""
    return column.in_([bindparam(f"{name}_{i}", type_=column.type) for i in range(n)])


class Statement:
    """A SELECT or UPDATE made by ``build(**lengths)``, which receives the length of
    each list parameter and writes its lists with ``in_list``; called with the values,
    it returns the rows as named tuples (a SELECT) or the number of rows it changed.
    Lists must not be empty."""

    def __init__(self, build: Callable[..., object]):
        self.build = build
        self._plans: dict[tuple, tuple] = {}

    def __call__(self, db: Session | Connection, **params) -> list[tuple] | int:
        conn = _connection(db)
        flat, lengths = {}, {}
        for name, value in params.items():
            if isinstance(value, list | tuple | set | frozenset):
                # padded to a power of two with its last value (the same IN list): a
                # plan per length, and few lengths
                value = list(value)
                if not value:
                    raise ValueError(f"the list {name!r} is empty")
                n = 1 << (len(value) - 1).bit_length()
                value += value[-1:] * (n - len(value))
                lengths[name] = n
                flat.update((f"{name}_{i}", v) for i, v in enumerate(value))
            else:
                flat[name] = value
        sql, names, binds, results, positional, fixed = self._plan(conn.dialect, lengths)
        values = [p(v) if p else v for v, p in zip(
            (flat[n] if n in flat else fixed[n] for n in names), binds, strict=True)]
        with closing(conn.connection.cursor()) as cursor:
            cursor.execute(sql, values if positional else dict(zip(names, values, strict=True)))
            if results is None:
                return cursor.rowcount
            make, processed = results
            rows = cursor.fetchall()
            if processed:
                rows = [list(row) for row in rows]
                for row in rows:
                    for i, p in processed:
                        row[i] = p(row[i])
            return [make(row) for row in rows]

    def _plan(self, dialect, lengths: dict[str, int]) -> tuple:
        key = (dialect.name, tuple(sorted(lengths.items())))
        plan = self._plans.get(key)
        if plan is None:
            stmt = self.build(**lengths)
            compiled = stmt.compile(dialect=dialect)
            names = tuple(compiled.positiontup) if compiled.positional else \
                tuple(compiled.binds)
            fixed = {n: compiled.binds[n].value for n in names}  # the statement's own values
            binds = [compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect)
                     for n in names]
            results = None
            if getattr(stmt, "is_select", False):
                row = namedtuple("Row", [c.key for c in stmt.selected_columns], rename=True)
                processors = [c.type.dialect_impl(dialect).result_processor(dialect, None)
                              for c in stmt.selected_columns]
                # only the columns that have a processor (JSON, dates) are touched
                results = (row._make, [(i, p) for i, p in enumerate(processors) if p])
            plan = self._plans[key] = (compiled.string, names, binds, results,
                                       compiled.positional, fixed)
        return plan


class _Bulk:
    """A statement handed many rows at once through the driver's ``executemany``,
    compiled once per dialect and column set (every row has the keys of the first).
    The ``encoded`` columns are given as the database stores them (JSON columns: the
    JSON text), so no processor runs on them."""

    def __init__(self, table: Table, *, encoded: set[str] = frozenset()):
        self.table, self.encoded = table, encoded
        self._plans: dict[tuple, tuple] = {}
        self._processors: dict[tuple[str, str], Callable | None] = {}

    def encode(self, dialect, column: str, value):
        """``value`` as the database stores it in ``column``: for a row made ahead (before
        a lock is taken), whose ``encoded`` columns then cost nothing more."""
        p = self._processor(dialect, column)
        return p(value) if p else value

    def _processor(self, dialect, column: str) -> Callable | None:
        """The column type's bind processor for the dialect, made once."""
        key = (dialect.name, column)
        if key not in self._processors:
            self._processors[key] = \
                self.table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        return self._processors[key]

    def statement(self, keys: tuple[str, ...]):
        """The statement and its compile arguments; its parameters are named after
        the columns whose values they take."""
        raise NotImplementedError

    def __call__(self, db: Session | Connection, rows: list[dict]) -> None:
        if not rows:
            return
        conn = _connection(db)
        sql, names, processors, positional = self._plan(conn.dialect, tuple(rows[0]))
        params = [[row[n] for n in names] for row in rows]
        for i, p in enumerate(processors):
            if p is not None:
                last = done = object()
                for values in params:
                    # a value the row before had too (the same time stamp on every row)
                    # is processed once
                    if values[i] is not last:
                        last, done = values[i], p(values[i])
                    values[i] = done
        if not positional:
            params = [dict(zip(names, values, strict=True)) for values in params]
        with closing(conn.connection.cursor()) as cursor:
            cursor.executemany(sql, params)

    def _plan(self, dialect, keys: tuple[str, ...]) -> tuple:
        plan = self._plans.get((dialect.name, keys))
        if plan is None:
            stmt, kwargs = self.statement(keys)
            compiled = stmt.compile(dialect=dialect, **kwargs)
            names = tuple(compiled.positiontup) if compiled.positional else keys
            processors = [None if n in self.encoded else self._processor(dialect, n)
                          for n in names]
            plan = self._plans[(dialect.name, keys)] = (compiled.string, names, processors,
                                                        compiled.positional)
        return plan


class BulkInsert(_Bulk):
    """``INSERT`` of many rows."""

    def statement(self, keys):
        # inline: no RETURNING of generated keys, which executemany has no use for
        return insert(self.table).inline(), {"column_keys": list(keys)}


class BulkDelete(_Bulk):
    """``DELETE`` of many rows, each found by the values of its keys' columns: one
    index search a row, where IN lists over a composite key search every combination."""

    def statement(self, keys):
        return delete(self.table).where(*(self.table.c[k] == bindparam(k) for k in keys)), {}
