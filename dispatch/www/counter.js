/* counter.js — the clerk's counter: find the procedure, tick the papers, take the applicant's
 * details, confirm the charges, accept (POST /api/v1/dossiers), print the label and the
 * consignment note; today's acceptances; home pickups. The field rules, the search and the
 * checklist are in counter_form.js (window.Counter).
 *
 * Test hooks:
 *   search:    #proc-q, #proc-status, #proc-results, button.proc-opt (#proc-opt-N, data-code),
 *              #proc-card, #proc-chosen, #proc-chosen-code, #proc-chosen-name, #proc-change
 *   papers:    #docs-list, #doc-N-check, #doc-N-form, #doc-N-copies, #doc-N-err,
 *              #docs-all-required, #docs-missing (warning listing missing required papers)
 *   applicant: #app-kind-person, #app-kind-org, #app-name, #app-phone, #app-id, #app-email,
 *              #app-address, each with its message in #ID-err (and aria-invalid)
 *   service:   #service (send|return|both), #payment, #portal-code, #appointment-slip,
 *              #fee, #postage, #notes, #total
 *   accept:    #accept-form, #review (opens the summary), #form-msg (refusals, incl. the
 *              server's), #confirm-panel, #summary, #confirm-warn, #confirm, #back, #confirm-msg
 *   result:    #result-panel, #result-msg, #result-tns (li[data-tn], .tn), #result-due,
 *              #print, #print-msg, #print-links (a.pdf-link), #next-applicant
 *   today:     #today-refresh, #today-summary, #today-msg, #today-table (tr[data-id],
 *              button[data-csv])
 *   pickups:   #pickup-filter, #pickups-refresh, #pickups-msg, #pickups-table
 *              (tr[data-pickup=ID]), #pickup-courier-ID, #pickup-assign-ID;
 *              #pk-form, #pk-name, #pk-phone, #pk-address, #pk-proc, #pk-courier, #pk-from,
 *              #pk-to, #pk-notes, #pk-create, #pk-msg
 */
