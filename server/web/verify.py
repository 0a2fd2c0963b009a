"""``/v/<token>``: what a company sees when it scans a visit code."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request

from schemas.states import VISIT_FINISHED
from server import clock
from server.app_state import fi
from server.downloads import pdf_response
from server.request_scope import commit_before_answering, session
from server.services import records, verification
from server.services.errors import DomainError
from server.web import html

log = logging.getLogger(__name__)
bp = Blueprint("web_verify", __name__, template_folder="templates")

def _message(heading: str, text: str, *, status: int, ok: bool = False, back: str | None = None):
    return html(render_template("message.html", heading=heading, text=text, ok=ok, back=back),
                 status)


def _visit(token: str):
    try:
        return verification.resolve(session(), token, fi().public_keys(),
                                    days=fi().settings.visit_page_days), None
    except verification.ExpiredCode:
        return None, _message("检查码已过期", f"该检查已结束超过 {fi().settings.visit_page_days} "
                              "天，检查信息和现场检查笔录不再通过检查码提供。如需查询，请联系"
                              "实施检查的监管部门。", status=410)
    except verification.InvalidCode as exc:
        log.warning("invalid visit code scanned (%s) from %s", exc.code, request.remote_addr)
        issuer = exc.details.get("issuer")  # a genuine code of a void or changed visit
        ask = "当地监管部门"
        if issuer:
            ask = issuer["department"] + (f"（电话 {issuer['phone']}）" if issuer["phone"] else "")
        return None, _message("✘ 不是有效的检查码", "该检查码无效、已被篡改或已失效。请勿配合"
                              f"未持有效检查码的人员进行检查，可向{ask}核实。", status=400)


@bp.get("/v/<path:token>")
def page(token):
    visit, refused = _visit(token)
    if refused:
        return refused
    page_data = verification.page(session(), visit, days=fi().settings.visit_page_days)
    return html(render_template("verify.html", v=page_data,
                                 token=token.rsplit("/", 1)[-1], record=_record(visit)))


def _record(visit) -> dict | None:
    """Once submitted: the on-site record's SHA-256 (made now if need be), for the link
    and for checking a printed copy; None before."""
    if visit.state not in VISIT_FINISHED:
        return None
    try:
        return {"sha256": records.ensure(fi().db, fi().blobs(), visit.id, fi().settings)}
    except DomainError as exc:
        if exc.code == "not_submitted":  # e.g. returned for correction meanwhile
            return None
        log.error("on-site record of visit %s unavailable: %s", visit.id, exc.message)
        return {"sha256": None}


@bp.get("/v/<path:token>/record.pdf")
def record_pdf(token):
    """The on-site record (现场检查笔录) for the company, through its visit code."""
    visit, refused = _visit(token)
    if refused:
        return refused
    try:
        data, sha256 = records.fetch(fi().db, fi().blobs(), visit.id, fi().settings)
    except DomainError as exc:
        return _message("笔录暂不可下载", "检查结果提交后方可下载现场检查笔录。"
                        if exc.code == "not_submitted" else "笔录暂时无法生成，请稍后再试。",
                        status=exc.status, back=f"../{token.rsplit('/', 1)[-1]}")
    return pdf_response(data, sha256, visit.id)


def _act(token: str, action, done: tuple[str, str], **fields):
    """The company's ``action`` (a rating, a recusal request) on the visit of ``token``,
    with the form's credit code and ``fields``; the page says ``done`` only once it is
    committed."""
    visit, refused = _visit(token)
    if refused:
        return refused
    try:
        action(session(), visit, credit_code=request.form.get("credit_code", ""),
               now=clock.now(), **fields)
    except DomainError as exc:
        return _message("未能提交", exc.message, status=exc.status, back=f"../{token}")
    commit_before_answering()
    return _message(*done, status=201, ok=True)


def _form_int(name: str) -> int:
    """A form field as an int; anything else is 0, which every check then refuses."""
    value = request.form.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 0


def _form_text(name: str) -> str:
    """A free-text form field, trimmed and cut at 2,000 characters."""
    return (request.form.get(name) or "").strip()[:2000]


@bp.post("/v/<path:token>/rating")
def rate(token):
    return _act(token, verification.rate, ("✔ 评价已提交", "感谢您的评价。"),
                score=_form_int("score"), comment=_form_text("comment") or None)


@bp.post("/v/<path:token>/recusal")
def recusal(token):
    return _act(token, verification.request_recusal,
                ("✔ 回避申请已提交", "监管部门将处理您的申请。"),
                inspector_id=_form_int("inspector_id"), reason=_form_text("reason"))
