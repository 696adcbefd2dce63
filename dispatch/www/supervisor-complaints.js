/* supervisor-complaints.js — the applicants' complaints on the supervisor's page: open ones
 * first, the nearest answer deadline on top, overdue ones marked; each open one has its
 * answer form. window.SvComplaints.load(onFail) → Promise. Hooks: see supervisor.js. */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el, $ = function (id) { return document.getElementById(id); };
  var MAX = 2000;
  var list = [];

  var CSV_COLUMNS = [
    { key: "number", vi: "Số khiếu nại", en: "Complaint" },
    { key: "tracking_number", vi: "Số hiệu", en: "Tracking number" },
    { key: "dossier_id", vi: "Hồ sơ", en: "Dossier" },
    { key: "office_code", vi: "Bưu cục", en: "Office" },
    { key: "agency_code", vi: "Cơ quan", en: "Agency" },
    { key: "state", vi: "Tình trạng", en: "State", value: stateText },
    { key: "created_at", vi: "Nhận lúc", en: "Received", value: function (c) { return D.fmtDate(c.created_at); } },
    { key: "due_date", vi: "Hạn trả lời", en: "Answer due", value: function (c) { return D.fmtDate(c.due_date); } },
    { key: "text", vi: "Nội dung", en: "Complaint text" },
    { key: "contact_phone", vi: "Điện thoại liên hệ", en: "Contact phone" },
    { key: "answer", vi: "Trả lời", en: "Answer" },
    { key: "answered_by", vi: "Người trả lời", en: "Answered by" },
    { key: "answered_at", vi: "Trả lời lúc", en: "Answered at", value: function (c) { return D.fmtDate(c.answered_at); } }
  ];

  /* Answered after its due date: the quarterly report counts it as late, so it shows. */
  function answeredLate(c) {
    return c.state === "answered" && c.answered_at && c.answered_at.slice(0, 10) > c.due_date;
  }

  function stateText(c) {
    if (answeredLate(c)) return t("Trả lời quá hạn", "Answered late");
    if (c.state === "answered") return t("Đã trả lời", "Answered");
    return c.overdue ? t("Quá hạn trả lời", "Answer overdue") : t("Chưa trả lời", "Open");
  }

  /* Open first, by due date; then answered, newest first (as the server lists them). */
  function order(a, b) {
    if ((a.state === "open") !== (b.state === "open")) return a.state === "open" ? -1 : 1;
    if (a.state === "open") return a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : a.id - b.id;
    return b.id - a.id;
  }

  function summary() {
    var open = list.filter(function (c) { return c.state === "open"; });
    var late = open.filter(function (c) { return c.overdue; }).length;
    $("complaints-summary").textContent = t(
      open.length + " khiếu nại chưa trả lời, " + late + " quá hạn; " + (list.length - open.length) + " đã trả lời gần đây.",
      open.length + " open, " + late + " overdue; " + (list.length - open.length) + " answered recently.");
    if (window.Supervisor) Supervisor.markTab("complaints", late > 0);
  }

  function item(c) {
    var li = el("li", { id: "complaint-" + c.id, class: "complaint" + (c.state === "open" && c.overdue ? " late" : "") +
                        (c.state === "answered" ? " answered" : ""),
                        "data-state": c.state, "data-overdue": c.state === "open" && c.overdue ? "1" : null });
    var badge = el("span", { class: "badge" + (c.state === "open" ? (c.overdue ? " late" : " soon") : "") }, stateText(c));
    li.appendChild(el("h3", null, [el("span", { class: "tn" }, c.number), " ", badge]));
    li.appendChild(el("dl", { class: "facts" }, [
      el("dt", null, t("Số hiệu", "Tracking number")),
      el("dd", null, el("a", { class: "tn", href: "/t/" + c.tracking_number, target: "_blank", rel: "noopener" }, c.tracking_number)),
      el("dt", null, t("Hạn trả lời", "Answer due")),
      el("dd", { class: c.state === "open" && c.overdue ? "late-text" : null }, D.fmtDate(c.due_date) +
         " (" + t(c.answer_days + " ngày làm việc", c.answer_days + " working days") + ")"),
      el("dt", null, t("Nhận lúc", "Received")), el("dd", null, D.fmtDate(c.created_at)),
      el("dt", null, t("Bưu cục / cơ quan", "Office / agency")),
      el("dd", null, c.office_code + " / " + ((window.Supervisor && Supervisor.agencyName(c.agency_code)) || c.agency_code)),
      c.contact_phone ? el("dt", null, t("Điện thoại liên hệ", "Contact phone")) : null,
      c.contact_phone ? el("dd", null, el("a", { href: "tel:" + c.contact_phone }, c.contact_phone)) : null
    ]));
    li.appendChild(el("blockquote", { class: "complaint-text" }, c.text));
    if (c.state === "answered") {
      li.appendChild(el("p", { class: "answer" }, [el("strong", null, t("Trả lời: ", "Answer: ")), c.answer]));
      li.appendChild(el("p", { class: "muted" }, (c.answered_by || "") + " · " + D.fmtDate(c.answered_at)));
    } else {
      li.appendChild(answerForm(c));
    }
    return li;
  }

  function answerForm(c) {
    var id = "answer-" + c.id;
    var area = el("textarea", { id: id, name: "answer", rows: 3, maxlength: MAX, required: true,
                                "aria-describedby": id + "-count answer-msg-" + c.id });
    var count = el("p", { id: id + "-count", class: "hint" }, "0/" + MAX);
    var msg = el("p", { id: "answer-msg-" + c.id, class: "msg", role: "status", "aria-live": "polite" });
    var btn = el("button", { type: "submit", id: "answer-btn-" + c.id }, t("Gửi trả lời", "Send answer"));
    area.addEventListener("input", function () {
      count.textContent = area.value.length + "/" + MAX;
      if (area.value.trim()) { area.removeAttribute("aria-invalid"); if (msg.className.indexOf("err") >= 0) D.say(msg, "ok", ""); }
    });
    var form = el("form", { class: "answer-form", novalidate: true }, [
      el("label", { for: id }, t("Trả lời khiếu nại " + c.number, "Answer to complaint " + c.number)),
      area, count, msg, btn
    ]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = area.value.trim();
      if (!text) {
        area.setAttribute("aria-invalid", "true");
        D.say(msg, "err", t("Trả lời: hãy nhập nội dung trả lời.", "Answer: type the answer first."));
        area.focus();
        return;
      }
      if (text.length > MAX) {
        area.setAttribute("aria-invalid", "true");
        D.say(msg, "err", t("Trả lời: tối đa " + MAX + " ký tự.", "Answer: at most " + MAX + " characters."));
        area.focus();
        return;
      }
      btn.disabled = true;
      D.say(msg, "ok", t("Đang gửi…", "Sending…"));
      D.api("POST", "/api/v1/complaints/" + c.id + "/answer", { answer: text }).then(function (res) {
        btn.disabled = false;
        if (!res.ok) {
          if (res.data && res.data.error && res.data.error.field === "answer") area.setAttribute("aria-invalid", "true");
          D.say(msg, "err", D.errorText(res));
          area.focus();
          return;
        }
        var done = res.data || {};
        Object.keys(done).forEach(function (k) { c[k] = done[k]; });
        c.state = "answered";
        c.overdue = false;
        var li = item(c);
        li.appendChild(el("p", { id: "answer-msg-" + c.id, class: "msg ok", role: "status" },
          t("Đã gửi trả lời khiếu nại " + c.number + ". Người khiếu nại xem được khi tra cứu.",
            "The answer to " + c.number + " is saved. The applicant sees it when tracking.")));
        var old = $("complaint-" + c.id);
        old.parentNode.replaceChild(li, old);
        li.tabIndex = -1;
        li.focus();
        summary();
      }, function () {
        btn.disabled = false;
        D.say(msg, "err", t("Không kết nối được máy chủ; trả lời chưa được gửi.", "Cannot reach the server; the answer was not sent."));
      });
    });
    return form;
  }

  function render() {
    list.sort(order);
    /* A reload must not throw away an answer being typed. */
    var drafts = {};
    Array.prototype.forEach.call(document.querySelectorAll("#complaints-list textarea"), function (a) {
      if (a.value) drafts[a.id] = a.value;
    });
    var box = D.clear($("complaints-list"));
    if (!list.length) box.appendChild(el("li", { class: "muted" }, t("Không có khiếu nại.", "No complaints.")));
    list.forEach(function (c) { box.appendChild(item(c)); });
    Object.keys(drafts).forEach(function (id) {
      var a = $(id);
      if (a) { a.value = drafts[id]; a.dispatchEvent(new Event("input")); }
    });
    summary();
  }

  function get(state, onFail) {
    return D.api("GET", "/api/v1/complaints?state=" + state + "&limit=200").then(function (res) {
      if (!res.ok) { onFail(t("khiếu nại", "complaints"), res); return []; }
      return res.data.complaints || [];
    }, function () { onFail(t("khiếu nại", "complaints"), null); return []; });
  }

  function load(onFail) {
    return Promise.all([get("open", onFail), get("answered", onFail)]).then(function (parts) {
      list = parts[0].concat(parts[1]);
      render();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("complaints-csv").addEventListener("click", function () {
      D.downloadCsv("khieu-nai.csv", CSV_COLUMNS, list.slice());
    });
  });

  window.SvComplaints = { load: load };
})();
