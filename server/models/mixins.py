"""Columns and tables that several models share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, ForeignKey, Table, true
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import Base, UTCDateTime


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class Deactivatable:
    """Registries never delete: a deactivated row keeps every reference to it valid."""

    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class OwnedItemVersion:
    """A row about one item version of a task, visit or result, owned by one department
    (the one whose members answer it). ``item_id`` repeats the version's item, so rows are
    found by item across versions."""

    item_version_id: Mapped[int] = mapped_column(ForeignKey("inspection_item_versions.id"),
                                                 primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))


def tag_links(name: str, owner_id: str, owner_table: str) -> Table:
    """The many-to-many table that tags a registry's rows (``owner_id``, ``tag_id``)."""
    return Table(
        name,
        Base.metadata,
        Column(owner_id, ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True),
        Column("tag_id", ForeignKey("tags.id"), primary_key=True, index=True),
    )
