// The photo queue (照片队列): photos, signature images and the premises photo of a manual
// entry, kept on the phone until the server confirms it holds their exact bytes
// (docs/sync-protocol.md section 8). The uploader (uploader.js) sends them; this module
// takes them in and answers what waits.
//
// Why it is built this way:
// - The original bytes are the evidence, as on the server: the file the camera gave is
//   stored as it is (a Blob in IndexedDB), never re-encoded; only the preview is made.
// - Capture time and GPS are read from EXIF first, from the untouched file (exifr reads
//   only the header, in chunks).
// - Photos are content-addressed: the key is the SHA-256 of the bytes, so the same photo
//   taken in twice is stored once, an op names it by hash, and the server checks the hash.
//   crypto.subtle hashes one ArrayBuffer: one copy of the file while hashing (photos are
//   capped at the server's 30 MiB), released at once; the stored Blob lives on disk.
// - The bytes and the op that names them are written in ONE IndexedDB transaction
//   (outbox.recordMany): an op never waits in the outbox for bytes the phone lost.
// - Once the server confirms the hash (blobs/missing no longer lists it) the original
//   leaves the phone (its storage is small and iOS evicts); the preview stays.
import * as exifr from "../vendor/exifr.js";
import { withDb, getAll, get } from "./store.js";
import { recordMany } from "./outbox.js";

export const MAX_PHOTO_BYTES = 30 * 1024 * 1024; // the server's Tus-Max-Size by default
const PREVIEW_PX = 320;
// What the server takes (sniffed from the bytes, as the server does): JPEG, PNG, HEIC/HEIF.
const HEIF_BRANDS = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1"];

// A photo's state: waiting (for the network or its turn), uploading, confirmed (the server
// holds it), refused (the server refused the bytes: hash_mismatch, unsupported_media_type,
// photo_too_large; never retried blindly).
export const STATES = ["waiting", "uploading", "confirmed", "refused"];

const listeners = new Set();
const progress = new Map(); // sha256 -> {sent, total}: in memory only, the server has the offset

/** Called with (the sha256 that changed or nothing, "added" | "changed") after any
 *  change to the queue. */
export function onPhotosChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function photosChanged(sha256, why = "changed") {
  for (const listener of listeners) listener(sha256, why);
}

/**
 * Takes in a photo from the camera (``<input type=file capture>``) for ``visitId``.
 * ``meta``: ``itemVersionId`` (the item it shows; absent: the visit), ``field`` (a
 * photo-required field of that item: its answer becomes the photo's hash), ``purpose``
 * ("item", "visit", "premises", ...) and ``ops(sha256)``: the ops naming it, as
 * [[kind, fields], ...], recorded in the same transaction. Without ``ops`` an item or
 * visit photo records ``attach_photo`` (and ``set_answer`` for a field); another purpose
 * records nothing. ``context`` = {device, inspectorId}, as outbox.record.
 * Returns {sha256, size, type, taken_at, gps_lat, gps_lon, ops}.
 */
export async function addPhoto(visitId, file, meta = {}, context) {
  const exif = await readExif(file); // before anything else touches the file
  return queue(visitId, file, meta, context, exif);
}

/**
 * Takes in bytes made by the app (a signature's PNG): as ``addPhoto`` without EXIF; the
 * purpose defaults to "signature" and the ops (e.g. ``sign`` with ``state_hash``) come
 * from ``meta.ops(sha256)``.
 */
export function addBlob(visitId, blob, meta = {}, context) {
  return queue(visitId, blob, { purpose: "signature", ...meta }, context, {});
}

