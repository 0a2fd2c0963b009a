// The app's service worker (served by server/pwa with VERSION and PRECACHE prepended).
//
// Rules learnt from offline form apps that lost data:
// - the shell is precached under a cache named by its content-hash version and served
//   cache-first; navigations under /app/ get the shell, so deep links open offline;
// - the API is never answered from a cache and non-GET requests are never touched (a
//   worker that re-sends a POST can send it empty, as Safari did to Enketo);
// - a new version installs beside the old one and waits: the page asks it to take over
//   (SKIP_WAITING) only when nothing waits to sync.
/* global VERSION, PRECACHE */
const CACHE = `fi-shell-${VERSION}`;
const SHELL = "/app/index.html";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: "reload" skips the HTTP cache, so the files are this version's bytes
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("fi-shell-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") self.skipWaiting();
  if (data.type === "VERSION" && event.ports[0]) event.ports[0].postMessage(VERSION);
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  if (url.pathname === "/app/sw.js" || url.pathname === "/app/version.json") return;
  if (request.mode === "navigate") {
    event.respondWith(fromCache(SHELL, request));
  } else {
    event.respondWith(fromCache(url.pathname, request));
  }
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  return fetch(request);
}
