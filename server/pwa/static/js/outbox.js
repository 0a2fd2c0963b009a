// Recording an op (docs/sync-protocol.md section 4, "Recording"): in ONE IndexedDB
// transaction, tick the clock, make the op id, take the register's heads as the base,
// store the op's revision in the replica and append the op to the outbox. Nothing waits
// for a save button, and an op is never half-recorded.
import { withDb, getAll, count } from "./store.js";
import { newOpId, tickClock, writeOf, makeOp, opProblems, deviceTime, valueProblem } from "./rules.js";
import { headsOf } from "./replica.js";

const listeners = new Set();

/** Called after every change to the outbox (recorded or acknowledged). */
export function onOutboxChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function outboxChanged() {
  for (const listener of listeners) listener();
}

/**
 * Records an op of ``kind`` for ``visitId`` with the kind's own fields.
 * ``context`` = {device, inspectorId}. Returns the op as stored.
 */
export async function record(kind, visitId, fields, context) {
  const [op] = await recordMany([[kind, visitId, fields]], context);
  return op;
}

/**
 * Records several ops in ONE transaction, after ``also(tx)`` has written to the extra
 * ``stores`` (a photo's bytes before the op that names them): all of it is stored, or
 * nothing. ``entries`` = [[kind, visitId, fields], ...], in recording order.
 */
export async function recordMany(entries, context, { stores = [], also = null } = {}) {
  for (const [, , fields] of entries) {
    for (const key of ["value", "note", "reason"]) {
      if (key in fields) {
        const problem = valueProblem(fields[key]);
        if (problem) throw Object.assign(new Error(problem), { code: "bad_value" });
      }
    }
  }
  const ops = await withDb(async (db) => {
    const tx = db.transaction(["kv", "revisions", "outbox", ...stores], "readwrite");
    try {
      if (also) await also(tx);
      const made = [];
      for (const [kind, visitId, fields] of entries) made.push(await recordIn(tx, kind, visitId, fields, context));
      await tx.done;
      return made;
    } catch (error) {
      try { tx.abort(); } catch (ignored) { /* already finished */ }
      throw error;
    }
  });
  outboxChanged();
  return ops;
}

async function recordIn(tx, kind, visitId, { base: chosenBase, ...fields }, context) {
  const now = Date.now();
  const written = writeOf({ kind, ...fields }, context.inspectorId);
  const node = context.device.id.slice(0, 8);
  const hlc = tickClock(await tx.objectStore("kv").get("clock"), now, node);
  const known = written ? await tx.objectStore("revisions").index("register").getAll([visitId, written[0]]) : [];
  const built = makeOp(kind, { visit_id: visitId, ...fields }, {
    op_id: newOpId(now), hlc, device_time: deviceTime(now),
    base: chosenBase || headsOf(known).map((r) => r.op_id),
  });
  const problems = opProblems(built);
  if (problems) throw Object.assign(new Error(JSON.stringify(problems)), { code: "validation_error" });
  if (written) {
    await tx.objectStore("revisions").put({
      op_id: built.op_id, visit_id: visitId, register: written[0], op_kind: kind,
      value: written[1], note: built.note ?? null, hlc, device_id: context.device.id,
      base: built.base, author_inspector_id: context.inspectorId,
      item_version_id: built.item_version_id ?? null, pending: true,
    });
  }
  await tx.objectStore("kv").put(hlc, "clock");
  const bytes = new Blob([JSON.stringify(built)]).size;
  await tx.objectStore("outbox").add({ op: built, visit_id: visitId, bytes, recorded_at: now });
  return built;
}

export function pendingOps() {
  return getAll("outbox");
}

export function pendingCount(visitId) {
  return visitId === undefined ? count("outbox") : count("outbox", "visit", visitId);
}

/** The unsynced outbox as a file the server takes back (POST /sync/import): "导出备份". */
export async function exportBackup(session, device) {
  const entries = await pendingOps();
  const file = {
    format: "fieldinspect-outbox", version: 1, exported_at: new Date().toISOString(),
    user: { id: session.user.id, username: session.user.username },
    device_id: device && device.id, ops: entries.map((e) => e.op),
  };
  return new Blob([JSON.stringify(file, null, 1)], { type: "application/json" });
}
