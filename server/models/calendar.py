"""The working-day calendar (工作日) beyond what the official calendar package knows,
and how many working days each kind of deadline gives."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow

DEADLINE_KINDS = ("result_entry", "publication", "follow_up")


class CalendarOverride(Base):
    """One date declared a working day or a day off by an admin: a holiday or a 调休
    make-up day the package does not know, or a local correction. Wins over the package."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarYear(Base):
    """A year beyond the package's data that an admin has declared complete: its
    holidays and make-up days are entered as overrides, every other weekday works.
    Without it, a deadline in that year is an error, never a silent count of calendar days."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str | None] = mapped_column(Text)
    declared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeadlineRule(Base):
    """Working days a kind of deadline gives: result entry (after the visit window
    ends, for visits beyond their task's deadline), publication (after the check ends;
    20 by default, some regions use 10), follow-up (after it is opened)."""

    __tablename__ = "deadline_rules"
    __table_args__ = (CheckConstraint(f"kind IN {DEADLINE_KINDS!r}", name="kind"),
                      CheckConstraint("working_days BETWEEN 1 AND 250", name="working_days"))

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    working_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
