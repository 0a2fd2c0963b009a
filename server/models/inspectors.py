from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.mixins import Deactivatable, Timestamps, tag_links

inspector_tags = tag_links("inspector_tags", "inspector_id", "inspectors")


class Inspector(Timestamps, Deactivatable, Base):
    """A certified enforcement officer of the registry (执法检查人员名录库).

    The resident ID number is not stored: only a keyed digest (to find the person again
    on re-import) and its masked form (to show). Nothing in the system needs the full
    number back, and a leaked database then leaks no ID numbers.
    """

    __tablename__ = "inspectors"
    __table_args__ = (
        CheckConstraint("gender IN ('male', 'female')", name="gender"),
        CheckConstraint(
            "certificate_valid_until IS NULL OR certificate_valid_from IS NULL "
            "OR certificate_valid_until >= certificate_valid_from",
            name="certificate_dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    id_number_digest: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    gender: Mapped[str] = mapped_column(String(6))
    mobile: Mapped[str | None] = mapped_column(String(20))
    certificate_number: Mapped[str] = mapped_column(String(40), unique=True)
    certificate_valid_from: Mapped[dt.date | None] = mapped_column(Date)
    certificate_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    issuing_authority: Mapped[str | None] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    section: Mapped[str | None] = mapped_column(String(100))

    tags = relationship("Tag", secondary=inspector_tags, lazy="selectin", order_by="Tag.code")
