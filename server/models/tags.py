from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.mixins import Deactivatable, Timestamps

TAG_KINDS = ("industry", "risk_domain", "expertise", "scale", "other")


class Tag(Timestamps, Deactivatable, Base):
    """A label of the classification library (分类标签库) for companies and inspectors."""

    __tablename__ = "tags"
    __table_args__ = (
        CheckConstraint(f"kind IN {TAG_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)
