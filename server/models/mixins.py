"""Columns most registry rows share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, true
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import UTCDateTime


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class Deactivatable:
    """Registries never delete: a deactivated row keeps every reference to it valid."""

    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
