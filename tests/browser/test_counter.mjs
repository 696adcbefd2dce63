// The counter page (/desk/counter) in headless Chromium against a real daemon: the procedure
// search without diacritics, the checklist warning, field errors that block the summary, a
// server refusal shown with its message, an acceptance (verified through the API) that a
// double click does not duplicate, the label and note PDFs, today's list with its CSV, and a
// home pickup created and given to a courier.
import fs from "node:fs";
import { startDaemon, launch, newPage, login, shot, api, run, assert, assertEq, until, expectConsole } from "./lib.mjs";

const PROC = "2.000488";   // Cấp Phiếu lý lịch tư pháp (Sở Tư pháp): 2 required papers, the first an original
let daemon, browser, base;

async function counterPage(opts = {}) {
  const { context, page } = await newPage(browser, opts);
  await login(page, base, "clerk");
  if (!page.url().endsWith("/desk/counter")) await page.goto(base + "/desk/counter");
  await page.waitForSelector("header.bar");   // Desk.init() finished
  return { context, page };
}

async function chooseProcedure(page, query = "ly lich tu phap", code = PROC) {
  await page.fill("#proc-q", query);
  await page.waitForSelector(`#proc-results button[data-code="${code}"]`);
  await page.click(`#proc-results button[data-code="${code}"]`);
  await until(async () => (await page.textContent("#proc-chosen-code")) === code, "procedure chosen");
}

async function fillApplicant(page, { name = "Nguyễn Văn Anh", phone = "0905 123 456", id = "064090001234",
                                     address = "12 Trần Hưng Đạo, phường Tây Sơn, Pleiku", postage = "28.000" } = {}) {
  await page.fill("#app-name", name);
  await page.fill("#app-phone", phone);
  await page.fill("#app-id", id);
  await page.fill("#app-address", address);
  await page.fill("#postage", postage);
}

async function dossierCount(name) {
  const r = await api(base, "GET", "/api/v1/dossiers?limit=200", null, "supervisor");
  assertEq(r.status, 200, "dossier list");
  return r.data.dossiers.filter((d) => d.applicant.name === name).length;
}

const shared = {};

