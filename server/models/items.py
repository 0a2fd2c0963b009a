from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server import clock
from server.db import Base, UTCDateTime
from server.models.mixins import Deactivatable, Timestamps

METHODS = ("on_site", "written_review", "online_monitoring", "video")
ITEM_CLASSES = ("key", "general")


class InspectionItem(Timestamps, Deactivatable, Base):
    """An entry of a department's spot-check item list (随机抽查事项清单).

    The stable identity; what the item says lives in immutable versions, because a past
    task or visit must keep the form it was run with when the law changes.
    """

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)

    versions: Mapped[list[InspectionItemVersion]] = relationship(
        back_populates="item", order_by="InspectionItemVersion.version",
        cascade="all, delete-orphan",
    )
    department = relationship("Department")


class InspectionItemVersion(Base):
    """One immutable version of an item and its checklist form (检查表单)."""

    __tablename__ = "inspection_item_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "version", name="item_version"),
        CheckConstraint(f"method IN {METHODS!r}", name="method"),
        CheckConstraint(f"item_class IN {ITEM_CLASSES!r}", name="item_class"),
        CheckConstraint(
            "(item_class = 'key' AND ratio_cap IS NULL) OR "
            "(item_class = 'general' AND ratio_cap > 0 AND ratio_cap <= 100)",
            name="ratio_cap",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_items.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    subject_type: Mapped[str] = mapped_column(String(30))
    content: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(30))
    item_class: Mapped[str] = mapped_column(String(10))
    ratio_cap: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    frequency: Mapped[str | None] = mapped_column(String(100))
    required_expertise: Mapped[list] = mapped_column(JSON, default=list)
    work_guide: Mapped[str | None] = mapped_column(Text)
    form: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    item: Mapped[InspectionItem] = relationship(back_populates="versions")
