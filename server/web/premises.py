"""``/p/<token>``: the page a premises poster's QR code opens on any phone (入企码)."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request

from schemas.states import PremisesCodeStatus
from server.app_state import fi
from server.request_scope import session
from server.services import premises_page
from server.services.verification import InvalidCode
from server.web import html

log = logging.getLogger(__name__)
bp = Blueprint("web_premises", __name__, template_folder="templates")


@bp.get("/p/<path:token>")
def page(token):
    """200 for the company's current code, 410 for one a newer version replaced (the
    poster on the wall is out of date), 400 for anything that is no premises code."""
    try:
        p = premises_page.page(session(), token.rstrip("/"), fi().public_keys())
    except InvalidCode as exc:
        log.warning("invalid premises code opened (%s) from %s", exc.code, request.remote_addr)
        return html(render_template(
            "message.html", heading="✘ 不是有效的入企码",
            text="该二维码不是监管部门签发的入企检查码，或已被篡改。执法人员入企检查时请在执法 "
                 "app 中扫描张贴在经营场所的入企码；如有疑问，可向当地监管部门核实。"), 400)
    status = 200 if p["status"] == PremisesCodeStatus.CURRENT else 410
    return html(render_template("premises.html", p=p), status)
