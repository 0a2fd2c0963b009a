"""``/dashboard``: the supervisor dashboard (监管工作台), server-rendered, no JavaScript.

Sign-in uses the same accounts and the same bearer tokens as the API
(``accounts.login``: lockout, counters, audit): the token lives in an HttpOnly,
SameSite=Strict cookie (Secure over https) scoped to ``/dashboard``, and signing out
revokes it. Only supervisors, coordinators and admins get the page; an inspector who
signs in is told so and the token made for them is revoked at once.

CSRF: every POST form carries a token, HMAC(secret key, what it is bound to), checked
in constant time; bound to the session token once signed in, and before that to a
random nonce in its own cookie (so even the sign-in form cannot be forged: login CSRF).
SameSite=Strict alone would already keep the cookie off cross-site requests, but not
off requests from a sibling host of the same site, nor protect the sign-in itself, nor
help on browsers that ignore SameSite; the token does. A POST whose ``Origin`` names
another origin is refused before anything else (a cheap first check browsers make
reliable; requests without ``Origin`` still need the token).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, render_template, request

from server import clock
from server.app_state import fi
from server.clock import CHINA
from server.request_scope import keep_even_if_refused, session
from server.services import accounts, dashboard, departments, reports
from server.services.errors import DomainError, NotFound, Unauthorized
from server.sign_in import sign_in
from server.web import headers

log = logging.getLogger(__name__)
bp = Blueprint("web_dashboard", __name__, template_folder="templates")

PATH = "/dashboard"
SESSION_COOKIE = "fi_dashboard"
NONCE_COOKIE = "fi_dashboard_csrf"
NOT_FOR_INSPECTORS = ("监管工作台仅供监管人员、协调人员和管理员使用。检查人员请在手机应用中查看"
                      "自己的检查任务。")


# --- responses -----------------------------------------------------------------------------
def _page(template: str, status: int = 200, **context):
    resp = make_response(render_template(template, **context), status)
    resp.headers.update({**headers(), "Referrer-Policy": "same-origin"})
    return resp


def _message(heading: str, text: str, status: int, back: str | None = None):
    return _page("message.html", status, heading=heading, text=text, ok=False, back=back)


def _see_other(location: str):
    return redirect(location, code=303)


def _secure() -> bool:
    return request.is_secure or fi().settings.public_url.startswith("https://")


def _set_cookie(resp, name: str, value: str, max_age: int | None) -> None:
    resp.set_cookie(name, value, max_age=max_age, path=PATH, httponly=True, samesite="Strict",
                    secure=_secure())


def _clear_cookie(resp, name: str) -> None:
    resp.delete_cookie(name, path=PATH, httponly=True, samesite="Strict", secure=_secure())


@bp.app_template_filter("dashboard_time")
def china_time(value: dt.datetime | str | None) -> str:
    """A stored (UTC) time as China time, to the minute."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


# --- CSRF ----------------------------------------------------------------------------------
def csrf_token(binding: str) -> str:
    key = fi().settings.secret_key.encode()
    return hmac.new(key, f"dashboard-csrf|{binding}".encode(), hashlib.sha256).hexdigest()


def _same_origin() -> bool:
    """No ``Origin``, or this server's: as the request reached it, or as the public URL
    names it (behind a TLS-terminating proxy the browser's origin is https)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    public = urlsplit(fi().settings.public_url)
    return origin in (request.host_url.rstrip("/"), f"{public.scheme}://{public.netloc}")


def _csrf_ok(binding: str | None) -> bool:
    sent = request.form.get("csrf", "").encode()  # bytes: str would refuse non-ASCII input
    return bool(binding) and _same_origin() and \
        hmac.compare_digest(sent, csrf_token(binding).encode())


def _csrf_refused():
    log.warning("dashboard form refused: CSRF check failed (origin %r, from %s)",
                request.headers.get("Origin"), request.remote_addr)
    return _message("✘ 表单已失效", "请求未通过安全校验（CSRF），请返回登录页刷新后重试。", 403,
                    back=f"{PATH}/login")


# --- the signed-in user ----------------------------------------------------------------------
def _signed_in():
    """(actor, token) from the session cookie, or (None, None)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None, None
    try:
        with fi().db.read_connection() as reader:
            return accounts.resolve_token(reader, token, now=clock.now()), token
    except Unauthorized:
        return None, None


