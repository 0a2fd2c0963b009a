"""Devices, pushed operations and the revisions of checklist fields (离线同步)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import Base, UTCDateTime

OUTCOMES = ("applied", "conflict", "rejected")


class Device(Base):
    """A phone registered to a user. Revoked devices are refused; what they stored stays."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(40))
    credential_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_push_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # How many of its ops the server holds (visit progress), counted as a push stores
    # them: an index of sync_ops by device cost every push a few more pages to write.
    ops_known: Mapped[int] = mapped_column(default=0, server_default="0")


class SyncOp(Base):
    """Every operation a device pushed, with its outcome, exactly once (keyed by the
    device-made UUIDv7). Refused ops stay too, with the reason. Not indexed by device:
    the count per device is kept on the device (``Device.ops_known``)."""

    __tablename__ = "sync_ops"
    __table_args__ = (CheckConstraint(f"outcome IN {OUTCOMES!r}", name="outcome"),
                      Index("ix_sync_ops_visit", "visit_id"))

    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visit_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(40))
    hlc: Mapped[str] = mapped_column(String(60))
    device_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class FieldRevision(Base):
    """One value a device wrote to a register of a visit: a checklist answer, a note, a
    photo link or a signature (``sync.ops``). A register's state is the merge of all
    its revisions (``sync.merge``); ``item_version_id`` and ``field_key`` name an
    answer's item and field, for queries. Rows are only ever appended: which revisions
    are heads is kept in ``register_heads``."""

    __tablename__ = "field_revisions"
    __table_args__ = (Index("ix_field_revisions_visit", "visit_id"),)

    op_id: Mapped[str] = mapped_column(ForeignKey("sync_ops.op_id"), primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    register: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    item_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_item_versions.id"))
    field_key: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[dict | list | str | int | float | bool | None] = mapped_column(JSON)
    base: Mapped[list] = mapped_column(JSON, default=list)
    hlc: Mapped[str] = mapped_column(String(60))
    device_id: Mapped[str] = mapped_column(String(36))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspectors.id"))
    note: Mapped[str | None] = mapped_column(Text)


class RegisterHead(Base):
    """A revision of a register that no stored revision of that register supersedes:
    the merge needs only these (the rest is history), so a push reads one or two rows
    per register however long its history. A table of its own, keyed by register (no
    rowid on SQLite): a push then writes a few pages of it, where a flag on the
    revisions rewrote old rows scattered through that table and its index."""

    __tablename__ = "register_heads"
    __table_args__ = {"sqlite_with_rowid": False}

    visit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register: Mapped[str] = mapped_column(String(160), primary_key=True)
    op_id: Mapped[str] = mapped_column(ForeignKey("field_revisions.op_id"), primary_key=True)


class RevisionBase(Base):
    """Revision ``op_id`` was based on ``base_op_id``, which the server had not received
    when it stored ``op_id``: finds at once whether a revision arriving late (after one
    based on it) is already superseded. A base already received cannot arrive late, so
    it is not written here (every base is in ``FieldRevision.base``). Keyed by the base,
    the one lookup (no rowid on SQLite: one b-tree to write, not three)."""

    __tablename__ = "revision_bases"
    __table_args__ = {"sqlite_with_rowid": False}

    base_op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    op_id: Mapped[str] = mapped_column(ForeignKey("field_revisions.op_id"), primary_key=True)


class Change(Base):
    """The server-wide change sequence that pull reads after a cursor.

    Rows are only written while holding the global write lock (services.changes), so a
    sequence number is never committed after a higher one: a reader that has passed
    number n has seen every change up to n. No commit-order hole.
    """

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True)
    visit_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str] = mapped_column(String(36))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
