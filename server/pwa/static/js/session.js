// Who is signed in and which device this is. The token and the device credential live in
// IndexedDB; the password never does. A token that expires offline costs nothing: the app
// keeps recording and asks for the password once the server answers 401.
import { call } from "./api.js";
import { kv, wipe } from "./store.js";
import { pendingCount } from "./outbox.js";
import { pendingPhotos } from "./photos.js";

let current = null; // {token, expires_at, user, device, needsPassword}
const listeners = new Set();

export function onSessionChange(listener) { listeners.add(listener); }
function changed() { for (const l of listeners) l(current); }

export async function load() {
  const [saved, device] = await Promise.all([kv.get("session"), kv.get("device")]);
  current = saved ? { ...saved, device: device || null } : null;
  return current;
}

export function session() { return current; }

function platform() {
  const ua = navigator.userAgent || "";
  return /Android/i.test(ua) ? "android" : /iPhone|iPad|iOS/i.test(ua) ? "ios" : "web";
}

async function registerDevice(token) {
  const name = `执法检查 App（${navigator.platform || "浏览器"}）`.slice(0, 100);
  const { body } = await call("/devices", { method: "POST", token, body: { name, platform: platform() } });
  const device = { id: body.id, credential: body.credential };
  await kv.set("device", device);
  return device;
}

/**
 * Signs in. The same user signing in again (an expired token) keeps this phone's device
 * and everything waiting; another user may sign in only on an empty phone.
 */
export async function signIn(username, password) {
  const previous = current || (await load());
  if (previous && previous.user.username !== username
      && ((await pendingCount()) > 0 || (await pendingPhotos()).count > 0)) {
    throw Object.assign(new Error(`本机还有 ${previous.user.username} 未同步的记录，不能换人登录`), { code: "pending" });
  }
  const { body } = await call("/auth/token", { method: "POST", body: { username, password } });
  if (body.user.role !== "inspector") {
    throw Object.assign(new Error("该账号不是检查人员账号，不能使用本应用"), { code: "forbidden" });
  }
  if (previous && previous.user.username !== username) await wipe();
  const saved = { token: body.access_token, expires_at: body.expires_at, user: body.user };
  await kv.set("session", saved);
  let device = (await kv.get("device")) || null;
  if (!device) device = await registerDevice(saved.token);
  current = { ...saved, device, needsPassword: false };
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().catch(() => {}); // ask once signed in: iOS evicts otherwise
  }
  changed();
  return current;
}

/** The server said 401: keep everything, ask for the password when convenient. */
export function tokenExpired() {
  if (current && !current.needsPassword) {
    current = { ...current, needsPassword: true };
    changed();
  }
}

/** Sign-out is refused while anything waits to sync (the reason is the message). */
export async function signOut() {
  const waiting = await pendingCount();
  if (waiting > 0) {
    throw Object.assign(new Error(`还有 ${waiting} 条记录未同步，同步完成后才能退出（可先导出备份）`), { code: "pending" });
  }
  const photos = await pendingPhotos();
  if (photos.count > 0) {
    throw Object.assign(new Error(`还有 ${photos.count} 张照片未上传，上传完成后才能退出`), { code: "pending" });
  }
  if (current && !current.needsPassword) {
    await call("/auth/logout", { method: "POST", token: current.token }).catch(() => {});
  }
  await wipe();
  current = null;
  changed();
}