await run({
  async setup() {
    daemon = await startDaemon();
    base = daemon.base;
    browser = await launch();
  },

  async "search ignores diacritics and case, by name, agency or code, with the keyboard"() {
    const { context, page } = await counterPage();
    await page.fill("#proc-q", "SO TU PHAP");
    await page.waitForSelector(`#proc-results button[data-code="${PROC}"]`);
    const names = await page.$$eval("#proc-results .proc-opt-meta", (els) => els.map((e) => e.textContent));
    assert(names.length > 0 && names.every((n) => n.includes("Sở Tư pháp")), "agency search without diacritics: " + names);
    await page.fill("#proc-q", "2.0004");
    await page.waitForSelector(`#proc-results button[data-code="${PROC}"]`);
    // Keyboard only: ↓ into the list, Enter chooses. The list of "2.0004" holds the same
    // procedure: wait for the new query's list, not the old one.
    await page.fill("#proc-q", "");
    await until(async () => (await page.$$("#proc-results button")).length === 0, "list cleared");
    await page.fill("#proc-q", "phieu ly lich");
    await page.waitForSelector(`#proc-results button[data-code="${PROC}"]`);
    const codes = await page.$$eval("#proc-results button", (els) => els.map((e) => e.getAttribute("data-code")));
    await page.focus("#proc-q");
    await page.keyboard.press("ArrowDown");
    assertEq(await page.evaluate(() => document.activeElement.id), "proc-opt-0", "↓ moves into the results");
    for (let i = 0; i < codes.indexOf(PROC); i++) await page.keyboard.press("ArrowDown");
    assertEq(await page.evaluate(() => document.activeElement.getAttribute("data-code")), PROC, "↓ walks the list");
    await page.keyboard.press("Enter");
    await until(async () => (await page.textContent("#proc-chosen-code")) === PROC, "chosen by keyboard");
    assert(await page.isVisible("#doc-0-check"), "checklist drawn");
    assertEq(await page.inputValue("#fee"), "200000", "fee from the procedure");
    await context.close();
  },

  async "↓ pressed before the list comes waits for it"() {
    const { context, page } = await counterPage();
    await page.focus("#proc-q");
    await page.keyboard.type("ly lich tu phap");
    await page.keyboard.press("ArrowDown");  // within the 250 ms pause: no list yet
    await until(async () => (await page.evaluate(() => document.activeElement.id)) === "proc-opt-0",
                "focus on the first result once it is drawn");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#proc-card:not([hidden])");
    await context.close();
  },

  async "the missing-paper warning lists required papers until they are ticked"() {
    const { context, page } = await counterPage();
    await chooseProcedure(page);
    const warn = await page.textContent("#docs-missing");
    assert(/thiếu 2 giấy tờ bắt buộc/i.test(warn), "warning counts 2 missing: " + warn);
    assert(warn.includes("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"), "warning names the paper");
    assertEq(await page.getAttribute("#docs-missing", "class"), "msg warn", "shown as a warning");
    await page.check("#doc-0-check");
    assert(/thiếu 1 giấy tờ/i.test(await page.textContent("#docs-missing")), "one left");
    assertEq(await page.inputValue("#doc-0-form"), "original", "form defaults to what the procedure requires");
    assertEq(await page.inputValue("#doc-1-form"), "copy", "copy where a copy is asked");
    await page.click("#docs-all-required");
    assertEq((await page.textContent("#docs-missing")).trim(), "", "no warning once all are ticked");
    await context.close();
  },

  async "a bad phone and a bad CCCD show field errors and block the summary"() {
    const { context, page } = await counterPage();
    await chooseProcedure(page);
    await page.click("#docs-all-required");
    await fillApplicant(page, { phone: "0123 456", id: "999012345678" });
    // The CCCD's province code is wrong as soon as it is typed; the short phone once left.
    assert((await page.textContent("#app-id-err")).includes("096"), "CCCD error names the province rule");
    assertEq(await page.getAttribute("#app-id", "aria-invalid"), "true", "CCCD aria-invalid");
    await page.click("#review");
    assert(/Số điện thoại/.test(await page.textContent("#app-phone-err")), "phone error under the field");
    assertEq(await page.getAttribute("#app-phone", "aria-invalid"), "true", "phone aria-invalid");
    assert(await page.isHidden("#confirm-panel"), "no summary while fields are wrong");
    assert(/Chưa thể tiếp nhận/.test(await page.textContent("#form-msg")), "form message");
    assertEq(await page.evaluate(() => document.activeElement.id), "app-phone", "focus on the first field to fix");
    // An organisation takes a tax code instead, checked by its own rule.
    await page.check("#app-kind-org");
    await page.fill("#app-id", "01012345");
    await page.fill("#app-id", "0101234567-0");
    await page.locator("#app-id").blur();
    assert(/Mã số thuế/.test(await page.textContent("#app-id-err")), "tax code error");
    await page.fill("#app-id", "0101234567-001");
    assertEq((await page.textContent("#app-id-err")).trim(), "", "a branch tax code is fine");
    await page.fill("#app-phone", "+84 905.123.456");
    assertEq((await page.textContent("#app-phone-err")).trim(), "", "+84 with dots is fine");
    await context.close();
  },

  async "a server refusal comes back with the server's message and field"() {
    const { context, page } = await counterPage();
    await chooseProcedure(page);
    await page.click("#docs-all-required");
    // The first paper must be an original: hand in a copy and let the server say no.
    await page.selectOption("#doc-0-form", "copy");
    assert(/bản chính/.test(await page.textContent("#doc-0-err")), "the page warns before");
    await fillApplicant(page, { name: "Người Bị Từ Chối" });
    await page.click("#review");
    await page.waitForSelector("#confirm-panel:not([hidden])");
    await page.click("#confirm");
    await page.waitForSelector("#accept-form:not([hidden])");
    const msg = await page.textContent("#form-msg");
    assert(/Máy chủ từ chối/.test(msg) && /documents\[0\]/.test(msg) && /original/.test(msg), "server message: " + msg);
    assertEq(await page.getAttribute("#form-msg", "class"), "msg err", "shown as an error");
    const row = await page.textContent("#doc-0-err");
    assert(/yêu cầu nộp bản chính/.test(row) && /original/.test(row),
           "the paper's row carries the reason in Vietnamese, with the server's detail: " + row);
    assertEq(await dossierCount("Người Bị Từ Chối"), 0, "nothing written");
    // Fixed and sent again: accepted (a fresh client_id after a refusal).
    await page.selectOption("#doc-0-form", "original");
    await page.click("#review");
    await page.click("#confirm");
    await page.waitForSelector("#result-panel:not([hidden])");
    assertEq(await dossierCount("Người Bị Từ Chối"), 1, "accepted once fixed");
    await context.close();
  },

  async "an acceptance shows its numbers, survives a double click, and opens the PDFs"() {
    const { context, page } = await counterPage();
    await chooseProcedure(page);
    await page.click("#docs-all-required");
    const name = "Trần Thị Bấm Đúp";
    await fillApplicant(page, { name });
    assertEq(await page.textContent("#total"), "228.000 đ", "total of fee and postage");
    await page.click("#review");
    await page.waitForSelector("#confirm-panel:not([hidden])");
    const summary = await page.textContent("#summary");
    assert(summary.includes(name) && summary.includes("0905123456") && summary.includes("228.000 đ"), "summary: " + summary);
    await shot(page, "counter-confirm-desktop");
    await page.dblclick("#confirm");
    await page.waitForSelector("#result-panel:not([hidden])");
    const tns = await page.$$eval("#result-tns li", (els) => els.map((e) => e.getAttribute("data-tn")));
    assertEq(tns.length, 2, "send and return: two items");
    const due = await page.textContent("#result-due");
    assert(/^\d\d\/\d\d\/\d{4}$/.test(due), "due date shown: " + due);
    for (const tn of tns) {
      const r = await api(base, "GET", "/api/v1/items/" + tn, null, "clerk");
      assertEq(r.status, 200, "item " + tn + " exists");
    }
    const item = await api(base, "GET", "/api/v1/items/" + tns[0], null, "clerk");
    const dossier = await api(base, "GET", "/api/v1/dossiers/" + item.data.dossier_id, null, "clerk");
    assertEq(dossier.data.applicant.name, name, "the dossier is the one typed");
    assertEq(dossier.data.postage_vnd, 28000, "postage in whole dong");
    await new Promise((r) => setTimeout(r, 500));
    assertEq(await dossierCount(name), 1, "a double click wrote one dossier");
    // The form is ready for the next applicant, search included.
    assertEq(await page.inputValue("#app-name"), "", "form reset");
    assert(await page.isVisible("#proc-q"), "search usable again");
    shared.tn = tns[0];
    shared.dossierId = item.data.dossier_id;

    // Print: one click opens one PDF (the labels and the note together), nothing else.
    const opened = [];
    context.on("response", (res) => {
      if (/\.pdf(\?|$)/.test(res.url())) opened.push(res);
    });
    await page.click("#print");
    await until(() => opened.length >= 1, "the print PDF requested");
    await new Promise((r) => setTimeout(r, 500));
    // Distinct URLs: Chromium's PDF viewer may fetch the one it shows twice (seen under load).
    assertEq([...new Set(opened.map((r) => new URL(r.url()).pathname))].join(" "),
             `/api/v1/dossiers/${shared.dossierId}/print.pdf`, "one PDF, the dossier's print.pdf");
    assertEq(opened[0].status(), 200, "print.pdf status");
    assertEq(opened[0].headers()["content-type"], "application/pdf", "print.pdf type");
    // Chromium's PDF viewer takes the window's body: fetch the same URL in the same session.
    const body = await (await page.request.get(opened[0].url())).body();
    assertEq(body.subarray(0, 5).toString(), "%PDF-", "the opened print.pdf is a PDF");
    const links = await page.$$eval("#print-links a", (els) => els.map((e) => e.getAttribute("href")));
    assert(links.includes(`/api/v1/items/${tns[0]}/label.pdf`) && links.some((l) => /note\.pdf$/.test(l)), "fallback links");
    const pdf = await page.request.get(base + `/api/v1/items/${tns[0]}/label.pdf`);
    assertEq(pdf.headers()["content-type"], "application/pdf", "label_url type");
    assert((await pdf.body()).subarray(0, 5).toString() === "%PDF-", "a PDF");
    assert(/Đã mở nhãn|chặn/.test(await page.textContent("#print-msg")), "print feedback");
    // The PDF windows took the foreground: a background tab paints no frame to capture.
    for (const p of context.pages()) if (p !== page) await p.close().catch(() => {});
    await page.bringToFront();
    await shot(page, "counter-result-desktop");

    // Today's list has it, and its CSV carries the number.
    await page.waitForSelector(`#today-table tr[data-id="${shared.dossierId}"]`);
    assert((await page.textContent(`#today-table tr[data-id="${shared.dossierId}"]`)).includes(tns[0]), "today's row");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#today-table button[data-csv]")]);
    const csv = fs.readFileSync(await download.path(), "utf8");
    assert(csv.charCodeAt(0) === 0xfeff && csv.includes(tns[0]) && csv.includes(name), "CSV with BOM, number and name");
    await context.close();
  },

  async "a retry after a lost answer does not write a second dossier"() {
    const { context, page } = await counterPage();
    await chooseProcedure(page);
    await page.click("#docs-all-required");
    const name = "Phạm Mất Kết Nối";
    await fillApplicant(page, { name, postage: "0" });
    await page.click("#review");
    // The first POST reaches the server and is written; its answer never reaches the page.
    expectConsole(page, /ERR_FAILED|Failed to fetch|dossiers/);
    let lost = 0;
    await page.route("**/api/v1/dossiers", async (route) => {
      if (route.request().method() !== "POST" || lost++ > 0) return route.continue();
      await route.fetch();
      await route.abort("failed");
    });
    await page.click("#confirm");
    await until(async () => /Không kết nối được máy chủ/.test(await page.textContent("#confirm-msg")), "network error shown");
    assertEq(await dossierCount(name), 1, "the lost try was written");
    await page.click("#confirm");
    await page.waitForSelector("#result-panel:not([hidden])");
    assertEq(await dossierCount(name), 1, "the retry replayed it instead of writing again");
    await context.close();
  },

  async "a pickup is created and given to a courier"() {
    const { context, page } = await counterPage();
    await page.fill("#pk-name", "Lê Văn Thu Gom");
    await page.fill("#pk-phone", "0912.345.678");
    await page.fill("#pk-address", "45 Lê Lợi, Pleiku");
    await page.fill("#pk-proc", PROC);
    await page.click("#pk-create");
    await until(async () => /Đã tạo yêu cầu thu gom #\d+/.test(await page.textContent("#pk-msg")), "pickup created");
    const id = /#(\d+)/.exec(await page.textContent("#pk-msg"))[1];
    await page.waitForSelector(`#pickups-table tr[data-pickup="${id}"]`);
    // The courier is picked from a labelled list of the office's active couriers.
    const sel = `#pickup-courier-${id}`;
    assertEq(await page.$eval(sel, (e) => e.tagName), "SELECT", "a list, not a text field");
    assert(await page.$(`label[for="pickup-courier-${id}"]`), "the list has a label");
    assert(await page.$('label[for="pk-courier"]'), "the new request's list has a label");
    const options = await page.$$eval(`${sel} option`, (os) => os.map((o) => o.value));
    const listed = (await api(base, "GET", "/api/v1/couriers", null, "clerk")).data.couriers.map((c) => c.username);
    assert(listed.includes("courier") && !options.includes("clerk"), "couriers only: " + options);
    for (const u of listed) assert(options.includes(u), "every courier offered: " + u);
    const newOptions = await page.$$eval("#pk-courier option", (os) => os.map((o) => o.value));
    assert(newOptions.includes("courier") && newOptions[0] === "", "new request: couriers, none first");
    // Nothing chosen is refused on the page; a courier chosen is taken.
    await page.selectOption(sel, "");
    await page.click(`#pickup-assign-${id}`);
    await until(async () => /chọn một bưu tá|choose a courier/.test(await page.textContent("#pickups-msg")), "refusal shown");
    await page.selectOption(sel, "courier");
    await page.click(`#pickup-assign-${id}`);
    await until(async () => /cho bưu tá courier/.test(await page.textContent("#pickups-msg")), "assigned");
    const r = await api(base, "GET", "/api/v1/pickups?state=assigned", null, "clerk");
    const p = r.data.pickups.find((x) => String(x.id) === id);
    assert(p && p.courier === "courier" && p.applicant.phone === "0912345678", "assigned in the API: " + JSON.stringify(p));
    await until(async () => !(await page.$(`#pickups-table tr[data-pickup="${id}"]`)), "gone from the waiting list");
    await context.close();
  },

  async "a pickup retried after a lost answer is one pickup"() {
    const { context, page } = await counterPage();
    const name = "Hồ Thị Mất Mạng";
    const count = async () => (await api(base, "GET", "/api/v1/pickups", null, "clerk")).data.pickups
      .filter((p) => p.applicant.name === name).length;
    let lost = 0;
    await page.route("**/api/v1/pickups", async (route) => {
      if (route.request().method() !== "POST" || lost++ > 0) return route.continue();
      await route.fetch();          // the server writes it...
      await route.abort("failed");  // ...and the answer never reaches the page
    });
    expectConsole(page, /Failed to load resource|ERR_FAILED/);
    await page.fill("#pk-name", name);
    await page.fill("#pk-phone", "0912345679");
    await page.fill("#pk-address", "12 Phan Đình Phùng, Pleiku");
    await page.fill("#pk-proc", PROC);
    await page.click("#pk-create");
    await until(async () => /Không kết nối được|Cannot reach/.test(await page.textContent("#pk-msg")), "network error shown");
    assertEq(await count(), 1, "the lost try was written");
    await page.click("#pk-create");
    await until(async () => /Đã tạo yêu cầu thu gom #\d+/.test(await page.textContent("#pk-msg")), "retry answered");
    assertEq(await count(), 1, "the retry did not write a second pickup");
    await context.close();
  },

  async "phone: fits 360 px, big targets, screenshots"() {
    const { context, page } = await counterPage({ phone: true, viewport: { width: 360, height: 780 } });
    await chooseProcedure(page, "nhap quoc tich", "1.005130");
    await fillApplicant(page);
    await page.waitForSelector("#today-table table, #today-table p");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 360, "no sideways scroll at 360 px: " + width);
    const small = await page.$$eval("button, input:not([type=checkbox]):not([type=radio]), select",
      (els) => els.filter((e) => e.offsetParent && e.getBoundingClientRect().height < 40).map((e) => e.id || e.textContent));
    assertEq(small, [], "touch targets at least 40 px high");
    await shot(page, "counter-phone");
    await context.close();
    const d = await counterPage();
    await d.page.goto(base + "/desk/counter?lang=en");
    await d.page.waitForSelector("header.bar");
    assertEq(await d.page.textContent("h1"), "Dossier counter", "English");
    await d.page.fill("#proc-q", "ly lich");
    await d.page.waitForSelector("#proc-results button");
    await shot(d.page, "counter-desktop-en");
    await d.context.close();
  },
});
