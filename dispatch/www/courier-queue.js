/* courier-queue.js — the courier's scans survive a dead network and a reload.
 *
 * Every scan is an event with its own id, written to localStorage before anything is sent.
 * Sending is always a {"events": [...]} batch: the server answers each event on its own
 * (recorded, duplicate or refused) with 200, and an id it has seen answers "duplicate", so
 * sending the same event twice after a lost answer is safe. Only a network failure (the
 * fetch rejects) or a server that cannot write (5xx) leaves events in the queue.
 *
 * Storage, per user (a shared phone must not send one courier's scans as another's):
 *   hoso.courier.queue.USER    [{ev, at}]                   waiting to be sent, in scan order
 *   hoso.courier.refused.USER  [{ev, at, state, error}]     refused, until dismissed
 *   hoso.courier.recent.USER   [{id, item, type, state, at, status}]  the last 20 recorded */
(function () {
  "use strict";
  var D = window.Desk;
  /* Signatures make events large; keep a batch well under the server's 1 MiB body limit. */
  var BATCH_BYTES = 600 * 1024, BATCH_COUNT = 100, RECENT_MAX = 20;
  var user = "", hooks = {}, syncing = null, timer = null;

  function key(k) { return "hoso.courier." + k + "." + user; }
  function load(k) {
    try {
      var v = JSON.parse(localStorage.getItem(key(k)) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (e) { return []; }
  }
  /* A full storage must not pass silently: the scan would be lost on reload. */
  function save(k, list) {
    try {
      localStorage.setItem(key(k), JSON.stringify(list));
      return true;
    } catch (e) {
      if (hooks.storageFull) hooks.storageFull(e);
      return false;
    }
  }
  function changed() { if (hooks.changed) hooks.changed(); }

  /* Queues one event; false when it could not be stored. */
  function add(ev) {
    var q = load("queue");
    q.push({ ev: ev, at: Date.now() });
    if (!save("queue", q)) return false;
    changed();
    return true;
  }

  function pendingFor(item, type) {
    return load("queue").some(function (e) { return e.ev.item === item && e.ev.type === type; });
  }

  function removeQueued(ids) {
    var q = load("queue").filter(function (e) { return !ids[e.ev.id]; });
    save("queue", q);
  }

  /* The signature is dropped from what is kept of a refused event: it is the receiver's
   * personal data, and the courier has to scan again anyway. */
  function refuse(entry, res) {
    var r = load("refused");
    var ev = {};
    Object.keys(entry.ev).forEach(function (k) { if (k !== "signature") ev[k] = entry.ev[k]; });
    r.unshift({ ev: ev, at: entry.at, state: res.state || null,
                error: res.error || { code: "refused", message: D.t("Bị từ chối", "Refused") } });
    save("refused", r.slice(0, 100));
  }
  function remember(entry, res) {
    var r = load("recent");
    r.unshift({ id: entry.ev.id, item: entry.ev.item, type: entry.ev.type, state: res.state,
                at: entry.at, status: res.status });
    save("recent", r.slice(0, RECENT_MAX));
  }

  function batches(q) {
    var out = [], cur = [], bytes = 0;
    q.forEach(function (e) {
      var n = JSON.stringify(e.ev).length;
      if (cur.length && (cur.length >= BATCH_COUNT || bytes + n > BATCH_BYTES)) {
        out.push(cur); cur = []; bytes = 0;
      }
      cur.push(e); bytes += n;
    });
    if (cur.length) out.push(cur);
    return out;
  }

  /* Applies the server's answers, which come in the order the events were sent. */
  function settle(chunk, results) {
    var done = {};
    chunk.forEach(function (entry, i) {
      var res = results[i] || { status: "refused", error: { message: D.t("Không có trả lời", "No answer") } };
      done[entry.ev.id] = true;
      if (res.status === "recorded" || res.status === "duplicate") remember(entry, res);
      else refuse(entry, res);
      if (hooks.result) hooks.result(entry, res);
    });
    removeQueued(done);
  }

  /* A whole batch refused (4xx other than 401) means one event in it is malformed beyond
   * what the server answers per event: a bare event gets its own refusal, so send one by
   * one and let the culprit be refused alone. */
  function sendEach(chunk) {
    var p = Promise.resolve(true);
    chunk.forEach(function (entry) {
      p = p.then(function (go) {
        if (!go) return false;
        return D.api("POST", "/api/v1/events", { events: [entry.ev] }).then(function (res) {
          if (res.ok && res.data && res.data.results) { settle([entry], res.data.results); return true; }
          if (res.status >= 500 || res.status === 401) return false;
          settle([entry], [{ status: "refused", state: null,
                             error: (res.data && res.data.error) || { message: D.errorText(res) } }]);
          return true;
        });
      });
    });
    return p;
  }

  function sendAll() {
    var q = load("queue");
    if (!q.length) return Promise.resolve({ sent: 0, offline: false });
    var list = batches(q), i = 0, sent = 0;
    function next() {
      if (i >= list.length) return { sent: sent, offline: false };
      var chunk = list[i++];
      return D.api("POST", "/api/v1/events", { events: chunk.map(function (e) { return e.ev; }) })
        .then(function (res) {
          if (res.ok && res.data && Array.isArray(res.data.results)) {
            settle(chunk, res.data.results);
            sent += chunk.length;
            changed();
            return next();
          }
          if (res.status >= 500 || res.status === 401) {
            if (hooks.serverTrouble) hooks.serverTrouble(res);
            return { sent: sent, offline: false, trouble: res };
          }
          return sendEach(chunk).then(function (go) {
            changed();
            if (!go) return { sent: sent, offline: false, trouble: true };
            sent += chunk.length;
            return next();
          });
        });
    }
    return next();
  }

  /* One sync at a time; a network failure leaves everything queued and says "offline".
   * hooks.ready() first: a page started offline has no CSRF token yet, and a write without
   * one is refused (403) for every event, which would move good scans to "refused". */
  function sync() {
    if (syncing) return syncing;
    var ready = hooks.ready ? Promise.resolve().then(hooks.ready) : Promise.resolve(true);
    syncing = ready.then(function (go) {
      return go ? sendAll() : { sent: 0, offline: false, trouble: true };
    }).then(function (r) {
      if (hooks.online) hooks.online(true);
      return r;
    }, function (e) {
      if (hooks.online) hooks.online(false);
      return { sent: 0, offline: true, error: e };
    }).then(function (r) {
      syncing = null;
      changed();
      /* Scans made while this round was on the wire go out at once, not in 15 s. */
      if (!r.offline && !r.trouble && load("queue").length) setTimeout(sync, 0);
      return r;
    });
    return syncing;
  }

  function dismiss(id) {
    save("refused", id ? load("refused").filter(function (r) { return r.ev.id !== id; }) : []);
    changed();
  }

  function start(username, h) {
    user = username;
    hooks = h || {};
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", function () { if (hooks.online) hooks.online(false); });
    /* Another tab of the same courier may have queued or sent: show the same lists. */
    window.addEventListener("storage", function (e) {
      if (e.key && e.key.indexOf("hoso.courier.") === 0) changed();
    });
    timer = setInterval(function () { if (load("queue").length) sync(); }, 15000);
    return sync();
  }

  window.CourierQueue = {
    start: start, add: add, sync: sync, dismiss: dismiss, pendingFor: pendingFor,
    queue: function () { return load("queue"); },
    refused: function () { return load("refused"); },
    recent: function () { return load("recent"); },
    busy: function () { return !!syncing; }
  };
})();
