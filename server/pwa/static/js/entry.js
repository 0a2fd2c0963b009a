// Entering the premises (入企) on the phone: reading the premises code (the browser's own
// BarcodeDetector where it has one, as Android's Chrome; else ZXing compiled to
// WebAssembly, its .wasm served by us and precached with the app), judging it with the
// pack's public keys (core/entry.js), the position, and recording the `entry_scan` op.
//
// What the phone knows of its entry lives in kv `entry:<visit id>` (when, how, position,
// flags); the op itself goes through the outbox like any other, and the server judges it
// again. "先查后补扫" (inspect first, scan before leaving) is kv `emergency:<visit id>`:
// the checklist opens, and submission stays blocked on the server (not_entered) until an
// entry reaches it.
import { kv, getAll } from "./store.js";
import { record } from "./outbox.js";
import { tokenFromScan, webCryptoEd25519 } from "./core/codes.js";
import { judgeEntryScan, judgeManualEntry } from "./core/entry.js";

const WASM = new URL("../vendor/zxing_reader.wasm", import.meta.url).href;
let detecting = null;

/** A QR code reader: `detect(source)` of an image, a video or a canvas → [text]. */
export function qrReader() {
  if (!detecting) {
    detecting = (async () => {
      const Native = globalThis.BarcodeDetector;
      if (Native && (await Native.getSupportedFormats().catch(() => [])).includes("qr_code")) {
        return new Native({ formats: ["qr_code"] });
      }
      const { BarcodeDetector, prepareZXingModule } = await import("../vendor/barcode-detector.js");
      prepareZXingModule({ overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM : prefix + path) } });
      return new BarcodeDetector({ formats: ["qr_code"] });
    })().catch((error) => { detecting = null; throw error; });
  }
  return detecting.then((detector) => ({
    async detect(source) {
      return (await detector.detect(source)).map((code) => code.rawValue).filter(Boolean);
    },
  }));
}

/** Ed25519 by WebCrypto; where the browser lacks it (older Chromium-based browsers), the
 *  vendored @noble/ed25519, whose argument order is (signature, message, public key). */
export async function verifySignature(publicKey, signature, message) {
  try {
    return await webCryptoEd25519(publicKey, signature, message);
  } catch (error) {
    const ed = await import("../vendor/noble-ed25519.js");
    return ed.verifyAsync(signature, message, publicKey);
  }
}

/** The position now, {latitude, longitude, accuracy} (metres), or null when the phone
 *  cannot tell within `timeoutMs` (indoors, refused): the entry works without it. */
export function currentPosition(timeoutMs = 15000) {
  if (!("geolocation" in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs + 1000);
    navigator.geolocation.getCurrentPosition(
      (p) => { clearTimeout(timer); resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }); },
      () => { clearTimeout(timer); resolve(null); },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000 });
  });
}

/** The premises payload when the server would take `scanned` now, else a CodeError. */
export function judge(scanned, { pack, inspectorId, state, at = Date.now() }) {
  return judgeEntryScan(scanned, { pack, inspectorId, state, at, verifySignature });
}

/** Records the entry by the code (an `entry_scan` op) and what the phone shows of it. */
export async function recordScan(visitId, { pack, scanned, position, context }) {
  const op = await record("entry_scan", visitId, {
    premises_token: tokenFromScan(scanned), visit_token: pack.visit_token || null,
    latitude: position ? position.latitude : null, longitude: position ? position.longitude : null,
  }, context);
  return remember(visitId, op, { method: "scan", position });
}

/** Remembers an entry without the code (missing or damaged): `op` is the `entry_scan` op
 *  with the reason and the premises photo's hash. Flagged manual, as the server flags it. */
export async function rememberManual(visitId, op, { reason, position }) {
  return remember(visitId, op, { method: "manual", reason, position });
}

async function remember(visitId, op, { method, position, reason = null }) {
  const flags = [];
  if (method === "manual") flags.push("manual");
  if (!position) flags.push("no_position");
  if (await kv.get(`emergency:${visitId}`)) flags.push("inspected_first");
  const entry = {
    op_id: op.op_id, method, at: Date.now(), device_time: op.device_time, flags, reason,
    latitude: position ? position.latitude : null, longitude: position ? position.longitude : null,
    accuracy: position ? position.accuracy : null,
  };
  await kv.set(`entry:${visitId}`, entry);
  return { ...entry, pending: true, refused: null };
}

/** What this phone recorded of its entry into the visit's premises, or null; `pending`
 *  while its op waits in the outbox, `refused` when the server refused it (then the
 *  inspector enters again). */
export async function localEntry(visitId) {
  const entry = await kv.get(`entry:${visitId}`);
  if (!entry) return null;
  const [waiting, refused] = await Promise.all([
    getAll("outbox", "visit", visitId), getAll("refused", "visit", visitId)]);
  return {
    ...entry,
    pending: waiting.some((e) => e.op.op_id === entry.op_id),
    refused: refused.find((r) => r.op_id === entry.op_id) || null,
  };
}

/** "先查后补扫": the inspector starts before scanning (an emergency); said on the visit. */
export function startEmergency(visitId) {
  return kv.set(`emergency:${visitId}`, { at: Date.now() });
}

export function emergencyOf(visitId) {
  return kv.get(`emergency:${visitId}`);
}

/** Nothing when the server would take an entry without the code now, else a CodeError. */
export function judgeManual({ pack, inspectorId, state, at = Date.now() }) {
  return judgeManualEntry({ pack, inspectorId, state, at, verifySignature });
}
