/* desk.js — what every staff page shares: the JSON API with the CSRF header, the session,
 * the header bar, Vietnamese/English, safe DOM building, tables with CSV export.
 *
 * Rules for the pages: text from the server goes in with textContent or as attribute
 * values through Desk.el, never as HTML; the pages talk to /api/v1 and nothing else; every
 * visible Vietnamese text carries its English in data-en (data-en-placeholder,
 * data-en-aria-label, data-en-title for attributes) or goes through Desk.t(vi, en). */
(function () {
  "use strict";

  var LANG_KEY = "hoso.lang";
  var session = { user: null, csrf: null };

  function lang() {
    var q = /[?&]lang=(vi|en)\b/.exec(location.search);
    if (q) {
      try { localStorage.setItem(LANG_KEY, q[1]); } catch (e) { /* private mode */ }
      return q[1];
    }
    try { return localStorage.getItem(LANG_KEY) === "en" ? "en" : "vi"; } catch (e) { return "vi"; }
  }
  var LANG = lang();

  function t(vi, en) { return LANG === "en" ? en : vi; }

  /* Swaps the Vietnamese texts under root for their data-en twins (once: the Vietnamese is
   * kept in data-vi so the page could switch back without a reload). */
  function applyLang(root) {
    root = root || document;
    document.documentElement.lang = LANG;
    if (LANG !== "en") return;
    var all = root.querySelectorAll("[data-en],[data-en-placeholder],[data-en-aria-label],[data-en-title]");
    for (var i = 0; i < all.length; i++) {
      var e = all[i];
      if (e.hasAttribute("data-en")) e.textContent = e.getAttribute("data-en");
      ["placeholder", "aria-label", "title"].forEach(function (a) {
        var v = e.getAttribute("data-en-" + a);
        if (v !== null) e.setAttribute(a, v);
      });
    }
    var ti = document.querySelector("title[data-en]");
    if (ti) document.title = ti.getAttribute("data-en");
  }

  /* el("td", {class: "num", "data-x": 1}, "text" | node | [children]) */
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = String(v);
        else if (k.slice(0, 2) === "on" && typeof v === "function") e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? "" : String(v));
      });
    }
    add(e, kids);
    return e;
  }
  function add(parent, kids) {
    if (kids === null || kids === undefined) return parent;
    if (!Array.isArray(kids)) kids = [kids];
    kids.forEach(function (k) {
      if (k === null || k === undefined || k === false) return;
      parent.appendChild(typeof k === "object" ? k : document.createTextNode(String(k)));
    });
    return parent;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function $(sel, root) { return (root || document).querySelector(sel); }

  /* The API: resolves {status, data} for every HTTP answer (errors included); rejects only
   * when the network is down (a TypeError), which the courier's queue relies on. */
  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = { "Accept": "application/json" };
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (method !== "GET" && method !== "HEAD" && session.csrf) headers["X-CSRF-Token"] = session.csrf;
    if (body !== undefined && body !== null) {
      if (typeof body === "string" || body instanceof Blob) {
        headers["Content-Type"] = opts.type || "text/plain; charset=utf-8";
        init.body = body;
      } else {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
    }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (txt) {
        var data = null;
        try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = { raw: txt }; }
        if (r.status === 401 && !opts.noRedirect) {
          location.href = "/desk/login?next=" + encodeURIComponent(pageName());
        }
        return { status: r.status, ok: r.status >= 200 && r.status < 300, data: data };
      });
    });
  }

  /* One line for a refused answer: the server's error (refusalText), or the HTTP status. */
  function errorText(res) {
    var e = res && res.data && res.data.error;
    if (!e) return t("Lỗi máy chủ (HTTP ", "Server error (HTTP ") + (res ? res.status : "?") + ")";
    return refusalText(e);
  }

  /* The same for an error object {code, field, message} (the courier's queued refusals).
   * The server writes English for API users; in Vietnamese the page says the sentence that
   * errors.js has for the code, after the field's Vietnamese name, and keeps the server's
   * message in parentheses: only it has the specifics (the allowed actions, the right check
   * digit, the paper's name). A code errors.js lacks gets the server's words as they are:
   *   "Giấy tờ thứ 1: thủ tục yêu cầu nộp bản chính, không nhận bản sao (documents[0]: …)" */
  function refusalText(e) {
    var texts = window.DeskErrors, known = texts && has(texts, e.code) ? texts[e.code] : null;
    if (LANG === "en" || !known)
      return (e.field ? e.field + ": " : "") + (e.message || (known ? known[1] : e.code));
    var vi = e.field ? fieldName(e.field) : null, name = vi ? upperFirst(vi) : e.field;
    return (name ? name + ": " + lowerFirst(known[0]) : known[0]) +
           (e.message ? " (" + e.message + ")" : "");
  }

  /* The Vietnamese name of a field path: "applicant.phone" as errors.js lists it,
   * "documents[2]" → "giấy tờ thứ 3", "events[0].receipt_number" → "Số giấy tiếp nhận của
   * thao tác thứ 1"; null when a part is not listed, and the caller shows the path. */
  function fieldName(path) {
    var names = window.DeskFieldNames || {}, items = window.DeskFieldItems || {};
    if (has(names, path)) return names[path];
    var m = /^(.*)\[(\d+)\]$/.exec(path);
    if (m) return has(items, m[1]) ? items[m[1]].replace("{n}", String(+m[2] + 1)) : null;
    m = /^(.+)\.([^.]+)$/.exec(path);
    var outer = m && has(names, m[2]) ? fieldName(m[1]) : null;
    return outer ? names[m[2]] + " của " + lowerFirst(outer) : null;
  }
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function upperFirst(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  /* Not an acronym's first letter: "CCCD…", "PNG" keep their case. */
  function lowerFirst(s) { return /^.\p{Ll}/u.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s; }

  function pageName() {
    var m = /^\/desk\/([a-z]+)/.exec(location.pathname);
    return m ? m[1] : "home";
  }

  var ROLE_NAMES = {
    clerk: ["Giao dịch viên", "Counter clerk"], courier: ["Bưu tá", "Courier"],
    agency: ["Cán bộ Một cửa", "Agency officer"], supervisor: ["Giám sát", "Supervisor"],
    admin: ["Quản trị", "Administrator"]
  };
  var ROLE_PAGES = {
    clerk: ["counter", "Quầy tiếp nhận", "Counter"], courier: ["courier", "Quét bưu gửi", "Scan"],
    agency: ["agency", "Bộ phận Một cửa", "Agency desk"],
    supervisor: ["supervisor", "Giám sát", "Supervision"], admin: ["admin", "Quản trị", "Administration"]
  };
  function roleName(r) { var n = ROLE_NAMES[r]; return n ? t(n[0], n[1]) : r; }

  var STATES = {
    ACCEPTED: ["Đã tiếp nhận", "Accepted"], IN_TRANSIT: ["Đang chuyển đến cơ quan", "To the agency"],
    AT_AGENCY: ["Đã bàn giao cơ quan", "At the agency"], RECEIVED: ["Cơ quan đã tiếp nhận", "Registered"],
    RETURNED_INCOMPLETE: ["Trả lại (chưa đủ)", "Returned incomplete"],
    AWAITING_RESULT: ["Chờ kết quả", "Awaiting result"], COLLECTED: ["Đã nhận kết quả", "Collected"],
    AT_OFFICE: ["Tại bưu cục phát", "At delivery office"], OUT_FOR_DELIVERY: ["Đang phát", "Out for delivery"],
    ATTEMPT_FAILED: ["Phát không thành công", "Attempt failed"], HELD: ["Lưu tại bưu cục", "Held"],
    DELIVERED: ["Đã phát", "Delivered"], RETURNED_TO_AGENCY: ["Trả lại cơ quan", "Returned to agency"]
  };
  function stateName(s) { var n = STATES[s]; return n ? t(n[0], n[1]) : s; }

  function fmtMoney(v) {
    if (v === null || v === undefined) return "";
    return Number(v).toLocaleString("vi-VN") + " đ";
  }
  /* "2026-11-27" or an ISO time → dd/mm/yyyy (hh:mm) as Vietnamese forms write dates. */
  function fmtDate(s) {
    if (!s) return "";
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(s);
    if (!m) return String(s);
    return m[3] + "/" + m[2] + "/" + m[1] + (m[4] ? " " + m[4] + ":" + m[5] : "");
  }

  /* UPU S10 check digit: weights 8 6 4 2 3 5 9 7; 10 → 0, 11 → 5. */
  function s10Valid(tn) {
    var m = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/.exec(tn);
    if (!m) return false;
    var w = [8, 6, 4, 2, 3, 5, 9, 7], sum = 0;
    for (var i = 0; i < 8; i++) sum += (m[2].charCodeAt(i) - 48) * w[i];
    var c = 11 - (sum % 11);
    return (c === 10 ? 0 : c === 11 ? 5 : c) === +m[3];
  }
  /* A bare tracking number, or the one inside a label's QR URL (…/t/DH123456785VN). */
  function parseTn(raw) {
    var s = String(raw || "").trim().toUpperCase();
    var m = /([A-Z]{2}\d{9}[A-Z]{2})\s*$/.exec(s.replace(/[?#].*$/, ""));
    return m ? m[1] : null;
  }

  /* Time-ordered (version 7) ids: 48 bits of Unix milliseconds first, then random bits.
   * Events sent one after another then sort together in the server's index of event ids,
   * so recording each one writes one page instead of a random one. */
  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
    b[6] = (b[6] & 0x0f) | 0x70; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csvCell(v) {
    var s = v === null || v === undefined ? "" : String(v);
    /* A leading = + - @ would be run as a formula by a spreadsheet. */
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n;]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  /* Downloads rows as CSV (UTF-8 with a byte order mark, so Excel shows the diacritics).
   * columns: [{key, vi, en, value?(row)}] */
  function downloadCsv(filename, columns, rows) {
    var lines = [columns.map(function (c) { return csvCell(t(c.vi, c.en)); }).join(",")];
    rows.forEach(function (r) {
      lines.push(columns.map(function (c) { return csvCell(c.value ? c.value(r) : r[c.key]); }).join(","));
    });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var a = el("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  /* Renders rows into container as a table, with a CSV button when csvName is given.
   * columns: [{key, vi, en, num?, render?(row) → node|text, value?(row) → csv text}] */
  function table(container, columns, rows, csvName) {
    clear(container);
    if (csvName) {
      container.appendChild(el("div", { class: "tools" }, el("button", {
        type: "button", class: "secondary", "data-csv": csvName,
        onclick: function () { downloadCsv(csvName, columns, rows); }
      }, t("Tải CSV", "Download CSV"))));
    }
    if (!rows.length) {
      container.appendChild(el("p", { class: "muted" }, t("Không có dữ liệu.", "Nothing to show.")));
      return;
    }
    var head = el("tr", null, columns.map(function (c) {
      return el("th", { scope: "col", class: c.num ? "num" : null }, t(c.vi, c.en));
    }));
    var body = el("tbody", null, rows.map(function (r) {
      return el("tr", null, columns.map(function (c) {
        var v = c.render ? c.render(r) : (c.value ? c.value(r) : r[c.key]);
        /* data-label lets a page's CSS stack a wide table into cards on a phone. */
        return el("td", { class: c.num ? "num" : null, "data-label": t(c.vi, c.en) },
                  v === null || v === undefined ? "" : v);
      }));
    }));
    container.appendChild(el("div", { class: "table-wrap" }, el("table", null, [el("thead", null, head), body])));
  }

  function say(box, kind, text) {
    box.className = "msg " + kind;
    box.textContent = text;
  }

  /* ARIA tabs over #tab-NAME buttons and #panel-NAME panels: click or arrow keys switch;
   * onFirst(name) runs the first time a panel is shown (to load it lazily). Returns
   * show(name, focus); tabs.reload(name) makes the next show load it again. */
  function tabs(names, onFirst) {
    var loaded = {};
    function show(name, focus) {
      names.forEach(function (n) {
        var on = n === name, tab = document.getElementById("tab-" + n);
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        document.getElementById("panel-" + n).hidden = !on;
        if (on && focus) tab.focus();
      });
      if (!loaded[name]) { loaded[name] = true; onFirst(name); }
    }
    names.forEach(function (n, i) {
      var tab = document.getElementById("tab-" + n);
      tab.addEventListener("click", function () { show(n); });
      tab.addEventListener("keydown", function (ev) {
        var d = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
        if (!d) return;
        ev.preventDefault();
        show(names[(i + d + names.length) % names.length], true);
      });
    });
    show.reload = function (name) { loaded[name] = false; };
    return show;
  }

  function header(user) {
    var nav = el("nav", { "aria-label": t("Trang", "Pages") });
    var p = ROLE_PAGES[user.role];
    nav.appendChild(el("a", { href: "/desk/home" }, t("Trang chính", "Home")));
    if (p) nav.appendChild(el("a", { href: "/desk/" + p[0] }, t(p[1], p[2])));
    var other = LANG === "en" ? "vi" : "en";
    nav.appendChild(el("a", { href: "?lang=" + other, lang: other, class: "lang" },
                       LANG === "en" ? "Tiếng Việt" : "English"));
    nav.appendChild(el("button", { type: "button", class: "link", id: "logout", onclick: logout },
                       t("Đăng xuất", "Sign out")));
    var bar = el("header", { class: "bar" }, [
      el("a", { class: "brand", href: "/desk/home" }, t("hoso · Bưu điện", "hoso · Post")),
      el("span", { class: "who" }, (user.full_name || user.username) + " · " + roleName(user.role)),
      nav
    ]);
    document.body.insertBefore(bar, document.body.firstChild);
  }

  /* What a page keeps on the device for its user (the courier's offline copy) goes before the
   * session does, even offline; waited for at most 3 s so signing out never hangs. */
  var leaving = [];
  function onLogout(fn) { leaving.push(fn); }

  function logout() {
    var clean = Promise.all(leaving.map(function (fn) {
      return Promise.resolve().then(fn).catch(function () { /* signing out matters more */ });
    }));
    Promise.race([clean, new Promise(function (r) { setTimeout(r, 3000); })]).then(function () {
      return api("POST", "/api/v1/logout", {}, { noRedirect: true });
    }).then(function () {
      location.href = "/desk/login";
    }, function () { location.href = "/desk/login"; });
  }

  /* Loads the session (user and CSRF token), draws the header, translates the page, and
   * resolves the user. Pages call it first. */
  function init() {
    applyLang(document);
    return api("GET", "/api/v1/me").then(function (res) {
      /* The status tells an answer (401: on its way to sign-in) from no network at all. */
      if (!res.ok) throw Object.assign(new Error("not signed in"), { status: res.status });
      session.user = res.data.user;
      session.csrf = res.data.csrf;
      header(session.user);
      return session.user;
    });
  }

  /* A page started without the network (the courier's, from its service worker) runs as the
   * user it remembered; there is no CSRF token until GET /api/v1/me answers again. */
  function startOffline(user) {
    session.user = user;
    session.csrf = null;
    header(user);
    return user;
  }

  window.Desk = {
    lang: LANG, t: t, applyLang: applyLang, el: el, add: add, clear: clear, $: $,
    api: api, errorText: errorText, refusalText: refusalText, fieldName: fieldName, init: init,
    session: session, roleName: roleName,
    stateName: stateName, STATES: STATES, fmtMoney: fmtMoney, fmtDate: fmtDate,
    s10Valid: s10Valid, parseTn: parseTn, uuid: uuid, table: table, downloadCsv: downloadCsv,
    say: say, ROLE_PAGES: ROLE_PAGES, tabs: tabs, startOffline: startOffline, onLogout: onLogout
  };
})();
