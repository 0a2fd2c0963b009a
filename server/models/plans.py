"""Annual plans, tasks, draws and the visits they issue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from schemas.states import VISIT_OPEN, MergeState, PlanState, VisitState, values
from server import clock
from server.db import Base, UTCDateTime
from server.models.mixins import OwnedItemVersion, Timestamps

PLAN_STATES = values(PlanState)
TASK_KINDS = ("random", "special", "individual")
JOINT_MODES = ("comprehensive", "special_campaign", "industry")
CASE_REASONS = ("complaint", "referral", "recheck", "own_request")
VISIT_STATES = values(VisitState)
MERGE_STATES = values(MergeState)


class Plan(Timestamps, Base):
    """A department's annual spot-check plan (年度抽查计划)."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("department_id", "year", name="department_year"),
        CheckConstraint(f"state IN {PLAN_STATES!r}", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default=PlanState.DRAFT.value)
    version: Mapped[int] = mapped_column(Integer, default=0)

    tasks: Mapped[list[Task]] = relationship(back_populates="plan", order_by="Task.id")
    versions: Mapped[list[PlanVersion]] = relationship(order_by="PlanVersion.version")


class PlanVersion(Base):
    """A published version of a plan; later changes are filed (备案) with a reason."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="plan_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filing_reason: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)


task_departments = Table(
    "task_departments",
    Base.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True, index=True),
)


class TaskItem(OwnedItemVersion, Base):
    """An item version a task checks, owned by one participating department."""

    __tablename__ = "task_items"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"),
                                         primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"), index=True)


class Task(Timestamps, Base):
    """A spot-check task (抽查任务): who, what, whom, how many, when."""

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"kind IN {TASK_KINDS!r}", name="kind"),
        CheckConstraint(f"joint_mode IS NULL OR joint_mode IN {JOINT_MODES!r}", name="joint_mode"),
        CheckConstraint("window_end >= window_start", name="window"),
        CheckConstraint("kind <> 'individual' OR (company_id IS NOT NULL AND case_reason IS NOT NULL)",
                        name="individual_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="random")
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    joint_mode: Mapped[str | None] = mapped_column(String(20))
    scope: Mapped[dict] = mapped_column(JSON, default=dict)
    ratios: Mapped[dict | None] = mapped_column(JSON)
    fixed_count: Mapped[int | None] = mapped_column(Integer)
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    result_deadline: Mapped[dt.date] = mapped_column(Date)
    exclusion_days: Mapped[int] = mapped_column(Integer, default=365)
    cap_per_department: Mapped[int] = mapped_column(Integer, default=2)
    cap_total: Mapped[int] = mapped_column(Integer, default=4)
    inspector_cap: Mapped[int | None] = mapped_column(Integer)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    case_reason: Mapped[str | None] = mapped_column(String(20))
    case_note: Mapped[str | None] = mapped_column(Text)
    seed: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    published_in_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    departments = relationship("Department", secondary=task_departments, lazy="selectin",
                               order_by="Department.id")
    items: Mapped[list[TaskItem]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class Draw(Base):
    """One run of a task's draws. A redraw is a new row with a reason, never an overwrite."""

    __tablename__ = "draws"
    __table_args__ = (UniqueConstraint("task_id", "number", name="task_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seed_hash: Mapped[str] = mapped_column(String(64))
    eligible_hash: Mapped[str] = mapped_column(String(64))
    eligible_count: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict] = mapped_column(JSON)
    report: Mapped[dict] = mapped_column(JSON)


class DrawStratum(Base):
    """A stratum's eligible credit codes, sorted, one per line: the published input."""

    __tablename__ = "draw_strata"

    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id", ondelete="CASCADE"),
                                         primary_key=True)
    stratum: Mapped[str] = mapped_column(String(8), primary_key=True)
    eligible: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    codes: Mapped[str] = mapped_column(Text)


class DrawCompany(Base):
    """A company the draw ranked at the head of its stratum: drawn, or held as substitute."""

    __tablename__ = "draw_companies"
    __table_args__ = (
        UniqueConstraint("draw_id", "stratum", "position", name="draw_position"),
        CheckConstraint("role IN ('drawn', 'substitute', 'replaced')", name="role"),
        Index("ix_draw_companies_company", "company_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id", ondelete="CASCADE"), index=True)
    stratum: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    credit_code: Mapped[str] = mapped_column(String(18))
    role: Mapped[str] = mapped_column(String(12))
    replaced_by: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    # The inspectors the draw assigned (ids, sorted): the record verify compares with,
    # kept apart from the visit's team, which later merges or recusals may change.
    team: Mapped[list | None] = mapped_column(JSON)


class Visit(Timestamps, Base):
    """A visit of one company by one team: issued by a draw, entered at the premises,
    submitted from the phones, closed on approval (``schemas.states.VisitState``)."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(f"state IN {VISIT_STATES!r}", name="state"),
        Index("ix_visits_company_window", "company_id", "window_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    state: Mapped[str] = mapped_column(String(12), default=VisitState.ISSUED.value)
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    counts_for_caps: Mapped[bool] = mapped_column(default=True)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))

    items: Mapped[list[VisitItem]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    members: Mapped[list[VisitMember]] = relationship(lazy="selectin",
                                                      cascade="all, delete-orphan")

    def overdue_on(self, today: dt.date) -> bool:
        """Past its window and not yet submitted."""
        return self.state in VISIT_OPEN and self.window_end < today

    @property
    def overdue(self) -> bool:
        """``overdue_on`` the app clock's today (what the API shows)."""
        return self.overdue_on(clock.today())


class VisitItem(OwnedItemVersion, Base):
    __tablename__ = "visit_items"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"), index=True)


class VisitMember(Base):
    __tablename__ = "visit_members"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspectors.id"), primary_key=True,
                                              index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))


class InspectorConflict(Base):
    """A declared conflict of interest (回避) between an inspector and a company."""

    __tablename__ = "inspector_conflicts"

    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspectors.id"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True,
                                            index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class VisitMerge(Base):
    """Two departments' visits to one company made one joint visit (进一次门、查多项事):
    asked by one side's lead department, accepted by the other's."""

    __tablename__ = "visit_merges"
    __table_args__ = (CheckConstraint(f"state IN {MERGE_STATES!r}", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    other_visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    state: Mapped[str] = mapped_column(String(10), default=MergeState.PENDING.value)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
