// obkm-topology's service worker: the app works offline. Everything the build made is cached
// on install (the list and the cache version are written into this file after each build by
// scripts/csp.mjs), requests for the app's own files are answered from that cache, and a new
// build is a new cache: the page offers "reload" when it is waiting, and the old cache goes
// once the new worker takes over.
const VERSION = '__OBKM_VERSION__';
const PRECACHE = __OBKM_PRECACHE__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('obkm-') && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'obkm-update') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(VERSION);
    // The page itself: the cached shell, whatever the URL's fragment or query.
    const key = request.mode === 'navigate' ? new URL('./', self.registration.scope).href : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    return fetch(request);
  })());
});
