"""Failed sign-ins slow down: exponential back-off per account name and per client address.

Why this and not a lock: locking an account after N wrong passwords let anyone lock
anyone (the admin included) again and again, and a locked account answering at once
while an unknown name took an argon2 hash told which names exist. Here:

- every failed sign-in counts against the name tried (known or not: an unknown name
  behaves exactly like a known one) and against the client address; after
  ``free_failures`` failures in a row, each further attempt must wait ``2^k`` seconds
  (k = failures beyond the free ones, from 1 s up to ``max_delay`` seconds);
- a client whose own address is backing off is refused (429 with Retry-After), whatever
  name it tries;
- a name that is backing off refuses only clients that have been failing themselves: the
  right password from an address that has not been failing still signs in, so an
  attacker elsewhere cannot keep the owner out;
- a success clears the name and the address; failures older than ``FORGET_AFTER`` are
  forgotten.

The counters live in the database (``login_throttles``), so every host behind the load
balancer shares them; a rate-limiting library such as Flask-Limiter would need Redis or
memcached for that, which this deployment does not have. The row is updated with
``INSERT ... ON CONFLICT DO UPDATE`` in SQL, so parallel wrong guesses cannot all read
the same count.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.models import LoginThrottle

FORGET_AFTER = dt.timedelta(hours=24)
KEY_LENGTH = 200


@dataclass(frozen=True)
class Policy:
    free_failures: int = 5  # FIELDINSPECT_LOGIN_MAX_FAILURES
    max_delay: int = 900  # FIELDINSPECT_LOGIN_LOCK_SECONDS: the longest wait, seconds

    def delay(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failures in a row."""
        beyond = failures - self.free_failures
        if beyond < 0:
            return 0
        return min(self.max_delay, 2 ** min(beyond, 30))


def account_key(username: str) -> str:
    return f"account:{username.strip().casefold()}"[:KEY_LENGTH]


def client_key(address: str | None) -> str:
    return f"client:{address or 'unknown'}"[:KEY_LENGTH]


@dataclass(frozen=True)
class Standing:
    """What the counters say of one attempt, read before the password is checked."""

    retry_after: int  # seconds; 0: go ahead
    client_failing: bool


def standing(conn: Session | Connection, *, username: str, address: str | None,
             now: dt.datetime) -> Standing:
    rows = {key: (failures, blocked_until, last) for key, failures, blocked_until, last in
            conn.execute(select(LoginThrottle.key, LoginThrottle.failures,
                                LoginThrottle.blocked_until, LoginThrottle.last_failure_at)
                         .where(LoginThrottle.key.in_([account_key(username),
                                                       client_key(address)])))}

    def live(key):
        failures, blocked_until, last = rows.get(key, (0, None, None))
        if last is None or now - last > FORGET_AFTER:
            return 0, None
        return failures, blocked_until

    client_failures, client_blocked = live(client_key(address))
    _, account_blocked = live(account_key(username))
    waits = [client_blocked]
    if client_failures:
        waits.append(account_blocked)
    until = max((w for w in waits if w is not None and w > now), default=None)
    retry = 0 if until is None else max(1, math.ceil((until - now).total_seconds()))
    return Standing(retry, client_failures > 0)


def failed(session: Session, policy: Policy, *, username: str, address: str | None,
           now: dt.datetime) -> int:
    """Count a failure against the name and the address; the longer wait it brings."""
    wait = 0
    for key in (account_key(username), client_key(address)):
        failures = _increment(session, key, now)
        delay = policy.delay(failures)
        # Only while the count is still ours: a failure counted meanwhile sets its own wait.
        session.execute(LoginThrottle.__table__.update()
                        .where(LoginThrottle.key == key, LoginThrottle.failures == failures)
                        .values(blocked_until=now + dt.timedelta(seconds=delay) if delay else None))
        wait = max(wait, delay)
    return wait


def succeeded(session: Session, *, username: str, address: str | None) -> None:
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.key.in_([account_key(username), client_key(address)])))


def _increment(session: Session, key: str, now: dt.datetime) -> int:
    """failures + 1 (or 1 when the last failure is forgotten), in one statement."""
    table = LoginThrottle.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    forgotten = now - FORGET_AFTER
    stmt = insert(table).values(key=key, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": _case_forgotten(table, forgotten), "last_failure_at": now},
    ).returning(table.c.failures)
    return session.execute(stmt).scalar_one()


def _case_forgotten(table, forgotten: dt.datetime):
    return case((table.c.last_failure_at < forgotten, 1), else_=table.c.failures + 1)
