// The phone's durable store (IndexedDB, through idb). Everything the inspector records is
// here before anything else happens to it; the page holds nothing that is not stored.
//
// Stores:
//   kv         small values by name: session, device, cursor, clock, limits, categories
//   visits     the inspector's visits (from /me/visits and pull), by id
//   packs      each visit's pack with its ETag, by visit id
//   revisions  every register revision the phone knows (its own and pulled), by op id
//   outbox     ops waiting for the server, in recording order (auto-increment seq)
//   refused    ops the server refused, with the reason, to show the inspector
//   photos     (version 2) the photo and signature queue, by SHA-256: the original bytes
//              (a Blob) until the server confirms it holds them, a small preview, EXIF
//              time and GPS, the tus upload URL and the upload's state (photos.js)
import { openDB } from "../vendor/idb.js";

const NAME = "fieldinspect";
const VERSION = 2;
export const STORES = ["kv", "visits", "packs", "revisions", "outbox", "refused", "photos"];
let opening = null;

// Each version's step, from the version the phone had: a phone on version 1 keeps its
// stores and gains the photo queue.
function upgrade(db, oldVersion) {
  if (oldVersion < 1) createFirst(db);
  if (oldVersion < 2) {
    const photos = db.createObjectStore("photos", { keyPath: "sha256" });
    photos.createIndex("visit", "visit_id");
    photos.createIndex("state", "state");
  }
}

function createFirst(db) {
  db.createObjectStore("kv");
  db.createObjectStore("visits", { keyPath: "id" });
  db.createObjectStore("packs", { keyPath: "visit_id" });
  const revisions = db.createObjectStore("revisions", { keyPath: "op_id" });
  revisions.createIndex("visit", "visit_id");
  revisions.createIndex("register", ["visit_id", "register"]);
  const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
  outbox.createIndex("visit", "visit_id");
  const refused = db.createObjectStore("refused", { keyPath: "op_id" });
  refused.createIndex("visit", "visit_id");
}

function open() {
  if (!opening) {
    opening = openDB(NAME, VERSION, {
      upgrade,
      // another tab opened a newer version: let it, and reopen at the next use
      blocking() { forget(); },
      // iOS drops the connection ("Connection to Indexed Database server lost")
      terminated() { forget(); },
    }).catch((error) => { opening = null; throw error; });
  }
  return opening;
}

function forget() {
  const was = opening;
  opening = null;
  if (was) was.then((db) => db.close()).catch(() => {});
}

// A dropped connection shows as these errors; the work is retried once on a new one.
function isLostConnection(error) {
  const text = `${error && error.name} ${error && error.message}`;
  return /InvalidStateError|UnknownError|closing|Connection to Indexed Database/i.test(text);
}

/** Run ``work(db)``; if the browser dropped the database connection, reopen and retry once. */
export async function withDb(work) {
  try {
    return await work(await open());
  } catch (error) {
    if (!isLostConnection(error)) throw error;
    forget();
    return work(await open());
  }
}

export const kv = {
  get: (key) => withDb((db) => db.get("kv", key)),
  set: (key, value) => withDb((db) => db.put("kv", value, key)),
  del: (key) => withDb((db) => db.delete("kv", key)),
};

export function getAll(store, index, query) {
  return withDb((db) => (index ? db.getAllFromIndex(store, index, query) : db.getAll(store)));
}

export function get(store, key) {
  return withDb((db) => db.get(store, key));
}

export function count(store, index, query) {
  return withDb((db) => (index ? db.countFromIndex(store, index, query) : db.count(store)));
}

/** Deletes every store's content: only after sign-out with nothing waiting. */
export async function wipe() {
  await withDb(async (db) => {
    const tx = db.transaction(STORES, "readwrite");
    await Promise.all([...STORES.map((n) => tx.objectStore(n).clear()), tx.done]);
  });
}
