"""Results of visits (检查结果), their follow-up (后续处置) and publication (一公开)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schemas.results import FOLLOW_UP_KINDS, FOLLOW_UP_STATES, RESULT_STATES
from schemas.states import FollowUpState, ResultState
from server import clock
from server.db import Base, UTCDateTime
from server.models.mixins import Deactivatable, OwnedItemVersion


class ResultCategory(Deactivatable, Base):
    """A spot-check result category (抽查结果类型): the national list is seeded; admins
    may add, rename or deactivate. ``problem`` counts the company in 发现问题户数;
    ``needs_follow_up`` lists a result without follow-up as a failure."""

    __tablename__ = "result_categories"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    problem: Mapped[bool] = mapped_column(default=False)
    needs_follow_up: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Result(Base):
    """The result of one visit, for the company as a whole; per item in ``ResultItem``.
    Made when the team submits, reviewed by a supervisor (approve, or return with a
    reason: the visit reopens on the phones), then published."""

    __tablename__ = "results"
    __table_args__ = (
        CheckConstraint(f"state IN {RESULT_STATES!r}", name="state"),
        Index("ix_results_state_approved", "state", "approved_at"),
        Index("ix_results_task_company", "task_id", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("result_categories.code"))
    # The category's flag when the result was entered: what it meant then, summed in SQL.
    problem: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(10), default=ResultState.SUBMITTED.value)
    checked_on: Mapped[dt.date] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entry_due: Mapped[dt.date] = mapped_column(Date)
    # A deadline counted in working days keeps how many (None: a date set by hand, like the
    # task's result deadline) and the least settled source of the days it counted
    # (``workdays.SOURCES``: provisional means a year without the State Council's notice
    # yet), so it is counted again when the notice comes.
    entry_due_days: Mapped[int | None] = mapped_column(Integer)
    entry_due_source: Mapped[str | None] = mapped_column(String(12))
    late: Mapped[bool] = mapped_column(default=False)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    publication_due: Mapped[dt.date | None] = mapped_column(Date)
    publication_days: Mapped[int | None] = mapped_column(Integer)
    publication_due_source: Mapped[str | None] = mapped_column(String(12))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The on-site record (现场检查笔录) as last generated: a printed copy is checked
    # against this hash.
    record_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    record_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def entry_due_provisional(self) -> bool:
        return self.entry_due_source == "provisional"

    @property
    def publication_due_provisional(self) -> bool:
        return self.publication_due_source == "provisional"

    items: Mapped[list[ResultItem]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                   order_by="ResultItem.item_version_id")


class ResultItem(OwnedItemVersion, Base):
    """The result of one item of the visit, entered by the item's department."""

    __tablename__ = "result_items"

    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"),
                                           primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"))
    category_code: Mapped[str] = mapped_column(ForeignKey("result_categories.code"))
    problem: Mapped[bool] = mapped_column(default=False)


class FollowUp(Base):
    """One follow-up of a result with a problem (后续处置): an order to rectify (with a
    re-check visit), a transfer to the department with authority (which must accept),
    a case filed, or a referral to the judicial authorities. Owned by a department,
    due on a date, closed with an outcome that is written back on the result."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint(f"kind IN {FOLLOW_UP_KINDS!r}", name="kind"),
        CheckConstraint(f"state IN {FOLLOW_UP_STATES!r}", name="state"),
        Index("ix_follow_ups_department_state", "department_id", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), default=FollowUpState.OPEN.value)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    due_days: Mapped[int | None] = mapped_column(Integer)  # None: a due date set by hand
    due_source: Mapped[str | None] = mapped_column(String(12))

    @property
    def due_provisional(self) -> bool:
        return self.due_source == "provisional"
    description: Mapped[str] = mapped_column(Text)
    case_number: Mapped[str | None] = mapped_column(String(60))
    authority: Mapped[str | None] = mapped_column(String(200))
    recheck_visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
