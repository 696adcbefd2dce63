/* courier.js — the courier's scan page, on a cheap Android phone with a handheld scanner or
 * the camera. Scans are queued on the phone first (courier-queue.js) and sent when the
 * network allows; each answer is shown in colour, with words and a short tone.
 *
 * Test hooks:
 *   tabs            #tab-scan #tab-handover #tab-pickups; panels #panel-scan #panel-handover #panel-pickups
 *   network         #net (class online|offline)
 *   scan            #scan-form #scan #scan-go #scan-err #camera #camera-box #camera-video #camera-stop
 *   actions         radios #act-dispatch #act-collect #act-arrive #act-out #act-attempt #act-deliver
 *                   (name="action"); #out-opts #out-requested; #attempt-opts #attempt-reason
 *                   #attempt-note #attempt-note-err
 *   answer          #result (class msg ok|warn|err; data-beep ok|warn|err; data-item; data-state)
 *   delivery        #deliver-form #deliver-item #deliver-state #deliver-fee-due #dl-name #dl-name-err
 *                   #dl-rel-applicant #dl-rel-proxy #dl-auth-box #dl-auth #dl-auth-err #dl-id #dl-id-err
 *                   #dl-papers #dl-fee #dl-fee-err #dl-sign (canvas) #dl-sign-err #dl-sign-clear
 *                   #dl-submit #dl-cancel
 *   queue           #queue-count #queue-list (li[data-id][data-item]) #sync-now
 *   refused         #refused-card #refused-count #refused-list (li[data-id]; button.dismiss
 *                   #dismiss-ID) #refused-clear
 *   recent          #recent-list (li[data-id][data-item][data-state])
 *   handover        #ho-form #ho-scan #ho-add #ho-scan-err #ho-count #ho-list (li[data-tn],
 *                   button.ho-remove) #ho-agency #ho-msg #ho-create #ho-clear #ho-result #ho-ref #ho-record
 *   pickups         #pickups-list (li#pickup-ID) #pickups-msg #pickups-refresh
 *   offline start   #offline-banner (courier-offline.js; the page served by courier-sw.js)
 *   localStorage    hoso.courier.queue.USER, .refused.USER, .recent.USER, .handover.USER, hoso.courier.me */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el, Q = window.CourierQueue;
  var $ = function (id) { return document.getElementById(id); };

  var ACTIONS = {
    dispatch: ["Nhận đi giao cơ quan", "Taken to the agency"], collect: ["Nhận kết quả", "Result collected"],
    arrive: ["Đến bưu cục phát", "Arrived at the office"], out: ["Đi phát", "Out for delivery"],
    attempt: ["Phát không được", "Failed attempt"], deliver: ["Phát thành công", "Delivered"]
  };
  var REASONS = {
    nobody_home: ["không có người nhận", "nobody home"], wrong_address: ["sai địa chỉ", "wrong address"],
    refused: ["người nhận từ chối", "refused"], moved: ["đã chuyển đi", "moved away"], other: ["lý do khác", "other"]
  };
  function actionName(a) { var n = ACTIONS[a]; return n ? t(n[0], n[1]) : a; }

  var ui = {}, lastId = null, deliverTn = null, sig = null, camera = null, online = navigator.onLine;

  /* ---- sound: two clearly different tones, made on the spot (no audio files) ---- */
  var actx = null;
  /* Browsers only let a page start audio after a tap or a key: make the context then. */
  function wakeAudio() {
    if (actx) { if (actx.state === "suspended") actx.resume(); return; }
    var AC = window.AudioContext || window.webkitAudioContext;
    if (AC) { try { actx = new AC(); } catch (e) { actx = null; } }
  }
  function beep(kind) {
    ui.result.setAttribute("data-beep", kind);
    if (!actx) return;
    /* ok: a rising two-note chime; err: one long low buzz; warn (queued): one short mid note. */
    var tones = kind === "ok" ? [[880, 0, 0.11], [1320, 0.12, 0.14]]
              : kind === "err" ? [[196, 0, 0.5]] : [[587, 0, 0.16]];
    try {
      tones.forEach(function (x) {
        var o = actx.createOscillator(), g = actx.createGain(), at = actx.currentTime + x[1];
        o.type = kind === "err" ? "square" : "sine";
        o.frequency.value = x[0];
        g.gain.setValueAtTime(0.0001, at);
        g.gain.exponentialRampToValueAtTime(0.35, at + 0.015);
        g.gain.exponentialRampToValueAtTime(0.0001, at + x[2]);
        o.connect(g);
        g.connect(actx.destination);
        o.start(at);
        o.stop(at + x[2] + 0.03);
      });
    } catch (e) { /* no sound is no reason to lose the scan */ }
  }

  function show(kind, text, item, state) {
    D.say(ui.result, kind, text);
    ui.result.setAttribute("data-item", item || "");
    ui.result.setAttribute("data-state", state || "");
  }

  /* ---- times ---- */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* The phone's own time with its offset, as the server records device_time. */
  function isoLocal(ms) {
    var d = new Date(ms), off = -d.getTimezoneOffset(), s = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) +
      ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + s + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function hhmm(ms) { var d = new Date(ms); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }

  /* ---- the action chosen ---- */
  function action() {
    var r = document.querySelector("input[name=action]:checked");
    return r ? r.value : "dispatch";
  }
  function actionChanged() {
    var a = action();
    ui.outOpts.hidden = a !== "out";
    ui.attemptOpts.hidden = a !== "attempt";
    ui.scanGo.textContent = a === "deliver" ? t("Tiếp", "Next") : t("Ghi nhận", "Record");
    Array.prototype.forEach.call(document.querySelectorAll("label.act"), function (l) {
      l.classList.toggle("checked", l.querySelector("input").checked);
    });
    if (a !== "deliver") closeDeliver();
  }

  /* ---- refocus: the scanner types into whatever has focus ---- */
  function scanPanelActive() { return !ui.panels.scan.hidden; }
  function refocus() {
    if (scanPanelActive() && ui.deliverForm.hidden) ui.scan.focus();
    else if (!ui.panels.handover.hidden) $("ho-scan").focus();
  }
  /* A tap on plain text or empty space leaves focus nowhere: bring it back to the scan field.
   * Focus moving to another input, a button or a link (keyboard use) is left alone. */
  function watchFocus(input) {
    input.addEventListener("blur", function () {
      setTimeout(function () {
        var a = document.activeElement;
        if ((!a || a === document.body) && !input.closest("[hidden]")) refocus();
      }, 0);
    });
  }

  function badScan(text) {
    ui.scan.setAttribute("aria-invalid", "true");
    ui.scanErr.textContent = text;
    show("err", text);
    beep("err");
  }

  function cccdValid(s) {
    if (!/^\d{12}$/.test(s)) return false;
    var p = +s.slice(0, 3);
    return p >= 1 && p <= 96;
  }

  /* ---- a scan ---- */
  function onScan(raw) {
    ui.scanErr.textContent = "";
    ui.scan.removeAttribute("aria-invalid");
    var shown = String(raw || "").trim();
    if (!shown) { badScan(t("Số hiệu bưu gửi: hãy quét hoặc nhập số hiệu.", "Tracking number: scan or type one.")); return; }
    var tn = D.parseTn(shown);
    ui.scan.value = "";
    if (!tn) {
      badScan(t("Số hiệu bưu gửi: “", "Tracking number: “") + shown.slice(0, 60) +
              t("” không phải số hiệu (vd. DH123456785VN).", "” is not a tracking number (e.g. DH123456785VN)."));
      return;
    }
    if (!D.s10Valid(tn)) {
      badScan(t("Số hiệu bưu gửi: ", "Tracking number: ") + tn +
              t(" sai số kiểm tra (quét lại hoặc gõ lại).", " has a wrong check digit (scan or type it again)."));
      return;
    }
    var a = action();
    if (a === "deliver") { openDeliver(tn); return; }
    var ev = { id: D.uuid(), item: tn, type: a, device_time: isoLocal(Date.now()) };
    if (a === "out" && ui.outRequested.checked) ev.requested_by_applicant = true;
    if (a === "attempt") {
      ev.reason = ui.attemptReason.value;
      var note = ui.attemptNote.value.trim();
      ui.attemptNoteErr.textContent = "";
      ui.attemptNote.removeAttribute("aria-invalid");
      if (ev.reason === "other" && !note) {
        ui.scan.value = tn;
        ui.attemptNote.setAttribute("aria-invalid", "true");
        ui.attemptNoteErr.textContent = t("Ghi chú: bắt buộc khi chọn “Lý do khác”.", "Note: required when the reason is “Other”.");
        show("err", ui.attemptNoteErr.textContent);
        beep("err");
        ui.attemptNote.focus();
        return;
      }
      if (note) ev.note = note;
    }
    if (Q.pendingFor(tn, a)) {
      show("warn", tn + " — " + actionName(a) + t(": đã có trong hàng chờ gửi.", ": already waiting to be sent."), tn);
      beep("warn");
      refocus();
      return;
    }
    send(ev);
    if (a === "attempt") { ui.attemptNote.value = ""; }
    refocus();
  }

  /* Stores the event, then tries to send it; the answer comes back through the queue. */
  function send(ev) {
    if (!Q.add(ev)) {
      show("err", t("Bộ nhớ máy đầy: lần quét ", "Phone storage full: the scan of ") + ev.item +
           t(" chưa được lưu. Hãy kết nối mạng để gửi các lần quét đang chờ.", " was not saved. Connect to send the waiting scans."), ev.item);
      beep("err");
      return;
    }
    lastId = ev.id;
    show("warn", ev.item + " — " + actionName(ev.type) + t(": đã lưu, đang gửi…", ": saved, sending…"), ev.item);
    /* A round already on the wire does not carry this scan: wait for it, then send. */
    var wasBusy = Q.busy();
    Q.sync().then(function (r) { return wasBusy && !r.offline ? Q.sync() : r; }).then(function (r) {
      if (lastId !== ev.id || !Q.queue().some(function (e) { return e.ev.id === ev.id; })) return;
      show("warn", ev.item + " — " + actionName(ev.type) +
           (r.offline ? t(": đã lưu trên máy, sẽ tự gửi khi có mạng.", ": saved on the phone; it will be sent when the network is back.")
                      : t(": đã lưu trên máy, máy chủ chưa nhận; sẽ gửi lại.", ": saved on the phone; the server did not take it yet; will retry.")),
           ev.item);
      beep("warn");
    });
  }

  /* The server's answer to one event. Only the latest scan speaks; the lists show the rest. */
  function onResult(entry, res) {
    if (entry.ev.id !== lastId) return;
    var tn = entry.ev.item, what = actionName(entry.ev.type);
    if (res.status === "recorded" || res.status === "duplicate") {
      show("ok", tn + " — " + what + t(": đã ghi nhận. Trạng thái: ", ": recorded. State: ") + D.stateName(res.state) +
           (res.status === "duplicate" ? t(" (đã nhận trước đó)", " (already received)") : ""), tn, res.state);
      beep("ok");
    } else {
      show("err", tn + " — " + what + t(": BỊ TỪ CHỐI. ", ": REFUSED. ") + refusal(res.error) +
           (res.state ? t(" (hiện tại: ", " (now: ") + D.stateName(res.state) + ")" : ""), tn, res.state);
      beep("err");
    }
  }

  /* The server's message, with the field it names when the message does not say it. */
  function refusal(e) {
    e = e || {};
    /* In Vietnamese, the sentence for the code (errors.js) with the server's detail after it. */
    if (D.lang !== "en" && Object.prototype.hasOwnProperty.call(window.DeskErrors || {}, e.code)) return D.refusalText(e);
    var m = e.message || e.code || t("bị từ chối", "refused");
    return (e.field && m.indexOf(e.field) < 0 ? e.field + ": " : "") + m;
  }

  /* ---- delivery at the door ---- */
  function openDeliver(tn) {
    deliverTn = tn;
    ui.deliverItem.textContent = tn;
    ui.deliverState.textContent = "";
    ui.deliverFeeDue.textContent = t("Đang kiểm tra phí phải thu…", "Checking the fee owed…");
    ui.deliverForm.hidden = false;
    sig.fit();
    show("warn", tn + t(": nhập thông tin người nhận và lấy chữ ký.", ": enter the receiver's details and signature."), tn);
    ui.dlName.focus();
    D.api("GET", "/api/v1/items/" + encodeURIComponent(tn)).then(function (res) {
      if (deliverTn !== tn) return;
      if (!res.ok) { ui.deliverFeeDue.textContent = D.errorText(res); return; }
      var p = res.data.progress || {}, fee = p.fee_due_vnd || 0;
      ui.deliverState.textContent = D.stateName(res.data.state);
      ui.dlFee.value = String(fee);
      ui.deliverFeeDue.textContent = fee > 0
        ? t("Phí phải thu của người nhận: ", "Fee to collect from the receiver: ") + D.fmtMoney(fee)
        : t("Không phải thu phí.", "No fee to collect.");
      if (res.data.state !== "OUT_FOR_DELIVERY" && res.data.state !== "HELD")
        ui.deliverFeeDue.textContent += t(" Lưu ý: bưu gửi chưa ở trạng thái “Đang phát”.", " Note: the item is not out for delivery.");
    }, function () {
      if (deliverTn === tn)
        ui.deliverFeeDue.textContent = t("Mất mạng: chưa kiểm tra được phí; nhập phí đã thu.", "Offline: the fee could not be checked; enter the fee collected.");
    });
  }
  function closeDeliver() {
    deliverTn = null;
    ui.deliverForm.hidden = true;
    ui.deliverForm.reset();
    ["dl-name", "dl-auth", "dl-id", "dl-fee"].forEach(function (id) { fieldError(id, ""); });
    fieldError("dl-sign", "");
    ui.dlAuthBox.hidden = true;
    if (sig) sig.clear();
  }
  function fieldError(id, text) {
    var input = $(id), box = $(id + "-err");
    if (box) box.textContent = text;
    if (input && input.tagName === "INPUT") {
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
    return !text;
  }
  function checkId(final) {
    var v = ui.dlId.value.replace(/[\s.]/g, "");
    if (/\D/.test(v)) return fieldError("dl-id", t("Số CCCD: chỉ gồm chữ số.", "CCCD number: digits only."));
    if (!v) return fieldError("dl-id", final ? t("Số CCCD: bắt buộc.", "CCCD number: required.") : "");
    if (v.length < 12) return fieldError("dl-id", final ? t("Số CCCD: cần đủ 12 chữ số.", "CCCD number: 12 digits are needed.") : "");
    if (!cccdValid(v))
      return fieldError("dl-id", t("Số CCCD: 12 chữ số, bắt đầu bằng mã tỉnh 001–096.", "CCCD number: 12 digits beginning with a province code 001–096."));
    return fieldError("dl-id", "");
  }
  function feeValue() { return ui.dlFee.value.replace(/[\s.,đ]/g, ""); }
  function checkFee() {
    var v = feeValue();
    if (!/^\d{1,10}$/.test(v) || +v > 1000000000)
      return fieldError("dl-fee", t("Phí đã thu: số đồng (0 nếu không thu).", "Fee collected: whole dong (0 if none)."));
    return fieldError("dl-fee", "");
  }
  function submitDeliver() {
    var ok = true, first = null;
    function need(good, id) { if (!good) { ok = false; first = first || id; } }
    var name = ui.dlName.value.trim(), proxy = ui.relProxy.checked, auth = ui.dlAuth.value.trim();
    need(fieldError("dl-name", name ? "" : t("Họ tên người nhận: bắt buộc.", "Receiver's name: required.")), "dl-name");
    need(fieldError("dl-auth", !proxy || auth ? "" : t("Số giấy ủy quyền: bắt buộc khi người nhận được ủy quyền.",
                                                     "Authorisation letter: required for a proxy.")), "dl-auth");
    need(checkId(true), "dl-id");
    need(checkFee(), "dl-fee");
    need(fieldError("dl-sign", sig.isEmpty() ? t("Chữ ký: người nhận cần ký vào khung.", "Signature: the receiver must sign in the box.") : ""), "dl-sign-clear");
    if (!ok) {
      show("err", t("Chưa phát được: ", "Not delivered yet: ") + ($(first.replace("-clear", "") + "-err") || {}).textContent, deliverTn);
      beep("err");
      $(first).focus();
      return;
    }
    /* The delivery's time is when the receiver signs, the moment custody passes. */
    var ev = { id: D.uuid(), item: deliverTn, type: "deliver", device_time: isoLocal(Date.now()),
               receiver_name: name, relation: proxy ? "proxy" : "applicant",
               id_number: ui.dlId.value.replace(/[\s.]/g, ""), fee_collected_vnd: +feeValue(),
               signature: sig.dataUrl() };
    if (proxy) ev.authorisation_ref = auth;
    var papers = ui.dlPapers.value.trim();
    if (papers) ev.papers_collected = papers;
    closeDeliver();
    send(ev);
    ui.scan.focus();
  }

  /* ---- lists ---- */
  function renderNet() {
    var n = Q.queue().length;
    ui.net.className = "net " + (online ? "online" : "offline");
    ui.net.textContent = (online ? t("Có mạng", "Online") : t("Mất mạng — các lần quét được lưu trên máy", "Offline — scans are kept on the phone")) +
      (n ? " · " + n + t(" chờ gửi", " waiting") : "");
  }
  function itemLine(ev, extra) {
    return [el("span", { class: "what" }, [el("span", { class: "tn" }, ev.item), " · ", actionName(ev.type),
                                           ev.reason ? " (" + t(REASONS[ev.reason][0], REASONS[ev.reason][1]) + ")" : "",
                                           extra || ""])];
  }
  function render() {
    var q = Q.queue(), ref = Q.refused(), rec = Q.recent();
    ui.queueCount.textContent = String(q.length);
    D.clear(ui.queueList);
    if (!q.length) ui.queueList.appendChild(el("li", { class: "empty" }, t("Không có gì chờ gửi.", "Nothing waiting.")));
    q.forEach(function (e) {
      ui.queueList.appendChild(el("li", { "data-id": e.ev.id, "data-item": e.ev.item },
        itemLine(e.ev, " · " + hhmm(e.at))));
    });
    ui.syncNow.disabled = !q.length;
    ui.refusedCard.hidden = !ref.length;
    ui.refusedCount.textContent = String(ref.length);
    D.clear(ui.refusedList);
    ref.forEach(function (r) {
      ui.refusedList.appendChild(el("li", { "data-id": r.ev.id, "data-item": r.ev.item }, itemLine(r.ev, " · " + hhmm(r.at)).concat([
        el("button", { type: "button", class: "secondary dismiss", id: "dismiss-" + r.ev.id,
                       "aria-label": t("Bỏ qua ", "Dismiss ") + r.ev.item,
                       onclick: function () { Q.dismiss(r.ev.id); refocus(); } }, t("Bỏ qua", "Dismiss")),
        el("span", { class: "why" }, refusal(r.error) +
           (r.state ? t(" (trạng thái: ", " (state: ") + D.stateName(r.state) + ")" : ""))
      ])));
    });
    D.clear(ui.recentList);
    if (!rec.length) ui.recentList.appendChild(el("li", { class: "empty" }, t("Chưa có.", "None yet.")));
    rec.forEach(function (r) {
      ui.recentList.appendChild(el("li", { "data-id": r.id, "data-item": r.item, "data-state": r.state || "" },
        itemLine(r, " · " + hhmm(r.at)).concat([el("span", { class: "why ok" },
          D.stateName(r.state) + (r.status === "duplicate" ? t(" (đã nhận trước đó)", " (already received)") : ""))])));
    });
    renderNet();
  }

  /* ---- tabs (arrow keys move between them, as for any tab list) ---- */
  function selectTab(name, focusTab) {
    ["scan", "handover", "pickups"].forEach(function (n) {
      var b = $("tab-" + n), on = n === name;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      ui.panels[n].hidden = !on;
      if (on && focusTab) b.focus();
    });
    if (camera && camera.running()) stopCamera();
    if (name === "pickups") window.CourierHandover.loadPickups();
    if (!focusTab) refocus();
  }

  /* ---- camera ---- */
  function stopCamera() { camera.stop(); $("camera-box").hidden = true; $("camera").hidden = false; refocus(); }
  function setupCamera() {
    camera = window.CourierSign.CameraScanner($("camera-video"), function (code) {
      if (!ui.panels.handover.hidden) { $("ho-scan").value = code; $("ho-form").requestSubmit(); }
      else onScan(code);
    }, function () {
      show("err", t("Không mở được camera (chưa cho phép?). Hãy dùng máy quét hoặc gõ số hiệu.",
                    "The camera could not be opened (not allowed?). Use the scanner or type the number."));
      beep("err");
    });
    if (!camera.supported()) return;
    $("camera").hidden = false;
    $("camera").addEventListener("click", function () {
      $("camera-box").hidden = false;
      $("camera").hidden = true;
      camera.start();
    });
    $("camera-stop").addEventListener("click", stopCamera);
  }

  function start(user) {
    ui = {
      net: $("net"), scan: $("scan"), scanGo: $("scan-go"), scanErr: $("scan-err"), result: $("result"),
      outOpts: $("out-opts"), outRequested: $("out-requested"), attemptOpts: $("attempt-opts"),
      attemptReason: $("attempt-reason"), attemptNote: $("attempt-note"), attemptNoteErr: $("attempt-note-err"),
      deliverForm: $("deliver-form"), deliverItem: $("deliver-item"), deliverState: $("deliver-state"),
      deliverFeeDue: $("deliver-fee-due"), dlName: $("dl-name"), relProxy: $("dl-rel-proxy"),
      dlAuthBox: $("dl-auth-box"), dlAuth: $("dl-auth"), dlId: $("dl-id"), dlPapers: $("dl-papers"), dlFee: $("dl-fee"),
      queueCount: $("queue-count"), queueList: $("queue-list"), syncNow: $("sync-now"),
      refusedCard: $("refused-card"), refusedCount: $("refused-count"), refusedList: $("refused-list"),
      recentList: $("recent-list"),
      panels: { scan: $("panel-scan"), handover: $("panel-handover"), pickups: $("panel-pickups") }
    };
    sig = window.CourierSign.SignaturePad($("dl-sign"), function () {
      if (!sig.isEmpty()) fieldError("dl-sign", "");
    });
    document.addEventListener("pointerdown", wakeAudio, true);
    document.addEventListener("keydown", wakeAudio, true);

    $("scan-form").addEventListener("submit", function (ev) { ev.preventDefault(); onScan(ui.scan.value); });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=action]"), function (r) {
      r.addEventListener("change", actionChanged);
      /* A tap on an action sends focus back to the scanner; arrow keys (detail 0) stay. */
      r.addEventListener("click", function (e) { if (e.detail > 0) setTimeout(refocus, 0); });
    });
    ui.attemptReason.addEventListener("change", function () {
      if (ui.attemptReason.value === "other") ui.attemptNote.focus();
    });
    $("deliver-form").addEventListener("submit", function (ev) { ev.preventDefault(); submitDeliver(); });
    $("dl-cancel").addEventListener("click", function () {
      closeDeliver();
      show("warn", t("Đã hủy phát.", "Delivery cancelled."));
      ui.scan.focus();
    });
    $("dl-sign-clear").addEventListener("click", function () { sig.clear(); });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=relation]"), function (r) {
      r.addEventListener("change", function () {
        ui.dlAuthBox.hidden = !ui.relProxy.checked;
        if (!ui.relProxy.checked) fieldError("dl-auth", "");
      });
    });
    ui.dlId.addEventListener("input", function () { checkId(false); });
    ui.dlId.addEventListener("blur", function () { if (ui.dlId.value) checkId(true); });
    ui.dlFee.addEventListener("input", checkFee);
    ui.dlName.addEventListener("input", function () { if (ui.dlName.value.trim()) fieldError("dl-name", ""); });
    ui.dlAuth.addEventListener("input", function () { if (ui.dlAuth.value.trim()) fieldError("dl-auth", ""); });

    ui.syncNow.addEventListener("click", function () {
      Q.sync().then(function (r) {
        if (r.offline) { show("warn", t("Vẫn mất mạng; các lần quét vẫn được giữ.", "Still offline; the scans are kept.")); beep("warn"); }
        else if (!Q.queue().length) { show("ok", t("Đã gửi hết.", "All sent.")); }
        refocus();
      });
    });
    $("refused-clear").addEventListener("click", function () { Q.dismiss(null); refocus(); });

    var tabs = ["scan", "handover", "pickups"];
    tabs.forEach(function (n, i) {
      var b = $("tab-" + n);
      b.addEventListener("click", function () { selectTab(n, false); });
      b.addEventListener("keydown", function (e) {
        var d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!d) return;
        e.preventDefault();
        selectTab(tabs[(i + d + tabs.length) % tabs.length], true);
      });
    });

    watchFocus(ui.scan);
    watchFocus($("ho-scan"));
    window.addEventListener("online", function () { online = true; renderNet(); });
    window.addEventListener("offline", function () { online = false; renderNet(); });
    setupCamera();
    actionChanged();

    window.CourierHandover.start(user.username, { beep: beep, ready: window.CourierOffline.ready });
    Q.start(user.username, {
      ready: window.CourierOffline.ready,
      changed: render,
      result: onResult,
      online: function (on) { online = on && navigator.onLine; renderNet(); },
      storageFull: function () {
        show("err", t("Bộ nhớ trình duyệt đầy: không lưu được lần quét.", "Browser storage is full: the scan could not be saved."));
      },
      serverTrouble: function (res) {
        show("warn", t("Máy chủ chưa ghi được (", "The server could not record (") + D.errorText(res) +
             t("); các lần quét vẫn được giữ và sẽ gửi lại.", "); the scans are kept and will be sent again."));
      }
    });
    render();
    ui.scan.focus();
  }

  /* The page's offline copy (courier-sw.js): only this page needs one. Browsers allow service
   * workers on HTTPS and localhost only; elsewhere the page just works online as before. */
  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/static/courier-sw.js", { scope: "/desk/courier" })
      .catch(function () { /* no offline start on this phone, nothing else lost */ });
  }

  /* Online: a fresh session, and the worker (re)checked. Offline (courier-offline.js): the
   * remembered courier; Q asks CourierOffline.ready() before sending, which fetches /me again
   * for a CSRF token. A 401 has already sent the page to sign-in. */
  var O = window.CourierOffline;
  O.boot({
    retry: function () { Q.sync(); },
    online: function () { online = navigator.onLine; renderNet(); registerWorker(); }
  }).then(function (user) {
    start(user);
    if (!O.isOffline()) registerWorker();
  }, function () { /* sign-in page on its way, or no courier to start offline as */ });
})();
