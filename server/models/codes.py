"""Signing keys, premises codes and the entries they record (扫码入企)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from schemas.states import RecusalState
from server import clock
from server.db import Base, UTCDateTime


class SigningKey(Base):
    """An Ed25519 public key. Private keys never touch the database; retired keys stay
    here so the codes they signed keep verifying."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PremisesCode(Base):
    """The code posted at a company's premises. Reissuing makes a new version and
    revokes the old one."""

    __tablename__ = "premises_codes"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class VisitEntry(Base):
    """One recorded entry into the premises: who, from which device, when (device time
    and server time), where, by which premises code, and what looked wrong."""

    __tablename__ = "visit_entries"
    __table_args__ = (CheckConstraint("method IN ('scan', 'manual')", name="method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspectors.id"))
    device_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(8))
    device_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    server_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    premises_company_id: Mapped[int | None] = mapped_column(Integer)
    premises_version: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    flags: Mapped[list] = mapped_column(JSON, default=list)


class VisitRating(Base):
    """The company's rating of a visit, once (1-5 and a comment). Anonymous towards the
    inspecting team: its inspectors never read individual ratings."""

    __tablename__ = "visit_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class RecusalRequest(Base):
    """The company asks that a named inspector step aside (申请回避)."""

    __tablename__ = "recusal_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspectors.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=RecusalState.PENDING.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
