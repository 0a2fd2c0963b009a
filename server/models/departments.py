from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base
from server.models.mixins import Deactivatable, Timestamps


class Department(Timestamps, Deactivatable, Base):
    """A regulating department (部门), e.g. 市场监督管理局."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(30))
    region: Mapped[str | None] = mapped_column(String(12))
    # The office number a company calls about a code or a visit (shown on the premises
    # code's page, 入企码核验页): a public office line, never a person's mobile.
    phone: Mapped[str | None] = mapped_column(String(30))
    # Default sampling ratios per credit-risk class, percent, e.g. {"A": 3, "B": 5, ...}:
    # what a new task of this department starts with.
    default_ratios: Mapped[dict | None] = mapped_column(JSON)
