// The service worker and app updates: a new version installs in the background and waits;
// the "新版本可用" banner applies it only when nothing waits to sync, so an update never
// takes the app away from a recorded but unsent answer.
import { pendingCount, onOutboxChange } from "./outbox.js";
import { pendingPhotos } from "./photos.js";

let version = null;
let waitingWorker = null;
const listeners = new Set();

export function appVersion() { return version; }
export function onUpdate(listener) { listeners.add(listener); }
function changed() { for (const l of listeners) l(waitingWorker); }

export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" });
  const watch = (worker) => {
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) {
        waitingWorker = worker;
        changed();
      }
    });
  };
  if (registration.waiting && navigator.serviceWorker.controller) {
    waitingWorker = registration.waiting;
    changed();
  }
  watch(registration.installing);
  registration.addEventListener("updatefound", () => watch(registration.installing));
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (waitingWorker && !reloading) { reloading = true; location.reload(); }
  });
  const ready = () => {
    if (navigator.serviceWorker.controller) document.documentElement.dataset.offlineReady = "1";
  };
  navigator.serviceWorker.addEventListener("controllerchange", ready);
  ready();
  askVersion();
  setInterval(() => { if (navigator.onLine) registration.update().catch(() => {}); }, 30 * 60_000);
  onOutboxChange(changed);
  return registration;
}

function askVersion() {
  const controller = navigator.serviceWorker.controller;
  if (!controller) return;
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => { version = event.data; };
  controller.postMessage({ type: "VERSION" }, [channel.port2]);
}

/** Applies the waiting version, unless something waits to sync (then says so). */
export async function applyUpdate() {
  const waiting = (await pendingCount()) + (await pendingPhotos()).count;
  if (waiting > 0) return { applied: false, waiting };
  if (waitingWorker) waitingWorker.postMessage({ type: "SKIP_WAITING" });
  return { applied: true, waiting: 0 };
}
