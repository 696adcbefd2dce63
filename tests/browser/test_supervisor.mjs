// The supervisor's page in a real browser. Through the API, as the clerk, courier and
// officer would: four dossiers accepted, one taken all the way to delivery, one pushed past
// its deadline (the test edits its due date in the database: there is no clock to wind),
// two complaints filed by the applicant (one past its answer date). Then the page must show
// the API's own figures, list the deadlines with badges, export CSV with the Vietnamese
// header, draw its charts, answer a complaint, and link the quarterly CSV and PDF.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import {
  startDaemon, launch, newPage, login, api, run, shot, assert, assertEq, until, waitFor, expectConsole,
} from "./lib.mjs";

const AGENCY = "000.00.12.H21";
let daemon, browser, page;
let today;                   // the daemon's local date, YYYY-MM-DD
const tn = {};               // named items
const complaint = {};        // named complaint ids

function dossierBody(name, id, service = "both") {
  return {
    procedure_code: "2.000488", service,
    applicant: { kind: "person", name, phone: "0905 123 456", id_number: id,
                 address: "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku" },
    documents: [
      { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
      { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
    postage_vnd: 28000, fee_vnd: 200000,
  };
}

function addDays(date, n) {
  const d = new Date(date + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

let evCount = 0;
async function event(user, item, type, fields = {}) {
  const id = `00000000-0000-4000-8000-${String(++evCount).padStart(12, "0")}`;
  const r = await api(daemon.base, "POST", "/api/v1/events", { id, item, type, ...fields }, user);
  assertEq(r.status, 200, `${type} of ${item}: ${JSON.stringify(r.data)}`);
  return r.data;
}

/* Backdates rows in the daemon's database (WAL: the daemon keeps running). */
function sql(statements) {
  const code = "import sqlite3, sys, json\n" +
    "c = sqlite3.connect(sys.argv[1], timeout=10)\n" +
    "for s, a in json.loads(sys.argv[2]): c.execute(s, a)\n" +
    "c.commit()\n";
  const r = spawnSync("python3", ["-c", code, daemon.db, JSON.stringify(statements)], { encoding: "utf8" });
  assertEq(r.status, 0, "database edit: " + r.stderr);
}

async function loaded(p = page) {
  await waitFor(p, () => document.body.getAttribute("data-loaded") === "1", null, "the page's data");
}
const text = async (sel, p = page) => ((await p.textContent(sel)) || "").trim();
const digits = (s) => Number(String(s).replace(/\D/g, ""));

/* The number in the last cell of each row of a table, by the row's data-key. */
async function lastCells(sel) {
  return page.$$eval(sel + " tbody tr", (rows) => Object.fromEntries(rows.map((r) =>
    [r.getAttribute("data-key"), r.lastElementChild.textContent.trim()])));
}

async function readDownload(click) {
  const [dl] = await Promise.all([page.waitForEvent("download"), click()]);
  return { name: dl.suggestedFilename(), body: await fs.promises.readFile(await dl.path(), "utf8") };
}

run({
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
    const base = daemon.base;
    const mk = async (name, id, service) => {
      const r = await api(base, "POST", "/api/v1/dossiers", dossierBody(name, id, service), "clerk");
      assertEq(r.status, 201, "dossier accepted: " + JSON.stringify(r.data));
      return r.data;
    };
    const d1 = await mk("Nguyễn Văn Anh", "064090001234", "both");
    const d2 = await mk("Trần Thị Bích Ngọc", "064190005678", "send");
    const d3 = await mk("Lê Hoàng Phúc", "001085009876", "send");
    const d4 = await mk("Phạm Thị Ánh Tuyết", "079190001111", "send");
    tn.sub1 = d1.items.find((i) => i.role === "submission").tracking_number;
    tn.res1 = d1.items.find((i) => i.role === "result").tracking_number;
    tn.sub2 = d2.items[0].tracking_number;
    tn.sub3 = d3.items[0].tracking_number;
    tn.late = d4.items[0].tracking_number;
    tn.lateDossier = d4.id;

    // d1: handed over, registered, result ready, delivered.
    const m = await api(base, "POST", "/api/v1/manifests", { agency_code: AGENCY, items: [tn.sub1] }, "courier");
    assertEq(m.status, 201, "manifest: " + JSON.stringify(m.data));
    const c = await api(base, "POST", `/api/v1/manifests/${m.data.id}/confirm`,
      { received: "all", fees_received_vnd: 200000 }, "officer");
    assertEq(c.status, 200, "confirmed: " + JSON.stringify(c.data));
    today = (await api(base, "GET", "/api/v1/stats/today", null, "supervisor")).data.date;
    await event("officer", tn.sub1, "agency_receipt",
      { receipt_number: AGENCY + "-261127-0001", appointment_date: addDays(today, 10) });
    const rr = await api(base, "POST", `/api/v1/dossiers/${d1.id}/result`, {}, "officer");
    assertEq(rr.status, 200, "result ready: " + JSON.stringify(rr.data));
    await event("courier", tn.res1, "collect");
    await event("courier", tn.res1, "arrive", { place: "600000" });
    await event("courier", tn.res1, "out");
    await event("courier", tn.res1, "deliver", { receiver_name: "Nguyễn Văn Anh", relation: "applicant",
                                                 id_number: "064090005678" });
    // d2 moves on to the courier; d4 is 3 days late.
    await event("courier", tn.sub2, "dispatch");
    const past = addDays(today, -3);
    sql([["UPDATE item_progress SET due_date = ?, next_deadline = ? WHERE tracking_number = ?",
          [past, past, tn.late]]]);

    for (const [name, item] of [["late", tn.sub2], ["fresh", tn.sub3]]) {
      const r = await api(base, "POST", `/api/v1/track/${item}/complaints`,
        { phone_last4: "3456", text: "Hồ sơ chậm so với ngày hẹn, đề nghị bưu điện kiểm tra." });
      assertEq(r.status, 201, "complaint filed: " + JSON.stringify(r.data));
      complaint[name] = r.data.id;
    }
    sql([["UPDATE complaints SET due_date = ? WHERE id = ?", [addDays(today, -1), complaint.late]]]);

    ({ page } = await newPage(browser));
    expectConsole(page, /\/favicon\.ico/);
    await login(page, base, "supervisor");
    assert(page.url().includes("/desk/supervisor"), "the supervisor lands on the page: " + page.url());
    await loaded();
  },

  async "today's counts are the API's, by state, office and agency"() {
    const j = (await api(daemon.base, "GET", "/api/v1/stats/today", null, "supervisor")).data;
    assertEq(j.accepted_today, 4, "four dossiers accepted today (API)");
    assertEq(digits(await text("#kpi-accepted")), j.accepted_today, "accepted today");
    assertEq(digits(await text("#kpi-delivered")), j.delivered_today, "delivered today");
    assertEq(digits(await text("#kpi-overdue")), j.overdue, "overdue");
    assertEq(digits(await text("#kpi-soon")), j.due_soon, "due soon");
    assert(j.overdue >= 1 && j.delivered_today === 1, "the setup shows: " + JSON.stringify(j));
    const states = await lastCells("#today-states");
    for (const [s, n] of Object.entries(j.states)) assertEq(digits(states[s]), n, "state " + s);
    const rowText = await text("#today-states tr[data-key=DELIVERED]");
    assert(rowText.includes("Đã phát"), "states are named in Vietnamese: " + rowText);
    const office = await text("#today-offices tr[data-key='600000']");
    assert(office.includes("Bưu điện tỉnh Gia Lai"), "the office's name: " + office);
    const agencies = await lastCells("#today-agencies");
    for (const a of j.agencies) assertEq(digits(agencies[a.code]), a.due_soon, "agency " + a.code + " due soon");
    await shot(page, "supervisor-today-desktop");
  },

  async "tabs work from the keyboard"() {
    await page.focus("#tab-today");
    await page.keyboard.press("ArrowRight");
    assertEq(await page.getAttribute("#tab-due", "aria-selected"), "true", "ArrowRight selects the next tab");
    assertEq(await page.evaluate(() => document.activeElement.id), "tab-due", "and focuses it");
    assert(await page.isVisible("#panel-due") && !(await page.isVisible("#panel-today")), "one panel at a time");
    await page.keyboard.press("End");
    assertEq(await page.evaluate(() => document.activeElement.id), "tab-report", "End: the last tab");
    await page.keyboard.press("ArrowRight");
    assertEq(await page.evaluate(() => document.activeElement.id), "tab-today", "wraps around");
  },

  async "overdue and due-soon lists with badges; CSV with the Vietnamese header"() {
    await page.click("#tab-due");
    const over = (await api(daemon.base, "GET", "/api/v1/items?due=overdue", null, "supervisor")).data.items;
    const soon = (await api(daemon.base, "GET", "/api/v1/items?due=soon", null, "supervisor")).data.items;
    assertEq(digits(await text("#overdue-count")), over.length, "overdue count");
    assertEq(digits(await text("#soon-count")), soon.length, "due-soon count");
    assertEq(await page.$$eval("#overdue-list tbody tr", (r) => r.length), over.length, "overdue rows");
    assertEq(await page.$$eval("#soon-list tbody tr", (r) => r.length), soon.length, "due-soon rows");
    const row = `#overdue-list tr[data-key=${tn.late}]`;
    const line = await text(row);
    assert(line.includes("Sở Tư pháp"), "the agency by name: " + line);
    assert(line.includes(String(tn.lateDossier)), "the dossier: " + line);
    assertEq(await text(row + " .badge.late"), "3 ngày", "3 days late, as a red badge");
    assert(await page.$(`#soon-list tr[data-key=${tn.sub3}] .badge.soon`), "due soon has its badge");

    const csv = await readDownload(() => page.click("#overdue-list [data-csv]"));
    assert(/^qua-han-.*\.csv$/.test(csv.name), "file name " + csv.name);
    assert(csv.body.charCodeAt(0) === 0xfeff, "the CSV starts with a BOM (Excel reads UTF-8)");
    const [head, first] = csv.body.slice(1).split("\r\n");
    assertEq(head, "Số hiệu,Hồ sơ,Loại,Cơ quan,Bưu cục,Hạn,Trạng thái,Số ngày trễ", "the Vietnamese header");
    assert(first.startsWith(tn.late + "," + tn.lateDossier + ",Hồ sơ gửi,Sở Tư pháp tỉnh Gia Lai,600000,"),
           "the late item: " + first);
    assert(first.endsWith(",Đã tiếp nhận,3"), "state and days late: " + first);
    await shot(page, "supervisor-due-desktop");
  },

  async "failed notifications are listed as the API has them"() {
    await page.click("#tab-notify");
    const rows = (await api(daemon.base, "GET", "/api/v1/outbox?state=failed&limit=500", null, "supervisor")).data.outbox;
    const shown = await page.$$eval("#outbox-list tbody tr", (r) => r.map((x) => x.getAttribute("data-key")));
    assertEq(shown, rows.map((r) => String(r.id)), "the same failed notifications");
    const csv = await readDownload(() => page.click("#outbox-list [data-csv]"));
    assert(csv.body.startsWith("\ufeffSố,Kênh,Gửi đến"), "outbox CSV header: " + csv.body.slice(0, 40));
  },

  async "the charts draw, sharp, with a text alternative"() {
    await page.click("#tab-charts");
    const daily = (await api(daemon.base, "GET", "/api/v1/stats/daily?days=30", null, "supervisor")).data.days;
    assertEq(daily.length, 30, "30 days from the API");
    for (const id of ["chart-accepted", "chart-delivered", "chart-ontime"]) {
      const px = await waitFor(page, (cid) => {
        const c = document.getElementById(cid);
        if (!c.width || !c.clientWidth) return null;
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let ink = 0, colour = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) ink++;
          if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) colour++;
        }
        return { ink, colour, w: c.width, cw: c.clientWidth, dpr: devicePixelRatio };
      }, id, id + " drawn");
      assert(px.ink > 500, id + " has axes and labels: " + JSON.stringify(px));
      assert(px.colour > 20, id + " has coloured marks (bars or points): " + JSON.stringify(px));
      assertEq(px.w, Math.round(px.cw * px.dpr), id + " backing store in device pixels");
    }
    const acc = await text("#chart-accepted-desc");
    assert(acc.includes("tổng 4 hồ sơ tiếp nhận"), "the accepted chart's summary: " + acc);
    assert(/1 trên 1 kết quả phát đúng hạn \(100%\)/.test(await text("#chart-ontime-desc")), "on-time summary");
    const label = await page.evaluate(() => {
      const c = document.getElementById("chart-accepted");
      return c.getAttribute("aria-labelledby").split(" ").map((i) => document.getElementById(i).textContent).join(" ");
    });
    assert(label.includes("Hồ sơ tiếp nhận mỗi ngày") && label.includes("tổng 4"), "canvas label: " + label);
    await page.click("#panel-charts details summary");
    const rows = await lastCells("#daily-list");
    assertEq(Object.keys(rows).length, 30, "the day table has 30 rows");
    assertEq(rows[today], "100", "today's on-time share in the table");
    const tr = await page.$$eval("#transit-list tbody tr", (r) => r.map((x) => [x.getAttribute("data-key"), x.children[1].textContent]));
    assertEq(tr.find((x) => x[0] === "accepted_to_delivered"), ["accepted_to_delivered", "1"], "the whole journey leg");
    await shot(page, "supervisor-charts-desktop");
  },

  async "complaints: open first, overdue marked, answered inline"() {
    await page.click("#tab-complaints");
    const ids = await page.$$eval("#complaints-list > li", (l) => l.map((x) => x.id));
    assertEq(ids.slice(0, 2), [`complaint-${complaint.late}`, `complaint-${complaint.fresh}`], "overdue open one first");
    assertEq(await page.getAttribute(`#complaint-${complaint.late}`, "data-overdue"), "1", "marked overdue");
    assert((await text(`#complaint-${complaint.late} .badge`)).includes("Quá hạn"), "with an overdue badge");
    assert((await text(`#complaint-${complaint.late}`)).includes(tn.sub2), "names the item");
    // A draft survives the Refresh button.
    await page.fill(`#answer-${complaint.fresh}`, "Bản nháp trả lời");
    await page.evaluate(() => document.body.removeAttribute("data-loaded"));
    await page.click("#refresh");
    await loaded();
    assertEq(await page.inputValue(`#answer-${complaint.fresh}`), "Bản nháp trả lời", "the draft is kept");
    assert(/cần chú ý/.test(await text("#tab-complaints")), "the tab says an answer is overdue");
    // Empty answer: refused on the page, naming the field.
    await page.click(`#answer-btn-${complaint.late}`);
    const empty = await text(`#answer-msg-${complaint.late}`);
    assert(/^Trả lời:/.test(empty), "names the field: " + empty);
    assertEq(await page.getAttribute(`#answer-${complaint.late}`, "aria-invalid"), "true", "marks the textarea");
    assertEq(await page.evaluate(() => document.activeElement.id), `answer-${complaint.late}`, "focus goes back");
    await page.fill(`#answer-${complaint.late}`, "Bưu điện xin lỗi; hồ sơ đã được chuyển đến Sở Tư pháp hôm nay.");
    await page.click(`#answer-btn-${complaint.late}`);
    await waitFor(page, (id) => document.querySelector(`#complaint-${id}[data-state=answered]`), complaint.late, "answered");
    assert(/Đã gửi trả lời/.test(await text(`#answer-msg-${complaint.late}`)), "the answer is confirmed");
    const list = (await api(daemon.base, "GET", "/api/v1/complaints?state=answered", null, "supervisor")).data.complaints;
    const done = list.find((x) => x.id === complaint.late);
    assert(done && done.answer.startsWith("Bưu điện xin lỗi"), "the server has the answer: " + JSON.stringify(done));
    // Answered meanwhile by someone else: the server's refusal is shown as it is.
    const other = await api(daemon.base, "POST", `/api/v1/complaints/${complaint.fresh}/answer`,
                            { answer: "Đã liên hệ người khiếu nại qua điện thoại." }, "supervisor");
    assertEq(other.status, 200, "answered through the API");
    await page.fill(`#answer-${complaint.fresh}`, "Bưu điện sẽ kiểm tra.");
    await page.click(`#answer-btn-${complaint.fresh}`);
    await waitFor(page, (id) => document.getElementById("answer-msg-" + id).classList.contains("err"),
                  complaint.fresh, "the refusal");
    const refused = await text(`#answer-msg-${complaint.fresh}`);
    assert(/^Mã số: khiếu nại này đã được trả lời .*\(.*answered\)$/.test(refused),
           "the Vietnamese sentence with its field, and the server's message: " + refused);
    const csv = await readDownload(() => page.click("#complaints-csv"));
    assert(csv.body.startsWith("\ufeffSố khiếu nại,Số hiệu,Hồ sơ"), "complaints CSV header");
    assert(csv.body.includes("Bưu điện xin lỗi"), "the CSV holds the answer");
    await shot(page, "supervisor-complaints-desktop");
  },

  async "the quarterly report: last completed quarter by default, figures, CSV and PDF"() {
    await page.click("#tab-report");
    const now = new Date(), q = Math.floor(now.getMonth() / 3) + 1;
    assertEq([await page.inputValue("#report-year"), await page.inputValue("#report-quarter")],
             q === 1 ? [String(now.getFullYear() - 1), "4"] : [String(now.getFullYear()), String(q - 1)],
             "the last completed quarter is selected");
    // The current quarter holds the setup's dossiers.
    await page.selectOption("#report-year", String(now.getFullYear()));
    await page.selectOption("#report-quarter", String(q));
    await page.click("#report-show");
    const r = (await api(daemon.base, "GET", `/api/v1/reports/quarterly?year=${now.getFullYear()}&quarter=${q}`,
                         null, "supervisor")).data;
    await until(async () => digits(await text("#report-figures tr[data-key=dossiers_accepted] td.num")) ===
                r.totals.dossiers_accepted, "the report's figures");
    assertEq(r.totals.dossiers_accepted, 4, "four dossiers in the quarter (API)");
    assertEq(digits(await text("#report-figures tr[data-key=postage_vnd] td.num")), r.totals.postage_vnd, "postage");
    assert((await text("#report-figures tr[data-key=compensation_cases]")).includes("không ghi nhận"), "not recorded");
    const pdfHref = await page.getAttribute("#report-pdf", "href");
    const csvHref = await page.getAttribute("#report-csv", "href");
    assert(pdfHref.endsWith(`year=${now.getFullYear()}&quarter=${q}&format=pdf`), "PDF link " + pdfHref);
    const got = await page.evaluate(async (hrefs) => Promise.all(hrefs.map(async (h) => {
      const res = await fetch(h);
      const b = new Uint8Array(await res.arrayBuffer());
      return [res.status, res.headers.get("content-type"), Array.from(b.slice(0, 5))];
    })), [pdfHref, csvHref]);
    assertEq(got[0].slice(0, 2), [200, "application/pdf"], "the PDF link answers a PDF");
    assertEq(String.fromCharCode(...got[0][2]), "%PDF-", "it is a PDF");
    assertEq(got[1].slice(0, 2), [200, "text/csv; charset=utf-8"], "the CSV link answers CSV");
    assertEq(got[1][2].slice(0, 3), [0xef, 0xbb, 0xbf], "with a BOM");
    // A quarter that has not begun: the page says so and the links are off.
    if (q < 4) {
      await page.selectOption("#report-quarter", String(q + 1));
      await page.click("#report-show");
      assert(/^Quý:/.test(await text("#report-msg")), "names the field");
      assertEq(await page.getAttribute("#report-pdf", "aria-disabled"), "true", "PDF link off");
    }
    await shot(page, "supervisor-report-desktop");
  },

  async "phone: no sideways scrolling at 360 px, large tabs, charts redrawn"() {
    for (const width of [412, 360]) {
      const { page: p } = await newPage(browser, { phone: true, viewport: { width, height: 800 } });
      expectConsole(p, /\/favicon\.ico/);
      await login(p, daemon.base, "supervisor");
      await loaded(p);
      for (const tab of ["today", "due", "complaints", "notify", "charts", "report"]) {
        await p.click("#tab-" + tab);
        const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert(over <= 0, `${tab} at ${width} px scrolls sideways by ${over} px`);
        if (width === 412) await shot(p, `supervisor-${tab}-phone`);
      }
      const h = await p.$eval("#tab-due", (e) => e.getBoundingClientRect().height);
      assert(h >= 40, "tabs are large touch targets: " + h);
      await p.click("#tab-charts");
      const w = await p.$eval("#chart-accepted", (c) => [c.width, c.clientWidth]);
      assert(w[0] > 0 && w[0] === w[1], "the chart fits the phone: " + w);
      await p.context().close();
    }
  },

  async "high-DPI screen: the charts' backing store is in device pixels"() {
    // newPage() fixes the scale at 1; this context is made here, and watched here.
    const context = await browser.newContext({ viewport: { width: 412, height: 915 }, deviceScaleFactor: 2,
                                               isMobile: true, hasTouch: true, locale: "vi-VN" });
    const p = await context.newPage();
    const errors = [];
    p.on("pageerror", (e) => errors.push(e.message));
    p.on("console", (m) => { if (m.type() === "error" && !/favicon/.test(m.text())) errors.push(m.text()); });
    await login(p, daemon.base, "supervisor");
    await loaded(p);
    await p.click("#tab-charts");
    const w = await p.$eval("#chart-ontime", (c) => [c.width, c.clientWidth, c.height, c.clientHeight]);
    assertEq([w[0], w[2]], [w[1] * 2, w[3] * 2], "twice the CSS size");
    await shot(p, "supervisor-charts-phone-dpr2");
    assertEq(errors, [], "no errors on the page");
    await context.close();
  },

  async "English"() {
    const { page: p } = await newPage(browser, { lang: "en" });
    expectConsole(p, /\/favicon\.ico/);
    await login(p, daemon.base, "supervisor");
    await loaded(p);
    assertEq(await text("h1", p), "Supervision", "English heading");
    assert((await text("#today-states tr[data-key=DELIVERED]", p)).includes("Delivered"), "English state names");
    await p.click("#tab-charts");
    assert((await text("#chart-accepted-desc", p)).includes("total 4 dossiers accepted"), "English summary");
    await shot(p, "supervisor-charts-desktop-en");
    await p.context().close();
  },
});
