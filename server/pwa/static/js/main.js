// The app's start: the capability check, the worker, the session, the router and the
// status bar (在线/离线 · 待同步 N 条 · 同步中/同步失败 + 重试), always visible.
import { h, replace, formatBytes, when } from "./dom.js";
import { load, session, onSessionChange } from "./session.js";
import { pendingOps, onOutboxChange } from "./outbox.js";
import { startTriggers, syncSoon, onSyncStatus, onPulled, onVisits } from "./syncer.js";
import { pendingPhotos, onPhotosChange } from "./photos.js";
import { startUploads } from "./uploader.js";
import { registerWorker, onUpdate, applyUpdate } from "./updates.js";
import { flushTexts } from "./views/fields.js";
import { loginView } from "./views/login.js";
import { visitsView } from "./views/visits.js";
import { visitView } from "./views/visit.js";
import { scanView } from "./views/scan.js";
import { settingsView } from "./views/settings.js";
import { signView } from "./views/sign.js";
import { submitView } from "./views/submit.js";
import { reasonText } from "./words.js";

const ROUTES = [
  [/^\/app\/?$/, visitsView, true],
  [/^\/app\/visits\/(?<id>\d+)$/, visitView, true],
  [/^\/app\/visits\/(?<id>\d+)\/scan$/, scanView, true],
  [/^\/app\/visits\/(?<id>\d+)\/sign$/, signView, true],
  [/^\/app\/visits\/(?<id>\d+)\/submit$/, submitView, true],
  [/^\/app\/settings$/, settingsView, true],
  [/^\/app\/login$/, loginView, false],
];

const view = document.getElementById("view");
let rendering = Promise.resolve();
let shown = { path: null };

export function go(path, { replace: replacing = false } = {}) {
  flushTexts();
  if (path !== location.pathname) {
    if (replacing) history.replaceState(null, "", path); else history.pushState(null, "", path);
  }
  return render();
}

function render() {
  rendering = rendering.then(renderNow, renderNow);
  return rendering;
}

async function renderNow() {
  const path = location.pathname;
  const s = session();
  let match = null;
  let route = ROUTES.find(([re]) => (match = path.match(re)));
  if (!route) route = ROUTES[0];
  if (route[2] && !s) { history.replaceState(null, "", "/app/login"); return renderNow(); }
  const again = !!(s && s.needsPassword && route[1] === loginView);
  const scroll = shown.path === path ? window.scrollY : 0;
  try {
    const content = await route[1]({ params: (match && match.groups) || {}, go, again });
    replace(view, content);
  } catch (error) {
    replace(view, h("p", { class: "error" }, `页面出错：${error.message}`));
    console.error(error);
  }
  window.scrollTo(0, scroll);
  shown = { path };
}

// Re-render after pulled changes, unless the inspector is typing (then after it).
let stale = false;
function refresh() {
  // never redraw under the pen, nor restart a live camera (a new scan view would scan again)
  if (view.querySelector(".signature-pad[data-dirty], video")) return;
  const active = document.activeElement;
  if (active && view.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName) && active.type !== "radio" && active.type !== "checkbox") {
    stale = true;
    return;
  }
  render();
}
view.addEventListener("focusout", () => { if (stale) { stale = false; setTimeout(refresh, 0); } });

// --- the status bar ----------------------------------------------------------------------
const net = document.getElementById("net");
const pending = document.getElementById("pending");
const syncState = document.getElementById("sync-state");
const retry = document.getElementById("retry");
const banners = document.getElementById("banners");

let unreachable = false; // the last request found no server, whatever navigator.onLine says

function showNetwork() {
  const online = navigator.onLine && !unreachable;
  net.textContent = online ? "在线" : "离线";
  net.className = online ? "net" : "net offline";
}

async function showPending() {
  const [ops, photos] = await Promise.all([pendingOps(), pendingPhotos()]);
  const bytes = ops.reduce((sum, e) => sum + (e.bytes || 0), 0) + photos.bytes;
  pending.textContent = `待同步 ${ops.length} 条 · ${photos.count} 张照片 (${formatBytes(bytes)})`;
  pending.dataset.count = String(ops.length);
  pending.dataset.photos = String(photos.count);
}

function showSync(status) {
  retry.hidden = true;
  if (status.state !== "syncing") {
    unreachable = status.state === "offline";
    showNetwork();
  }
  if (status.state === "syncing") syncState.textContent = "同步中…";
  else if (status.state === "failed") {
    syncState.textContent = `同步失败：${reasonText(status.error && status.error.code, status.error && status.error.message)}`;
    retry.hidden = !!status.stopped;
  } else if (status.state === "needs-password") syncState.textContent = "登录已过期";
  else if (status.state === "offline") syncState.textContent = "等待网络";
  else syncState.textContent = status.lastSync ? `已同步 ${when(status.lastSync)}` : "";
  syncState.dataset.state = status.state;
}
retry.addEventListener("click", () => syncSoon());

function showBanners() {
  const s = session();
  const list = [];
  if (s && s.needsPassword) {
    list.push(h("div", { class: "banner warn", id: "relogin" },
      h("p", {}, "登录已过期：记录都在本机，重新输入密码后继续同步。"),
      h("button", { type: "button", onclick: () => go("/app/login") }, "输入密码")));
  }
  if (updateReady) {
    const note = h("span", { class: "muted" });
    list.push(h("div", { class: "banner", id: "update" },
      h("p", {}, "新版本可用"),
      h("button", {
        type: "button",
        async onclick() {
          const { applied, waiting } = await applyUpdate();
          if (!applied) note.textContent = `还有 ${waiting} 条待同步，同步完成后再更新`;
        },
      }, "更新"), note));
  }
  list.push(...capabilityProblems.map((text) => h("div", { class: "banner bad" }, h("p", {}, text))));
  replace(banners, list);
}

// --- what this browser can do (some in-app browsers cannot work offline) ----------------
const capabilityProblems = [];
function checkCapabilities() {
  if (!("serviceWorker" in navigator)) capabilityProblems.push("此浏览器不支持离线使用（无 Service Worker）：请用系统浏览器打开。");
  if (!("indexedDB" in window)) capabilityProblems.push("此浏览器无法在本机保存数据（无 IndexedDB）：请用系统浏览器打开。");
  if (!(window.crypto && crypto.subtle)) capabilityProblems.push("此浏览器缺少加密功能（需 HTTPS）：签字校验不可用。");
}

let updateReady = false;

async function start() {
  checkCapabilities();
  showNetwork();
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flushTexts(); });
  window.addEventListener("pagehide", flushTexts);
  window.addEventListener("popstate", () => render());
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href^='/app/']");
    if (!link || link.target || event.metaKey || event.ctrlKey || link.hasAttribute("download")) return;
    event.preventDefault();
    go(link.getAttribute("href"));
  });
  onUpdate((worker) => { updateReady = !!worker; showBanners(); });
  registerWorker().catch((e) => console.warn("service worker", e));
  await load();
  onSessionChange((s) => { showBanners(); if (s && !s.needsPassword) syncSoon(); });
  onOutboxChange(showPending);
  onPhotosChange(() => showPending());
  onSyncStatus(showSync);
  onPulled(() => refresh());
  onVisits(() => { if (/^\/app\/?$/.test(location.pathname)) refresh(); });
  await showPending();
  showBanners();
  await render();
  startTriggers();
  startUploads();
  document.documentElement.dataset.ready = "1";
  performance.mark("app-ready"); // bench/app_sync.py: cold start to a usable list
}

start();
