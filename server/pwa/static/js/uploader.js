// Uploads the photo queue (photos.js) over tus (docs/sync-protocol.md section 8),
// independently of the checklist's ops: ask the server which hashes it lacks
// (blobs/missing), send those in chunks, and mark a photo confirmed only when
// blobs/missing no longer lists it.
//
// Why it is built this way:
// - Resuming: tus-js-client's fingerprint is our photo's hash, and its URL storage is the
//   photo's record in IndexedDB (its default keeps URLs in localStorage under a
//   fingerprint made of name, type and size, which collides for Blobs and dies with the
//   page's storage quota). A cut, a closed app or a reboot: the next run finds the
//   upload's URL, asks HEAD for the server's offset and goes on from there.
// - Chunks of 2 MiB: a chunk cut by a weak signal keeps what arrived (the server keeps a
//   partial chunk sent without a checksum), and each chunk is a request the server
//   finishes quickly; the whole file is still checked by its SHA-256 on the last byte.
// - One photo at a time, oldest first: a phone's uplink is the bottleneck, and the first
//   photo taken is the first confirmed.
// - Runs from the same triggers as the checklist's sync (opening, `online`, becoming
//   visible, a timer) and when a photo is taken; never on Background Sync.
import { Upload } from "../vendor/tus-js-client.js";
import { call } from "./api.js";
import { session, tokenExpired } from "./session.js";
import { unconfirmed, markConfirmed, updatePhoto, photo, setProgress, onPhotosChange } from "./photos.js";

const ENDPOINT = "/api/v1/sync/uploads";
export const CHUNK_BYTES = 2 * 1024 * 1024;
const TIMER_MS = 60_000;
const RETRY_MS = 10_000;
const MISSING_BATCH = 1000; // hashes per blobs/missing (the server's cap)
const FINGERPRINT = "fieldinspect-photo:";
// The server refused these bytes for good: do not send them again as they are.
const REFUSALS = new Set(["hash_mismatch", "unsupported_media_type", "photo_too_large", "length_mismatch"]);

let running = null;
let again = false;
const status = { state: "idle", current: null, error: null, stopped: null };
const listeners = new Set();

/** {state: idle | uploading | offline | failed, current: sha256 being sent, error}. */
export function onUploadStatus(listener) { listeners.add(listener); listener(status); return () => listeners.delete(listener); }
export function uploadStatus() { return status; }
function report(patch) {
  Object.assign(status, patch);
  for (const l of listeners) l(status);
}

/** Starts a round of uploads, or asks the running one to go round once more. */
export function uploadSoon() {
  if (running) { again = true; return running; }
  running = (async () => {
    try {
      do { again = false; await uploadOnce(); } while (again);
    } finally { running = null; }
  })();
  return running;
}

export function startUploads() {
  window.addEventListener("online", () => uploadSoon());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") uploadSoon();
  });
  onPhotosChange((sha256, why) => { if (why === "added") uploadSoon(); });
  let last = Date.now();
  setInterval(() => {
    const stuck = status.state === "offline" || status.state === "failed";
    if (stuck || Date.now() - last >= TIMER_MS) { last = Date.now(); uploadSoon(); }
  }, RETRY_MS);
  uploadSoon();
}

async function uploadOnce() {
  const s = session();
  if (!s || !s.device || s.needsPassword || status.stopped) return;
  const waiting = (await unconfirmed()).filter((p) => p.state !== "refused");
  if (!waiting.length) { report({ state: "idle", current: null, error: null }); return; }
  try {
    const missing = await confirmHeld(s, waiting.map((p) => p.sha256));
    for (const p of waiting) {
      if (!missing.has(p.sha256)) continue;
      const current = await photo(p.sha256); // it may have changed meanwhile
      if (!current || current.state === "confirmed" || current.state === "refused" || !current.blob) continue;
      report({ state: "uploading", current: p.sha256, error: null });
      await send(s, current);
      await confirmHeld(s, [p.sha256]);
    }
    report({ state: "idle", current: null, error: null });
  } catch (error) {
    const code = error.code || "http_error";
    if (error.status === 401) {
      tokenExpired();
      report({ state: "failed", current: null, error });
    } else if (code === "device_revoked") {
      report({ state: "failed", current: null, error, stopped: code });
    } else {
      report({ state: code === "offline" ? "offline" : "failed", current: null, error });
    }
  }
}

