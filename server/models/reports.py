"""What the monthly report (月报表) needs beyond the records: yearly targets, and the
figures of checks recorded on other platforms (其他平台), entered by hand."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server import clock
from server.db import Base, UTCDateTime

TARGET_KEYS = ("joint_tasks", "joint_companies", "credit_based", "coverage")
MANUAL_ROWS = ("internal", "enterprise", "credit_based")


class ReportTarget(Base):
    """A year's target, as a minimum percentage: joint tasks of all tasks, companies of
    joint tasks of all companies, credit-risk-based draws of all tasks, companies checked
    of those registered at the end of the previous year."""

    __tablename__ = "report_targets"
    __table_args__ = (CheckConstraint(f"key IN {TARGET_KEYS!r}", name="key"),
                      CheckConstraint("min_percent BETWEEN 0 AND 100", name="min_percent"))

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    min_percent: Mapped[float] = mapped_column(Float)


class ReportManualFigure(Base):
    """Year-to-date figures of one 其他平台 row of one department, as of a month."""

    __tablename__ = "report_manual_figures"
    __table_args__ = (UniqueConstraint("department_id", "year", "month", "row", name="one_entry"),
                      CheckConstraint(f"row IN {MANUAL_ROWS!r}", name="row"),
                      CheckConstraint("month BETWEEN 1 AND 12", name="month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    row: Mapped[str] = mapped_column(String(20))
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    companies_drawn: Mapped[int] = mapped_column(Integer, default=0)
    companies_checked: Mapped[int] = mapped_column(Integer, default=0)
    companies_with_problems: Mapped[int] = mapped_column(Integer, default=0)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
