// Sync (docs/sync-protocol.md sections 3, 6, 7): push the outbox in recording order within
// the server's caps, drop an op from the outbox only once the server answered it, then
// pull and apply the team's changes, the cursor stored in the same transaction as them;
// then the visit list and the packs that changed. Any step may be cut at any moment and
// simply run again: every step is idempotent. Runs on opening the app, on `online`, when
// the app becomes visible, on a timer and after each edit; never on Background Sync.
import { call, ApiError } from "./api.js";
import { kv, withDb, getAll, get } from "./store.js";
import { outboxChanged } from "./outbox.js";
import { receiveClock } from "./rules.js";
import { session, tokenExpired } from "./session.js";

const TIMER_MS = 60_000;
const RETRY_MS = 10_000;
const DEFAULT_LIMITS = { max_ops: 500, max_bytes: 1024 * 1024 };

let running = null;
let again = false;
const status = { state: "idle", error: null, lastSync: null, stopped: null };
const listeners = new Set();

export function onSyncStatus(listener) { listeners.add(listener); listener(status); }
function report(patch) {
  Object.assign(status, patch);
  for (const l of listeners) l(status);
}
export function syncStatus() { return status; }

/** Starts a sync, or asks the running one to go round once more. */
export function syncSoon() {
  if (running) { again = true; return running; }
  running = (async () => {
    try {
      do { again = false; await syncOnce(); } while (again);
    } finally { running = null; }
  })();
  return running;
}

export function startTriggers() {
  window.addEventListener("online", () => syncSoon());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncSoon();
  });
  // every minute; every 10 s while the server is out of reach (navigator.onLine and the
  // `online` event are not to be trusted: wifi without internet says online)
  let last = Date.now();
  setInterval(() => {
    const unreachable = status.state === "offline" || status.state === "failed";
    if (unreachable || Date.now() - last >= TIMER_MS) { last = Date.now(); syncSoon(); }
  }, RETRY_MS);
  syncSoon();
}

async function syncOnce() {
  const s = session();
  if (!s || !s.device || s.needsPassword || status.stopped) return;
  report({ state: "syncing", error: null });
  try {
    const limits = await loadLimits(s);
    await push(s, limits);
    await pull(s);
    await refreshVisits(s);
    await push(s, limits); // what was recorded meanwhile
    report({ state: "idle", lastSync: Date.now(), error: null });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401)) {
      tokenExpired();
      report({ state: "needs-password", error });
    } else if (error instanceof ApiError && error.code === "device_revoked") {
      report({ state: "failed", error, stopped: "device_revoked" });
    } else if (error instanceof ApiError && error.code === "offline") {
      report({ state: "offline", error: null });
    } else {
      report({ state: "failed", error });
    }
  }
}

async function loadLimits(s) {
  try {
    const { body } = await call("/sync/limits", { token: s.token });
    await kv.set("limits", body);
    return body;
  } catch (error) {
    if (error.code !== "offline" && error.status !== 404) throw error;
    return (await kv.get("limits")) || DEFAULT_LIMITS;
  }
}

/** The next batch: outbox order, at most max_ops ops and (with the envelope) max_bytes. */
function nextBatch(entries, limits, maxOps) {
  const batch = [];
  let bytes = 100;
  for (const entry of entries) {
    if (batch.length >= maxOps) break;
    if (batch.length && bytes + entry.bytes + 1 > limits.max_bytes * 0.9) break;
    batch.push(entry);
    bytes += entry.bytes + 1;
  }
  return batch;
}

async function push(s, limits) {
  let maxOps = limits.max_ops;
  for (;;) {
    const entries = await getAll("outbox");
    if (!entries.length) return;
    const batch = nextBatch(entries, limits, maxOps);
    let answer;
    try {
      answer = await call("/sync/push", {
        method: "POST", token: s.token, device: s.device,
        body: { device_id: s.device.id, ops: batch.map((e) => e.op) },
      });
    } catch (error) {
      if (error.code === "body_too_large" && maxOps > 1) { maxOps = Math.max(1, Math.floor(batch.length / 2)); continue; }
      throw error;
    }
    await acknowledge(batch, answer.body.results);
  }
}

/** One transaction: the answered ops leave the outbox; a refused op's revision goes and
 *  the refusal is kept to show; applied ones stay in the replica, no longer pending. */
async function acknowledge(batch, results) {
  const byId = new Map(results.map((r) => [r.op_id, r]));
  await withDb(async (db) => {
    const tx = db.transaction(["outbox", "revisions", "refused"], "readwrite");
    for (const entry of batch) {
      const result = byId.get(entry.op.op_id);
      if (!result) continue;
      const outcome = result.outcome === "duplicate" ? result.stored_outcome : result.outcome;
      if (outcome === "rejected") {
        await tx.objectStore("revisions").delete(entry.op.op_id);
        await tx.objectStore("refused").put({
          op_id: entry.op.op_id, visit_id: entry.visit_id, op: entry.op, reason: result.reason,
          problems: result.problems || null, message: result.message || null, at: Date.now(),
        });
      } else {
        const revision = await tx.objectStore("revisions").get(entry.op.op_id);
        if (revision) await tx.objectStore("revisions").put({ ...revision, pending: false });
      }
      await tx.objectStore("outbox").delete(entry.seq);
    }
    await tx.done;
  });
  outboxChanged();
}

