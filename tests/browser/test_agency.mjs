// The agency desk in a real browser: an officer counts a handover (one line missing, a fee
// mismatch refused with the server's message), registers a dossier (a past appointment date
// refused), sends another back with a reason, marks a result ready and gets its label PDF,
// and reads the discrepancies and unpaid fees. Dossiers and the manifest are made through
// the API as the clerk and the courier would.
import {
  startDaemon, launch, newPage, login, api, run, shot, assert, assertEq, until, expectConsole,
} from "./lib.mjs";

const AGENCY = "000.00.12.H21";
let daemon, browser, page;
const tns = [];        // the submission items, in the manifest's order
const dossierIds = [];

function dossierBody(name, id) {
  return {
    procedure_code: "2.000488", service: "both",
    applicant: { kind: "person", name, phone: "0905 123 456", id_number: id,
                 address: "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku" },
    documents: [
      { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
      { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
    postage_vnd: 28000, fee_vnd: 200000,
  };
}

function isoDay(offset) {
  const d = new Date(Date.now() + offset * 86400000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(d);
}

// Polled from here: waitForFunction evaluates a string, which the pages' CSP forbids.
async function msgText(sel, p = page) {
  return until(async () => (await p.textContent(sel)).trim(), "text in " + sel);
}

run({
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
    const names = ["Nguyễn Văn Anh", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc"];
    const ids = ["064090001234", "064190005678", "001085009876"];
    for (let i = 0; i < 3; i++) {
      const r = await api(daemon.base, "POST", "/api/v1/dossiers", dossierBody(names[i], ids[i]), "clerk");
      assertEq(r.status, 201, "dossier created: " + JSON.stringify(r.data));
      dossierIds.push(r.data.id);
      tns.push(r.data.items.find((it) => it.role === "submission").tracking_number);
    }
    const m = await api(daemon.base, "POST", "/api/v1/manifests", { agency_code: AGENCY, items: tns }, "courier");
    assertEq(m.status, 201, "manifest created: " + JSON.stringify(m.data));
    ({ page } = await newPage(browser));
    // Chromium asks for /favicon.ico on the login page, which has no icon link.
    expectConsole(page, /\/favicon\.ico/);
    await login(page, daemon.base, "officer");
    assert(page.url().endsWith("/desk/agency"), "the officer lands on the agency desk: " + page.url());
  },

  async "the agency's name and the open handover are shown"() {
    await until(async () => /Sở Tư pháp/.test(await page.textContent("#agency-name")), "agency name");
    await page.waitForSelector("#manifests-list table");
    const btn = await page.$("[id^=manifest-open-]");
    assert(btn, "a button opens the manifest");
    await btn.click();
    await page.waitForSelector("#manifest-detail:not([hidden])");
    const href = await page.getAttribute("#manifest-record", "href");
    assert(/\/api\/v1\/manifests\/\d+\/record\.pdf$/.test(href), "record link " + href);
    const pdf = await page.evaluate(async (h) => { const r = await fetch(h); return [r.status, r.headers.get("content-type")]; }, href);
    assertEq(pdf, [200, "application/pdf"], "the handover record is a PDF");
  },

  async "a fee mismatch shows the server's message; one line missing makes a discrepancy"() {
    await page.click("#manifest-all-received");
    assertEq(await page.inputValue("#manifest-fees"), "600000", "fees prefilled with the sum of the lines");
    // Missing: the sum follows the lines received.
    await page.check(`#line-${tns[2]}-missing`);
    await page.fill(`#line-${tns[2]}-note`, "Không có trong túi thư");
    assertEq(await page.inputValue("#manifest-fees"), "400000", "the sum follows the received lines");
    await page.fill("#manifest-fees", "350000");
    const warn = await msgText("#manifest-fees-error");
    assert(/Phí đã nhận/.test(warn), "the mismatch is flagged as typed: " + warn);
    await shot(page, "agency-manifest-desktop");
    await page.click("#manifest-confirm");
    const err = await msgText("#manifest-msg");
    assert(/fees_received_vnd/.test(err), "the server's refusal names the field: " + err);
    assert(await page.$eval("#manifest-msg", (e) => e.classList.contains("err")), "shown as an error");
    await page.fill("#manifest-fees", "400.000");
    await page.click("#manifest-confirm");
    const ok = await msgText("#manifests-msg");
    assert(/BB-/.test(ok) && /sai lệch/.test(ok), "confirmed, partly: " + ok);
    await page.waitForSelector("#manifest-detail", { state: "hidden" });
    const it = await api(daemon.base, "GET", "/api/v1/items/" + tns[0], null, "officer");
    assertEq(it.data.state, "AT_AGENCY", "a received line is at the agency");
    const miss = await api(daemon.base, "GET", "/api/v1/items/" + tns[2], null, "officer");
    assertEq(miss.data.state, "IN_TRANSIT", "the missing line stays with the courier");
  },

  async "discrepancies and unpaid fees are listed with CSV export"() {
    await page.click("#tab-reports");
    await page.waitForSelector("#discrepancies table");
    const text = await page.textContent("#discrepancies");
    assert(text.includes(tns[2]) && /Thiếu/.test(text), "the missing item is listed: " + text);
    await page.waitForSelector("#fees-unpaid table");
    assert(/Tổng/.test(await page.textContent("#fees-total")), "the unpaid total is shown");
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#discrepancies [data-csv]")]);
    const csv = await (await import("node:fs")).promises.readFile(await dl.path(), "utf8");
    assert(csv.includes(tns[2]), "the CSV holds the discrepancy");
  },

  async "register a dossier: a past appointment date is refused, then a good one is recorded"() {
    await page.click("#tab-dossiers");
    await page.waitForSelector(`#dossier-open-${tns[0]}`);
    await page.click(`#dossier-open-${tns[0]}`);
    await page.waitForSelector("#dossier-form:not([hidden])");
    // Missing receipt number first, named.
    await page.click("#receipt-submit");
    assert(/Số giấy tiếp nhận/.test(await msgText("#receipt-number-error")), "the receipt number is required");
    await page.fill("#receipt-number", AGENCY + "-261127-0001");
    await page.fill("#appointment-date", isoDay(-3));
    await page.click("#receipt-submit");
    const past = await msgText("#appointment-date-error");
    assert(/Ngày hẹn trả/.test(past) && /đã qua/.test(past), "a past date is refused: " + past);
    assertEq(await page.getAttribute("#appointment-date", "aria-invalid"), "true", "the field is marked");
    await page.fill("#appointment-date", isoDay(10));
    await page.click("#receipt-submit");
    const ok = await msgText("#dossiers-msg");
    assert(ok.includes(tns[0]) && ok.includes("261127-0001"), "recorded: " + ok);
    const it = await api(daemon.base, "GET", "/api/v1/items/" + tns[0], null, "officer");
    assertEq(it.data.state, "RECEIVED", "the item is registered");
    assertEq(it.data.progress.appointment_date, isoDay(10), "with its appointment date");
  },

  async "send a dossier back with a reason"() {
    await page.waitForSelector(`#dossier-open-${tns[1]}`);
    await page.click(`#dossier-open-${tns[1]}`);
    await page.click("#reject-submit");
    assert(/Lý do/.test(await msgText("#reject-reason-error")), "the reason is required");
    await page.fill("#reject-reason", "Thiếu bản chụp Căn cước công dân");
    await page.click("#reject-submit");
    const ok = await until(async () => { const m = await msgText("#dossiers-msg"); return m.includes(tns[1]) && m; }, "sent back");
    assert(/chưa đủ/.test(ok), "sent back: " + ok);
    const it = await api(daemon.base, "GET", "/api/v1/items/" + tns[1], null, "officer");
    assertEq(it.data.state, "RETURNED_INCOMPLETE", "the item is returned incomplete");
  },

  async "mark a result ready and its label is a PDF"() {
    await page.click("#tab-results");
    const id = dossierIds[0];
    await page.waitForSelector(`#result-ready-${id}`);
    assert(await page.$(`#result-ready-${dossierIds[1]}`), "the returned dossier is listed too");
    await page.fill(`#result-fee-${id}`, "abc");
    assert(/Phí còn thu/.test(await msgText(`#result-fee-${id}-error`)), "a bad fee is named as typed");
    await page.fill(`#result-fee-${id}`, "50000");
    await page.click(`#result-ready-${id}`);
    await page.waitForSelector(`#result-label-${id}`);
    assert(/sẵn sàng/.test(await msgText("#results-msg")), "the result is ready");
    const href = await page.getAttribute(`#result-label-${id}`, "href");
    assertEq(await page.getAttribute(`#result-label-${id}`, "target"), "_blank", "the label opens in a new tab");
    const pdf = await page.evaluate(async (h) => {
      const r = await fetch(h); const b = new Uint8Array(await r.arrayBuffer());
      return [r.status, r.headers.get("content-type"), String.fromCharCode(...b.slice(0, 5))];
    }, href);
    assertEq(pdf, [200, "application/pdf", "%PDF-"], "the label is a PDF");
    const rtn = /items\/([A-Z0-9]+)\/label/.exec(href)[1];
    const it = await api(daemon.base, "GET", "/api/v1/items/" + rtn, null, "officer");
    assert(it.data.progress.result_ready, "the result item is ready");
    assertEq(it.data.progress.fee_due_vnd, 50000, "with the fee to collect");
    await shot(page, "agency-results-desktop");
    // A reload still shows it ready, from the item's progress.
    await page.reload();
    await page.click("#tab-results");
    await page.waitForSelector(`#result-label-${id}`);
  },

  async "keyboard: the tabs move with the arrow keys"() {
    await page.focus("#tab-results");
    await page.keyboard.press("ArrowRight");
    assertEq(await page.evaluate(() => document.activeElement.id), "tab-reports", "focus on the next tab");
    assertEq(await page.getAttribute("#tab-reports", "aria-selected"), "true", "and it is selected");
    assert(await page.isVisible("#panel-reports"), "its panel shows");
  },

  async "phone: fits 360 px, English labels, screenshots"() {
    const { page: p } = await newPage(browser, { phone: true, lang: "en", viewport: { width: 360, height: 800 } });
    expectConsole(p, /\/favicon\.ico/);
    await login(p, daemon.base, "officer");
    await p.waitForSelector("#manifests-list .muted, #manifests-list table");
    assertEq(await p.textContent("#tab-dossiers"), "Register dossiers", "English tab");
    const over = await p.evaluate(() => document.documentElement.scrollWidth);
    assert(over <= 360, "no horizontal overflow at 360 px: " + over);
    await shot(p, "agency-phone");
    await p.click("#tab-results");
    await p.waitForSelector("#results-list table");
    await shot(p, "agency-results-phone");
    // Every input has a label.
    const unlabelled = await p.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.id || e.name));
    assertEq(unlabelled, [], "inputs without a label");
  },
});
