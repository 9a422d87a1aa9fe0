// The service worker keeps the app shell on the phone so Proeve opens without reception.
// The whole shell of one release is cached at once, under a name the server fills in from
// the files' hashes: a new release is a new service worker with a complete new cache, so a
// phone never mixes files of two releases. API calls always go to the network (the app
// keeps its data in IndexedDB and queues changes itself).
const PREFIX = 'proeve-shell-__SCHOOL__-';
const CACHE = `${PREFIX}__RELEASE__`;
const SHELL = [
  './', 'index.html', 'app.css', 'manifest.webmanifest', 'icon.svg', 'apple-touch-icon.png',
  'js/app.js', 'js/api.js', 'js/assess.js', 'js/cases.js', 'js/dom.js', 'js/i18n.js',
  'js/office.js', 'js/pad.js', 'js/store.js', 'js/sync.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const scope = new URL(self.registration.scope);
  if (event.request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  // Sign-in pages are the server's, never from the cache.
  if (url.pathname.startsWith(`${scope.pathname}sign-in`)) return;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const key = url.pathname === scope.pathname ? './' : event.request;
    return (await cache.match(key, { ignoreSearch: true })) ?? fetch(event.request);
  }));
});
