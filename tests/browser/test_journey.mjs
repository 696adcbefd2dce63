// The whole journey of one dossier through the pages alone, as the people would do it: the
// clerk accepts it at the counter; the courier dispatches it from the phone while offline
// (queued, kept over a reload, sent once back online) and hands it to the agency on a
// manifest; the officer confirms the handover, registers it with a receipt number and an
// appointment date, and marks the result ready; the courier collects, arrives, goes out,
// fails once, goes out again at the applicant's request and delivers with a signature drawn
// on the canvas; the public page shows it delivered. The API is used only to check, and
// `hoso verify` recomputes every custody chain at the end.
import {
  startDaemon, launch, newPage, login, shot, api, hoso, run, assert, assertEq, until, expectConsole,
} from "./lib.mjs";

const AGENCY = "000.00.12.H21";
const APPLICANT = "Nguyễn Thị Hành Trình";
let daemon, browser, base;
const J = {};   // what the steps learn: submission and result numbers, dossier id, manifest

function isoDay(offset) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date(Date.now() + offset * 86400000));
}
async function text(page, sel) { return ((await page.textContent(sel)) || "").trim(); }
async function item(tn) {
  const r = await api(base, "GET", "/api/v1/items/" + tn, null, "supervisor");
  assertEq(r.status, 200, "GET item " + tn);
  return r.data;
}

// The courier's phone stays open from the first scan to the delivery, like the real one.
let courier;
async function courierAnswer(kind, tn) {
  return until(async () => {
    const r = await courier.page.evaluate(() => {
      const e = document.getElementById("result");
      return { cls: e.className, item: e.getAttribute("data-item"), text: e.textContent };
    });
    if (r.cls === "msg err" && kind !== "err") throw new Error("refused: " + r.text);
    return r.cls === "msg " + kind && r.item === tn ? r.text : null;
  }, `a ${kind} answer for ${tn}`);
}
async function courierScan(action, tn, kind = "ok") {
  const p = courier.page;
  await p.check("#act-" + action);
  await p.fill("#scan", tn);
  await p.press("#scan", "Enter");
  return courierAnswer(kind, tn);
}

