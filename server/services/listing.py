"""Filter, sort and page a registry list; every list answers with its ``total``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from server.services.errors import InvalidInput


@dataclass
class Page:
    items: list
    total: int
    page: int
    page_size: int


def paginate(session: Session, stmt: Select, *, page: int, page_size: int, sort: str | None,
             sortable: dict, default_sort: str, tiebreak) -> Page:
    """``sort`` is a field name, ``-`` in front for descending; ``tiebreak`` keeps pages stable."""
    sort = sort or default_sort
    name = sort.lstrip("-")
    column = sortable.get(name)
    if column is None:
        raise InvalidInput(f"Cannot sort by {name!r}.",
                           errors={"query": {"sort": [f"one of: {', '.join(sorted(sortable))}"]}})
    order = column.desc() if sort.startswith("-") else column.asc()
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(
        stmt.order_by(order, tiebreak).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return Page(list(rows), total or 0, page, page_size)
