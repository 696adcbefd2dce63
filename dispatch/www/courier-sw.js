/* courier-sw.js — the courier's page opens with no network (a reload in a dead zone, or the
 * home-screen icon). Registered by courier.js with scope /desk/courier (the daemon answers this
 * file with Service-Worker-Allowed: /desk/courier, as the file itself lives under /static/).
 *
 * What is kept, in one cache ("the shell"): the /desk/courier HTML and every /static/ file it
 * loads, read from its <script src> and <link href> so a file added to the page (errors.js) is
 * kept without touching this worker.
 *
 *   /desk/courier   network first: online, the server's answer is always the one shown (a
 *                   signed-out session gets its redirect to sign-in, a new release its new
 *                   page); the cached copy only when the network fails.
 *   /static/…       stale-while-revalidate: the cached file at once, refreshed behind it.
 *                   When an online load brings an HTML that differs from the cached one (a
 *                   release), every file it loads is fetched and stored *before* that HTML is
 *                   returned, so its scripts never come from the older release.
 *   /api/…          never touched: answers carry personal data and must not outlive the
 *                   session on a shared phone; they go to the network only.
 *
 * Signing out (courier-offline.js) deletes the cache and unregisters this worker. */
"use strict";

var PREFIX = "hoso-courier-";
/* Bumped only when the way this worker stores things changes: the files themselves are kept
 * current by the checks above, so a release of the page needs no bump. Older caches are
 * deleted on activate. */
var CACHE = PREFIX + "shell-1";
var PAGE = "/desk/courier";
var STATIC_RE = /^\/static\/[a-z0-9_-]+\.(?:js|css|svg)$/;

/* The /static/ files an HTML loads, in order, once each. */
function shellFiles(html) {
  var re = /\s(?:src|href)="(\/static\/[a-z0-9_-]+\.(?:js|css|svg))"/g, seen = {}, out = [], m;
  while ((m = re.exec(html)) !== null) {
    if (!seen[m[1]]) { seen[m[1]] = true; out.push(m[1]); }
  }
  return out;
}

/* Only the page as served to a signed-in courier is stored: a redirect to sign-in (opaque for
 * a navigation, "redirected" for a plain fetch), a refusal or an error page never is. */
function isPage(res) {
  return res.status === 200 && res.type === "basic" && !res.redirected;
}

/* Stores the page with all its files, the files first: the page is only there when everything
 * it needs is. Files the page no longer loads are dropped. */
function storeShell(res, html) {
  var files = shellFiles(html);
  return caches.open(CACHE).then(function (c) {
    return c.addAll(files.map(function (f) { return new Request(f, { cache: "no-cache" }); }))
      .then(function () { return c.put(PAGE, res); })
      .then(function () { return c.keys(); })
      .then(function (keys) {
        return Promise.all(keys.map(function (k) {
          var p = new URL(k.url).pathname;
          return p !== PAGE && files.indexOf(p) < 0 ? c.delete(k) : null;
        }));
      });
  });
}

function cachedPageText() {
  return caches.match(PAGE, { cacheName: CACHE }).then(function (hit) { return hit ? hit.text() : null; });
}

/* Install fetches the page itself (the page that registered us loaded before we existed). A
 * failure fails the install; courier.js registers again at the next load. */
self.addEventListener("install", function (e) {
  e.waitUntil(fetch(PAGE, { cache: "no-store", credentials: "same-origin" }).then(function (res) {
    if (!isPage(res)) throw new Error("the courier page is not served to this session");
    return res.clone().text().then(function (html) { return storeShell(res, html); });
  }).then(function () { return self.skipWaiting(); }));
});

/* Takes the already open page at once: it can then be reloaded offline straight away. */
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (k) {
      return k.indexOf(PREFIX) === 0 && k !== CACHE ? caches.delete(k) : null;
    }));
  }).then(function () { return self.clients.claim(); }));
});

function page(req) {
  return fetch(req).then(function (res) {
    if (!isPage(res)) return res;
    return res.clone().text().then(function (html) {
      return cachedPageText().then(function (old) {
        if (old === html) return res;
        /* A new page (or none stored yet): store it with its files before it runs. If that
         * fails half-way the network is failing too: the stored, consistent copy is better
         * than a new page whose scripts would come from the old one. */
        return storeShell(res.clone(), html).then(function () { return res; }, function () {
          return caches.match(PAGE, { cacheName: CACHE }).then(function (hit) { return hit || res; });
        });
      });
    });
  }, function (err) {
    return caches.match(PAGE, { cacheName: CACHE }).then(function (hit) {
      if (hit) return hit;
      throw err;   // nothing stored (signed out): the browser's own offline page
    });
  });
}

/* Refreshes one stored file; a cache deleted by a sign-out is not brought back by it. */
function refresh(path, res) {
  if (res.status !== 200 || res.type !== "basic") return Promise.resolve();
  return caches.has(CACHE).then(function (has) {
    return has ? caches.open(CACHE).then(function (c) { return c.put(path, res); }) : null;
  });
}

function asset(e, path) {
  var net = fetch(e.request).then(function (res) {
    return refresh(path, res.clone()).then(function () { return res; });
  });
  e.waitUntil(net.then(function () {}, function () {}));
  return caches.match(path, { cacheName: CACHE }).then(function (hit) { return hit || net; });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0) return;   // network only, never stored (see above)
  if (req.mode === "navigate") {
    if (url.pathname === PAGE) e.respondWith(page(req));
    return;
  }
  if (STATIC_RE.test(url.pathname)) e.respondWith(asset(e, url.pathname));
});
