"""The company registry (检查对象名录库). Admins keep it; every signed-in user may read it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.codes import is_valid_credit_code, normalize_code
from server.models import Company, company_tags
from server.services.actors import Actor
from server.services.errors import Conflict
from server.services.listing import paginate
from server.services.registry import (
    add_created,
    apply_changes,
    get_or_404,
    having_tags,
    set_active,
    tags_by_code,
)

FIELDS = ("credit_code", "name", "subject_type", "legal_representative", "address",
          "business_scope", "established_on", "phone", "industry", "region",
          "credit_risk_class", "status", "latitude", "longitude", "active", "tags")


def registered_count(session: Session, year: int) -> int:
    """The registered companies of ``year`` (上年底登记企业数): the one base of the coverage
    target (抽查覆盖率), in the monthly report and in a draw's coverage check alike.

    A company counts when it was in the registry before 1 January of ``year`` (China
    time), is still in it (active) and is in business (status ``operating``), which is
    what a draw may draw: a deregistered company, or one found unreachable at its address
    (replaced in its draw), is not inspected, so covering it is no target.
    The registry keeps no history of status: a company that closes during the year leaves
    that year's base when it closes."""
    from server.clock import CHINA

    new_year = dt.datetime(year, 1, 1, tzinfo=CHINA).astimezone(dt.UTC)
    return session.scalar(select(func.count()).select_from(Company).where(
        Company.active.is_(True), Company.status == "operating",
        Company.created_at < new_year)) or 0


def get_or_raise(session: Session, actor: Actor, company_id: int) -> Company:
    return get_or_404(session, Company, company_id, "company")


def create(session: Session, actor: Actor, data: dict) -> Company:
    actor.require_role("admin")
    data = dict(data)
    if session.scalar(select(Company.id).where(Company.credit_code == data["credit_code"])):
        raise Conflict("A company with this credit code is registered.", code="duplicate",
                       errors={"credit_code": ["already registered"]})
    tags = tags_by_code(session, data.pop("tags", []))
    company = Company(**data)
    company.tags = tags
    return add_created(session, actor, company, fields=FIELDS, entity="company")


def update(session: Session, actor: Actor, company_id: int, changes: dict) -> Company:
    actor.require_role("admin")
    company = get_or_raise(session, actor, company_id)
    changes = dict(changes)
    if "tags" in changes:
        changes["tags"] = tags_by_code(session, changes["tags"])
    apply_changes(session, actor, company, changes, fields=FIELDS, entity="company")
    return company


def set_active_state(session: Session, actor: Actor, company_id: int, active: bool) -> Company:
    actor.require_role("admin")
    return set_active(session, actor, get_or_raise(session, actor, company_id), active,
                      entity="company")


SORTABLE = {
    "name": Company.name, "credit_code": Company.credit_code, "id": Company.id,
    "established_on": Company.established_on, "credit_risk_class": Company.credit_risk_class,
    "region": Company.region, "industry": Company.industry, "updated_at": Company.updated_at,
}


def list_(session: Session, actor: Actor, *, q=None, region=None, industry=None,
          subject_type=None, credit_risk_class=None, status=None, tag=None, active=True,
          page=1, page_size=50, sort=None):
    stmt = select(Company)
    if active is not None:
        stmt = stmt.where(Company.active.is_(active))
    if q:
        code = normalize_code(q)
        if is_valid_credit_code(code):
            # A whole credit code names one company: use the unique index, don't scan
            # 10^6 names for a substring no name contains.
            stmt = stmt.where(Company.credit_code == code)
        else:
            stmt = stmt.where(Company.name.contains(q, autoescape=True))
    if region:
        # Region codes are hierarchical (省/市/县): a prefix selects everything below it.
        stmt = stmt.where(Company.region.startswith(region, autoescape=True))
    for column, values in ((Company.industry, industry), (Company.subject_type, subject_type),
                           (Company.credit_risk_class, credit_risk_class),
                           (Company.status, status)):
        if values:
            stmt = stmt.where(column.in_(values))
    stmt = having_tags(stmt, Company.id, company_tags, tag)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, sortable=SORTABLE,
                    default_sort="credit_code", tiebreak=Company.id)
