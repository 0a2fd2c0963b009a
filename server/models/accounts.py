from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import Base, UTCDateTime
from server.models.mixins import Deactivatable, Timestamps

ROLES = ("admin", "coordinator", "supervisor", "inspector")


class User(Timestamps, Deactivatable, Base):
    """An account. Supervisors and inspectors belong to one department."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint(
            "(role IN ('admin', 'coordinator')) OR department_id IS NOT NULL",
            name="department_scope",
        ),
        CheckConstraint("role <> 'inspector' OR inspector_id IS NOT NULL", name="inspector_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("inspectors.id"), unique=True)


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored, so a database dump grants no access."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed sign-ins in a row of one account name or one client address (see
    ``services.sign_in_throttle``): kept here so every host behind the load balancer
    counts the same."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