/** Asks blobs/missing about ``hashes``; marks the ones the server holds confirmed and
 *  answers the set it lacks. */
export async function confirmHeld(s, hashes) {
  const missing = new Set();
  for (let i = 0; i < hashes.length; i += MISSING_BATCH) {
    const batch = hashes.slice(i, i + MISSING_BATCH);
    const { body } = await call("/sync/blobs/missing", { method: "POST", token: s.token, body: { hashes: batch } });
    for (const h of body.missing) missing.add(h);
    await markConfirmed(batch.filter((h) => !missing.has(h)));
  }
  return missing;
}

/** Which of ``hashes`` the server lacks (for submission: every photo and signature of a
 *  visit confirmed), marking the others confirmed here. Needs the network. */
export async function missingOnServer(hashes) {
  const s = session();
  return confirmHeld(s, [...new Set(hashes)]);
}

/** One photo over tus, resuming where the server's offset says. Resolves when the last
 *  byte is acknowledged; rejects with {code, status} otherwise. */
function send(s, record) {
  return new Promise((resolve, reject) => {
    const upload = new Upload(record.blob, {
      endpoint: ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000],
      metadata: { sha256: record.sha256, filetype: record.type, ...(record.name ? { filename: record.name } : {}) },
      headers: {
        Authorization: `Bearer ${s.token}`, "X-Device-Id": s.device.id, "X-Device-Credential": s.device.credential,
      },
      fingerprint: () => Promise.resolve(FINGERPRINT + record.sha256),
      urlStorage,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: false, // the URL goes with the original, when confirmed
      onShouldRetry(err) {
        const { status: code, refusal } = explain(err);
        return navigator.onLine && !refusal && (code === 0 || code >= 500 || code === 409 || code === 423);
      },
      onProgress(sent, total) { setProgress(record.sha256, sent, total); },
      onSuccess() { setProgress(record.sha256, record.size, record.size); resolve(); },
      async onError(err) {
        const { status: code, body, refusal } = explain(err);
        if (refusal) {
          await updatePhoto(record.sha256, { state: "refused", error: refusal, upload_url: null });
          setProgress(record.sha256, null);
          resolve(); // this photo is done with; the others go on
          return;
        }
        await updatePhoto(record.sha256, { state: "waiting" });
        reject(Object.assign(new Error((body && body.message) || err.message), {
          status: code, code: code === 0 ? "offline" : (body && body.code) || "http_error",
        }));
      },
    });
    updatePhoto(record.sha256, { state: "uploading" }).then(async () => {
      const previous = await upload.findPreviousUploads();
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }).catch(reject);
  });
}

/** A tus error's HTTP status (0: no answer), the server's JSON error, and the refusal code
 *  when the server refused the bytes for good. */
function explain(err) {
  const response = err && err.originalResponse;
  const code = response ? response.getStatus() : 0;
  let body = null;
  try { body = response ? JSON.parse(response.getBody()) : null; } catch (e) { body = null; }
  const refusal = body && REFUSALS.has(body.code) ? body.code : null;
  return { status: code, body, refusal };
}

// tus-js-client's URL storage, kept in each photo's record (see the top of this file).
const urlStorage = {
  async findAllUploads() {
    const all = await unconfirmed();
    return all.filter((p) => p.upload_url).map(stored);
  },
  async findUploadsByFingerprint(fingerprint) {
    if (!fingerprint.startsWith(FINGERPRINT)) return [];
    const p = await photo(fingerprint.slice(FINGERPRINT.length));
    return p && p.upload_url ? [stored(p)] : [];
  },
  async removeUpload(key) {
    if (key && key.startsWith(FINGERPRINT)) await updatePhoto(key.slice(FINGERPRINT.length), { upload_url: null });
  },
  async addUpload(fingerprint, upload) {
    await updatePhoto(fingerprint.slice(FINGERPRINT.length), { upload_url: upload.uploadUrl });
    return fingerprint;
  },
};

function stored(p) {
  return { uploadUrl: p.upload_url, size: p.size, metadata: { sha256: p.sha256 }, urlStorageKey: FINGERPRINT + p.sha256 };
}
