/* supervisor.js — the supervisor's page: today's figures, deadlines, complaints, failed
 * notifications, the last 30 days (charts from chart.js) and the quarterly report.
 * Complaints are drawn by supervisor-complaints.js (window.SvComplaints).
 *
 * Test hooks:
 *   #refresh, #updated, #msg                      reload everything; last load time; errors
 *   #tab-today #tab-due #tab-complaints #tab-notify #tab-charts #tab-report  (role=tab)
 *   #panel-today ... #panel-report                the tab panels (also reachable as #today,
 *                                                 #due, #complaints, #notify, #charts, #report
 *                                                 in the URL's hash)
 *   #today-date, #kpi-accepted, #kpi-delivered, #kpi-overdue, #kpi-soon   (numbers only)
 *   #today-states, #today-offices, #today-agencies  tables; rows tr[data-key=STATE|code]
 *   #overdue-list, #soon-list, #overdue-count, #soon-count   rows tr[data-key=TN]
 *   #outbox-list                                  failed notifications, rows tr[data-key=id]
 *   #complaints-list > li#complaint-ID[data-state=open|answered][data-overdue],
 *     textarea#answer-ID, button#answer-btn-ID, p#answer-msg-ID; #complaints-csv,
 *     #complaints-summary
 *   #chart-accepted, #chart-delivered, #chart-ontime (canvas), #chart-*-desc (summaries),
 *   #daily-list, #transit-list (tables)
 *   #report-year, #report-quarter, #report-show, #report-csv, #report-pdf (links),
 *   #report-msg, #report-figures (tr[data-key=FIELD]), #report-lines
 *   Every table container holds a button[data-csv=FILE.csv] that downloads its rows; wide
 *   tables' cells carry data-label (their column) for the phone's card layout. */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el, $ = function (id) { return document.getElementById(id); };
  var data = { today: null, daily: null, agencies: {} };
  var TABS = ["today", "due", "complaints", "notify", "charts", "report"];
  /* Item states with no way out: stats/today counts the items that reached them today. */
  var FINISHED = { RECEIVED: 1, RETURNED_INCOMPLETE: 1, DELIVERED: 1, RETURNED_TO_AGENCY: 1 };

  /* ---- tabs: one panel at a time keeps the page short on a phone ---------------------- */

  function showTab(name, focus) {
    if (TABS.indexOf(name) < 0) name = "today";
    TABS.forEach(function (n) {
      var tab = $("tab-" + n), on = n === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      $("panel-" + n).hidden = !on;
    });
    if (focus) $("tab-" + name).focus();
    if (history.replaceState) history.replaceState(null, "", "#" + name);
    /* A hidden canvas has no size: the charts are drawn when their tab opens. */
    if (name === "charts") drawCharts();
  }

  function setupTabs() {
    TABS.forEach(function (n, i) {
      var tab = $("tab-" + n);
      tab.addEventListener("click", function () { showTab(n, false); });
      tab.addEventListener("keydown", function (ev) {
        var k = ev.key, j = k === "ArrowRight" ? i + 1 : k === "ArrowLeft" ? i - 1
          : k === "Home" ? 0 : k === "End" ? TABS.length - 1 : null;
        if (j === null) return;
        ev.preventDefault();
        showTab(TABS[(j + TABS.length) % TABS.length], true);
      });
    });
    showTab(location.hash.slice(1), false);
  }

  /* ---- helpers ----------------------------------------------------------------------- */

  function num(v) { return (v || 0).toLocaleString(D.lang === "en" ? "en" : "vi-VN"); }
  function dayNumber(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || "");
    return m ? Date.UTC(+m[1], m[2] - 1, +m[3]) / 86400000 : null;
  }
  function agencyName(code) { return data.agencies[code] || ""; }
  /* Each data row carries its key, so a test (or a stylesheet) can find one line. */
  function keyRows(container, key) {
    var rows = container.querySelectorAll("tbody tr");
    return function (list) {
      list.forEach(function (r, i) { if (rows[i]) rows[i].setAttribute("data-key", key(r)); });
    };
  }
  /* Wide tables become one card per row on a phone (supervisor.css .stack): each cell
   * carries its column's name for the ::before label. */
  function stack(container) {
    var heads = Array.prototype.map.call(container.querySelectorAll("thead th"), function (th) { return th.textContent; });
    Array.prototype.forEach.call(container.querySelectorAll("tbody tr"), function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) { td.setAttribute("data-label", heads[i] || ""); });
    });
    container.classList.add("stack");
  }
  /* The red dot on a tab (overdue complaints, failed notifications), said in words too. */
  function markTab(name, on) {
    var tab = $("tab-" + name), note = tab.querySelector(".sr-only");
    tab.classList.toggle("alert", !!on);
    if (on && !note) tab.appendChild(el("span", { class: "sr-only" }, t(" (cần chú ý)", " (needs attention)")));
    if (!on && note) note.remove();
  }
  function tnCell(tn) { return el("a", { class: "tn", href: "/t/" + tn, target: "_blank", rel: "noopener" }, tn); }

  var failures = [];
  function failed(what, res) {
    failures.push(what + ": " + (res && res.status ? D.errorText(res) : t("mất kết nối", "no connection")));
    D.say($("msg"), "err", t("Không tải được ", "Could not load ") + failures.join("; "));
  }
  /* GET path; on success fn(data), else the failure is reported under `what`. */
  function load(path, what, fn) {
    return D.api("GET", path).then(function (res) {
      if (res.ok) fn(res.data); else failed(what, res);
    }, function () { failed(what, null); });
  }

  /* ---- today ------------------------------------------------------------------------- */

  function inProgress(states) {
    return Object.keys(states || {}).reduce(function (s, k) { return s + (FINISHED[k] ? 0 : states[k]); }, 0);
  }

  function renderToday(d) {
    data.today = d;
    (d.agencies || []).forEach(function (a) { if (a.name) data.agencies[a.code] = a.name; });
    $("today-date").textContent = D.fmtDate(d.date);
    $("kpi-accepted").textContent = num(d.accepted_today);
    $("kpi-delivered").textContent = num(d.delivered_today);
    $("kpi-overdue").textContent = num(d.overdue);
    $("kpi-soon").textContent = num(d.due_soon);

    var states = Object.keys(D.STATES).map(function (s) { return { state: s, n: (d.states || {})[s] || 0 }; });
    var box = $("today-states");
    D.table(box, [
      { key: "state", vi: "Trạng thái", en: "State", value: function (r) { return D.stateName(r.state); } },
      { key: "code", vi: "Mã", en: "Code", value: function (r) { return r.state; },
        render: function (r) { return el("code", null, r.state); } },
      { key: "n", vi: "Số bưu gửi", en: "Items", num: true, value: function (r) { return r.n; },
        render: function (r) { return num(r.n); } }
    ], states, "trang-thai-" + d.date + ".csv");
    keyRows(box, function (r) { return r.state; })(states);
    box.appendChild(el("p", { class: "hint" }, t(
      "Trạng thái đã kết thúc (cơ quan đã tiếp nhận, trả lại, đã phát) đếm các bưu gửi đạt tới trong hôm nay; các trạng thái khác đếm mọi bưu gửi đang ở đó.",
      "Final states (registered, returned, delivered) count the items that reached them today; the others count every item in them now.")));

    var officeCols = [
      { key: "code", vi: "Mã bưu cục", en: "Office code" },
      { key: "name", vi: "Bưu cục", en: "Post office" },
      { key: "accepted_today", vi: "Tiếp nhận hôm nay", en: "Accepted today", num: true },
      { key: "delivered_today", vi: "Đã phát hôm nay", en: "Delivered today", num: true },
      { key: "open", vi: "Đang xử lý", en: "In progress", num: true,
        value: function (r) { return inProgress(r.states); } },
      { key: "overdue", vi: "Quá hạn", en: "Overdue", num: true, value: function (r) { return r.overdue || 0; } }
    ];
    box = $("today-offices");
    D.table(box, officeCols, d.offices || [], "buu-cuc-" + d.date + ".csv");
    keyRows(box, function (r) { return r.code; })(d.offices || []);
    stack(box);

    box = $("today-agencies");
    D.table(box, [
      { key: "code", vi: "Mã cơ quan", en: "Agency code" },
      { key: "name", vi: "Cơ quan", en: "Agency" },
      { key: "accepted_today", vi: "Tiếp nhận hôm nay", en: "Accepted today", num: true,
        value: function (r) { return r.accepted_today || 0; } },
      { key: "open", vi: "Đang xử lý", en: "In progress", num: true,
        value: function (r) { return inProgress(r.states); } },
      { key: "overdue", vi: "Quá hạn", en: "Overdue", num: true, value: function (r) { return r.overdue || 0; } },
      { key: "due_soon", vi: "Sắp đến hạn", en: "Due soon", num: true, value: function (r) { return r.due_soon || 0; } }
    ], d.agencies || [], "co-quan-" + d.date + ".csv");
    keyRows(box, function (r) { return r.code; })(d.agencies || []);
    stack(box);
  }

  /* ---- deadlines --------------------------------------------------------------------- */

  var DEADLINES = [
    ["due_date", "Hạn J + n", "J + n due date"], ["appointment_date", "Ngày hẹn trả", "Appointment"],
    ["next_attempt_date", "Phát lại", "Next attempt"], ["hold_until", "Hết hạn lưu giữ", "End of hold"]
  ];
  /* The nearest of an item's deadlines: the one the due lists sort by. */
  function nearest(it) {
    var best = null;
    DEADLINES.forEach(function (d) {
      if (it[d[0]] && (!best || it[d[0]] < best.date)) best = { date: it[d[0]], kind: t(d[1], d[2]) };
    });
    return best || { date: "", kind: "" };
  }

  function renderDue(which, items) {
    var today = dayNumber(data.today && data.today.date) ||
      Math.floor((Date.now() - new Date().getTimezoneOffset() * 60000) / 86400000);
    items.forEach(function (it) {
      var n = nearest(it);
      it._deadline = n.date;
      it._kind = n.kind;
      it._late = n.date ? today - dayNumber(n.date) : 0;
    });
    $(which + "-count").textContent = num(items.length);
    var box = $(which + "-list");
    D.table(box, [
      { key: "tracking_number", vi: "Số hiệu", en: "Tracking number",
        render: function (r) { return tnCell(r.tracking_number); } },
      { key: "dossier_id", vi: "Hồ sơ", en: "Dossier", num: true,
        value: function (r) { return r.dossier_id || ""; } },
      { key: "role", vi: "Loại", en: "Kind", value: function (r) {
        return r.role === "result" ? t("Kết quả", "Result") : t("Hồ sơ gửi", "Submission"); } },
      { key: "agency", vi: "Cơ quan", en: "Agency",
        value: function (r) { return agencyName(r.agency_code) || r.agency_code; } },
      { key: "office_code", vi: "Bưu cục", en: "Office" },
      { key: "deadline", vi: "Hạn", en: "Deadline",
        value: function (r) { return D.fmtDate(r._deadline) + (r._kind ? " (" + r._kind + ")" : ""); } },
      { key: "state", vi: "Trạng thái", en: "State", value: function (r) { return D.stateName(r.state); },
        render: function (r) { return el("span", { class: "badge" }, D.stateName(r.state)); } },
      { key: "late", vi: "Số ngày trễ", en: "Days late", num: true,
        value: function (r) { return r._late > 0 ? r._late : 0; },
        render: function (r) {
          if (r._late > 0) return el("span", { class: "badge late" }, t(r._late + " ngày", r._late + (r._late > 1 ? " days" : " day")));
          var left = -r._late;
          return el("span", { class: "badge soon" }, left === 0 ? t("Hôm nay", "Today") : t("còn " + left + " ngày", left + (left > 1 ? " days left" : " day left")));
        } }
    ], items, (which === "overdue" ? "qua-han-" : "sap-den-han-") + (data.today ? data.today.date : "") + ".csv");
    keyRows(box, function (r) { return r.tracking_number; })(items);
    stack(box);
  }

  /* ---- failed notifications ---------------------------------------------------------- */

  var KINDS = { sms: ["SMS", "SMS"], webhook: ["Webhook cơ quan", "Agency webhook"], portal: ["Cổng DVC", "Portal"] };
  function renderOutbox(d) {
    var rows = d.outbox || [], box = $("outbox-list");
    D.table(box, [
      { key: "id", vi: "Số", en: "No.", num: true },
      { key: "kind", vi: "Kênh", en: "Channel", value: function (r) { var k = KINDS[r.kind]; return k ? t(k[0], k[1]) : r.kind; } },
      { key: "target", vi: "Gửi đến", en: "To" },
      { key: "template", vi: "Nội dung", en: "Message" },
      { key: "tracking_number", vi: "Số hiệu", en: "Tracking number",
        render: function (r) { return r.tracking_number ? tnCell(r.tracking_number) : ""; } },
      { key: "attempts", vi: "Số lần thử", en: "Tries", num: true },
      { key: "created_at", vi: "Tạo lúc", en: "Created", value: function (r) { return D.fmtDate(r.created_at); } },
      { key: "last_error", vi: "Lỗi", en: "Error" }
    ], rows, "thong-bao-loi.csv");
    keyRows(box, function (r) { return String(r.id); })(rows);
    stack(box);
    markTab("notify", rows.length > 0);
  }

  /* ---- the last 30 days -------------------------------------------------------------- */

  function share(d) { var n = d.on_time + d.late; return n ? Math.round(1000 * d.on_time / n) / 10 : null; }

  function renderDaily(d) {
    data.daily = d.days || [];
    var box = $("daily-list");
    D.table(box, [
      { key: "date", vi: "Ngày", en: "Date", value: function (r) { return D.fmtDate(r.date); } },
      { key: "accepted", vi: "Tiếp nhận", en: "Accepted", num: true },
      { key: "delivered", vi: "Đã phát", en: "Delivered", num: true },
      { key: "on_time", vi: "Đúng hạn", en: "On time", num: true },
      { key: "late", vi: "Trễ hạn", en: "Late", num: true },
      { key: "share", vi: "Tỷ lệ đúng hạn (%)", en: "On time (%)", num: true,
        value: function (r) { var s = share(r); return s === null ? "" : s; } }
    ], data.daily, "thong-ke-30-ngay.csv");
    keyRows(box, function (r) { return r.date; })(data.daily);
    describeCharts();
    if (!$("panel-charts").hidden) drawCharts();
  }

  function sum(key) { return data.daily.reduce(function (s, r) { return s + (r[key] || 0); }, 0); }
  function peak(key) {
    return data.daily.reduce(function (b, r) { return !b || r[key] > b[key] ? r : b; }, null);
  }

  /* The text twin of each chart: what a screen reader reads instead of the picture. */
  function describeCharts() {
    var days = data.daily;
    if (!days.length) return;
    var span = t(days.length + " ngày, từ " + D.fmtDate(days[0].date) + " đến " + D.fmtDate(days[days.length - 1].date),
                 days.length + " days, " + D.fmtDate(days[0].date) + " to " + D.fmtDate(days[days.length - 1].date));
    [["accepted", "hồ sơ tiếp nhận", "dossiers accepted"], ["delivered", "kết quả đã phát", "results delivered"]].forEach(function (c) {
      var p = peak(c[0]), total = sum(c[0]);
      $("chart-" + c[0] + "-desc").textContent = span + ": " + t("tổng ", "total ") + num(total) + " " + t(c[1], c[2]) +
        (total ? t("; nhiều nhất " + num(p[c[0]]) + " vào ngày " + D.fmtDate(p.date),
                   "; most " + num(p[c[0]]) + " on " + D.fmtDate(p.date)) : "") +
        t("; hôm nay " + num(days[days.length - 1][c[0]]) + ".", "; today " + num(days[days.length - 1][c[0]]) + ".");
    });
    var on = sum("on_time"), all = on + sum("late");
    $("chart-ontime-desc").textContent = span + ": " + (all
      ? t(num(on) + " trên " + num(all) + " kết quả phát đúng hạn (" + Math.round(100 * on / all) + "%).",
          num(on) + " of " + num(all) + " results delivered on time (" + Math.round(100 * on / all) + "%).")
      : t("chưa có kết quả nào được phát.", "no result delivered yet."));
  }

  function drawCharts() {
    if (!data.daily || !window.DeskChart) return;
    var labels = data.daily.map(function (r) { return r.date.slice(8, 10) + "/" + r.date.slice(5, 7); });
    var col = function (k) { return data.daily.map(function (r) { return r[k]; }); };
    DeskChart.draw($("chart-accepted"), { labels: labels, values: col("accepted"), color: "#00428a",
      yTitle: t("Hồ sơ", "Dossiers") });
    DeskChart.draw($("chart-delivered"), { labels: labels, values: col("delivered"), color: "#1e7d32",
      yTitle: t("Kết quả", "Results") });
    DeskChart.draw($("chart-ontime"), { labels: labels, values: data.daily.map(share), kind: "line",
      color: "#8a4b00", max: 100, unit: "%", yTitle: t("% đúng hạn", "% on time"),
      empty: t("Chưa có kết quả được phát", "No result delivered yet") });
  }

  var LEGS = {
    accepted_to_agency: ["Bưu cục tiếp nhận → cơ quan nhận hồ sơ", "Accepted → filed at the agency"],
    agency_to_result_ready: ["Cơ quan xử lý → có kết quả", "At the agency → result ready"],
    result_ready_to_delivered: ["Có kết quả → đã phát", "Result ready → delivered"],
    accepted_to_delivered: ["Cả hành trình (tiếp nhận → phát)", "Whole journey (accepted → delivered)"]
  };
  function hours(h) {
    if (h === null || h === undefined) return "–";
    var s = num(Math.round(h * 10) / 10) + t(" giờ", " h");
    return h >= 24 ? s + " (" + num(Math.round(h / 2.4) / 10) + t(" ngày)", " days)") : s;
  }
  function renderTransit(d) {
    var rows = d.legs || [], box = $("transit-list");
    D.table(box, [
      { key: "leg", vi: "Chặng", en: "Leg", value: function (r) { var l = LEGS[r.leg]; return l ? t(l[0], l[1]) : r.leg; } },
      { key: "count", vi: "Số hồ sơ", en: "Dossiers", num: true },
      { key: "median_hours", vi: "Trung vị (giờ)", en: "Median (hours)", num: true,
        render: function (r) { return hours(r.median_hours); } },
      { key: "p90_hours", vi: "90% xong trong (giờ)", en: "90th percentile (hours)", num: true,
        render: function (r) { return hours(r.p90_hours); } }
    ], rows, "thoi-gian-chang.csv");
    keyRows(box, function (r) { return r.leg; })(rows);
  }

  /* ---- everything at once ------------------------------------------------------------ */

  function loadAll() {
    failures = [];
    D.say($("msg"), "ok", "");
    var btn = $("refresh");
    btn.disabled = true;
    /* today first: the deadline lists take the agencies' names and the date from it. */
    var today = load("/api/v1/stats/today", t("số liệu hôm nay", "today's figures"), renderToday);
    var jobs = [
      today.then(function () {
        return Promise.all([
          load("/api/v1/items?due=overdue&limit=1000", t("danh sách quá hạn", "overdue list"),
               function (d) { renderDue("overdue", d.items || []); }),
          load("/api/v1/items?due=soon&limit=1000", t("danh sách sắp đến hạn", "due-soon list"),
               function (d) { renderDue("soon", d.items || []); })
        ]);
      }),
      load("/api/v1/outbox?state=failed&limit=500", t("thông báo lỗi", "failed notifications"), renderOutbox),
      load("/api/v1/stats/daily?days=30", t("số liệu 30 ngày", "30-day figures"), renderDaily),
      load("/api/v1/stats/transit?days=30", t("thời gian từng chặng", "transit times"), renderTransit),
      window.SvComplaints ? SvComplaints.load(failed) : null
    ];
    return Promise.all(jobs).then(function () {
      btn.disabled = false;
      var now = new Date();
      $("updated").textContent = t("Cập nhật lúc ", "Updated at ") +
        ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
      document.body.setAttribute("data-loaded", "1");
    });
  }

  /* ---- the quarterly report ---------------------------------------------------------- */

  var FIGURES = [
    ["dossiers_accepted", "Hồ sơ tiếp nhận (sản lượng)", "Dossiers accepted"],
    ["results_delivered", "Kết quả đã phát", "Results delivered"],
    ["results_delivered_on_time", "Kết quả phát đúng hạn", "Delivered on time"],
    ["postage_vnd", "Cước (doanh thu)", "Postage (revenue)", true],
    ["fees_collected_vnd", "Phí, lệ phí thu hộ", "Fees collected", true],
    ["fee_at_counter_vnd", "— thu tại quầy", "— at the counter", true],
    ["fee_on_delivery_vnd", "— thu khi phát", "— on delivery", true],
    ["complaints_received", "Khiếu nại nhận được", "Complaints received"],
    ["complaints_answered", "Khiếu nại đã trả lời", "Complaints answered"],
    ["complaints_answered_late", "Trả lời quá hạn", "Answered late"],
    ["complaints_open", "Khiếu nại chưa trả lời", "Complaints open"],
    ["lost", "Hồ sơ thất lạc khi bàn giao", "Lost at handover"],
    ["damaged", "Hồ sơ hư hỏng khi bàn giao", "Damaged at handover"],
    ["compensation_cases", "Vụ bồi thường", "Compensation cases"],
    ["compensation_vnd", "Tiền bồi thường", "Compensation paid", true]
  ];

  function reportUrl(format) {
    return "/api/v1/reports/quarterly?year=" + $("report-year").value + "&quarter=" +
      $("report-quarter").value + "&format=" + format;
  }
  /* A quarter that has not begun is refused by the server: its links are switched off. */
  function quarterStarted() {
    var now = new Date(), y = +$("report-year").value, q = +$("report-quarter").value;
    return y < now.getFullYear() || (y === now.getFullYear() && (q - 1) * 3 <= now.getMonth());
  }
  function updateLinks() {
    var ok = quarterStarted(), q = $("report-quarter").value, y = $("report-year").value;
    [["report-csv", "csv"], ["report-pdf", "pdf"]].forEach(function (l) {
      var a = $(l[0]);
      if (ok) { a.href = reportUrl(l[1]); a.removeAttribute("aria-disabled"); }
      else { a.removeAttribute("href"); a.setAttribute("aria-disabled", "true"); }
    });
    $("report-csv").setAttribute("download", "bao-cao-quy-" + q + "-" + y + ".csv");
  }

  function renderReport(r) {
    var tot = r.totals || {}, nr = r.not_recorded || {};
    var rows = FIGURES.map(function (f) { return { key: f[0], label: t(f[1], f[2]), v: tot[f[0]], money: f[3] }; });
    var box = $("report-figures");
    D.table(box, [
      { key: "label", vi: "Chỉ tiêu", en: "Figure" },
      { key: "v", vi: "Số liệu", en: "Value", num: true, value: function (x) {
        return x.v === null || x.v === undefined ? t("hoso không ghi nhận", nr[x.key] || "not recorded") : x.v; },
        render: function (x) {
          if (x.v === null || x.v === undefined) return el("span", { class: "muted" }, t("hoso không ghi nhận", "not recorded by hoso"));
          return x.money ? D.fmtMoney(x.v) : num(x.v);
        } }
    ], rows, "bao-cao-quy-" + r.quarter + "-" + r.year + "-tong-hop.csv");
    keyRows(box, function (x) { return x.key; })(rows);
    box.insertBefore(el("p", { class: r.complete ? "muted" : "msg warn" },
      t("Quý " + r.quarter + "/" + r.year + ": " + D.fmtDate(r.from) + " – " + D.fmtDate(r.to) + ". ",
        "Quarter " + r.quarter + " of " + r.year + ": " + D.fmtDate(r.from) + " – " + D.fmtDate(r.to) + ". ") +
      (r.complete ? t("Lập lúc ", "Made at ") + D.fmtDate(r.generated_at)
        : t("Quý chưa kết thúc: số liệu tạm tính đến ", "The quarter is not over: figures so far, at ") + D.fmtDate(r.generated_at))),
      box.firstChild);

    var lines = r.lines || [];
    D.table($("report-lines"), [
      { key: "agency", vi: "Cơ quan", en: "Agency", value: function (l) { return l.agency_name || l.agency_code; } },
      { key: "procedure", vi: "Thủ tục", en: "Procedure",
        value: function (l) { return l.procedure_code + " " + l.procedure_name; } },
      { key: "dossiers_accepted", vi: "Tiếp nhận", en: "Accepted", num: true },
      { key: "results_delivered", vi: "Đã phát", en: "Delivered", num: true },
      { key: "results_delivered_on_time", vi: "Đúng hạn", en: "On time", num: true },
      { key: "postage_vnd", vi: "Cước (đ)", en: "Postage (VND)", num: true,
        render: function (l) { return num(l.postage_vnd); } },
      { key: "fees_collected_vnd", vi: "Phí thu hộ (đ)", en: "Fees (VND)", num: true,
        render: function (l) { return num(l.fees_collected_vnd); } },
      { key: "complaints_received", vi: "Khiếu nại", en: "Complaints", num: true }
    ], lines, "bao-cao-quy-" + r.quarter + "-" + r.year + "-thu-tuc.csv");
    stack($("report-lines"));
  }

  function showReport() {
    updateLinks();
    var box = $("report-msg");
    if (!quarterStarted()) {
      D.say(box, "err", t("Quý: quý này chưa bắt đầu, chưa có báo cáo.", "Quarter: this quarter has not begun; there is no report yet."));
      $("report-quarter").focus();
      return Promise.resolve();
    }
    D.say(box, "ok", t("Đang tải…", "Loading…"));
    return D.api("GET", reportUrl("json")).then(function (res) {
      if (!res.ok) { D.say(box, "err", D.errorText(res)); return; }
      D.say(box, "ok", "");
      renderReport(res.data);
    }, function () { D.say(box, "err", t("Không kết nối được máy chủ.", "Cannot reach the server.")); });
  }

  function setupReport() {
    var now = new Date(), y = now.getFullYear(), q = Math.floor(now.getMonth() / 3) + 1;
    /* The last completed quarter: what a supervisor reports on. */
    var defY = q === 1 ? y - 1 : y, defQ = q === 1 ? 4 : q - 1;
    var sel = $("report-year");
    for (var k = y; k >= y - 5; k--) sel.appendChild(el("option", { value: k }, String(k)));
    sel.value = String(defY);
    $("report-quarter").value = String(defQ);
    sel.addEventListener("change", updateLinks);
    $("report-quarter").addEventListener("change", updateLinks);
    $("report-form").addEventListener("submit", function (ev) { ev.preventDefault(); showReport(); });
    return showReport();
  }

  D.init().then(function () {
    setupTabs();
    $("refresh").addEventListener("click", loadAll);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { if (!$("panel-charts").hidden) drawCharts(); }, 150);
    });
    return Promise.all([loadAll(), setupReport()]);
  }, function () { /* not signed in: Desk.api already went to the login page */ });

  window.Supervisor = { reload: loadAll, agencyName: agencyName, num: num, markTab: markTab };
})();