async function pull(s) {
  for (;;) {
    const cursor = (await kv.get("cursor")) || "";
    let answer;
    try {
      const query = new URLSearchParams({ device_id: s.device.id, limit: "500" });
      if (cursor) query.set("cursor", cursor);
      answer = await call(`/sync/pull?${query}`, { token: s.token, device: s.device });
    } catch (error) {
      if (error.code === "bad_cursor") { await kv.del("cursor"); continue; } // from the start: safe
      throw error;
    }
    await applyChanges(answer.body.changes, answer.body.cursor, s.device.id);
    if (!answer.body.more) return;
  }
}

async function applyChanges(changes, cursor, deviceId) {
  if (!changes.length) { await kv.set("cursor", cursor); return; }
  await withDb(async (db) => {
    const tx = db.transaction(["kv", "revisions", "visits"], "readwrite");
    let clock = await tx.objectStore("kv").get("clock");
    const now = Date.now();
    for (const c of changes) {
      if (c.kind === "field") {
        const known = await tx.objectStore("revisions").get(c.op_id);
        await tx.objectStore("revisions").put({
          op_id: c.op_id, visit_id: c.visit_id, register: c.register, op_kind: c.op_kind,
          value: c.value, note: c.note, hlc: c.hlc, device_id: c.device_id, base: c.base,
          author_inspector_id: c.author_inspector_id, item_version_id: c.item_version_id ?? null,
          pending: false, seq: c.seq, ...(known ? { recorded_here: true } : {}),
        });
        clock = receiveClock(clock, c.hlc, now, deviceId.slice(0, 8));
      } else if (c.kind === "visit") {
        // kept even before /me/visits names the visit (a first pull comes first): its
        // review is told only here
        const visit = (await tx.objectStore("visits").get(c.visit_id)) || { id: c.visit_id };
        await tx.objectStore("visits").put({ ...visit, state: c.state, window_start: c.window_start, window_end: c.window_end, review: c.review ?? null });
      }
    }
    if (clock) await tx.objectStore("kv").put(clock, "clock");
    await tx.objectStore("kv").put(cursor, "cursor");
    await tx.done;
  });
  pulledListeners.forEach((l) => l(changes));
}

const pulledListeners = new Set();
export function onPulled(listener) { pulledListeners.add(listener); return () => pulledListeners.delete(listener); }

/** The visit list, and the packs whose ETag changed. */
export async function refreshVisits(s = session()) {
  const { body } = await call("/me/visits", { token: s.token });
  const listed = new Set(body.items.map((v) => v.id));
  await withDb(async (db) => {
    const tx = db.transaction(["visits"], "readwrite");
    for (const old of await tx.objectStore("visits").getAll()) {
      if (!listed.has(old.id)) await tx.objectStore("visits").put({ ...old, listed: false });
    }
    for (const v of body.items) {
      const old = await tx.objectStore("visits").get(v.id);
      await tx.objectStore("visits").put({ ...(old || {}), ...v, listed: true });
    }
    await tx.done;
  });
  for (const v of body.items) {
    const pack = await get("packs", v.id);
    if (pack && pack.etag !== v.pack_etag) await downloadPack(v.id, s);
    else if (!pack && (await kv.get("autoDownload")) !== false) await downloadPack(v.id, s);
  }
  await loadCategories(s);
  visitsListeners.forEach((l) => l());
}

const visitsListeners = new Set();
export function onVisits(listener) { visitsListeners.add(listener); return () => visitsListeners.delete(listener); }

export async function downloadPack(visitId, s = session()) {
  const stored = await get("packs", visitId);
  const headers = stored ? { "If-None-Match": `"${stored.etag}"` } : {};
  const answer = await call(`/visits/${visitId}/pack`, { token: s.token, headers });
  if (answer.status === 304) return stored;
  const etag = (answer.headers.get("ETag") || "").replace(/"/g, "");
  const pack = { visit_id: visitId, etag, pack: answer.body, stored_at: Date.now() };
  await withDb((db) => db.put("packs", pack));
  return pack;
}

/** "全部下载": every open visit's pack, now. */
export async function downloadAll() {
  const s = session();
  await refreshVisits(s);
  for (const v of await getAll("visits")) {
    if (v.listed !== false) await downloadPack(v.id, s);
  }
  visitsListeners.forEach((l) => l());
}

async function loadCategories(s) {
  const { body } = await call("/result-categories", { token: s.token });
  await kv.set("categories", body.items.filter((c) => c.active !== false));
}