(function () {
  "use strict";
  var D = window.Desk, C = window.Counter, t = D.t, el = D.el;
  function $(id) { return document.getElementById(id); }

  var user = null;
  var proc = null;          // the chosen procedure
  var docs = null;          // its checklist
  var pending = null;       // {body, docIndex}: what the summary shows and Confirm sends
  /* One id per dossier, kept from the first Confirm until the server has answered for good:
   * a double click or a retry after a lost answer replays it, and the server writes once. */
  var clientId = null;
  var sending = false;
  var last = null;          // the last dossier accepted
  var lastDate = null;      // its accepted_date: the server's own "today"

  var SERVICES = { both: ["Gửi hồ sơ và nhận trả kết quả", "Send and return"],
                   send: ["Chỉ gửi hồ sơ", "Send only"], "return": ["Chỉ nhận trả kết quả", "Return only"] };
  var PAYMENTS = { cash: ["Tiền mặt", "Cash"], transfer: ["Chuyển khoản", "Bank transfer"], none: ["Không thu", "No payment"] };
  function pick(map, k) { var n = map[k]; return n ? t(n[0], n[1]) : k; }

  /* The offices work on Vietnam time whatever the PC's clock zone says; once the server has
   * accepted a dossier its accepted_date is used instead. */
  function today() {
    if (lastDate) return lastDate;
    return new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  }

  /* ---------------------------------------------------------------- the form's fields */

  function isOrg() { return $("app-kind-org").checked; }
  var F = {
    name: C.live($("app-name"), function (v) { return C.text(v, isOrg() ? t("Tên tổ chức", "Organisation name") : t("Họ và tên", "Full name"), 200); }),
    phone: C.live($("app-phone"), function (v) { return C.phone(v); }),
    id: C.live($("app-id"), function (v) { return isOrg() ? C.taxCode(v) : C.cccd(v); }),
    email: C.live($("app-email"), C.email),
    address: C.live($("app-address"), function (v) { return C.text(v, t("Địa chỉ", "Address"), 300); }),
    fee: C.live($("fee"), function (v) { return C.money(v, t("Lệ phí", "Fee")); }),
    postage: C.live($("postage"), function (v) { return C.money(v, t("Cước bưu chính", "Postage")); }),
    portal: C.live($("portal-code"), function (v) { return C.text(v, t("Mã hồ sơ trên Cổng", "Portal code"), 40, true); })
  };
  var ORDER = ["name", "phone", "id", "email", "address", "portal", "fee", "postage"];
  var INPUT = { name: "app-name", phone: "app-phone", id: "app-id", email: "app-email", address: "app-address",
                portal: "portal-code", fee: "fee", postage: "postage" };
  /* Where a refusal's field sits on the page. */
  var SERVER_FIELD = { "applicant.name": "app-name", "applicant.phone": "app-phone",
    "applicant.id_number": "app-id", "applicant.email": "app-email", "applicant.address": "app-address",
    "applicant.kind": "app-kind-person", portal_code: "portal-code", fee_vnd: "fee",
    postage_vnd: "postage", notes: "notes", service: "service", payment_method: "payment",
    procedure_code: "proc-q" };

  function kindChanged() {
    var org = isOrg();
    $("app-name-label").textContent = org ? t("Tên tổ chức", "Organisation name") : t("Họ và tên", "Full name");
    $("app-id-label").textContent = org ? t("Mã số thuế (10 số, hoặc 10-3 cho chi nhánh)", "Tax code (10 digits, or 10-3 for a branch)")
                                        : t("Số CCCD (12 chữ số)", "Citizen ID (CCCD, 12 digits)");
    $("app-id").setAttribute("inputmode", org ? "text" : "numeric");
    if ($("app-id").value.trim()) F.id.check(); else F.id.reset();
  }
  $("app-kind-person").addEventListener("change", kindChanged);
  $("app-kind-org").addEventListener("change", kindChanged);

  function total() {
    var f = C.money($("fee").value, ""), p = C.money($("postage").value, "");
    $("total").textContent = f.ok && p.ok ? D.fmtMoney(f.value + p.value)
      : t("(nhập lệ phí và cước)", "(enter the fee and the postage)");
  }
  $("fee").addEventListener("input", total);
  $("postage").addEventListener("input", total);

  function isReturn() { return $("service").value === "return"; }
  $("service").addEventListener("change", function () { showDocs(); missingWarning(); });

  /* ---------------------------------------------------------------- procedure and papers */

  var search = C.procSearch({ input: $("proc-q"), list: $("proc-results"), status: $("proc-status"), onChoose: choose });

  function choose(p) {
    proc = p;
    $("proc-search").hidden = true;
    $("proc-chosen").hidden = false;
    $("proc-chosen-code").textContent = p.code;
    $("proc-chosen-name").textContent = p.name;
    $("proc-chosen-agency").textContent = p.agency_name;
    $("proc-chosen-fee").textContent = D.fmtMoney(p.fee_vnd);
    $("proc-chosen-days").textContent = p.days + t(" ngày làm việc", " working days");
    $("fee").value = String(p.fee_vnd || 0);
    F.fee.reset();
    total();
    docs = C.checklist($("docs-list"), p.components || [], missingWarning);
    showDocs();
    missingWarning();
    var first = $("doc-0-check");
    (first && !isReturn() ? first : $("app-name")).focus();
  }

  function unchoose() {
    proc = null; docs = null;
    D.clear($("docs-list"));
    $("proc-chosen").hidden = true;
    $("proc-search").hidden = false;
    search.clear();
    showDocs();
    missingWarning();
  }
  $("proc-change").addEventListener("click", function () { unchoose(); $("proc-q").focus(); });
  $("docs-all-required").addEventListener("click", function () { if (docs) docs.tickRequired(); });

  function showDocs() {
    var ret = isReturn();
    $("docs-empty").hidden = !!proc;
    $("docs-return-note").hidden = !(proc && ret);
    $("docs-tools").hidden = !proc || ret;
    $("docs-list").hidden = !proc || ret;
  }

  function missingWarning() {
    var box = $("docs-missing");
    var miss = docs && !isReturn() ? docs.missing() : [];
    if (!miss.length) { quiet(box); return miss; }
    D.clear(box);
    box.className = "msg warn";
    box.appendChild(el("strong", null, t("Còn thiếu " + miss.length + " giấy tờ bắt buộc:",
                                         miss.length + " required paper(s) missing:")));
    box.appendChild(el("ul", null, miss.map(function (n) { return el("li", null, n); })));
    return miss;
  }

  /* ---------------------------------------------------------------- review and confirm */

  function formMsg(kind, text) { D.say($("form-msg"), kind, text); }
  function quiet(box) { box.className = "msg"; box.textContent = ""; }

  /* Checks everything; shows each mistake under its field and answers the body to send, or
   * null after focusing the first field to fix. */
  function collect() {
    var bad = [], firstBad = null;
    if (!proc) {
      formMsg("err", t("Chưa chọn thủ tục: tìm và chọn thủ tục ở mục 1.", "No procedure chosen: find and choose it in part 1."));
      $("proc-q").focus();
      return null;
    }
    var v = {};
    ORDER.forEach(function (k) {
      var r = F[k].check();
      v[k] = r.value;
      if (!r.ok) { bad.push(r.msg); if (!firstBad) firstBad = $(INPUT[k]); }
    });
    var notes = $("notes").value.trim();
    var docBad = docs && !isReturn() ? docs.firstBad() : null;
    if (docBad) { bad.push(t("Số bản giấy tờ: từ 1 đến 50.", "Copies of a paper: 1 to 50.")); firstBad = firstBad || docBad; }
    if (bad.length) {
      formMsg("err", t("Chưa thể tiếp nhận, cần sửa: ", "Cannot accept yet, please fix: ") + bad.join(" "));
      firstBad.focus();
      return null;
    }
    var applicant = { kind: isOrg() ? "organisation" : "person", name: v.name, phone: v.phone,
                      id_number: v.id, address: v.address };
    if (v.email) applicant.email = v.email;
    var body = { procedure_code: proc.code, service: $("service").value, applicant: applicant,
                 fee_vnd: v.fee, postage_vnd: v.postage, payment_method: $("payment").value,
                 appointment_slip: $("appointment-slip").checked };
    var docIndex = [];
    if (!isReturn()) {
      var list = docs.documents();
      body.documents = list.map(function (d) { return d.doc; });
      docIndex = list.map(function (d) { return d.i; });
    }
    if (v.portal) body.portal_code = v.portal;
    if (notes) body.notes = notes;
    return { body: body, docIndex: docIndex };
  }

  function row(dl, vi, en, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", null, t(vi, en)));
    dl.appendChild(el("dd", null, value));
  }

  function review(ev) {
    ev.preventDefault();
    var p = collect();
    if (!p) return;
    /* clientId stays as it is: if an earlier try went through unanswered and the clerk
     * has changed something since, the server answers 409 instead of a second dossier. */
    pending = p;
    var b = p.body, a = b.applicant, dl = $("summary");
    D.clear(dl);
    row(dl, "Thủ tục", "Procedure", proc.code + " · " + proc.name);
    row(dl, "Cơ quan", "Agency", proc.agency_name);
    row(dl, a.kind === "organisation" ? "Tổ chức" : "Người nộp", a.kind === "organisation" ? "Organisation" : "Applicant", a.name);
    row(dl, "Điện thoại", "Phone", a.phone);
    row(dl, a.kind === "organisation" ? "Mã số thuế" : "Số CCCD", a.kind === "organisation" ? "Tax code" : "Citizen ID", a.id_number);
    row(dl, "Địa chỉ", "Address", a.address);
    row(dl, "Email", "Email", a.email);
    row(dl, "Dịch vụ", "Service", pick(SERVICES, b.service) + (b.appointment_slip ? t(" · có phiếu hẹn", " · with appointment slip") : ""));
    if (b.documents) {
      row(dl, "Giấy tờ", "Papers", b.documents.length ? el("ol", null, b.documents.map(function (d) {
        return el("li", null, d.name + " — " + C.formName(d.form) + " × " + d.copies);
      })) : t("(không có)", "(none)"));
    }
    row(dl, "Mã hồ sơ trên Cổng", "Portal code", b.portal_code);
    row(dl, "Ghi chú", "Notes", b.notes);
    row(dl, "Lệ phí", "Fee", D.fmtMoney(b.fee_vnd));
    row(dl, "Cước bưu chính", "Postage", D.fmtMoney(b.postage_vnd));
    row(dl, "Thanh toán", "Payment", pick(PAYMENTS, b.payment_method));
    row(dl, "Tổng thu", "Total", el("strong", { id: "summary-total" }, D.fmtMoney(b.fee_vnd + b.postage_vnd)));
    var miss = missingWarning();
    var warn = $("confirm-warn");
    if (miss.length) D.say(warn, "warn", t("Thiếu giấy tờ bắt buộc: ", "Required papers missing: ") + miss.join("; ") +
                             t(". Máy chủ sẽ từ chối hồ sơ thiếu.", ". The server refuses an incomplete dossier."));
    else quiet(warn);
    quiet($("confirm-msg"));
    quiet($("form-msg"));
    showStep("confirm");
    $("confirm-h").focus();
  }
  $("accept-form").addEventListener("submit", review);

  function showStep(step) {
    $("proc-card").hidden = step === "confirm";
    $("accept-form").hidden = step === "confirm";
    $("confirm-panel").hidden = step !== "confirm";
  }

  $("back").addEventListener("click", function () {
    if (sending) return;
    showStep("form");
    $("review").focus();
  });

  $("confirm").addEventListener("click", function () {
    if (sending || !pending) return;
    if (!clientId) clientId = D.uuid();
    var body = JSON.parse(JSON.stringify(pending.body));
    body.client_id = clientId;
    sending = true;
    $("confirm").disabled = true; $("back").disabled = true;
    D.say($("confirm-msg"), "warn", t("Đang gửi…", "Sending…"));
    D.api("POST", "/api/v1/dossiers", body).then(function (res) {
      sending = false;
      $("confirm").disabled = false; $("back").disabled = false;
      if (res.ok) { accepted(res.data); return; }
      if (res.status >= 500 || res.status === 429) {
        D.say($("confirm-msg"), "err", D.errorText(res) + t(" — Bấm Xác nhận để thử lại: hồ sơ không bị ghi hai lần.",
                                                            " — Press Confirm to try again: the dossier is never written twice."));
        return;
      }
      /* A refusal wrote nothing, so the next try is a new request; 409 means an earlier try
       * with this id did go through (with other details): today's list shows it. */
      clientId = null;
      if (res.status === 409) {
        D.say($("confirm-msg"), "err", D.errorText(res) + t(" — Hồ sơ này có thể đã được tiếp nhận: kiểm tra danh sách hôm nay.",
                                                            " — This dossier may already be accepted: check today's list."));
        loadToday();
        return;
      }
      refused(res);
    }, function () {
      sending = false;
      $("confirm").disabled = false; $("back").disabled = false;
      D.say($("confirm-msg"), "err", t("Không kết nối được máy chủ. Bấm Xác nhận để thử lại: hồ sơ không bị ghi hai lần.",
                                       "Cannot reach the server. Press Confirm to try again: the dossier is never written twice."));
    });
  });

  /* Back to the form with the server's words, under the field it names when there is one. */
  function refused(res) {
    var e = (res.data && res.data.error) || {};
    var text = D.errorText(res);
    showStep("form");
    formMsg("err", t("Máy chủ từ chối: ", "Refused by the server: ") + text);
    var target = null, f = e.field || "";
    /* Under the field it names: the reason without the field's name, in the page's language. */
    var here = e.code ? D.refusalText({ code: e.code, message: e.message }) : text;
    var m = /^documents\[(\d+)\]/.exec(f);
    if (m && docs) target = docs.showErr(pending.docIndex[+m[1]], here);
    else if (f === "documents") target = $("docs-missing");
    else if (SERVER_FIELD[f]) {
      target = $(SERVER_FIELD[f]);
      if ($(SERVER_FIELD[f] + "-err")) C.showErr(target, here);
    }
    target = target || $("form-msg");
    if (!/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  /* ---------------------------------------------------------------- after acceptance */

  function accepted(d) {
    clientId = null;
    pending = null;
    last = d;
    lastDate = d.accepted_date || lastDate;
    var items = d.items || [];
    $("result-msg").textContent = t("Đã tiếp nhận hồ sơ số ", "Dossier no. ") + d.id +
      t(" của ", " accepted for ") + ((d.applicant && d.applicant.name) || "") + ".";
    var ul = D.clear($("result-tns"));
    items.forEach(function (it) {
      ul.appendChild(el("li", { "data-tn": it.tracking_number }, [
        el("span", { class: "tn big" }, it.tracking_number), " ",
        el("span", { class: "badge" }, it.role === "result" ? t("Kết quả trả về", "Result") : t("Hồ sơ gửi đi", "Submission")), " ",
        el("span", { class: "muted" }, D.stateName(it.state))]));
    });
    $("result-due").textContent = d.due_date ? D.fmtDate(d.due_date) : t("(tính khi nhận kết quả)", "(set when the result is collected)");
    var links = D.clear($("print-links"));
    pdfs(d).forEach(function (p) {
      links.appendChild(el("li", null, el("a", { href: p.url, target: "_blank", class: "pdf-link" }, p.name)));
    });
    quiet($("print-msg"));
    resetForm();
    $("result-panel").hidden = false;
    $("print").focus();
    $("result-panel").scrollIntoView({ block: "start" });
    loadToday();
  }

  function pdfs(d) {
    var out = (d.items || []).map(function (it) {
      return { url: it.label_url, name: t("Nhãn ", "Label ") + it.tracking_number };
    });
    if (d.note_url) out.push({ url: d.note_url, name: t("Phiếu gửi hồ sơ số ", "Consignment note no. ") + d.id });
    return out;
  }

  /* The labels and the note of the dossier, one PDF: a browser lets one window through per
   * click, so one URL prints everything. The links under the button stay as a fallback. */
  function printUrl(d) {
    return d.print_url || "/api/v1/dossiers/" + d.id + "/print.pdf";
  }

  $("print").addEventListener("click", function () {
    if (!last) return;
    var w = null;
    try { w = window.open(printUrl(last), "_blank"); } catch (e) { w = null; }
    if (!w) {
      D.say($("print-msg"), "warn", t("Trình duyệt đã chặn cửa sổ in. Bấm các liên kết bên dưới để mở.",
                                      "The browser blocked the print window. Use the links below to open the PDFs."));
    } else {
      D.say($("print-msg"), "ok", t("Đã mở nhãn và phiếu gửi trong một tệp PDF: in từ cửa sổ PDF.",
                                    "The labels and the note are open in one PDF: print from the PDF window."));
    }
  });

  $("next-applicant").addEventListener("click", function () {
    $("result-panel").hidden = true;
    $("proc-q").focus();
  });

  function resetForm() {
    unchoose();
    ["app-name", "app-phone", "app-id", "app-email", "app-address", "portal-code", "fee", "postage", "notes"]
      .forEach(function (id) { $(id).value = ""; });
    ORDER.forEach(function (k) { F[k].reset(); });
    $("app-kind-person").checked = true;
    kindChanged();
    $("service").value = "both";
    $("payment").value = "cash";
    $("appointment-slip").checked = false;
    quiet($("form-msg"));
    total();
    showStep("form");
  }

  /* ---------------------------------------------------------------- today's acceptances */

  var TODAY_COLS = [
    { key: "accepted_at", vi: "Giờ", en: "Time", value: function (r) { return (r.accepted_at || "").slice(11, 16); } },
    { key: "tn", vi: "Số hiệu", en: "Tracking numbers",
      value: function (r) { return (r.items || []).map(function (i) { return i.tracking_number; }).join(" "); },
      render: function (r) { return el("span", null, (r.items || []).map(function (i) { return el("span", { class: "tn tn-line" }, i.tracking_number); })); } },
    { key: "name", vi: "Người nộp", en: "Applicant", value: function (r) { return r.applicant && r.applicant.name; } },
    { key: "phone", vi: "Điện thoại", en: "Phone", value: function (r) { return r.applicant && r.applicant.phone; } },
    { key: "procedure_code", vi: "Thủ tục", en: "Procedure" },
    { key: "service", vi: "Dịch vụ", en: "Service", value: function (r) { return pick(SERVICES, r.service); } },
    { key: "state", vi: "Trạng thái", en: "State", value: function (r) { return r.items && r.items[0] ? D.stateName(r.items[0].state) : ""; } },
    { key: "fee_vnd", vi: "Lệ phí", en: "Fee", num: true, render: function (r) { return D.fmtMoney(r.fee_vnd); } },
    { key: "postage_vnd", vi: "Cước", en: "Postage", num: true, render: function (r) { return D.fmtMoney(r.postage_vnd); } },
    { key: "due_date", vi: "Hạn", en: "Due", value: function (r) { return D.fmtDate(r.due_date); } }
  ];

  function loadToday() {
    if (!user) return;
    var day = today();
    var q = "/api/v1/dossiers?limit=200&from=" + day + "&to=" + day +
            (user.office_code ? "&office=" + encodeURIComponent(user.office_code) : "");
    $("today-summary").textContent = t("Đang tải…", "Loading…");
    D.api("GET", q).then(function (res) {
      if (!res.ok) { $("today-summary").textContent = ""; D.say($("today-msg"), "err", D.errorText(res)); return; }
      quiet($("today-msg"));
      var rows = res.data.dossiers || [];
      D.table($("today-table"), TODAY_COLS, rows, "tiep-nhan-" + (user.office_code || "") + "-" + day + ".csv");
      var trs = $("today-table").querySelectorAll("tbody tr");
      for (var i = 0; i < trs.length; i++) trs[i].setAttribute("data-id", rows[i].id);
      var fee = 0, post = 0;
      rows.forEach(function (r) { fee += r.fee_vnd || 0; post += r.postage_vnd || 0; });
      $("today-summary").textContent = D.fmtDate(day) + ": " + rows.length + t(" hồ sơ", " dossiers") +
        (res.data.next ? "+" : "") + " · " + t("lệ phí ", "fees ") + D.fmtMoney(fee) + " · " +
        t("cước ", "postage ") + D.fmtMoney(post);
    }, function () {
      $("today-summary").textContent = "";
      D.say($("today-msg"), "err", t("Không kết nối được máy chủ.", "Cannot reach the server."));
    });
  }
  $("today-refresh").addEventListener("click", loadToday);

  /* For the journey test and other pages' scripts: refresh the list after an outside change. */
  window.CounterPage = { loadToday: loadToday };

  D.init().then(function (u) {
    user = u;
    total();
    showDocs();
    loadToday();
    if (window.CounterPickups) window.CounterPickups.start(u);
    $("proc-q").focus();
  }, function () { /* not signed in: desk.js is sending the browser to the login page */ });
})();
