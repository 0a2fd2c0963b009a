"""The working-day calendar (工作日) beyond what the official calendar package knows,
and how many working days each kind of deadline gives."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import Base, UTCDateTime

DEADLINE_KINDS = ("result_entry", "publication", "follow_up")


class CalendarOverride(Base):
    """One date declared a working day or a day off by an admin: a holiday or a 调休
    make-up day the package does not know, or a local correction. Wins over the package."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class CalendarNotice(Base):
    """A year's holiday notice (国务院办公厅关于XXXX年部分节假日安排的通知) as an admin
    entered it, for a year the official package does not cover yet: the holiday ranges
    (``[{"name", "start", "end"}]``, ISO dates) and the make-up working days (调休,
    ``["YYYY-MM-DD", ...]``). A package release that covers the year takes over from it."""

    __tablename__ = "calendar_notices"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str | None] = mapped_column(String(200))
    holidays: Mapped[list] = mapped_column(JSON)
    makeup_days: Mapped[list] = mapped_column(JSON)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


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
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
