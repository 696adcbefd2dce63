/* courier-handover.js — the courier's two other screens: the handover to an agency (a
 * manifest and its handover record), and the home pickups given to them.
 *
 * The handover list is kept in localStorage too, so a list scanned in a dead zone is still
 * there at the agency's door; each number is checked with GET /api/v1/items/{tn} (which
 * names the dossier's agency) as soon as the network allows. Making the manifest itself
 * needs the network: the agency signs the printed record. */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el;
  var user = "", ui = {}, hooks = {};

  function key() { return "hoso.courier.handover." + user; }
  function load() {
    try { var v = JSON.parse(localStorage.getItem(key()) || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  function save(list) {
    try { localStorage.setItem(key(), JSON.stringify(list)); } catch (e) { /* shown on the scan tab */ }
  }

  /* Why an item cannot go on a manifest, from what the server says about it. */
  function problemOf(item) {
    if (item.role !== "submission")
      return t("Đây là bưu gửi kết quả, không phải hồ sơ gửi cơ quan.", "This is a result item, not a dossier for the agency.");
    if (item.state !== "ACCEPTED" && item.state !== "IN_TRANSIT")
      return t("Đang ở trạng thái “", "It is “") + D.stateName(item.state) +
             t("”, không bàn giao được.", "”; it cannot be handed over.");
    return null;
  }

  function check(entry) {
    return D.api("GET", "/api/v1/items/" + encodeURIComponent(entry.tn)).then(function (res) {
      entry.checked = true;
      if (res.ok) {
        entry.agency_code = res.data.agency_code;
        entry.state = res.data.state;
        entry.problem = problemOf(res.data);
      } else {
        entry.problem = D.errorText(res);
      }
      return entry;
    }, function () { entry.checked = false; return entry; });
  }

  function update(entry) {
    var list = load();
    for (var i = 0; i < list.length; i++) if (list[i].tn === entry.tn) list[i] = entry;
    save(list);
    render();
  }

  function checkAll() {
    return Promise.all(load().filter(function (e) { return !e.checked; }).map(function (e) {
      return check(e).then(update);
    }));
  }

  function add(raw) {
    var tn = D.parseTn(raw);
    ui.scanErr.textContent = "";
    ui.scan.removeAttribute("aria-invalid");
    if (!tn || !D.s10Valid(tn)) {
      ui.scan.setAttribute("aria-invalid", "true");
      ui.scanErr.textContent = tn
        ? t("Số hiệu ", "Tracking number ") + tn + t(" sai số kiểm tra (gõ nhầm?).", " has a wrong check digit (mistyped?).")
        : t("Số hiệu bưu gửi: không đọc được số hiệu (vd. DH123456785VN).", "Tracking number: not a tracking number (e.g. DH123456785VN).");
      if (hooks.beep) hooks.beep("err");
      return;
    }
    var list = load();
    if (list.some(function (e) { return e.tn === tn; })) {
      ui.scanErr.textContent = tn + t(" đã có trong danh sách.", " is already on the list.");
      if (hooks.beep) hooks.beep("warn");
      return;
    }
    var entry = { tn: tn, checked: false, agency_code: null, state: null, problem: null };
    list.push(entry);
    save(list);
    render();
    if (hooks.beep) hooks.beep("ok");
    check(entry).then(update);
  }

  function remove(tn) {
    save(load().filter(function (e) { return e.tn !== tn; }));
    render();
  }

  function agencies(list) {
    var seen = {};
    list.forEach(function (e) {
      if (e.agency_code && !e.problem) seen[e.agency_code] = (seen[e.agency_code] || 0) + 1;
    });
    return seen;
  }

  function render() {
    var list = load();
    ui.count.textContent = String(list.length);
    D.clear(ui.list);
    if (!list.length) {
      ui.list.appendChild(el("li", { class: "empty" }, t("Chưa có hồ sơ nào.", "No dossiers yet.")));
    }
    list.forEach(function (e) {
      var why = e.problem ? el("span", { class: "why" }, e.problem)
        : !e.checked ? el("span", { class: "why ok" }, t("Chưa kiểm tra (chờ mạng)", "Not checked yet (waiting for the network)"))
        : el("span", { class: "why ok" }, (e.agency_code || "") + " · " + D.stateName(e.state));
      ui.list.appendChild(el("li", { "data-tn": e.tn }, [
        el("span", { class: "what" }, el("span", { class: "tn" }, e.tn)),
        el("button", { type: "button", class: "secondary ho-remove", "data-tn": e.tn,
                       "aria-label": t("Bỏ ", "Remove ") + e.tn,
                       onclick: function () { remove(e.tn); } }, t("Bỏ", "Remove")),
        why
      ]));
    });
    var ag = agencies(list), codes = Object.keys(ag).sort(), was = ui.agency.value;
    D.clear(ui.agency);
    if (!codes.length) {
      ui.agency.appendChild(el("option", { value: "" }, t("— quét hồ sơ trước —", "— scan dossiers first —")));
    }
    codes.forEach(function (c) {
      ui.agency.appendChild(el("option", { value: c },
        c + " (" + ag[c] + t(" hồ sơ)", ag[c] === 1 ? " dossier)" : " dossiers)")));
    });
    if (codes.indexOf(was) >= 0) ui.agency.value = was;
  }

  function create() {
    if (!navigator.onLine) {
      D.say(ui.msg, "warn", t("Đang mất mạng: lập biên bản cần có mạng. Danh sách vẫn được giữ.",
                              "Offline: making the handover record needs the network. The list is kept."));
      return;
    }
    ui.create.disabled = true;
    D.say(ui.msg, "warn", t("Đang kiểm tra…", "Checking…"));
    /* A page started offline gets its CSRF token (hooks.ready) before it may write. */
    var ready = hooks.ready ? Promise.resolve().then(hooks.ready) : Promise.resolve(true);
    ready.then(checkAll).then(function () {
      var list = load(), agency = ui.agency.value;
      var items = list.filter(function (e) { return e.checked && !e.problem && e.agency_code === agency; })
                      .map(function (e) { return e.tn; });
      if (!agency || !items.length) {
        ui.create.disabled = false;
        D.say(ui.msg, "err", t("Cơ quan nhận: chưa có hồ sơ hợp lệ nào để bàn giao.",
                               "Agency receiving: no valid dossier to hand over yet."));
        return;
      }
      return D.api("POST", "/api/v1/manifests", { agency_code: agency, items: items }).then(function (res) {
        ui.create.disabled = false;
        if (!res.ok) {
          var text = D.errorText(res), f = res.data && res.data.error && res.data.error.field;
          var m = f && /^items\[(\d+)\]/.exec(f);
          if (m && items[+m[1]]) text = items[+m[1]] + ": " + text;
          D.say(ui.msg, "err", text);
          if (hooks.beep) hooks.beep("err");
          return;
        }
        var made = res.data;
        save(load().filter(function (e) { return items.indexOf(e.tn) < 0; }));
        render();
        ui.scanErr.textContent = "";
        ui.ref.textContent = made.ref;
        ui.record.setAttribute("href", made.record_url);
        ui.result.hidden = false;
        D.say(ui.msg, "ok", t("Đã lập biên bản ", "Handover record ") + made.ref + t(" với ", " made with ") +
              made.count + t(" hồ sơ cho ", " dossier(s) for ") + made.agency_code + ".");
        if (hooks.beep) hooks.beep("ok");
        if (hooks.manifest) hooks.manifest(made);
      });
    }).catch(function () {
      ui.create.disabled = false;
      D.say(ui.msg, "warn", t("Không kết nối được máy chủ: lập biên bản cần có mạng. Danh sách vẫn được giữ.",
                              "Cannot reach the server: making the record needs the network. The list is kept."));
    });
  }

  /* Pickups: read-only, with the phone as a link so the courier can call ahead. */
  function loadPickups() {
    var box = ui.pickups, msg = ui.pickupsMsg;
    D.say(msg, "warn", t("Đang tải…", "Loading…"));
    return D.api("GET", "/api/v1/pickups?state=assigned").then(function (res) {
      if (!res.ok) { D.say(msg, "err", D.errorText(res)); return; }
      var list = (res.data && res.data.pickups) || [];
      D.clear(box);
      msg.className = "msg";
      msg.textContent = "";
      if (!list.length) {
        box.appendChild(el("li", { class: "empty" }, t("Không có yêu cầu nào được giao.", "No pickups assigned to you.")));
        return;
      }
      list.forEach(function (p) {
        var a = p.applicant || {};
        box.appendChild(el("li", { "data-id": p.id, id: "pickup-" + p.id }, [
          el("strong", null, "#" + p.id + " · " + (a.name || "")), el("br"),
          el("span", null, p.address || ""), el("br"),
          el("span", null, t("Hẹn: ", "Window: ") + D.fmtDate(p.window_from) + " – " + D.fmtDate(p.window_to)), el("br"),
          el("span", null, t("Thủ tục: ", "Procedure: ") + (p.procedure_code || "")),
          p.notes ? el("span", null, [el("br"), t("Ghi chú: ", "Notes: ") + p.notes]) : null,
          a.phone ? el("span", null, [el("br"), el("a", { href: "tel:" + a.phone }, t("Gọi ", "Call ") + a.phone)]) : null
        ]));
      });
    }, function () {
      D.say(msg, "warn", t("Mất mạng: chưa tải được danh sách.", "Offline: the list could not be loaded."));
    });
  }

  function start(username, h) {
    user = username;
    hooks = h || {};
    var $ = function (id) { return document.getElementById(id); };
    ui = { form: $("ho-form"), scan: $("ho-scan"), scanErr: $("ho-scan-err"), list: $("ho-list"),
           count: $("ho-count"), agency: $("ho-agency"), msg: $("ho-msg"), create: $("ho-create"),
           clear: $("ho-clear"), result: $("ho-result"), ref: $("ho-ref"), record: $("ho-record"),
           pickups: $("pickups-list"), pickupsMsg: $("pickups-msg"), refresh: $("pickups-refresh") };
    ui.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      add(ui.scan.value);
      ui.scan.value = "";
      ui.scan.focus();
    });
    ui.create.addEventListener("click", create);
    ui.clear.addEventListener("click", function () {
      save([]);
      render();
      ui.msg.className = "msg";
      ui.msg.textContent = "";
      ui.scan.focus();
    });
    ui.refresh.addEventListener("click", loadPickups);
    window.addEventListener("online", checkAll);
    render();
    checkAll();
  }

  window.CourierHandover = { start: start, loadPickups: loadPickups, render: render };
})();
