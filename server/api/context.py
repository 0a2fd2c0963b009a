"""Who is asking: the bearer token, the acting user it resolves to, and the sign-in that
issues one. The request's transaction is ``server.request_scope``'s."""

from __future__ import annotations

from flask import current_app, g, request

from server import clock
from server.request_scope import keep_even_if_refused, session
from server.services import accounts
from server.services.actors import Actor
from server.services.errors import Unauthorized


def fi():
    """What the app carries: settings, the database, the signer, the blob store."""
    return current_app.extensions["fieldinspect"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def sign_in(username: str, password: str) -> accounts.LoginResult:
    """One sign-in attempt, for the API and the dashboard alike: what this name and this
    client address must still wait is read first (its own read session: no write lock
    while argon2 hashes), and the outcome is kept whatever is answered (the back-off
    counters and the audit trail stay)."""
    s = fi().settings
    now = clock.now()
    with fi().db.read_session() as reader:
        known = accounts.credentials(reader, username, address=request.remote_addr, now=now)
    result = accounts.login(session(), creds=known, password=password, now=now,
                            ttl_seconds=s.token_ttl_seconds, throttle=s.sign_in_policy())
    keep_even_if_refused()
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