run({
  async setup() {
    daemon = await startDaemon();
    base = daemon.base;
    browser = await launch();
  },

  async "1. the clerk accepts the dossier at the counter"() {
    const { context, page } = await newPage(browser);
    await login(page, base, "clerk");
    assert(page.url().endsWith("/desk/counter"), "the clerk lands on the counter: " + page.url());
    await page.waitForSelector("header.bar");
    await page.fill("#proc-q", "ly lich tu phap");
    await page.click('#proc-results button[data-code="2.000488"]');
    await until(async () => (await text(page, "#proc-chosen-code")) === "2.000488", "the procedure chosen");
    await page.click("#docs-all-required");
    await page.check("#app-kind-person");
    await page.fill("#app-name", APPLICANT);
    await page.fill("#app-phone", "0905 123 456");
    await page.fill("#app-id", "064090001234");
    await page.fill("#app-address", "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku");
    await page.selectOption("#service", "both");
    await page.fill("#postage", "28.000");
    assertEq(await page.inputValue("#fee"), "200000", "the procedure's fee");
    await page.click("#review");
    await page.waitForSelector("#confirm-panel:not([hidden])");
    assert((await text(page, "#summary")).includes(APPLICANT), "the summary names the applicant");
    await page.click("#confirm");
    await page.waitForSelector("#result-panel:not([hidden])");
    const tns = await page.$$eval("#result-tns li[data-tn]", (els) => els.map((e) => e.getAttribute("data-tn")));
    assertEq(tns.length, 2, "a submission and a result item");
    for (const tn of tns) {
      const it = await item(tn);
      J[it.role] = tn;
      J.dossier = it.dossier_id;
    }
    assert(J.submission && J.result, "both roles: " + JSON.stringify(J));
    assertEq((await item(J.submission)).state, "ACCEPTED", "the submission is accepted");
    assertEq((await item(J.result)).state, "AWAITING_RESULT", "the result waits");
    await shot(page, "journey-1-counter");
    await context.close();
  },

  async "2. the courier dispatches it from the phone, offline, queued over a reload"() {
    courier = await newPage(browser, { phone: true });
    const { context, page } = courier;
    // Requests made while the test holds the network down fail by design.
    expectConsole(page, /ERR_INTERNET_DISCONNECTED|ERR_FAILED/);
    await login(page, base, "courier");
    assert(page.url().endsWith("/desk/courier"), "the courier lands on the scan page");
    await page.waitForSelector("header.bar");
    await context.setOffline(true);
    await until(() => page.isVisible("#net.offline"), "the page sees it is offline");
    await courierScan("dispatch", J.submission, "warn");
    await until(async () => (await text(page, "#queue-count")) === "1", "one scan waiting");
    assertEq((await item(J.submission)).state, "ACCEPTED", "nothing reached the server yet");
    await shot(page, "journey-2-offline-queue");
    // The network comes back but the first sends still fail: the page is reloaded meanwhile
    // and must still hold the scan.
    await page.route("**/api/v1/events", (route) => route.abort("internetdisconnected"));
    await context.setOffline(false);
    await page.reload();
    await page.waitForSelector("header.bar");
    await until(async () => (await text(page, "#queue-count")) === "1", "the scan kept over the reload");
    await page.unroute("**/api/v1/events");
    // The page may resend by itself first (the button is then disabled, the queue empty):
    // a click on the element does nothing then, where page.click would wait for it.
    await page.evaluate(() => document.getElementById("sync-now").click());
    await until(async () => (await text(page, "#queue-count")) === "0", "the queue sent");
    assertEq((await item(J.submission)).state, "IN_TRANSIT", "dispatched on the server");
    await until(() => page.isVisible(`#recent-list li[data-item="${J.submission}"]`), "shown among the recent scans");
  },

  async "3. the courier hands it to the agency on a manifest"() {
    const { page } = courier;
    await page.click("#tab-handover");
    await page.fill("#ho-scan", J.submission);
    await page.press("#ho-scan", "Enter");
    await until(async () => (await page.inputValue("#ho-agency")) === AGENCY, "the agency found from the item");
    assertEq(await text(page, "#ho-count"), "1", "one on the list");
    await page.click("#ho-create");
    await page.waitForSelector("#ho-result:not([hidden])");
    J.ref = await text(page, "#ho-ref");
    assert(/^BB-\d{4}-\d+$/.test(J.ref), "the manifest's reference: " + J.ref);
    J.manifest = +/manifests\/(\d+)\//.exec(await page.getAttribute("#ho-record", "href"))[1];
    await shot(page, "journey-3-handover");
    await page.click("#tab-scan");
  },

  async "4. the officer confirms the handover and registers the dossier"() {
    const { context, page } = await newPage(browser);
    await login(page, base, "officer");
    assert(page.url().endsWith("/desk/agency"), "the officer lands on the agency desk");
    await page.click(`#manifest-open-${J.manifest}`);
    await page.waitForSelector("#manifest-detail:not([hidden])");
    await page.click("#manifest-all-received");
    assertEq(await page.inputValue("#manifest-fees"), "200000", "the fee of the dossier");
    await page.click("#manifest-confirm");
    await until(async () => (await text(page, "#manifests-msg")).includes(J.ref), "the confirmation shown");
    assertEq((await item(J.submission)).state, "AT_AGENCY", "handed over");

    await page.click("#tab-dossiers");
    await page.click(`#dossier-open-${J.submission}`);
    await page.waitForSelector("#dossier-form:not([hidden])");
    J.receipt = AGENCY + "-261127-0042";
    J.appointment = isoDay(10);
    await page.fill("#receipt-number", J.receipt);
    await page.fill("#appointment-date", J.appointment);
    await page.click("#receipt-submit");
    await until(async () => (await text(page, "#dossiers-msg")).includes(J.submission), "the registration shown");
    const it = await item(J.submission);
    assertEq(it.state, "RECEIVED", "registered");
    assertEq([it.progress.receipt_number, it.progress.appointment_date], [J.receipt, J.appointment], "receipt and date");

    await page.click("#tab-results");
    await page.waitForSelector(`#result-ready-${J.dossier}`);
    await page.fill(`#result-fee-${J.dossier}`, "0");
    await page.click(`#result-ready-${J.dossier}`);
    await page.waitForSelector(`#result-label-${J.dossier}`);
    assert((await page.getAttribute(`#result-label-${J.dossier}`, "href")).includes(J.result), "the result's label");
    assert((await item(J.result)).progress.result_ready, "the result is ready");
    await shot(page, "journey-4-agency");
    await context.close();
  },

  async "5. the courier brings the result home: collect, arrive, out, a failed attempt, out again"() {
    const { page } = courier;
    assert(/Đã nhận kết quả/.test(await courierScan("collect", J.result)), "collected");
    await courierScan("arrive", J.result);
    await courierScan("out", J.result);
    await page.check("#act-attempt");
    await page.selectOption("#attempt-reason", "nobody_home");
    await courierScan("attempt", J.result);
    assertEq((await item(J.result)).state, "ATTEMPT_FAILED", "the failed attempt");
    // Out again the same day: only at the applicant's request (the 2-working-day rule).
    await page.check("#act-out");
    await page.check("#out-requested");
    await courierScan("out", J.result);
    assertEq((await item(J.result)).state, "OUT_FOR_DELIVERY", "out again");
  },

  async "6. the courier delivers with a signature drawn on the phone"() {
    const { page } = courier;
    await page.check("#act-deliver");
    await page.fill("#scan", J.result);
    await page.press("#scan", "Enter");
    await page.waitForSelector("#deliver-form:not([hidden])");
    assertEq(await text(page, "#deliver-item"), J.result, "the item to deliver");
    await page.fill("#dl-name", APPLICANT);
    await page.check("#dl-rel-applicant");
    await page.fill("#dl-id", "064090001234");
    await page.locator("#dl-sign").scrollIntoViewIfNeeded();
    const box = await page.locator("#dl-sign").boundingBox();
    // A finger's strokes: pointer moves with the button held, as a touch screen sends them.
    await page.mouse.move(box.x + 20, box.y + box.height * 0.7);
    await page.mouse.down();
    for (let i = 1; i <= 24; i++) {
      await page.mouse.move(box.x + 20 + i * (box.width - 40) / 24, box.y + box.height * (0.5 - 0.3 * Math.sin(i / 2.5)));
    }
    await page.mouse.up();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.8, { steps: 10 });
    await page.mouse.up();
    await shot(page, "journey-6-signature");
    await page.click("#dl-submit");
    const answer = await courierAnswer("ok", J.result);
    assert(/Đã phát/.test(answer), "delivered: " + answer);
    assertEq((await item(J.result)).state, "DELIVERED", "delivered on the server");
    await shot(page, "journey-6-delivered");
    await courier.context.close();
  },

  async "7. the public page shows it delivered, and every chain holds"() {
    const { context, page } = await newPage(browser, { phone: true });
    const res = await page.goto(`${base}/t/${J.result}`);
    assertEq(res.status(), 200, "the public page");
    const body = await page.textContent("body");
    assert(body.includes("Đã phát thành công"), "the public page says delivered");
    assert(!body.includes(APPLICANT) && !body.includes("064090001234"), "no name or ID in clear");
    await shot(page, "journey-7-public");
    await context.close();

    const types = async (tn) => (await api(base, "GET", `/api/v1/items/${tn}/events`, null, "supervisor")).data.events.map((e) => e.type);
    assertEq(await types(J.submission), ["accept", "dispatch", "handover", "agency_receipt"], "the submission's timeline");
    assertEq(await types(J.result), ["accept", "collect", "arrive", "out", "attempt", "out", "deliver"], "the result's timeline");
    const ev = (await api(base, "GET", `/api/v1/items/${J.result}/events`, null, "supervisor")).data.events;
    const d = ev[ev.length - 1];
    assertEq(d.user, "courier", "delivered by the courier");
    assert(d.data.signature_bytes > 500, "a drawn signature was stored: " + JSON.stringify(d.data));
    assertEq(ev[5].data.requested_by_applicant, true, "the second out was at the applicant's request");
    const disp = (await api(base, "GET", `/api/v1/items/${J.submission}/events`, null, "supervisor")).data.events[1];
    assert(disp.device_time, "the offline scan kept the phone's time");
    const pod = await api(base, "GET", `/api/v1/items/${J.result}/pod.pdf`, null, "supervisor");
    assertEq(pod.status, 200, "the proof of delivery");

    const v = hoso(["verify", "--db", daemon.db]);
    assertEq(v.code, 0, "hoso verify: " + v.stdout + v.stderr);
  },
});
