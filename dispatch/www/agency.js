/* agency.js — the agency's one-stop desk: count and confirm the post office's handovers,
 * register the dossiers (receipt number, appointment date) or send them back, mark results
 * ready for the post to carry home, and read the agency's discrepancies and unpaid fees.
 * The API already limits an officer to their own agency; the page never filters for safety.
 *
 * Test hooks:
 *   tabs: #tab-manifests #tab-dossiers #tab-results #tab-reports
 *   manifests: #manifests-refresh #manifests-list, a button per manifest #manifest-open-{id};
 *     #manifest-detail #manifest-title #manifest-record (record PDF link)
 *     #manifest-all-received; per line (tracking number TN):
 *       #line-{TN}-received #line-{TN}-missing #line-{TN}-damaged (radios) #line-{TN}-note
 *     #manifest-fees #manifest-fees-error #manifest-confirm #manifest-msg #manifest-close
 *     #manifests-msg (the outcome of a confirmation)
 *   dossiers: #dossiers-refresh #dossiers-list, a button per dossier #dossier-open-{TN};
 *     #dossier-form #dossier-title #receipt-number #receipt-number-error #appointment-date
 *     #appointment-date-error #receipt-submit #reject-reason #reject-reason-error
 *     #reject-submit #dossier-msg #dossier-close; #dossiers-msg (outcome)
 *   results: #results-refresh #results-list #results-msg, per dossier id N:
 *     #result-fee-N #result-ready-N, then #result-label-N (label PDF link, new tab)
 *   reports: #discrepancies #fees-unpaid #fees-total (tables with a [data-csv] button)
 *   #agency-name */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el, $ = function (id) { return document.getElementById(id); };
  var me = null;

  var TABS = ["manifests", "dossiers", "results", "reports"];
  var showTab = null;   /* D.tabs, once the user is known */

  function busy(btn, on) { btn.disabled = on; btn.setAttribute("aria-busy", on ? "true" : "false"); }
  function netErr(box) { D.say(box, "err", t("Không kết nối được máy chủ.", "Cannot reach the server.")); }
  function tnCell(tn) { return tn ? el("span", { class: "tn" }, tn) : ""; }
  function submission(d) { return (d.items || []).filter(function (i) { return i.role === "submission"; })[0]; }
  function result(d) { return (d.items || []).filter(function (i) { return i.role === "result"; })[0]; }
  function today() {
    var n = new Date();
    return n.getFullYear() + "-" + String(n.getMonth() + 1).padStart(2, "0") + "-" + String(n.getDate()).padStart(2, "0");
  }
  /* "200.000", "200000 đ", "200 000" → 200000; null when it is not a whole amount. */
  function parseMoney(s) {
    var v = String(s || "").replace(/[\s.,_]|đ|vnd/gi, "");
    return /^\d{1,10}$/.test(v) ? Number(v) : null;
  }
  function fieldError(input, box, text) {
    box.textContent = text || "";
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }

  /* ================= manifests ================= */
  var manifest = null;          /* the one being counted */
  var feesTouched = false;      /* once the officer types a sum, stop overwriting it */

  function loadManifests() {
    var box = $("manifests-list");
    D.api("GET", "/api/v1/manifests?state=open&limit=100").then(function (res) {
      if (!res.ok) { D.say($("manifests-msg"), "err", D.errorText(res)); return; }
      D.table(box, [
        { key: "ref", vi: "Số biên bản", en: "Record", render: function (m) {
          return el("button", { type: "button", class: "secondary", id: "manifest-open-" + m.id,
            onclick: function () { openManifest(m.id); } }, [t("Kiểm nhận ", "Count "), m.ref]);
        }, value: function (m) { return m.ref; } },
        { key: "office_code", vi: "Bưu cục", en: "Post office" },
        { key: "created_at", vi: "Lập lúc", en: "Made at", value: function (m) { return D.fmtDate(m.created_at); } },
        { key: "created_by", vi: "Người giao", en: "Handed by" },
        { key: "count", vi: "Số hồ sơ", en: "Dossiers", num: true },
        { key: "total_fee_vnd", vi: "Tổng phí", en: "Total fees", num: true,
          value: function (m) { return D.fmtMoney(m.total_fee_vnd); } }
      ], res.data.manifests || [], "bien-ban-cho-kiem-nhan.csv");
    }, function () { netErr($("manifests-msg")); });
  }

  function openManifest(id) {
    D.api("GET", "/api/v1/manifests/" + id).then(function (res) {
      if (!res.ok) { D.say($("manifests-msg"), "err", D.errorText(res)); return; }
      manifest = res.data;
      feesTouched = false;
      drawManifest();
      $("manifest-detail").hidden = false;
      $("manifest-title").focus();
    }, function () { netErr($("manifests-msg")); });
  }

  var STATUSES = [["received", "Đã nhận", "Received"], ["missing", "Thiếu", "Missing"],
                  ["damaged", "Hư hỏng", "Damaged"]];

  function drawManifest() {
    var m = manifest;
    $("manifest-title").textContent = t("Biên bản ", "Handover ") + m.ref;
    $("manifest-meta").textContent = t("Bưu cục ", "Post office ") + m.office_code + " · " +
      D.fmtDate(m.created_at) + " · " + m.count + t(" hồ sơ · tổng phí ", " dossiers · fees ") +
      D.fmtMoney(m.total_fee_vnd);
    $("manifest-record").href = m.record_url || ("/api/v1/manifests/" + m.id + "/record.pdf");
    D.say($("manifest-msg"), "ok", "");
    var wrap = $("manifest-lines");
    D.clear(wrap);
    var list = el("ol", { class: "lines" });
    (m.items || []).forEach(function (line) {
      var tn = line.tracking_number;
      var radios = STATUSES.map(function (s) {
        return el("label", { class: "inline choice", for: "line-" + tn + "-" + s[0] }, [
          el("input", { type: "radio", name: "line-" + tn, id: "line-" + tn + "-" + s[0], value: s[0],
                        onchange: onLineChange }), t(s[1], s[2])]);
      });
      var note = el("input", { id: "line-" + tn + "-note", maxlength: "300", autocomplete: "off",
                               "aria-describedby": "line-" + tn + "-error" });
      list.appendChild(el("li", { class: "line", "data-tn": tn }, [
        el("div", { class: "line-head" }, [tnCell(tn), " ",
          el("span", { class: "muted" }, t("hồ sơ #", "dossier #") + line.dossier_id + " · " +
             line.documents + t(" giấy tờ · ", " papers · ") + D.fmtMoney(line.fee_vnd))]),
        el("fieldset", { class: "choices" }, [
          el("legend", { class: "sr-only" }, t("Tình trạng ", "Status of ") + tn)].concat(radios)),
        el("label", { for: "line-" + tn + "-note", class: "note-label" }, t("Ghi chú", "Note")),
        note,
        el("p", { class: "field-error", id: "line-" + tn + "-error", "aria-live": "polite" })
      ]));
    });
    wrap.appendChild(list);
    updateFees();
  }

  function lineStatus(tn) {
    var c = document.querySelector('input[name="line-' + tn + '"]:checked');
    return c ? c.value : null;
  }
  function expectedFees() {
    return (manifest.items || []).reduce(function (s, l) {
      return s + (lineStatus(l.tracking_number) === "received" ? l.fee_vnd : 0);
    }, 0);
  }
  function onLineChange(ev) {
    var li = ev.target.closest("li");
    li.setAttribute("data-status", ev.target.value);
    var tn = li.getAttribute("data-tn");
    fieldError($("line-" + tn + "-note"), $("line-" + tn + "-error"), "");
    updateFees();
  }
  function updateFees() {
    var want = expectedFees(), input = $("manifest-fees");
    if (!feesTouched) input.value = String(want);
    $("manifest-fees-hint").textContent = t("Tổng phí các hồ sơ đã nhận: ", "Fees of the received dossiers: ") +
      D.fmtMoney(want);
    checkFees();
  }
  /* Warns as typed; the server has the last word (fee_mismatch), so a mismatch is still sent. */
  function checkFees() {
    var input = $("manifest-fees"), v = parseMoney(input.value), want = expectedFees();
    var msg = v === null ? t("Phí đã nhận: nhập số tiền (đồng), ví dụ 200000.",
                             "Fees received: enter an amount in dong, e.g. 200000.")
      : v !== want ? t("Phí đã nhận: " + D.fmtMoney(v) + " khác tổng phí các hồ sơ đã nhận (" + D.fmtMoney(want) + ").",
                       "Fees received: " + D.fmtMoney(v) + " differs from the fees of the received dossiers (" + D.fmtMoney(want) + ").")
      : "";
    fieldError(input, $("manifest-fees-error"), msg);
  }
  $("manifest-fees").addEventListener("input", function () { feesTouched = true; checkFees(); });
  $("manifest-all-received").addEventListener("click", function () {
    (manifest.items || []).forEach(function (l) {
      var r = $("line-" + l.tracking_number + "-received");
      r.checked = true;
      r.closest("li").setAttribute("data-status", "received");
    });
    feesTouched = false;
    updateFees();
  });
  $("manifest-close").addEventListener("click", function () {
    $("manifest-detail").hidden = true;
    manifest = null;
  });

  $("manifest-confirm").addEventListener("click", function () {
    var box = $("manifest-msg"), bad = null;
    var body = { received: [], missing: [] };
    (manifest.items || []).forEach(function (l) {
      var tn = l.tracking_number, st = lineStatus(tn), note = $("line-" + tn + "-note");
      if (st === "received") body.received.push(tn);
      else if (st) {
        var m = { item: tn, reason: st };
        if (note.value.trim()) m.note = note.value.trim();
        else if (st === "damaged") {
          fieldError(note, $("line-" + tn + "-error"), t("Ghi chú: mô tả hư hỏng của " + tn + ".",
                                                         "Note: describe the damage to " + tn + "."));
          bad = bad || note;
        }
        body.missing.push(m);
      }
    });
    if (bad) { D.say(box, "err", t("Dòng hư hỏng cần ghi chú.", "A damaged line needs a note.")); bad.focus(); return; }
    var fees = parseMoney($("manifest-fees").value);
    if (fees === null) { checkFees(); $("manifest-fees").focus(); return; }
    body.fees_received_vnd = fees;
    var btn = $("manifest-confirm");
    busy(btn, true);
    D.api("POST", "/api/v1/manifests/" + manifest.id + "/confirm", body).then(function (res) {
      busy(btn, false);
      if (!res.ok) {
        D.say(box, "err", D.errorText(res));
        var f = res.data && res.data.error && res.data.error.field;
        if (f === "fees_received_vnd") { fieldError($("manifest-fees"), $("manifest-fees-error"), D.errorText(res)); $("manifest-fees").focus(); }
        return;
      }
      var m = res.data;
      $("manifest-detail").hidden = true;
      manifest = null;
      D.say($("manifests-msg"), m.state === "partial" ? "warn" : "ok",
        t("Đã xác nhận biên bản " + m.ref + (m.state === "partial" ? " (có sai lệch)" : "") + ". Phí đã nhận: ",
          "Handover " + m.ref + " confirmed" + (m.state === "partial" ? " (with discrepancies)" : "") + ". Fees received: ") +
        D.fmtMoney(m.fees_received_vnd) + ".");
      $("manifests-msg").focus();
      loadManifests();
      showTab.reload("dossiers"); showTab.reload("reports");
    }, function () { busy(btn, false); netErr(box); });
  });
  $("manifests-refresh").addEventListener("click", loadManifests);

  /* ================= dossiers at the agency ================= */
  var current = null;   /* {dossier, tn} */

  function loadDossiers() {
    D.api("GET", "/api/v1/dossiers?state=AT_AGENCY&limit=200").then(function (res) {
      if (!res.ok) { D.say($("dossiers-msg"), "err", D.errorText(res)); return; }
      var rows = (res.data.dossiers || []).filter(function (d) {
        var s = submission(d);
        return s && s.state === "AT_AGENCY";
      });
      D.table($("dossiers-list"), [
        { key: "tn", vi: "Số hiệu", en: "Number", render: function (d) {
          var tn = submission(d).tracking_number;
          return el("button", { type: "button", class: "secondary", id: "dossier-open-" + tn,
            onclick: function () { openDossier(d); } }, [el("span", { class: "tn" }, tn)]);
        }, value: function (d) { return submission(d).tracking_number; } },
        { key: "procedure_code", vi: "Thủ tục", en: "Procedure" },
        { key: "name", vi: "Người nộp", en: "Applicant", value: function (d) { return d.applicant.name; } },
        { key: "accepted_date", vi: "Ngày nhận tại bưu cục", en: "Accepted at the post",
          value: function (d) { return D.fmtDate(d.accepted_date); } },
        { key: "portal_code", vi: "Mã hồ sơ cổng DVC", en: "Portal code" }
      ], rows, "ho-so-cho-tiep-nhan.csv");
    }, function () { netErr($("dossiers-msg")); });
  }

  function openDossier(d) {
    var tn = submission(d).tracking_number;
    current = { dossier: d, tn: tn };
    $("dossier-title").textContent = tn + " · " + d.applicant.name;
    $("dossier-meta").textContent = t("Thủ tục ", "Procedure ") + d.procedure_code + " · " +
      (d.documents || []).length + t(" loại giấy tờ", " kinds of papers") +
      (d.portal_code ? " · " + d.portal_code : "");
    ["receipt-number", "appointment-date", "reject-reason"].forEach(function (id) {
      $(id).value = "";
      fieldError($(id), $(id + "-error"), "");
    });
    $("appointment-date").min = today();
    D.say($("dossier-msg"), "ok", "");
    D.say($("dossiers-msg"), "ok", "");
    $("dossier-form").hidden = false;
    $("dossier-title").focus();
  }

  function checkDate() {
    var v = $("appointment-date").value, msg = "";
    if (!v) msg = t("Ngày hẹn trả: chọn một ngày.", "Appointment date: choose a date.");
    else if (v < today()) msg = t("Ngày hẹn trả: không được là ngày đã qua (" + D.fmtDate(v) + ").",
                                  "Appointment date: cannot be in the past (" + D.fmtDate(v) + ").");
    fieldError($("appointment-date"), $("appointment-date-error"), msg);
    return !msg;
  }
  function checkReceipt() {
    var ok = !!$("receipt-number").value.trim();
    fieldError($("receipt-number"), $("receipt-number-error"),
               ok ? "" : t("Số giấy tiếp nhận: bắt buộc.", "Receipt number: required."));
    return ok;
  }
  $("appointment-date").addEventListener("change", checkDate);
  $("receipt-number").addEventListener("blur", function () { if ($("receipt-number").value) checkReceipt(); });

  /* One event, sent with a fresh id; the server answers the same for a repeated id. */
  function sendEvent(ev, btn, done) {
    var box = $("dossier-msg");
    busy(btn, true);
    D.api("POST", "/api/v1/events", ev).then(function (res) {
      busy(btn, false);
      var r = res.data && res.data.results && res.data.results[0];
      if (!res.ok || (r && r.status === "refused")) {
        var e = (res.data && res.data.error) || (r && r.error);
        D.say(box, "err", D.errorText({ status: res.status, data: { error: e } }));
        var f = e && e.field, map = { receipt_number: "receipt-number", appointment_date: "appointment-date", reason: "reject-reason" };
        if (map[f]) { fieldError($(map[f]), $(map[f] + "-error"), D.errorText({ data: { error: e } })); $(map[f]).focus(); }
        return;
      }
      done();
    }, function () { busy(btn, false); netErr(box); });
  }

  $("receipt-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var okR = checkReceipt(), okD = checkDate();
    if (!okR) { $("receipt-number").focus(); return; }
    if (!okD) { $("appointment-date").focus(); return; }
    var c = current, num = $("receipt-number").value.trim(), date = $("appointment-date").value;
    sendEvent({ id: D.uuid(), item: c.tn, type: "agency_receipt", receipt_number: num, appointment_date: date },
      $("receipt-submit"), function () {
        closeDossier();
        D.say($("dossiers-msg"), "ok", t("Đã tiếp nhận " + c.tn + ": số " + num + ", hẹn trả " + D.fmtDate(date) + ". Người dân được nhắn tin.",
          c.tn + " registered: receipt " + num + ", appointment " + D.fmtDate(date) + ". The applicant is sent an SMS."));
        loadDossiers();
        showTab.reload("results");
      });
  });
  $("reject-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reason = $("reject-reason").value.trim();
    if (!reason) {
      fieldError($("reject-reason"), $("reject-reason-error"), t("Lý do: bắt buộc khi trả lại hồ sơ.", "Reason: required to send a dossier back."));
      $("reject-reason").focus();
      return;
    }
    fieldError($("reject-reason"), $("reject-reason-error"), "");
    var c = current;
    sendEvent({ id: D.uuid(), item: c.tn, type: "agency_reject", reason: reason }, $("reject-submit"), function () {
      closeDossier();
      D.say($("dossiers-msg"), "warn", t("Đã trả lại " + c.tn + " (chưa đủ). Mở \"Trả kết quả\" để gửi hồ sơ về cho người dân.",
        c.tn + " sent back as incomplete. Use \"Results\" to send the papers back to the applicant."));
      loadDossiers();
      showTab.reload("results");
    });
  });
  function closeDossier() { $("dossier-form").hidden = true; current = null; }
  $("dossier-close").addEventListener("click", closeDossier);
  $("dossiers-refresh").addEventListener("click", loadDossiers);

  /* ================= results ================= */
  /* A dossier is waiting for its result while the agency has it (RECEIVED, sent back) or it
   * was filed online (no submission item), and its result item has not left the agency. */
  function waiting(d) {
    var s = submission(d), r = result(d);
    if (s && s.state !== "RECEIVED" && s.state !== "RETURNED_INCOMPLETE") return false;
    return !r || r.state === "AWAITING_RESULT";
  }

  function loadResults() {
    var box = $("results-list");
    Promise.all(["RECEIVED", "RETURNED_INCOMPLETE", "AWAITING_RESULT"].map(function (s) {
      return D.api("GET", "/api/v1/dossiers?state=" + s + "&limit=100");
    })).then(function (answers) {
      var bad = answers.filter(function (a) { return !a.ok; })[0];
      if (bad) { D.say($("results-msg"), "err", D.errorText(bad)); return; }
      var seen = {}, rows = [];
      answers.forEach(function (a) {
        (a.data.dossiers || []).forEach(function (d) {
          if (!seen[d.id] && waiting(d)) { seen[d.id] = true; rows.push(d); }
        });
      });
      rows.sort(function (a, b) { return b.id - a.id; });
      D.table(box, [
        { key: "tn", vi: "Số hiệu", en: "Number", render: function (d) {
          var s = submission(d);
          return s ? tnCell(s.tracking_number) : el("span", { class: "muted" }, t("nộp trực tuyến", "filed online"));
        }, value: function (d) { var s = submission(d); return s ? s.tracking_number : ""; } },
        { key: "name", vi: "Người nộp", en: "Applicant", value: function (d) { return d.applicant.name; } },
        { key: "procedure_code", vi: "Thủ tục", en: "Procedure" },
        { key: "state", vi: "Tình trạng", en: "Status", render: function (d) {
          var s = submission(d);
          return el("span", { class: "badge" + (s && s.state === "RETURNED_INCOMPLETE" ? " soon" : "") },
                    s ? D.stateName(s.state) : D.stateName("AWAITING_RESULT"));
        }, value: function (d) { var s = submission(d); return s ? s.state : "AWAITING_RESULT"; } },
        { key: "result", vi: "Kết quả", en: "Result", render: resultCell,
          value: function (d) { var r = result(d); return r ? r.tracking_number : ""; } }
      ], rows, "ket-qua-cho-tra.csv");
      rows.forEach(function (d) { var r = result(d); if (r) showReady(d, r.tracking_number); });
    }, function () { netErr($("results-msg")); });
  }

  /* Fee field and button; replaced by the label link once the result is ready. */
  function resultCell(d) {
    var fee = el("input", { id: "result-fee-" + d.id, inputmode: "numeric", autocomplete: "off", value: "0",
                            class: "fee", "aria-describedby": "result-fee-" + d.id + "-error" });
    var cell = el("div", { class: "result-cell", id: "result-cell-" + d.id }, [
      el("label", { for: "result-fee-" + d.id, class: "small" }, t("Phí còn thu (đồng)", "Fee to collect (VND)")),
      el("div", { class: "inline-form" }, [fee,
        el("button", { type: "button", id: "result-ready-" + d.id, onclick: function (ev) { markReady(d, ev.target); } },
           t("Kết quả sẵn sàng", "Result ready"))]),
      el("p", { class: "field-error", id: "result-fee-" + d.id + "-error", "aria-live": "polite" }),
      el("div", { class: "ready-slot" })
    ]);
    fee.addEventListener("input", function () {
      fieldError(fee, $("result-fee-" + d.id + "-error"), parseMoney(fee.value) === null
        ? t("Phí còn thu: nhập số tiền (đồng), 0 nếu không thu.", "Fee to collect: an amount in dong, 0 if none.") : "");
    });
    return cell;
  }

  /* A planned result item may already be marked ready; its progress says so. */
  function showReady(d, rtn) {
    D.api("GET", "/api/v1/items/" + encodeURIComponent(rtn)).then(function (res) {
      if (res.ok && res.data.progress && res.data.progress.result_ready)
        readyLink(d, rtn, res.data.progress.fee_due_vnd);
    }, function () { /* the row still works without the badge */ });
  }
  function readyLink(d, rtn, fee) {
    var cell = $("result-cell-" + d.id);
    if (!cell) return null;
    var slot = cell.querySelector(".ready-slot");
    D.clear(slot);
    var a = el("a", { id: "result-label-" + d.id, class: "button-link", target: "_blank", rel: "noopener",
                      href: "/api/v1/items/" + encodeURIComponent(rtn) + "/label.pdf" },
               t("In nhãn kết quả ", "Print the result label ") + rtn);
    D.add(slot, [el("span", { class: "badge ok" }, t("Đã sẵn sàng", "Ready") +
                   (fee ? " · " + D.fmtMoney(fee) : "")), " ", a]);
    $("result-ready-" + d.id).textContent = t("Cập nhật", "Update");
    if (typeof fee === "number") $("result-fee-" + d.id).value = String(fee);
    return a;
  }

  function markReady(d, btn) {
    var fee = $("result-fee-" + d.id), v = parseMoney(fee.value), box = $("results-msg");
    if (v === null) {
      fieldError(fee, $("result-fee-" + d.id + "-error"), t("Phí còn thu: nhập số tiền (đồng), 0 nếu không thu.", "Fee to collect: an amount in dong, 0 if none."));
      fee.focus();
      return;
    }
    busy(btn, true);
    D.api("POST", "/api/v1/dossiers/" + d.id + "/result", { fee_due_vnd: v }).then(function (res) {
      busy(btn, false);
      if (!res.ok) {
        D.say(box, "err", D.errorText(res));
        if (res.data && res.data.error && res.data.error.field === "fee_due_vnd")
          fieldError(fee, $("result-fee-" + d.id + "-error"), D.errorText(res));
        return;
      }
      var rtn = res.data.result_tracking_number;
      D.say(box, "ok", t("Kết quả hồ sơ #" + d.id + " đã sẵn sàng: " + rtn + ". In nhãn và dán lên bì kết quả.",
                         "The result of dossier #" + d.id + " is ready: " + rtn + ". Print its label for the envelope."));
      var a = readyLink(d, rtn, v);
      if (a) a.focus();
    }, function () { busy(btn, false); netErr(box); });
  }
  $("results-refresh").addEventListener("click", loadResults);

  /* ================= reports ================= */
  function loadReports() {
    D.api("GET", "/api/v1/discrepancies").then(function (res) {
      if (!res.ok) { D.say($("discrepancies-msg"), "err", D.errorText(res)); return; }
      D.table($("discrepancies"), [
        { key: "manifest_id", vi: "Biên bản", en: "Handover", num: true },
        { key: "tracking_number", vi: "Số hiệu", en: "Number", render: function (r) { return tnCell(r.tracking_number); },
          value: function (r) { return r.tracking_number; } },
        { key: "dossier_id", vi: "Hồ sơ", en: "Dossier", num: true },
        { key: "status", vi: "Tình trạng", en: "Status", value: function (r) {
          return r.status === "damaged" ? t("Hư hỏng", "Damaged") : r.status === "missing" ? t("Thiếu", "Missing") : r.status;
        } },
        { key: "note", vi: "Ghi chú", en: "Note" },
        { key: "fee_vnd", vi: "Phí", en: "Fee", num: true, value: function (r) { return D.fmtMoney(r.fee_vnd); } }
      ], res.data.discrepancies || [], "sai-lech-giao-nhan.csv");
    }, function () { netErr($("discrepancies-msg")); });
    D.api("GET", "/api/v1/fees/unpaid").then(function (res) {
      if (!res.ok) { D.say($("fees-msg"), "err", D.errorText(res)); return; }
      $("fees-total").textContent = t("Tổng: ", "Total: ") + D.fmtMoney(res.data.total_vnd || 0);
      D.table($("fees-unpaid"), [
        { key: "dossier_id", vi: "Hồ sơ", en: "Dossier", num: true },
        { key: "office_code", vi: "Bưu cục", en: "Post office" },
        { key: "procedure_code", vi: "Thủ tục", en: "Procedure" },
        { key: "accepted_date", vi: "Ngày nhận", en: "Accepted", value: function (r) { return D.fmtDate(r.accepted_date); } },
        { key: "fee_vnd", vi: "Phí", en: "Fee", num: true, value: function (r) { return D.fmtMoney(r.fee_vnd); } }
      ], res.data.dossiers || [], "phi-chua-chuyen.csv");
    }, function () { netErr($("fees-msg")); });
  }

  /* The agency's name and its one-stop desk, from the catalogue. */
  function showAgencyName(user) {
    var p = $("agency-name");
    p.textContent = user.agency_code || "";
    if (!user.agency_code) return;
    D.api("GET", "/api/v1/agencies").then(function (res) {
      var a = res.ok && (res.data.agencies || []).filter(function (x) { return x.code === user.agency_code; })[0];
      if (a) p.textContent = a.name + " · " + a.code + (a.desk_name ? " — " + a.desk_name : "");
    }, function () { /* the code alone still says whose desk this is */ });
  }

  var loaders = { manifests: loadManifests, dossiers: loadDossiers, results: loadResults, reports: loadReports };
  D.init().then(function (user) {
    me = user;
    showAgencyName(me);
    showTab = D.tabs(TABS, function (name) { loaders[name](); });
    var m = /[#&]tab=([a-z]+)/.exec(location.hash);
    showTab(m && TABS.indexOf(m[1]) >= 0 ? m[1] : "manifests");
  }, function () { /* D.api already sent the browser to the login page */ });
})();
