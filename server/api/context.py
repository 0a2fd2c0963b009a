"""The request boundary: one session per request, committed when the response is a
success and rolled back otherwise, so a refused request changes nothing; and the
acting user, resolved from the bearer token."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import clock
from server.api.errors import respond
from server.services import accounts
from server.services.actors import Actor
from server.services.errors import Unauthorized

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def fi():
    return current_app.extensions["fieldinspect"]


def session() -> Session:
    if "db_session" not in g:
        db = fi().db
        factory = db.read_session if request.method in READ_METHODS else db.write_session
        g.db_session = factory()
    return g.db_session


def commit_now() -> None:
    """Commit before the response is built: for state a refusal must keep (e.g. a
    failed-login counter), or to end a busy write transaction (the sync push) without
    holding the write lock while the answer is serialized."""
    session().commit()


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def sign_in(username: str, password: str) -> accounts.LoginResult:
    """One sign-in attempt, for the API and the dashboard alike: what this name and this
    client address must still wait is read first (its own read session: no write lock
    while argon2 hashes), and the outcome is committed whatever is answered (the back-off
    counters and the audit trail stay)."""
    s = fi().settings
    now = clock.now()
    with fi().db.read_session() as reader:
        known = accounts.credentials(reader, username, address=request.remote_addr, now=now)
    result = accounts.login(session(), creds=known, password=password, now=now,
                            ttl_seconds=s.token_ttl_seconds, throttle=s.sign_in_policy())
    commit_now()
    return result


def actor(*roles: str) -> Actor:
    """The signed-in user; with ``roles``, also refuses every other role (403)."""
    if "actor" not in g:
        token = bearer_token()
        if token is None:
            raise Unauthorized("Sign in: send 'Authorization: Bearer <token>'.",
                               code="authentication_required")
        # A read connection of its own: a writing request takes SQLite's write lock
        # only when its service first touches the database, not while authenticating.
        with fi().db.read_connection() as reader:
            g.actor = accounts.resolve_token(reader, token, now=clock.now())
    if roles:
        g.actor.require_role(*roles)
    return g.actor


def init_app(app) -> None:
    @app.after_request
    def _commit(response):
        sess = g.pop("db_session", None)
        if sess is None:
            return response
        try:
            if response.status_code < 400:
                sess.commit()
            else:
                sess.rollback()
        except IntegrityError:
            sess.rollback()
            app.logger.info("integrity error at commit", exc_info=True)
            return respond(409, "conflict", "The change conflicts with existing data.")
        finally:
            sess.close()
        return response

    @app.teardown_request
    def _close(_exc):
        sess = g.pop("db_session", None)
        if sess is not None:
            sess.rollback()
            sess.close()
