"""The request's transaction (一个请求一个事务): one session per request, ended in one
place. A success (below 400) commits, anything else rolls back, so a refused or failed
request changes nothing. Services flush into the session and never commit.

Two exceptions, named where they happen:

- ``keep_even_if_refused()``: the request's work stays although it answers 4xx, because
  the refusal itself changes state (a failed sign-in's back-off counters). A refusal
  that needs only its audit entry kept uses ``audit.record_refusal`` instead, which
  writes the entry in a transaction of its own and keeps nothing else.
- ``commit_before_answering()``: commit now, before the answer is built, when the
  answer must not hold the transaction (the sync push's write lock while its results
  are serialized) or must be durable before the client hears it.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def session() -> Session:
    """The request's session, made at first use: a read session for GET, HEAD and
    OPTIONS, else the write session (on SQLite its first statement takes the write lock)."""
    if "db_session" not in g:
        db = current_app.extensions["fieldinspect"].db
        factory = db.read_session if request.method in READ_METHODS else db.write_session
        g.db_session = factory()
    return g.db_session


def keep_even_if_refused() -> None:
    """Commit this request's work even though it answers 4xx (a server error still rolls
    it back): for state the refusal itself changes, such as sign-in back-off counters."""
    g.db_keep_if_refused = True


def commit_before_answering() -> None:
    """Commit the request's work now, before the answer is built; the request may go on
    in a new transaction, which its end commits or rolls back as usual."""
    if "db_session" in g:
        g.db_session.commit()


def _end(response: Response) -> Response:
    sess = g.pop("db_session", None)
    keep = g.pop("db_keep_if_refused", False)
    if sess is None:
        return response
    try:
        if response.status_code < 400 or (keep and response.status_code < 500):
            sess.commit()
        else:
            sess.rollback()
    except IntegrityError as exc:  # answered as if the view had raised it (409 conflict)
        sess.rollback()
        return current_app.make_response(current_app.handle_user_exception(exc))
    finally:
        sess.close()
    return response


def _abandon(_exc) -> None:
    """A request that ended without a response (its after-request hooks never ran)."""
    sess = g.pop("db_session", None)
    if sess is not None:
        sess.rollback()
        sess.close()


def init_app(app: Flask) -> None:
    app.after_request(_end)
    app.teardown_request(_abandon)
