/* Service worker of the field app (执法终端). Minimal on purpose: pages and uploads always go to
   the network (evidence must reach the server with its checksum); when the network is gone, a
   cached page says so instead of the browser's error. */
"use strict";
const CACHE = "sg-field-v1";
const OFFLINE = "/enforcement/field/offline/";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add(OFFLINE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.mode !== "navigate") {
    return;
  }
  event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
});
