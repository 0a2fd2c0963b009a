"""Signing in, for the API's token endpoint and the dashboard's form alike."""

from __future__ import annotations

from flask import request

from server import clock
from server.app_state import fi
from server.request_scope import keep_even_if_refused, session
from server.services import accounts


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
