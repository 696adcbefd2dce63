/* courier-offline.js — the courier page started with no network.
 *
 * courier-sw.js serves the page from its cache when the network fails, but the page still asks
 * GET /api/v1/me for its user. When that fails with no answer at all (a network error, not a
 * 401), the page starts with the courier remembered at the last online load, shows the
 * "Ngoại tuyến" banner, and scans go to the queue as usual. Without a session answer there is
 * no CSRF token, so nothing is sent until /me answers again (ready()); then the banner goes.
 *
 * On sign-out the remembered courier, the cached page and the worker are removed: a shared
 * phone must not open this courier's page for the next person.
 *
 * Test hooks: #offline-banner (shown while started offline); localStorage hoso.courier.me. */
(function () {
  "use strict";
  var D = window.Desk, t = D.t;
  var ME_KEY = "hoso.courier.me", CACHE_PREFIX = "hoso-courier-", SCOPE = "/desk/courier";
  var offline = false, checking = null, retry = null, banner = null, hooks = {};

  /* Only what the page shows and keys its storage by; the CSRF token is never stored. */
  function remember(u) {
    try {
      localStorage.setItem(ME_KEY, JSON.stringify({ username: u.username, role: u.role,
        full_name: u.full_name || "", office_code: u.office_code || null }));
    } catch (e) { /* storage full or disabled: the page simply cannot start offline */ }
  }
  function remembered() {
    try {
      var u = JSON.parse(localStorage.getItem(ME_KEY) || "null");
      return u && typeof u.username === "string" && u.username && u.role === "courier" ? u : null;
    } catch (e) { return null; }
  }

  function showBanner(text) {
    if (!banner) {
      banner = D.el("p", { id: "offline-banner", class: "offline-banner", role: "status" });
      var main = document.querySelector("main");
      main.insertBefore(banner, main.firstChild);
    }
    banner.textContent = text;
    banner.hidden = false;
  }

  /* Back online with a session: the banner goes and the page works as if loaded online. */
  function cameBack(res) {
    D.session.user = res.data.user;
    D.session.csrf = res.data.csrf;
    remember(res.data.user);
    offline = false;
    clearInterval(retry);
    if (banner) banner.hidden = true;
    if (hooks.online) hooks.online(res.data.user);
  }

  /* Resolves true when writes may go out (a CSRF token is in hand), false when they must not
   * (401: Desk.api is taking the page to sign-in; the scans stay queued for this courier), and
   * rejects while the network is still down. The queue calls it before every round. */
  function ready() {
    if (!offline) return Promise.resolve(true);
    if (checking) return checking;
    checking = D.api("GET", "/api/v1/me").then(function (res) {
      if (!res.ok) return false;
      /* Another person signed in on this phone meanwhile: their session must not send this
       * courier's queue. A reload starts the page as them (the queue is kept per courier). */
      if (res.data.user.username !== D.session.user.username) { location.reload(); return false; }
      cameBack(res);
      return true;
    });
    checking.then(done, done);
    function done() { checking = null; }
    return checking;
  }

  /* Resolves the user, online or (remembered) offline; rejects when the page cannot start. */
  function boot(h) {
    hooks = h || {};
    return D.init().then(function (user) {
      remember(user);
      return user;
    }, function (e) {
      if (e && e.status) throw e;   // the server answered: a 401 is already going to sign-in
      var u = remembered();
      if (!u) {
        showBanner(t("Ngoại tuyến — chưa từng đăng nhập trang này trên máy khi có mạng; hãy kết nối mạng để bắt đầu.",
                     "Offline — this page was never opened online on this phone; connect to start."));
        throw e;
      }
      offline = true;
      D.startOffline(u);
      showBanner(t("Ngoại tuyến — trang mở từ bộ nhớ máy. Các lần quét được lưu và tự gửi khi có mạng.",
                   "Offline — the page was opened from the phone. Scans are kept and sent when the network is back."));
      /* navigator.onLine can say "online" on a network that reaches nothing: ask /me again
       * now and then rather than wait for an "online" event that may not come. */
      retry = setInterval(function () { if (hooks.retry) hooks.retry(); else ready(); }, 15000);
      return u;
    });
  }

  /* Sign-out: the remembered courier, the cached page and the worker go. Queued scans stay
   * (keyed by courier) and are sent at this courier's next online sign-in. */
  function forget() {
    try { localStorage.removeItem(ME_KEY); } catch (e) { /* nothing stored */ }
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return k.indexOf(CACHE_PREFIX) === 0 ? caches.delete(k) : null; }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) {
          return new URL(r.scope).pathname.indexOf(SCOPE) === 0 ? r.unregister() : null;
        }));
      }));
    }
    return Promise.all(jobs);
  }
  D.onLogout(forget);

  window.CourierOffline = {
    boot: boot, ready: ready, forget: forget,
    isOffline: function () { return offline; }
  };
})();
