"""An outbox backup imported (导出备份 → 导入): the ops a phone could not push, saved to a
file by the app, pushed by the same inspector from a current device of theirs.

Why it is built this way: a backup is an outbox that could not reach the server (the
browser's storage about to be cleared, the app reinstalled, the device credential lost),
so importing it *is* pushing it. The ops go through ``push.push`` unchanged, in the
file's order, in batches of the push cap, stored under the importing device, as the
protocol has a phone that lost its credential push its outbox as a new device: the op
ids stay, so whatever reached the server before is answered ``duplicate``, and importing
the same file twice stores nothing twice.

Each batch is committed before the next (``end_batch``), as a phone's pushes are: the
global write lock is held for one batch at a time, never for a whole file, and an import
cut short is finished by importing the file again. What would refuse a later batch is
checked before the first: the file's owner, the device proof and op ids reused with
another payload, so a refused import stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from sqlalchemy.orm import Session

from schemas.errors import ErrorCode
from schemas.sync import MAX_BATCH_OPS, OUTCOMES
from server import clock
from server.iso_text import iso_text
from server.services import audit, push
from server.services.actors import Actor
from server.services.devices import check_device
from server.services.errors import Forbidden


def import_backup(session: Session, actor: Actor, *, backup: dict, device_id: str,
                  credential: str | None, end_batch: Callable[[], None],
                  now: dt.datetime | None = None, **push_options) -> dict:
    """Push the backup's ops from the actor's device ``device_id``; answers every op's
    result in the file's order, the number of batches and how many ops had each outcome.
    ``end_batch`` ends a batch's transaction (the request's commit); ``push_options``
    are ``push.push``'s (the public keys, the entry rules, the reader)."""
    now = now or clock.now()
    actor.require_role("inspector")
    _check_owner(session, actor, backup["user"], now)
    check_device(session, actor, device_id, credential, now=now)
    ops = backup["ops"]
    push.refuse_reused_op_ids(session, actor, device_id, ops, now)
    results: list[dict] = []
    batches = range(0, len(ops), MAX_BATCH_OPS)
    for start in batches:
        results += push.push(session, actor, device_id=device_id, credential=credential,
                             ops=ops[start:start + MAX_BATCH_OPS], now=now, **push_options)
        end_batch()
    counts = Counter(result["outcome"] for result in results)
    counts = {outcome: counts[outcome] for outcome in OUTCOMES}
    audit.record(session, actor, "sync.backup_imported", "device", device_id, after={
        "from_device": backup["device_id"], "exported_at": iso_text(backup["exported_at"]),
        "ops": len(ops), **counts}, now=now)
    return {"batches": len(batches), "counts": counts, "results": results}


def _check_owner(session: Session, actor: Actor, user: dict, now: dt.datetime) -> None:
    """Only the account that exported a backup imports it. A 403, not a 404: the file is
    in the caller's hands and the answer is the same whether or not its account exists,
    so it reveals nothing; the attempt is audited (an inspector holding a colleague's
    file is worth a supervisor's look)."""
    if user["id"] != actor.user_id:
        audit.record_refusal(session, actor, "sync.backup_refused", "user", user["id"],
                             after={"username": user["username"]}, now=now)
        raise Forbidden("This backup was exported by another account; only its own "
                        "inspector may import it.", code=ErrorCode.BACKUP_OF_ANOTHER_USER)
