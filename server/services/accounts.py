"""Accounts, password login and bearer tokens.

Passwords are hashed with argon2 (argon2-cffi's defaults). Tokens are random, stored
only as SHA-256, expire, and are revoked on logout. Failed sign-ins slow down per name
and per client address (``sign_in_throttle``), never locking the owner out; an unknown
username takes the same path and the same argon2 work as a known one, so neither the
answer nor its time tells which usernames exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from server import clock
from server.direct import Statement
from server.models import ApiToken, Inspector, User
from server.services import audit, sign_in_throttle
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput, NotFound, Unauthorized
from server.services.listing import paginate
from server.services.registry import active_department_or_raise, get_by_id

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.department_id, user.inspector_id)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LoginResult:
    """A login either yields a token or a reason; failures are still committed (counters)."""

    token: str | None = None
    expires_at: dt.datetime | None = None
    user: User | None = None
    failure: str | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class Credentials:
    """What a login checks the password against, read before any write begins: the
    account (None for an unknown or deactivated name: a dummy hash, same work), and how
    long this name and address must still wait (``sign_in_throttle.standing``)."""

    username: str
    address: str | None
    user_id: int | None
    password_hash: str
    retry_after: int = 0


def credentials(session: Session, username: str, *, address: str | None,
                now: dt.datetime) -> Credentials:
    row = session.execute(select(User.id, User.password_hash, User.active)
                          .where(User.username == username)).first()
    wait = sign_in_throttle.standing(session, username=username, address=address,
                                     now=now).retry_after
    if row is None or not row.active:
        return Credentials(username, address, None, _DUMMY_HASH, wait)
    return Credentials(username, address, row.id, row.password_hash, wait)


def _password_ok(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def login(session: Session, *, creds: Credentials, password: str, now: dt.datetime,
          ttl_seconds: int, throttle: sign_in_throttle.Policy) -> LoginResult:
    """Check the password, then record the outcome.

    A name or address still backing off is answered before any hashing, the same for a
    known and an unknown name. argon2 runs before ``session`` executes anything, so on
    SQLite no write lock is held while hashing. A failure, known name or not, counts
    against the name and the address; a success clears both.
    """
    if creds.retry_after:
        return LoginResult(failure="throttled", retry_after=creds.retry_after)
    ok = _password_ok(creds.password_hash, password)  # also for unknown users: same timing
    user = session.get(User, creds.user_id) if creds.user_id is not None else None
    if user is None or not user.active or not ok:
        wait = sign_in_throttle.failed(session, throttle, username=creds.username,
                                       address=creds.address, now=now)
        if user is not None:
            audit.record(session, actor_for(user), "auth.login_failed", "user", user.id,
                         after={"address": creds.address, "wait_seconds": wait}, now=now)
        return LoginResult(failure="invalid_credentials", retry_after=wait or None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    sign_in_throttle.succeeded(session, username=creds.username, address=creds.address)
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(seconds=ttl_seconds)
    session.add(ApiToken(token_hash=_token_digest(token), user_id=user.id, created_at=now,
                         expires_at=expires))
    audit.record(session, actor_for(user), "auth.login", "user", user.id, now=now)
    return LoginResult(token=token, expires_at=expires, user=user)


# Plain columns, not entities, run straight on the driver: this runs on every request.
_T, _U, _I = ApiToken.__table__.c, User.__table__.c, Inspector.__table__.c
_TOKEN_ACTOR = Statement(lambda: (
    select(_T.revoked_at, _T.expires_at, _U.id, _U.username, _U.role, _U.active,
           _U.department_id, _U.inspector_id, _I.department_id, _I.active)
    .select_from(_T.user_id.table.join(_U.id.table, _U.id == _T.user_id)
                 .outerjoin(_I.id.table, _I.id == _U.inspector_id))
    .where(_T.token_hash == bindparam("digest"))))


def resolve_token(session: Session | Connection, token: str, *, now: dt.datetime) -> Actor:
    """The actor behind a token. An inspector account takes its department and its
    standing from the inspector record, so moving or deactivating the inspector takes
    effect on the next request (no copy to keep in step)."""
    row = next(iter(_TOKEN_ACTOR(session, digest=_token_digest(token))), None)
    if row is None:
        raise Unauthorized("The token is not valid.", code="invalid_token")
    (revoked_at, expires_at, user_id, username, role, active, department_id,
     inspector_id, inspector_department, inspector_active) = row
    inspector_known = inspector_active is not None
    if revoked_at is not None or expires_at <= now or not active:
        raise Unauthorized("The token has expired or was revoked.", code="invalid_token")
    if role == "inspector":
        if not inspector_known or not inspector_active:
            raise Unauthorized("The inspector record behind this account is deactivated.",
                               code="invalid_token")
        return Actor(user_id, username, role, inspector_department, inspector_id)
    return Actor(user_id, username, role, department_id, inspector_id)


def logout(session: Session, actor: Actor, token: str, *, now: dt.datetime) -> None:
    tok = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if tok is not None and tok.revoked_at is None:
        tok.revoked_at = now
        audit.record(session, actor, "auth.logout", "user", actor.user_id, now=now)


def revoke_tokens(session: Session, *, user_id: int | None = None,
                  inspector_id: int | None = None) -> int:
    """Revoke every live token of a user, or of the users linked to an inspector: on a
    new password and on deactivation, so reactivating an account never brings its old
    sessions back (sign-in is needed again). Devices stay registered: a phone needs a
    token as well as its credential, and what it recorded offline may still be pushed
    after the next sign-in. Returns how many were revoked."""
    owner = ApiToken.user_id == user_id if user_id is not None else \
        ApiToken.user_id.in_(select(User.id).where(User.inspector_id == inspector_id))
    return session.execute(ApiToken.__table__.update().where(
        owner, ApiToken.revoked_at.is_(None)).values(revoked_at=clock.now())).rowcount


def snapshot(user: User) -> dict:
    return {
        "username": user.username, "display_name": user.display_name, "role": user.role,
        "department_id": user.department_id, "inspector_id": user.inspector_id,
        "active": user.active,
    }


def _check_links(session: Session, data: dict, role: str) -> None:
    dept_id = data.get("department_id")
    inspector_id = data.get("inspector_id")
    errors = {}
    if role in ("supervisor", "inspector") and dept_id is None and inspector_id is None:
        errors["department_id"] = [f"required for the {role} role"]
    if role in ("admin", "coordinator") and (dept_id or inspector_id):
        errors["role"] = [f"the {role} role is not tied to a department or inspector"]
    if role == "inspector" and inspector_id is None:
        errors["inspector_id"] = ["an inspector account must be linked to an inspector record"]
    if role != "inspector" and inspector_id is not None:
        errors["inspector_id"] = ["only inspector accounts are linked to inspector records"]
    if dept_id is not None:
        try:
            active_department_or_raise(session, dept_id)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if inspector_id is not None:
        inspector = get_by_id(session, Inspector, inspector_id)
        if inspector is None:
            errors["inspector_id"] = ["no such inspector"]
        elif dept_id is not None and inspector.department_id != dept_id:
            errors["department_id"] = ["must be the inspector's own department"]
        else:
            data["department_id"] = inspector.department_id
    if errors:
        raise InvalidInput("The account is not consistent.", errors=errors)


def create_user(session: Session, actor: Actor, data: dict, *, now: dt.datetime | None = None,
                password_hash: str | None = None) -> User:
    """``password_hash``: the caller's argon2 hash of ``data["password"]``, made once for
    many accounts sharing that password (the demo's) instead of a fresh one each (argon2
    costs ~0.1-0.3 s a hash). Not verified here: that would cost as much again."""
    actor.require_role("admin")
    data = dict(data)
    if session.scalar(select(User.id).where(User.username == data["username"])):
        raise Conflict("That username is taken.", code="duplicate",
                       errors={"username": ["already exists"]})
    _check_links(session, data, data["role"])
    password = data.pop("password")
    user = User(password_hash=password_hash or hash_password(password), **data)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, after=snapshot(user), now=now)
    return user


def get_user_or_raise(session: Session, actor: Actor, user_id: int) -> User:
    if actor.role != "admin" and actor.user_id != user_id:
        raise NotFound("No such user.")
    user = get_by_id(session, User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def update_user(session: Session, actor: Actor, user_id: int, changes: dict) -> User:
    actor.require_role("admin")
    user = get_user_or_raise(session, actor, user_id)
    before = snapshot(user)
    changes = dict(changes)
    password = changes.pop("password", None)
    merged = {**before, **changes}
    _check_links(session, merged, merged["role"])
    for key in ("display_name", "role", "department_id", "inspector_id", "active"):
        if key in changes or key == "department_id":
            setattr(user, key, merged[key])
    if password:
        user.password_hash = hash_password(password)
    revoked = revoke_tokens(session, user_id=user.id) if password or (
        before["active"] and not user.active) else 0
    session.flush()
    b, a = audit.diff(before, snapshot(user))
    if password:
        a["password"] = "changed"  # noqa: S105 (a marker, not a secret)
    if revoked:
        a["tokens_revoked"] = revoked
    audit.record(session, actor, "user.update", "user", user.id, before=b, after=a)
    return user


def list_users(session: Session, actor: Actor, *, role=None, department_id=None, active=True,
               q=None, page=1, page_size=50, sort=None):
    actor.require_role("admin")
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if department_id:
        stmt = stmt.where(User.department_id == department_id)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if q:
        stmt = stmt.where(User.username.contains(q, autoescape=True))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"username": User.username, "id": User.id, "role": User.role},
                    default_sort="username", tiebreak=User.id)
