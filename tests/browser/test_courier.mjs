// The courier's phone page in a real browser (412×915, touch): scans by bare number and by
// the label's QR URL, a wrong check digit refused before anything is sent, an illegal
// transition refused in red with the server's reason, scans queued while offline that
// survive a reload and are each recorded once (even when an answer is lost on the way), a
// failed attempt with its reason, a delivery with a drawn signature, a handover manifest,
// the assigned pickups, and the layout on a 360 px screen.
import {
  startDaemon, launch, newPage, login, api, run, shot, assert, assertEq, until, expectConsole,
} from "./lib.mjs";

const AGENCY = "000.00.12.H21";
let daemon, browser, context, page;
let ids = 0;

function cccd() { ids++; return "0640900" + String(10000 + ids).slice(-5); }

function sendBody(name) {
  return {
    procedure_code: "2.000488", service: "send",
    applicant: { kind: "person", name, phone: "0905 123 456", id_number: cccd(),
                 address: "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku" },
    documents: [
      { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
      { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
    postage_vnd: 28000, fee_vnd: 200000,
  };
}

/** A submission item, ACCEPTED at office 600000: {tn, url}. */
async function submission(name = "Nguyễn Văn Anh") {
  const r = await api(daemon.base, "POST", "/api/v1/dossiers", sendBody(name), "clerk");
  assertEq(r.status, 201, "dossier created: " + JSON.stringify(r.data));
  const it = r.data.items.find((i) => i.role === "submission");
  return { tn: it.tracking_number, url: it.tracking_url };
}

let evn = 0;
async function courierEvent(tn, type, extra = {}) {
  const id = `00000000-0000-4000-8000-${String(++evn).padStart(12, "0")}`;
  const r = await api(daemon.base, "POST", "/api/v1/events", { events: [{ id, item: tn, type, ...extra }] }, "courier");
  assert(r.ok && r.data.results[0].status === "recorded", `${type} ${tn}: ` + JSON.stringify(r.data));
}

/** A result item the courier has out for delivery (fee owed: feeDue). */
async function resultOut(feeDue = 0) {
  const r = await api(daemon.base, "POST", "/api/v1/dossiers", {
    procedure_code: "2.000488", service: "return",
    applicant: { kind: "person", name: "Phạm Thị Hồng Nhung", phone: "0912 345 678", id_number: cccd(),
                 address: "45 Lê Lợi, Pleiku" } }, "clerk");
  assertEq(r.status, 201, "result dossier: " + JSON.stringify(r.data));
  const ready = await api(daemon.base, "POST", `/api/v1/dossiers/${r.data.id}/result`, { fee_due_vnd: feeDue }, "officer");
  assert(ready.ok, "result ready: " + JSON.stringify(ready.data));
  const tn = ready.data.result_tracking_number;
  for (const type of ["collect", "arrive", "out"]) await courierEvent(tn, type);
  return tn;
}

async function item(tn) {
  const r = await api(daemon.base, "GET", "/api/v1/items/" + tn, null, "courier");
  assert(r.ok, "item " + tn);
  return r.data;
}
async function events(tn) {
  const r = await api(daemon.base, "GET", `/api/v1/items/${tn}/events`, null, "courier");
  return r.data.events;
}

/** Waits for the answer box to show kind (ok|warn|err) for tn; returns its text. */
async function answer(kind, tn) {
  return until(async () => {
    const r = await page.evaluate(() => {
      const e = document.getElementById("result");
      return { cls: e.className, item: e.getAttribute("data-item"), text: e.textContent };
    });
    return r.cls === "msg " + kind && (!tn || r.item === tn) ? r.text : null;
  }, `a ${kind} answer for ${tn}`);
}

async function scan(value) {
  await page.fill("#scan", value);
  await page.press("#scan", "Enter");
}

async function focused() { return page.evaluate(() => document.activeElement && document.activeElement.id); }

async function openPage() {
  ({ context, page } = await newPage(browser, { phone: true }));
  expectConsole(page, /\/favicon\.ico/);
  // The offline tests make fetches fail on purpose; Chromium logs each.
  expectConsole(page, /ERR_INTERNET_DISCONNECTED|ERR_FAILED/);
  await login(page, daemon.base, "courier");
  assert(page.url().endsWith("/desk/courier"), "the courier lands on the scan page: " + page.url());
  await page.waitForSelector("header.bar");
}

run({
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
    await openPage();
    assertEq(await focused(), "scan", "the scan field has the focus on load");
    assert(await page.isVisible("#net.online"), "online is shown");
    // No BarcodeDetector in headless Chromium on Linux: the camera button stays hidden.
    const hasDetector = await page.evaluate(() => "BarcodeDetector" in window);
    assertEq(await page.isHidden("#camera"), !hasDetector, "camera button only with BarcodeDetector");
  },

  async "a bare number and a QR URL are recorded, in green, with the new state"() {
    const a = await submission(), b = await submission("Trần Thị Bích Ngọc");
    await scan(a.tn.toLowerCase());
    let text = await answer("ok", a.tn);
    assert(/Đang chuyển đến cơ quan/.test(text), "the new state is named: " + text);
    assertEq(await page.getAttribute("#result", "data-state"), "IN_TRANSIT", "state on the answer");
    assertEq(await page.getAttribute("#result", "data-beep"), "ok", "the ok tone");
    assertEq(await focused(), "scan", "focus back on the scan field");
    await page.tap("#queue-card h2");
    await until(async () => (await focused()) === "scan", "a tap on plain text gives the focus back to the scan field");
    await scan(b.url);
    text = await answer("ok", b.tn);
    assertEq((await item(a.tn)).state, "IN_TRANSIT", "first item dispatched");
    assertEq((await item(b.tn)).state, "IN_TRANSIT", "QR item dispatched");
    await until(async () => (await page.$$(`#recent-list li[data-item="${b.tn}"]`)).length === 1, "recent list");
    assertEq(await page.textContent("#queue-count"), "0", "nothing left waiting");
    await shot(page, "courier-scan-ok");
  },

  async "a wrong check digit is refused on the phone, nothing sent"() {
    const a = await submission();
    const d = +a.tn[10];
    const bad = a.tn.slice(0, 10) + ((d + 1) % 10) + a.tn.slice(11);
    let posted = 0;
    const count = (req) => { if (req.url().includes("/api/v1/events")) posted++; };
    page.on("request", count);
    await scan(bad);
    const text = await answer("err");
    page.off("request", count);
    assert(/sai số kiểm tra/.test(text) && text.includes(bad), "the check digit is named: " + text);
    assert(/sai số kiểm tra/.test(await page.textContent("#scan-err")), "the field's own error");
    assertEq(await page.getAttribute("#scan", "aria-invalid"), "true", "the field is marked invalid");
    assertEq(await page.getAttribute("#result", "data-beep"), "err", "the refusal tone");
    assertEq(posted, 0, "no request was made");
    assertEq(await page.textContent("#queue-count"), "0", "nothing queued");
    await scan("hello");
    assert(/không phải số hiệu/.test(await answer("err")), "garbage is named");
    assertEq(await focused(), "scan", "focus stays on the scan field");
  },

  async "an illegal transition shows the server's reason in red"() {
    const a = await submission();
    await page.tap("label[for=act-arrive]");
    assert(await page.isChecked("#act-arrive"), "arrive chosen by a tap");
    await until(async () => (await focused()) === "scan", "the tap on an action gives the focus back to the scan field");
    await scan(a.tn);
    const text = await answer("err", a.tn);
    assert(/BỊ TỪ CHỐI/.test(text) && /not allowed/.test(text) && /dispatch/.test(text), "the server's reason: " + text);
    assertEq(await page.getAttribute("#result", "data-beep"), "err", "the refusal tone");
    await page.waitForSelector(`#refused-list li[data-item="${a.tn}"]`);
    assert(await page.isVisible("#refused-card"), "refused card shown");
    const why = await page.textContent(`#refused-list li[data-item="${a.tn}"] .why`);
    assert(/not allowed/.test(why) && /Đã tiếp nhận/.test(why), "reason and state kept in the list: " + why);
    await shot(page, "courier-refused");
    await page.click(`#refused-list li[data-item="${a.tn}"] button.dismiss`);
    await until(async () => page.isHidden("#refused-card"), "refused card hidden once dismissed");
    assertEq((await item(a.tn)).state, "ACCEPTED", "the item did not move");
    await page.check("#act-dispatch");
  },

  async "offline scans are queued, survive a reload, and are each recorded once"() {
    const a = await submission(), b = await submission("Lê Hoàng Phúc");
    await page.check("#act-dispatch");
    await context.setOffline(true);
    await until(async () => page.isVisible("#net.offline"), "offline shown");
    await scan(a.tn);
    let text = await answer("warn", a.tn);
    await until(async () => /sẽ tự gửi/.test(await page.textContent("#result")), "queued message");
    assertEq(await page.getAttribute("#result", "data-beep"), "warn", "the queued tone");
    await scan(b.url);
    await until(async () => (await page.textContent("#queue-count")) === "2", "two waiting");
    await until(async () => (await page.$$("#queue-list li[data-item]")).length === 2, "two listed");
    await shot(page, "courier-offline-queue");
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("hoso.courier.queue.courier")));
    assertEq(stored.map((e) => e.ev.item), [a.tn, b.tn], "stored in scan order");
    assert(stored.every((e) => /^[0-9a-f-]{36}$/.test(e.ev.id) && e.ev.device_time), "ids and device times");

    // Back on the network, but the events call still fails: the reload keeps the queue.
    const unreachable = (route) => route.abort("internetdisconnected");
    await page.route("**/api/v1/events", unreachable);
    await context.setOffline(false);
    await page.reload();
    await page.waitForSelector("header.bar");
    await until(async () => (await page.textContent("#queue-count")) === "2", "still two waiting after reload");

    // The server records the batch but its answer is lost: the events stay queued...
    // (The new route is in place before the old one goes: the page retries by itself, and a
    // retry in between would reach the server with nothing in the way.)
    let lost = 0;
    await page.route("**/api/v1/events", async (route) => {
      await route.fetch();
      lost++;
      await route.abort("internetdisconnected");
    });
    await page.unroute("**/api/v1/events", unreachable);
    await page.click("#sync-now");
    await until(() => lost >= 1, "the batch reached the server");
    await until(async () => (await page.textContent("#queue-count")) === "2", "still queued after the lost answer");
    assertEq((await item(a.tn)).state, "IN_TRANSIT", "the server has it");
    // ...and sending them again is answered "duplicate", nothing written twice.
    await page.unroute("**/api/v1/events");
    // The page may resend by itself first, which empties the queue and disables the button:
    // a click on the element then does nothing rather than waiting for it to be enabled.
    await page.evaluate(() => document.getElementById("sync-now").click());
    await until(async () => (await page.textContent("#queue-count")) === "0", "queue emptied");
    for (const tn of [a.tn, b.tn]) {
      assertEq((await item(tn)).state, "IN_TRANSIT", tn + " dispatched");
      const ev = (await events(tn)).filter((e) => e.type === "dispatch");
      assertEq(ev.length, 1, tn + " has exactly one dispatch event");
      assert(ev[0].device_time, "device time recorded");
      assert(stored.some((s) => s.ev.id === ev[0].id), "the event id is the phone's");
      // Time-ordered (version 7): made before it was sent, its 48-bit time says when.
      assert(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(ev[0].id),
             "a version 7 id: " + ev[0].id);
      const made = parseInt(ev[0].id.slice(0, 8) + ev[0].id.slice(9, 13), 16);
      assert(made <= Date.now() && made > Date.now() - 10 * 60 * 1000, "its time is when it was made");
    }
    const dup = await page.textContent(`#recent-list li[data-item="${a.tn}"]`);
    assert(/đã nhận trước đó/.test(dup), "the duplicate answer is shown: " + dup);
    assertEq(await page.evaluate(() => JSON.parse(localStorage.getItem("hoso.courier.queue.courier")).length), 0,
             "storage emptied");
    await shot(page, "courier-synced");
  },

  async "a failed attempt needs its reason (and a note for 'other')"() {
    const tn = await resultOut();
    await page.check("#act-attempt");
    assert(await page.isVisible("#attempt-opts"), "reason shown");
    await page.selectOption("#attempt-reason", "other");
    await scan(tn);
    await until(async () => /Ghi chú: bắt buộc/.test(await page.textContent("#attempt-note-err")), "note required");
    assertEq(await focused(), "attempt-note", "focus on the note");
    assertEq(await page.inputValue("#scan"), tn, "the number is kept");
    await page.fill("#attempt-note", "Cổng khóa, có chó dữ");
    await page.press("#attempt-note", "Enter");
    const text = await answer("ok", tn);
    assert(/Phát không thành công/.test(text), "state named: " + text);
    const last = (await events(tn)).pop();
    assertEq([last.type, last.data.reason], ["attempt", "other"], "attempt with its reason");
    const tn2 = await resultOut();
    await page.selectOption("#attempt-reason", "nobody_home");
    await scan(tn2);
    await answer("ok", tn2);
    assertEq((await events(tn2)).pop().data.reason, "nobody_home", "nobody home recorded");
    await shot(page, "courier-attempt");
  },

  async "a delivery takes the receiver's details and a drawn signature"() {
    const tn = await resultOut(50000);
    await page.check("#act-deliver");
    await scan(tn);
    await page.waitForSelector("#deliver-form:not([hidden])");
    assertEq(await page.textContent("#deliver-item"), tn, "the item is shown");
    await until(async () => (await page.inputValue("#dl-fee")) === "50000", "the fee owed is filled in");
    assertEq(await focused(), "dl-name", "focus on the receiver's name");
    // Nothing filled: each field says what is wrong.
    await page.click("#dl-submit");
    await answer("err", tn);
    assert(/Họ tên người nhận/.test(await page.textContent("#dl-name-err")), "name required");
    assert(/CCCD/.test(await page.textContent("#dl-id-err")), "CCCD required");
    assert(/Chữ ký/.test(await page.textContent("#dl-sign-err")), "signature required");
    await page.fill("#dl-name", "Phạm Thị Hồng Nhung");
    await page.fill("#dl-id", "999012345678");
    assert(/mã tỉnh/.test(await page.textContent("#dl-id-err")), "bad province code flagged as typed");
    await page.fill("#dl-id", "064090001234");
    assertEq(await page.textContent("#dl-id-err"), "", "good CCCD clears the error");
    await page.check("#dl-rel-proxy");
    assert(await page.isVisible("#dl-auth"), "authorisation shown for a proxy");
    await page.click("#dl-submit");
    assert(/ủy quyền/.test(await page.textContent("#dl-auth-err")), "authorisation required for a proxy");
    await page.fill("#dl-auth", "GUQ-15/2026");
    await page.fill("#dl-papers", "Giấy hẹn trả kết quả");
    await page.locator("#dl-sign").scrollIntoViewIfNeeded();
    const box = await page.locator("#dl-sign").boundingBox();
    await page.mouse.move(box.x + 30, box.y + 120);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 30 + i * 12, box.y + 120 - Math.sin(i / 3) * 60);
    await page.mouse.up();
    await page.mouse.move(box.x + 60, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 200, box.y + 150, { steps: 8 });
    await page.mouse.up();
    await shot(page, "courier-deliver-form");
    await page.click("#dl-submit");
    const text = await answer("ok", tn);
    assert(/Đã phát/.test(text), "delivered: " + text);
    assert(await page.isHidden("#deliver-form"), "the form is closed");
    assertEq(await focused(), "scan", "focus back on the scan field");
    const last = (await events(tn)).pop();
    assertEq(last.type, "deliver", "deliver event");
    assertEq([last.data.relation, last.data.id_last4, last.data.fee_collected_vnd], ["proxy", "1234", 50000], "details kept");
    assert(last.data.signature_bytes > 500, "a real signature image: " + last.data.signature_bytes);
    const pod = await api(daemon.base, "GET", `/api/v1/items/${tn}/pod.pdf`, null, "courier");
    assertEq(pod.status, 200, "proof of delivery");
    await page.check("#act-dispatch");
  },

  async "a handover manifest is made for the agency, with its record"() {
    const a = await submission(), b = await submission("Võ Minh Tuấn");
    await page.click("#tab-handover");
    assertEq(await focused(), "ho-scan", "focus on the handover scan field");
    await page.fill("#ho-scan", a.tn);
    await page.press("#ho-scan", "Enter");
    await page.fill("#ho-scan", b.url);
    await page.press("#ho-scan", "Enter");
    await page.fill("#ho-scan", a.tn);
    await page.press("#ho-scan", "Enter");
    assert(/đã có trong danh sách/.test(await page.textContent("#ho-scan-err")), "a double scan is caught");
    await until(async () => (await page.inputValue("#ho-agency")) === AGENCY, "the agency found from the items");
    assertEq(await page.textContent("#ho-count"), "2", "two in the list");
    await context.setOffline(true);
    await page.click("#ho-create");
    assert(/cần có mạng/.test(await page.textContent("#ho-msg")), "offline: needs the network");
    await context.setOffline(false);
    await page.click("#ho-create");
    await page.waitForSelector("#ho-result:not([hidden])");
    const ref = await page.textContent("#ho-ref");
    assert(/^BB-\d{4}-\d+$/.test(ref), "manifest ref " + ref);
    const href = await page.getAttribute("#ho-record", "href");
    assert(/^\/api\/v1\/manifests\/\d+\/record\.pdf$/.test(href), "record link " + href);
    const pdf = await page.evaluate(async (h) => { const r = await fetch(h); return [r.status, r.headers.get("content-type")]; }, href);
    assertEq(pdf, [200, "application/pdf"], "the handover record is a PDF");
    const m = await api(daemon.base, "GET", href.replace("/record.pdf", ""), null, "courier");
    assertEq(m.data.items.map((l) => l.tracking_number).sort(), [a.tn, b.tn].sort(), "both on the manifest");
    assertEq(m.data.agency_code, AGENCY, "for the agency");
    assertEq(await page.textContent("#ho-count"), "0", "the list is emptied");
    await shot(page, "courier-handover");
  },

  async "the assigned pickups are listed"() {
    const p = await api(daemon.base, "POST", "/api/v1/pickups", {
      applicant: { name: "Trần Thị Mai", phone: "0912345678" }, address: "45 Lê Lợi, Pleiku",
      procedure_code: "2.000488", window_from: "2026-11-30T08:00", window_to: "2026-11-30T10:00", courier: "courier",
    }, "clerk");
    assertEq(p.status, 201, "pickup: " + JSON.stringify(p.data));
    await page.click("#tab-pickups");
    await page.waitForSelector(`#pickup-${p.data.id}`);
    const text = await page.textContent(`#pickup-${p.data.id}`);
    assert(/Trần Thị Mai/.test(text) && /45 Lê Lợi/.test(text) && /30\/11\/2026 08:00/.test(text), "pickup shown: " + text);
    assertEq(await page.getAttribute(`#pickup-${p.data.id} a`, "href"), "tel:0912345678", "call link");
    await shot(page, "courier-pickups");
    await page.click("#tab-scan");
    assertEq(await focused(), "scan", "back on the scan field");
  },

  async "the camera reads a QR code where the browser has BarcodeDetector"() {
    // Headless Chromium on Linux has no BarcodeDetector nor a camera: stand-ins for both,
    // so the page's own path (feature check, getUserMedia, detect loop, scan) is exercised.
    const cam = await newPage(browser, { phone: true });
    expectConsole(cam.page, /\/favicon\.ico/);
    await cam.context.addInitScript(() => {
      window.__codes = [];
      window.BarcodeDetector = class {
        static getSupportedFormats() { return Promise.resolve(["qr_code", "code_128"]); }
        detect() {
          const c = window.__codes.shift();
          return Promise.resolve(c ? [{ rawValue: c, format: "qr_code" }] : []);
        }
      };
      navigator.mediaDevices.getUserMedia = () => {
        const c = document.createElement("canvas");
        c.width = 64; c.height = 48;
        c.getContext("2d").fillRect(0, 0, 64, 48);
        return Promise.resolve(c.captureStream(5));
      };
    });
    await login(cam.page, daemon.base, "courier");
    await cam.page.waitForSelector("#camera:not([hidden])");
    await cam.page.click("#camera");
    await cam.page.waitForSelector("#camera-box:not([hidden])");
    const a = await submission();
    await cam.page.evaluate((u) => window.__codes.push(u), a.url);
    await until(async () => (await cam.page.getAttribute("#result", "data-state")) === "IN_TRANSIT", "the camera's scan recorded");
    assertEq((await item(a.tn)).state, "IN_TRANSIT", "dispatched through the camera");
    await cam.page.click("#camera-stop");
    assert(await cam.page.isHidden("#camera-box"), "camera closed");
    assertEq(await cam.page.evaluate(() => document.getElementById("camera-video").srcObject), null, "stream released");
    await cam.context.close();
  },

  async "keyboard: the tabs move with the arrow keys and the actions are reachable"() {
    await page.focus("#tab-scan");
    await page.keyboard.press("ArrowRight");
    assertEq(await focused(), "tab-handover", "arrow moves to the next tab");
    assert(await page.isVisible("#panel-handover"), "its panel shown");
    await page.keyboard.press("ArrowLeft");
    assertEq(await focused(), "tab-scan", "and back");
    await page.focus("#act-dispatch");
    await page.keyboard.press("ArrowRight");
    assertEq(await focused(), "act-collect", "arrow keys move through the actions, focus not stolen");
    assert(await page.isChecked("#act-collect"), "collect chosen");
    await page.check("#act-dispatch");
  },

  async "a 360 px phone: no sideways scroll, 48 px targets, English"() {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(daemon.base + "/desk/courier?lang=en");
    await page.waitForSelector("header.bar");
    assertEq((await page.textContent("#tab-scan")).trim(), "Scan", "English tab");
    assertEq((await page.textContent("label[for=scan]")).trim(), "Tracking number (scan or type, then Enter)", "English label");
    const tooSmall = () => page.evaluate(() => Array.from(document.querySelectorAll("main button, main input:not([type=radio]):not([type=checkbox]), main select, label.act, label.big-check"))
      .filter((e) => e.offsetParent !== null)
      .map((e) => [e.id || e.textContent.trim(), Math.round(e.getBoundingClientRect().height)])
      .filter(([, h]) => h < 48));
    const wide = () => page.evaluate(() => document.documentElement.scrollWidth);
    // Every screen: the delivery form open, the handover and the pickups.
    const a = await submission();
    await page.check("#act-deliver");
    await scan(a.tn);
    await page.waitForSelector("#deliver-form:not([hidden])");
    await page.check("#dl-rel-proxy");
    assert(await wide() <= 360, "delivery form: no sideways scroll: " + await wide());
    assertEq(await tooSmall(), [], "delivery form: every visible target is at least 48 px tall");
    await shot(page, "courier-360-deliver");
    await page.click("#dl-cancel");
    await page.check("#act-dispatch");
    for (const tab of ["handover", "pickups"]) {
      await page.click("#tab-" + tab);
      assert(await wide() <= 360, tab + ": no sideways scroll: " + await wide());
      assertEq(await tooSmall(), [], tab + ": every visible target is at least 48 px tall");
    }
    await page.click("#tab-scan");
    assert(await wide() <= 360, "no sideways scroll: " + await wide());
    assertEq(await tooSmall(), [], "every visible target is at least 48 px tall");
    await shot(page, "courier-360-en");
    await page.goto(daemon.base + "/desk/courier?lang=vi");
    await page.waitForSelector("header.bar");
  },
});
