from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base
from server.models.mixins import Deactivatable, Timestamps, tag_links

SUBJECT_TYPES = ("enterprise", "individual_business", "farmer_cooperative", "other")
CREDIT_RISK_CLASSES = ("A", "B", "C", "D")
COMPANY_STATUSES = ("operating", "deregistered", "unreachable")

company_tags = tag_links("company_tags", "company_id", "companies")


class Company(Timestamps, Deactivatable, Base):
    """An inspection subject of the registry (检查对象名录库)."""

    __tablename__ = "companies"
    __table_args__ = (
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        CheckConstraint(f"subject_type IN {SUBJECT_TYPES!r}", name="subject_type"),
        CheckConstraint(f"credit_risk_class IN {CREDIT_RISK_CLASSES!r}", name="credit_risk_class"),
        CheckConstraint(f"status IN {COMPANY_STATUSES!r}", name="status"),
        Index("ix_companies_region_class", "region", "credit_risk_class"),
        # Covers the draw's eligible-set scan (operating, active, in code order) so it
        # needs neither the table nor a sort over a million rows.
        Index("ix_companies_eligible", "status", "active", "credit_code", "region",
              "credit_risk_class", "id"),
        # The monthly report's coverage base: registered and active before the year began.
        Index("ix_companies_active_created", "active", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    subject_type: Mapped[str] = mapped_column(String(30), default="enterprise")
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    business_scope: Mapped[str | None] = mapped_column(Text)
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(30))
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    region: Mapped[str | None] = mapped_column(String(12))
    credit_risk_class: Mapped[str] = mapped_column(String(1), default="B", index=True)
    status: Mapped[str] = mapped_column(String(20), default="operating", index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    tags = relationship("Tag", secondary=company_tags, lazy="selectin", order_by="Tag.code")
