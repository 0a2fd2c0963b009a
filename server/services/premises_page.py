"""``/p/<token>``: what anyone sees who scans a premises poster (入企码) with a plain phone.

The poster's QR code holds the URL of this page, so a phone camera or WeChat opens a page
instead of showing a token as gibberish; the inspector's app takes the token out of the
URL (``sync.tokens.token_from_scan``). The page is public and holds nothing personal: the
company's registry name and credit code, whether the code is the company's current one,
and the department that issued it with its office number, to ask about the code.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.states import PremisesCodeStatus
from server.clock import CHINA
from server.models import Company, Department, PremisesCode, User
from server.services.verification import InvalidCode
from sync.tokens import TokenError, verify


def issuing_department(session: Session, code: PremisesCode) -> Department | None:
    """The department of the supervisor who issued the code; None when an admin did."""
    user = session.get(User, code.issued_by) if code.issued_by else None
    return session.get(Department, user.department_id) if user and user.department_id else None


def page(session: Session, token: str, public_keys: dict[str, bytes]) -> dict:
    """The page's content; InvalidCode (400) for a forged code, a visit code, or a code of
    no company or version the server issued."""
    try:
        payload = verify(token, public_keys, kind="p")
    except TokenError as exc:
        raise InvalidCode(exc.message, code=exc.code) from None
    company_id, version = payload.get("c"), payload.get("n")
    code = session.get(PremisesCode, (company_id, version)) \
        if isinstance(company_id, int) and isinstance(version, int) else None
    if code is None:
        raise InvalidCode("no such premises code was issued")
    company = session.get(Company, company_id)
    latest = session.scalar(select(func.max(PremisesCode.version))
                            .where(PremisesCode.company_id == company_id))
    department = issuing_department(session, code)
    return {"company": company.name, "credit_code": company.credit_code,
            "version": code.version, "latest_version": latest,
            "status": PremisesCodeStatus.CURRENT if code.revoked_at is None
            else PremisesCodeStatus.SUPERSEDED,
            "issued_on": code.issued_at.astimezone(CHINA).date(),
            "department": department.name if department else None,
            "department_phone": department.phone if department else None}