def _allowed(actor) -> bool:
    return actor.role in dashboard.ROLES


# --- routes --------------------------------------------------------------------------------
@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    """Refusals as pages, not JSON: a department outside the actor's scope, and such."""
    return _message("未能显示", exc.message, exc.status, back=PATH)


def _login_form(status: int = 200, error: str | None = None, username: str = ""):
    nonce = request.cookies.get(NONCE_COOKIE) or secrets.token_urlsafe(24)
    resp = _page("dashboard_login.html", status, csrf=csrf_token(nonce), error=error,
                 username=username)
    _set_cookie(resp, NONCE_COOKIE, nonce, max_age=None)
    return resp


@bp.get(f"{PATH}/login")
def login_form():
    actor, _ = _signed_in()
    if actor is not None and _allowed(actor):
        return _see_other(PATH)
    return _login_form()


@bp.post(f"{PATH}/login")
def login():
    if not _csrf_ok(request.cookies.get(NONCE_COOKIE)):
        return _csrf_refused()
    username = request.form.get("username", "").strip()[:64]
    if not username.isprintable():  # control characters (NUL, ...): nobody's name
        username = ""
    password = request.form.get("password", "")[:200]
    s = fi().settings
    result = sign_in(username, password)  # committed: counters and audit stay
    if result.failure == "throttled":
        resp = _login_form(429, f"登录失败次数过多，请 {result.retry_after} 秒后再试。"
                           f"(Too many failed sign-ins: try again in {result.retry_after} s.)",
                           username)
        resp.headers["Retry-After"] = str(result.retry_after)
        return resp
    if result.failure:
        return _login_form(401, "用户名或密码错误。(Wrong username or password.)", username)
    if result.user.role not in dashboard.ROLES:
        accounts.logout(session(), accounts.actor_for(result.user), result.token, now=clock.now())
        keep_even_if_refused()  # the token just issued is revoked, although this answers 403
        return _message("此页面不面向检查人员", NOT_FOR_INSPECTORS, 403)
    resp = _see_other(PATH)
    _set_cookie(resp, SESSION_COOKIE, result.token, max_age=s.token_ttl_seconds)
    _clear_cookie(resp, NONCE_COOKIE)  # signed in: forms are bound to the session now
    return resp


@bp.post(f"{PATH}/logout")
def logout():
    actor, token = _signed_in()
    if actor is None:
        resp = _see_other(f"{PATH}/login")
        _clear_cookie(resp, SESSION_COOKIE)
        return resp
    if not _csrf_ok(token):
        return _csrf_refused()
    accounts.logout(session(), actor, token, now=clock.now())
    resp = _see_other(f"{PATH}/login")
    _clear_cookie(resp, SESSION_COOKIE)
    return resp


@bp.get(PATH)
def page():
    actor, token = _signed_in()
    if actor is None:
        return _see_other(f"{PATH}/login")
    if not _allowed(actor):
        return _message("此页面不面向检查人员", NOT_FOR_INSPECTORS, 403)
    code = request.args.get("department") or None
    if code is not None and not code.isprintable():
        raise NotFound("No such department.")
    department_id = reports.department_by_code(session(), actor, code)
    data = dashboard.overview(session(), actor, department_id=department_id)
    choices = []
    if actor.reads_everything:
        choices = departments.list_(session(), actor, page_size=10_000).items
    return _page("dashboard.html", d=data, actor=actor, choices=choices,
                 csrf=csrf_token(token))