async function queue(visitId, blob, meta, context, exif) {
  if (!blob || !blob.size) throw photoError("empty", "照片是空的，请重拍");
  if (blob.size > MAX_PHOTO_BYTES) {
    throw photoError("photo_too_large", `照片超过 ${Math.round(MAX_PHOTO_BYTES / 1048576)} MB，请降低相机分辨率后重拍`);
  }
  const type = await sniff(blob);
  if (!type) throw photoError("unsupported_media_type", "只能使用 JPEG、PNG 或 HEIC 照片");
  const sha256 = await sha256Hex(blob);
  const thumb = await preview(blob);
  const itemVersionId = meta.itemVersionId ?? null;
  const purpose = meta.purpose || (itemVersionId ? "item" : "visit");
  const ops = (meta.ops ? meta.ops(sha256) : defaultOps(purpose, itemVersionId, meta.field, sha256))
    .map(([kind, fields]) => [kind, visitId, fields]);
  const record = {
    sha256, visit_id: visitId, purpose, item_version_id: itemVersionId, field: meta.field ?? null,
    blob, thumb, size: blob.size, type, name: (blob.name || "").slice(0, 200) || null,
    taken_at: exif.taken_at ?? null, gps_lat: exif.gps_lat ?? null, gps_lon: exif.gps_lon ?? null,
    added_at: Date.now(), state: "waiting", upload_url: null, error: null,
  };
  const recorded = await recordMany(ops, context, {
    stores: ["photos"],
    async also(tx) {
      const known = await tx.objectStore("photos").get(sha256);
      // the same bytes again: one record; its upload (or confirmation) goes on
      if (!known) await tx.objectStore("photos").put(record);
      else if (!known.thumb && thumb) await tx.objectStore("photos").put({ ...known, thumb });
    },
  });
  photosChanged(sha256, "added");
  return { sha256, size: blob.size, type, taken_at: record.taken_at, gps_lat: record.gps_lat,
    gps_lon: record.gps_lon, ops: recorded };
}

function defaultOps(purpose, itemVersionId, field, sha256) {
  if (purpose !== "item" && purpose !== "visit") return [];
  const ops = [["attach_photo", { sha256, ...(itemVersionId ? { item_version_id: itemVersionId } : {}) }]];
  if (field && itemVersionId) ops.push(["set_answer", { item_version_id: itemVersionId, field, value: sha256 }]);
  return ops;
}

function photoError(code, message) {
  return Object.assign(new Error(message), { code });
}

// --- what the queue holds -------------------------------------------------------------------

/** Every photo the phone holds for a visit (confirmed ones without their original). */
export function photosOf(visitId) {
  return getAll("photos", "visit", visitId);
}

export function photo(sha256) {
  return get("photos", sha256);
}

/** The photos the server has not confirmed yet, oldest first (refused ones included:
 *  they are not on the server either). */
export async function unconfirmed(visitId) {
  const all = visitId === undefined ? await getAll("photos") : await photosOf(visitId);
  return all.filter((p) => p.state !== "confirmed").sort((a, b) => a.added_at - b.added_at);
}

/** {count, bytes} of what still waits to reach the server: the status bar's "N 张照片". */
export async function pendingPhotos(visitId) {
  const waiting = await unconfirmed(visitId);
  return { count: waiting.length, bytes: waiting.reduce((sum, p) => sum + (p.size || 0), 0) };
}

const progressListeners = new Set();

/** Called with (sha256, {sent, total} or null) as an upload moves: many times a second,
 *  so a listener only changes what shows the number. */
