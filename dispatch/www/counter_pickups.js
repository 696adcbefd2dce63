/* counter_pickups.js — the counter's home pickups: the requests of this office still waiting
 * for a courier (GET /api/v1/pickups), giving one to a courier (POST .../assign), and a new
 * request taken by phone or at the counter (POST /api/v1/pickups). The courier is chosen from
 * a list (GET /api/v1/couriers: the active couriers of the clerk's office); the last one used
 * is preselected. */
(function () {
  "use strict";
  var D = window.Desk, C = window.Counter, t = D.t, el = D.el;
  function $(id) { return document.getElementById(id); }
  var COURIER_KEY = "hoso.counter.courier";
  var STATES = { requested: ["Chờ giao bưu tá", "Waiting"], assigned: ["Đã giao bưu tá", "Assigned"],
                 done: ["Đã thu gom", "Collected"], failed: ["Không thu được", "Failed"],
                 cancelled: ["Đã hủy", "Cancelled"] };
  function stateName(s) { var n = STATES[s]; return n ? t(n[0], n[1]) : s; }
  function lastCourier() { try { return localStorage.getItem(COURIER_KEY) || ""; } catch (e) { return ""; } }
  function remember(c) { try { localStorage.setItem(COURIER_KEY, c); } catch (e) { /* private mode */ } }
  /* "2026-11-30T08:00" → "30/11/2026 08:00" */
  function when(s) { return D.fmtDate(s); }

  var couriers = [];  /* [{username, full_name, office_code}], from GET /api/v1/couriers */

  /* Fills a <select> with the couriers, `none` as the empty first choice, and `chosen`
   * selected (kept as a choice even when it left the list, so a reassignment shows it). */
  function courierOptions(sel, none, chosen) {
    D.clear(sel);
    sel.appendChild(el("option", { value: "" }, none));
    var seen = false;
    couriers.forEach(function (c) {
      var o = el("option", { value: c.username }, (c.full_name || c.username) + " (" + c.username + ")");
      if (c.username === chosen) { o.selected = true; seen = true; }
      sel.appendChild(o);
    });
    if (chosen && !seen) {
      var o = el("option", { value: chosen }, chosen);
      o.selected = true;
      sel.appendChild(o);
    }
    return sel;
  }

  /* The last courier used, while still in the list. */
  function rememberedCourier() {
    var c = lastCourier();
    return couriers.some(function (x) { return x.username === c; }) ? c : "";
  }

  function loadCouriers() {
    return D.api("GET", "/api/v1/couriers").then(function (res) {
      if (!res.ok) { D.say($("pickups-msg"), "err", D.errorText(res)); return; }
      couriers = res.data.couriers || [];
      courierOptions($("pk-courier"), t("— chưa giao —", "— not yet —"), "");
    }, function () { D.say($("pickups-msg"), "err", t("Không kết nối được máy chủ.", "Cannot reach the server.")); });
  }

  function assignCell(p) {
    if (p.state !== "requested" && p.state !== "assigned") return "";
    var input = courierOptions(el("select", { id: "pickup-courier-" + p.id, class: "courier-input" }),
                               t("— chọn bưu tá —", "— choose a courier —"), p.courier || rememberedCourier());
    var btn = el("button", { type: "button", id: "pickup-assign-" + p.id, class: "secondary" },
                 p.state === "assigned" ? t("Giao lại", "Reassign") : t("Giao", "Assign"));
    btn.addEventListener("click", function () { assign(p, input, btn); });
    input.addEventListener("change", function () { input.removeAttribute("aria-invalid"); });
    return el("div", { class: "assign" }, [
      el("label", { for: input.id, class: "sr-only" }, t("Bưu tá cho yêu cầu #", "Courier for request #") + p.id),
      input, btn]);
  }

  var COLS = [
    { key: "id", vi: "Số", en: "No.", num: true },
    { key: "window", vi: "Thời gian hẹn", en: "Time window",
      value: function (p) { return when(p.window_from) + " – " + (p.window_to || "").slice(11, 16); } },
    { key: "name", vi: "Người nộp", en: "Applicant", value: function (p) { return p.applicant.name; } },
    { key: "phone", vi: "Điện thoại", en: "Phone", value: function (p) { return p.applicant.phone; } },
    { key: "address", vi: "Địa chỉ", en: "Address" },
    { key: "procedure_code", vi: "Thủ tục", en: "Procedure" },
    { key: "state", vi: "Trạng thái", en: "State", value: function (p) { return stateName(p.state); } },
    { key: "courier", vi: "Bưu tá", en: "Courier", render: assignCell, value: function (p) { return p.courier || ""; } }
  ];

  function load() {
    var st = $("pickup-filter").value;
    return D.api("GET", "/api/v1/pickups" + (st ? "?state=" + st : "")).then(function (res) {
      if (!res.ok) { D.say($("pickups-msg"), "err", D.errorText(res)); return; }
      var rows = res.data.pickups || [];
      D.table($("pickups-table"), COLS, rows, "thu-gom-" + (st || "tat-ca") + ".csv");
      var trs = $("pickups-table").querySelectorAll("tbody tr");
      for (var i = 0; i < trs.length; i++) trs[i].setAttribute("data-pickup", rows[i].id);
    }, function () { D.say($("pickups-msg"), "err", t("Không kết nối được máy chủ.", "Cannot reach the server.")); });
  }

  function assign(p, input, btn) {
    var c = input.value;
    if (!c) {
      input.setAttribute("aria-invalid", "true");
      D.say($("pickups-msg"), "err", t("Bưu tá (yêu cầu #", "Courier (request #") + p.id + t("): chọn một bưu tá trong danh sách.", "): choose a courier from the list."));
      input.focus();
      return;
    }
    btn.disabled = true;
    D.api("POST", "/api/v1/pickups/" + p.id + "/assign", { courier: c }).then(function (res) {
      btn.disabled = false;
      if (!res.ok) {
        input.setAttribute("aria-invalid", "true");
        D.say($("pickups-msg"), "err", t("Yêu cầu #", "Request #") + p.id + ": " + D.errorText(res));
        input.focus();
        return;
      }
      remember(c);
      D.say($("pickups-msg"), "ok", t("Đã giao yêu cầu #", "Request #") + p.id + t(" cho bưu tá ", " given to courier ") + res.data.courier + ".");
      load();
    }, function () {
      btn.disabled = false;
      D.say($("pickups-msg"), "err", t("Không kết nối được máy chủ.", "Cannot reach the server."));
    });
  }

  /* ---------------------------------------------------------------- a new request */

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function local(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  /* Tomorrow 08:00-10:00: the usual first round. */
  function defaultWindow() {
    var d = new Date();
    d.setDate(d.getDate() + 1); d.setHours(8, 0, 0, 0);
    $("pk-from").value = local(d);
    d.setHours(10);
    $("pk-to").value = local(d);
  }

  var PK = {
    name: C.live($("pk-name"), function (v) { return C.text(v, t("Họ tên người nộp", "Applicant's name"), 200); }),
    phone: C.live($("pk-phone"), function (v) { return C.phone(v); }),
    address: C.live($("pk-address"), function (v) { return C.text(v, t("Địa chỉ thu gom", "Pickup address"), 300); }),
    proc: C.live($("pk-proc"), function (v) {
      var r = C.text(v, t("Mã thủ tục", "Procedure code"), 12);
      if (r.ok && !/^\d\.\d{6}(\.[A-Za-z0-9]{1,4})?$/.test(r.value))
        return { ok: false, msg: t("Mã thủ tục có dạng 2.000488 hoặc 2.002621.H21.", "A procedure code looks like 2.000488 or 2.002621.H21.") };
      return r;
    }),
    from: C.live($("pk-from"), function (v) {
      return v ? { ok: true, value: v } : { ok: false, msg: t("Thời gian bắt đầu: bắt buộc nhập.", "Start of the window: required.") };
    }),
    to: C.live($("pk-to"), function (v) {
      if (!v) return { ok: false, msg: t("Thời gian kết thúc: bắt buộc nhập.", "End of the window: required.") };
      if ($("pk-from").value && v <= $("pk-from").value)
        return { ok: false, msg: t("Thời gian kết thúc phải sau thời gian bắt đầu.", "The end must be after the start.") };
      return { ok: true, value: v };
    })
  };
  var PK_ORDER = ["name", "phone", "address", "proc", "from", "to"];
  var PK_INPUT = { name: "pk-name", phone: "pk-phone", address: "pk-address", proc: "pk-proc", from: "pk-from", to: "pk-to" };
  var PK_SERVER = { "applicant.name": "pk-name", "applicant.phone": "pk-phone", address: "pk-address",
                    procedure_code: "pk-proc", window_from: "pk-from", window_to: "pk-to", courier: "pk-courier",
                    notes: "pk-notes" };

  /* The request last sent and its client_id: a retry of the same request after a lost answer
   * reuses the id (the server then answers the first pickup instead of making a second);
   * an edited request gets a new one. */
  var pending = null;

  $("pk-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = {}, bad = [], first = null;
    PK_ORDER.forEach(function (k) {
      var r = PK[k].check();
      v[k] = r.value;
      if (!r.ok) { bad.push(r.msg); if (!first) first = $(PK_INPUT[k]); }
    });
    if (bad.length) { D.say($("pk-msg"), "err", bad.join(" ")); first.focus(); return; }
    var body = { applicant: { name: v.name, phone: v.phone }, address: v.address, procedure_code: v.proc,
                 window_from: v.from, window_to: v.to };
    var courier = $("pk-courier").value, notes = $("pk-notes").value.trim();
    if (courier) body.courier = courier;
    if (notes) body.notes = notes;
    var key = JSON.stringify(body);
    if (!pending || pending.key !== key) pending = { key: key, id: D.uuid() };
    body.client_id = pending.id;
    var btn = $("pk-create");
    btn.disabled = true;
    D.api("POST", "/api/v1/pickups", body).then(function (res) {
      btn.disabled = false;
      if (!res.ok) {
        var e = (res.data && res.data.error) || {};
        var target = PK_SERVER[e.field] ? $(PK_SERVER[e.field]) : null;
        D.say($("pk-msg"), "err", t("Máy chủ từ chối: ", "Refused by the server: ") + D.errorText(res));
        if (target) { target.setAttribute("aria-invalid", "true"); target.focus(); }
        return;
      }
      pending = null;
      var p = res.data;
      if (courier) remember(courier);
      D.say($("pk-msg"), "ok", t("Đã tạo yêu cầu thu gom #", "Pickup request #") + p.id + t(" (", " created (") +
            stateName(p.state) + (p.courier ? ": " + p.courier : "") + ").");
      $("pk-courier").value = "";
      ["pk-name", "pk-phone", "pk-address", "pk-notes"].forEach(function (id) { $(id).value = ""; $(id).removeAttribute("aria-invalid"); });
      PK_ORDER.forEach(function (k) { PK[k].reset(); });
      /* Show the list the new request lands in. */
      $("pickup-filter").value = p.state === "assigned" ? "assigned" : "requested";
      load();
    }, function () {
      btn.disabled = false;
      D.say($("pk-msg"), "err", t("Không kết nối được máy chủ. Thử lại.", "Cannot reach the server. Try again."));
    });
  });

  $("pickup-filter").addEventListener("change", load);
  $("pickups-refresh").addEventListener("click", load);
  $("pk-courier").addEventListener("change", function () { $("pk-courier").removeAttribute("aria-invalid"); });

  window.CounterPickups = {
    start: function () { defaultWindow(); loadCouriers().then(load); },
    load: load
  };
})();
