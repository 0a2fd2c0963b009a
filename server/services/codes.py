"""The two QR codes of scan-to-enter (扫码入企).

- The visit code: visit, company, window and team, signed; it encodes the URL of the
  company's verification page, ``<public url>/v/<token>``, so any phone camera opens it.
- The premises code: one per company, posted at the premises; reissuing makes a new
  version and revokes the old one. Its QR code encodes the URL of its page,
  ``<public url>/p/<token>`` (``server.services.premises_page``), so a plain phone shows
  the company and whom to call; the app takes the token out (``sync.tokens.token_from_scan``)
  and posters printed before, holding the bare token, keep working. It concerns the
  departments about to inspect the company: admins, and supervisors of a department with
  an issued or entered visit to it (its items on the visit), reissue it and read it;
  coordinators read it too. Everyone else gets a 404, as if the company had no code.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from schemas.states import VISIT_OPEN
from server import clock
from server.iso_text import iso_text
from server.models import Company, PremisesCode, Visit, VisitItem
from server.services import audit
from server.services.actors import Actor
from server.services.errors import NotFound
from server.services.registry import get_or_404
from server.services.signing import Signer


def visit_payload(visit: Visit) -> dict:
    return {"t": "v", "v": visit.id, "c": visit.company_id,
            "s": iso_text(visit.window_start), "e": iso_text(visit.window_end),
            "m": sorted(m.inspector_id for m in visit.members)}


def visit_token(visit: Visit, signer: Signer) -> str:
    return signer.sign(visit_payload(visit))


def visit_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/v/{token}"


def premises_url(public_url: str, token: str) -> str:
    """What a premises code's QR encodes: its page, ``<public url>/p/<token>``."""
    return f"{public_url.rstrip('/')}/p/{token}"


def current_premises(session: Session, company_id: int) -> PremisesCode | None:
    return session.scalar(select(PremisesCode).where(
        PremisesCode.company_id == company_id, PremisesCode.revoked_at.is_(None))
        .order_by(PremisesCode.version.desc()).limit(1))


def current_premises_or_raise(session: Session, company_id: int) -> PremisesCode:
    code = current_premises(session, company_id)
    if code is None:
        raise NotFound("No premises code has been issued for this company.",
                       code="no_premises_code")
    return code


def premises_token(code: PremisesCode, signer: Signer) -> str:
    return signer.sign({"t": "p", "c": code.company_id, "n": code.version})


def _has_open_visit(session: Session, actor: Actor, company_id: int) -> bool:
    """A supervisor whose department has items on an issued or entered visit to it."""
    return actor.role == "supervisor" and actor.department_id is not None and session.scalar(
        select(Visit.id).join(VisitItem, VisitItem.visit_id == Visit.id).where(
            Visit.company_id == company_id, Visit.state.in_(VISIT_OPEN),
            VisitItem.department_id == actor.department_id).limit(1)) is not None


def check_premises_reader(session: Session, actor: Actor, company_id: int) -> None:
    """Admins and coordinators; supervisors of a department about to inspect the company."""
    get_or_404(session, Company, company_id, "company")
    if actor.reads_everything or _has_open_visit(session, actor, company_id):
        return
    raise NotFound("No such premises code.")


def check_premises_issuer(session: Session, actor: Actor, company_id: int) -> None:
    """Admins; supervisors of a department with an issued or entered visit to the company."""
    get_or_404(session, Company, company_id, "company")
    if actor.role == "admin" or _has_open_visit(session, actor, company_id):
        return
    raise NotFound("No such premises code.")


def issue_premises(session: Session, actor: Actor, company_id: int, *,
                   now: dt.datetime | None = None) -> PremisesCode:
    """A new version of the company's premises code; any older one stops working."""
    check_premises_issuer(session, actor, company_id)
    now = now or clock.now()
    session.execute(update(PremisesCode).where(PremisesCode.company_id == company_id,
                                               PremisesCode.revoked_at.is_(None))
                    .values(revoked_at=now))
    version = (session.scalar(select(func.max(PremisesCode.version))
                              .where(PremisesCode.company_id == company_id)) or 0) + 1
    code = PremisesCode(company_id=company_id, version=version, issued_at=now,
                        issued_by=actor.user_id)
    session.add(code)
    session.flush()
    audit.record(session, actor, "premises_code.issue", "company", company_id,
                 after={"version": version}, now=now)
    return code
