"""Who is asking: the bearer token and the acting user it resolves to. Signing in is
``server.sign_in``'s, the request's transaction ``server.request_scope``'s."""

from __future__ import annotations

from flask import g, request

from server import clock
from server.app_state import fi
from server.services import accounts
from server.services.actors import Actor
from server.services.errors import Unauthorized


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


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