export function onPhotoProgress(listener) {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

/** Upload progress in this page ({sent, total}) or null. */
export function progressOf(sha256) {
  return progress.get(sha256) || null;
}

export function setProgress(sha256, sent, total) {
  if (sent === null) progress.delete(sha256); else progress.set(sha256, { sent, total });
  for (const listener of progressListeners) listener(sha256, progress.get(sha256) || null);
}

/** Changes one photo's record (the uploader's states): ``patch`` is merged in. */
export async function updatePhoto(sha256, patch) {
  const updated = await withDb(async (db) => {
    const tx = db.transaction(["photos"], "readwrite");
    const known = await tx.objectStore("photos").get(sha256);
    if (!known) { await tx.done; return null; }
    const next = { ...known, ...patch };
    await tx.objectStore("photos").put(next);
    await tx.done;
    return next;
  });
  photosChanged(sha256);
  return updated;
}

/** The server holds these: confirmed, and their originals leave the phone. */
export async function markConfirmed(hashes) {
  if (!hashes.length) return;
  await withDb(async (db) => {
    const tx = db.transaction(["photos"], "readwrite");
    for (const sha256 of hashes) {
      const known = await tx.objectStore("photos").get(sha256);
      if (known && known.state !== "confirmed") {
        await tx.objectStore("photos").put({ ...known, state: "confirmed", blob: null, upload_url: null,
          error: null, confirmed_at: Date.now() });
      }
    }
    await tx.done;
  });
  for (const sha256 of hashes) progress.delete(sha256);
  photosChanged();
}

// --- previews ---------------------------------------------------------------------------

const urls = new Map(); // sha256 -> object URL of the preview, made once per page

/** An object URL of the photo's local preview, or null (none could be made: HEIC here). */
export function previewUrl(record) {
  if (!record || !record.thumb) return null;
  if (!urls.has(record.sha256)) urls.set(record.sha256, URL.createObjectURL(record.thumb));
  return urls.get(record.sha256);
}

/** A JPEG of at most 320 px wide (EXIF orientation applied by the browser), or null. */
async function preview(blob) {
  if (typeof createImageBitmap !== "function") return null;
  let bitmap = null;
  try {
    bitmap = await createImageBitmap(blob, { resizeWidth: PREVIEW_PX, resizeQuality: "medium", imageOrientation: "from-image" });
    if (bitmap.height > PREVIEW_PX * 2) { // a tall panorama: bound the height instead
      bitmap.close();
      bitmap = await createImageBitmap(blob, { resizeHeight: PREVIEW_PX * 2, resizeQuality: "medium", imageOrientation: "from-image" });
    }
    const canvas = typeof OffscreenCanvas === "function"
      ? new OffscreenCanvas(bitmap.width, bitmap.height)
      : Object.assign(document.createElement("canvas"), { width: bitmap.width, height: bitmap.height });
    const g = canvas.getContext("2d");
    g.fillStyle = "#fff"; // a transparent PNG on white, as the server's thumbnails
    g.fillRect(0, 0, bitmap.width, bitmap.height);
    g.drawImage(bitmap, 0, 0);
    if (canvas.convertToBlob) return await canvas.convertToBlob({ type: "image/jpeg", quality: 0.7 });
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
  } catch (error) {
    return null; // the browser cannot decode it (HEIC on Android): the photo still counts
  } finally {
    if (bitmap) bitmap.close();
  }
}

// --- bytes ------------------------------------------------------------------------------

/** The SHA-256 of a Blob's bytes, lowercase hex. */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The media type the server will find in these bytes, or null (JPEG, PNG, HEIC/HEIF). */
async function sniff(blob) {
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => head[i] === b)) return "image/png";
  const box = String.fromCharCode(...head.slice(4, 8));
  const brand = String.fromCharCode(...head.slice(8, 12));
  if (box !== "ftyp" || !HEIF_BRANDS.includes(brand)) return null;
  return brand === "mif1" || brand === "msf1" ? "image/heif" : "image/heic";
}

/** Capture time (EXIF DateTimeOriginal as the camera wrote it, local time without a zone:
 *  "2026-11-22T10:15:30") and GPS (WGS-84 degrees), or nulls. Never throws. */
export async function readExif(blob) {
  try {
    const tags = await exifr.parse(blob, {
      ifd0: false, exif: ["DateTimeOriginal", "CreateDate"], gps: true, reviveValues: false,
    });
    if (!tags) return { taken_at: null, gps_lat: null, gps_lon: null };
    const taken = exifTime(tags.DateTimeOriginal || tags.CreateDate);
    const ok = (v, limit) => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= limit;
    return {
      taken_at: taken,
      gps_lat: ok(tags.latitude, 90) ? tags.latitude : null,
      gps_lon: ok(tags.longitude, 180) ? tags.longitude : null,
    };
  } catch (error) {
    return { taken_at: null, gps_lat: null, gps_lon: null };
  }
}

function exifTime(text) {
  const m = typeof text === "string" && /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}` : null;
}
