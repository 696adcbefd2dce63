// The courier's page with no network at all (courier-sw.js, courier-offline.js): loaded once
// online, its service worker keeps the page; a reload, or a new tab, with no network opens it
// from the worker in offline mode ("Ngoại tuyến"), scans go to the queue, and when the network
// is back the queue is sent once and the banner goes (also on a link that reaches nothing
// while the phone thinks it is online). /api/ answers are never cached; a
// signed-out session online gets the sign-in page, not the cached one; signing out removes
// the cached page, the remembered courier and the worker.
//
// How the network fails here: context.setOffline() cuts the page off, but Playwright 1.49
// applies it to a service worker's own fetches only behind PW_EXPERIMENTAL_SERVICE_WORKER_
// NETWORK_EVENTS, so the worker would still reach the daemon and a "cached" page might really
// come from the network. The browser therefore talks to the daemon through a small TCP relay
// in this file: "no network" is setOffline(true) (navigator.onLine, the page's fetches) plus a
// relay that drops every connection (the worker's fetches fail as on a dead link). The
// harness api() goes to the daemon directly.
import net from "node:net";
import fs from "node:fs";
import path from "node:path";
import {
  startDaemon, launch, newPage, login, api, run, shot, assert, assertEq, until, waitFor, expectConsole,
  SOURCE_ROOT,
} from "./lib.mjs";

let daemon, browser, context, page, relay, base;
let ids = 0;

/** A TCP relay to the daemon that can be cut: {base, down(), up(), close()}. */
async function startRelay(target) {
  const t = new URL(target);
  const socks = new Set();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) { client.destroy(); return; }
    const upstream = net.connect(+t.port, t.hostname);
    socks.add(client); socks.add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); socks.delete(client); socks.delete(upstream); };
    client.on("error", end); upstream.on("error", end);
    client.on("close", end); upstream.on("close", end);
    client.pipe(upstream); upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    // Kept-alive connections are dropped too: a dead link does not spare them.
    down() { cut = true; for (const s of socks) s.destroy(); socks.clear(); },
    up() { cut = false; },
  };
}

async function networkDown() { relay.down(); await context.setOffline(true); }
async function networkUp() { relay.up(); await context.setOffline(false); }

function cccd() { ids++; return "0640900" + String(20000 + ids).slice(-5); }

/** A submission item ACCEPTED at office 600000 (through the API): its tracking number. */
async function submission(name = "Nguyễn Văn Anh") {
  const r = await api(daemon.base, "POST", "/api/v1/dossiers", {
    procedure_code: "2.000488", service: "send",
    applicant: { kind: "person", name, phone: "0905 123 456", id_number: cccd(),
                 address: "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku" },
    documents: [
      { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
      { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
    postage_vnd: 28000, fee_vnd: 200000,
  }, "clerk");
  assertEq(r.status, 201, "dossier created: " + JSON.stringify(r.data));
  return r.data.items.find((i) => i.role === "submission").tracking_number;
}

async function dispatches(tn) {
  const r = await api(daemon.base, "GET", `/api/v1/items/${tn}/events`, null, "courier");
  assert(r.ok, "events of " + tn);
  return r.data.events.filter((e) => e.type === "dispatch");
}

/** Every cache of the origin: {name: [path, ...]}. */
function cacheContents(p) {
  return p.evaluate(async () => {
    const out = {};
    for (const k of await caches.keys()) {
      const c = await caches.open(k);
      out[k] = (await c.keys()).map((r) => new URL(r.url).pathname + new URL(r.url).search);
    }
    return out;
  });
}

function assertNoApi(contents) {
  for (const [name, paths] of Object.entries(contents))
    for (const p of paths) assert(!p.startsWith("/api/"), `an /api/ answer is cached in ${name}: ${p}`);
}

/** The /static/ files courier.html loads, read from the file as the worker reads it. */
function shellFiles() {
  const html = fs.readFileSync(path.join(SOURCE_ROOT, "dispatch", "www", "desk", "courier.html"), "utf8");
  return [...new Set([...html.matchAll(/\s(?:src|href)="(\/static\/[a-z0-9_-]+\.(?:js|css|svg))"/g)].map((m) => m[1]))];
}

function quiet(p) {
  expectConsole(p, /\/favicon\.ico/);
  // Every call made while the network is down fails, and Chromium logs each one.
  // Which error depends on where the relay cut the connection.
  expectConsole(p, /net::ERR_(INTERNET_DISCONNECTED|CONNECTION_[A-Z]+|EMPTY_RESPONSE|SOCKET_NOT_CONNECTED|FAILED)\b/);
}

async function scan(p, value) {
  await p.fill("#scan", value);
  await p.press("#scan", "Enter");
}

async function workerControls(p) {
  return waitFor(p, async () => {
    const r = await navigator.serviceWorker.getRegistration("/desk/courier");
    return !!(navigator.serviceWorker.controller && r && r.active && r.active.state === "activated" &&
              r.scope.endsWith("/desk/courier"));
  }, null, "the service worker active and controlling the page");
}

let queued = [];

run({
  async setup() {
    daemon = await startDaemon();
    relay = await startRelay(daemon.base);
    base = relay.base;
    browser = await launch();
    ({ context, page } = await newPage(browser, { phone: true }));
    quiet(page);
  },

  async "an online load installs the worker, which keeps the page and its files"() {
    await login(page, base, "courier");
    assert(new URL(page.url()).pathname === "/desk/courier", "the courier lands on the scan page: " + page.url());
    await page.waitForSelector("header.bar");
    await workerControls(page);
    const contents = await cacheContents(page);
    const names = Object.keys(contents).filter((k) => k.startsWith("hoso-courier-"));
    assertEq(names.length, 1, "one shell cache: " + JSON.stringify(Object.keys(contents)));
    const kept = contents[names[0]];
    for (const f of ["/desk/courier", ...shellFiles()]) assert(kept.includes(f), `${f} is kept: ${JSON.stringify(kept)}`);
    for (const f of ["/static/desk.js", "/static/desk.css", "/static/courier.js", "/static/courier.css",
                     "/static/favicon.svg", "/static/courier-queue.js"])
      assert(kept.includes(f), f + " is kept");
    assertNoApi(contents);
    const me = await page.evaluate(() => JSON.parse(localStorage.getItem("hoso.courier.me")));
    assertEq(me, { username: "courier", role: "courier", full_name: "Trần Văn Dũng", office_code: "600000" },
             "the courier remembered for an offline start (and nothing more: no CSRF token)");
    assert(await page.isHidden("#offline-banner"), "no offline banner online");
  },

  async "offline, a reload opens the page from the worker, with the banner, and a scan is queued"() {
    const tn = await submission();
    await networkDown();
    const res = await page.reload();
    assert(res && res.fromServiceWorker() && res.status() === 200, "the page came from the worker");
    await page.waitForSelector("#offline-banner:not([hidden])");
    assert(/Ngoại tuyến/.test(await page.textContent("#offline-banner")), "the banner says Ngoại tuyến");
    assert(/Trần Văn Dũng/.test(await page.textContent("header.bar .who")), "the remembered courier is named");
    assert(await page.isVisible("#net.offline"), "the network line says offline");
    await page.check("#act-dispatch");
    await scan(page, tn);
    await until(async () => /sẽ tự gửi/.test(await page.textContent("#result")), "queued for later");
    await until(async () => (await page.textContent("#queue-count")) === "1", "one waiting");
    assertEq(await page.getAttribute("#queue-list li[data-item]", "data-item"), tn, "the scan is listed");
    queued.push(tn);
    await shot(page, "courier-offline-start");
  },

  async "offline, a new tab of the same phone opens the page too"() {
    const tn = await submission("Lê Hoàng Phúc");
    const p2 = await context.newPage();
    quiet(p2);
    const res = await p2.goto(base + "/desk/courier");
    assert(res && res.fromServiceWorker(), "served by the worker");
    await p2.waitForSelector("#offline-banner:not([hidden])");
    await until(async () => (await p2.textContent("#queue-count")) === "1", "the first tab's scan is shown");
    await p2.check("#act-dispatch");
    await scan(p2, tn);
    await until(async () => (await p2.textContent("#queue-count")) === "2", "two waiting");
    queued.push(tn);
    // One tab left to send: the server would take a second sender too (same event ids,
    // answered "duplicate"), but one makes the check below about the queue, not the race.
    await p2.close();
    await until(async () => (await page.textContent("#queue-count")) === "2", "the first tab sees both");
  },

  async "back online, the queue is sent once and the banner goes"() {
    await networkUp();
    await until(async () => (await page.textContent("#queue-count")) === "0", "queue sent", 30000);
    await page.waitForSelector("#offline-banner", { state: "hidden" });
    assert(await page.isVisible("#net.online"), "online shown");
    for (const tn of queued) {
      const ev = await dispatches(tn);
      assertEq(ev.length, 1, tn + " recorded exactly once");
    }
    assertEq(await page.evaluate(() => JSON.parse(localStorage.getItem("hoso.courier.queue.courier")).length), 0,
             "storage emptied");
    assertEq(await page.evaluate(() => JSON.parse(localStorage.getItem("hoso.courier.refused.courier") || "[]").length), 0,
             "nothing refused (the CSRF token was fetched before sending)");
    // A write needs the fresh CSRF token: an online scan now goes straight through.
    const tn = await submission("Võ Minh Tuấn");
    await scan(page, tn);
    await until(async () => (await page.getAttribute("#result", "class")) === "msg ok", "recorded online");
    assertNoApi(await cacheContents(page));
  },

  async "a link that says online but reaches nothing: started offline, it recovers by itself"() {
    // No "online" event will come (navigator.onLine stays true): the page asks /me again on
    // its own every 15 s.
    relay.down();
    const res = await page.reload();
    assert(res && res.fromServiceWorker(), "served by the worker");
    await page.waitForSelector("#offline-banner:not([hidden])");
    await until(async () => page.isVisible("#net.offline"), "the failed send marks the network offline");
    relay.up();
    await page.waitForSelector("#offline-banner", { state: "hidden", timeout: 30000 });
    await until(async () => page.isVisible("#net.online"), "online again");
    assert(await page.evaluate(() => !!window.Desk.session.csrf), "a CSRF token in hand again");
  },

  async "a signed-out session online gets the sign-in page, not the cached one"() {
    await context.clearCookies();
    await page.reload();
    await page.waitForURL((u) => u.pathname === "/desk/login");
    assert(await page.isVisible("#username"), "the sign-in form");
    await login(page, base, "courier");
    await page.waitForSelector("header.bar");
    await workerControls(page);
  },

  async "signing out removes the cached page, the remembered courier and the worker"() {
    await Promise.all([page.waitForURL((u) => u.pathname === "/desk/login"), page.click("#logout")]);
    const contents = await cacheContents(page);
    assertEq(Object.keys(contents).filter((k) => k.startsWith("hoso-courier-")), [], "no shell cache left");
    assertEq(await page.evaluate(() => localStorage.getItem("hoso.courier.me")), null, "no remembered courier");
    await until(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length === 0),
                "the worker unregistered");
    await networkDown();
    let opened = true;
    try {
      await page.goto(base + "/desk/courier");
      opened = await page.isVisible("#scan-form");
    } catch (e) {
      opened = false;   // the browser's own "no connection" page: what a signed-out phone shows
    }
    assert(!opened, "offline, the courier page no longer opens");
    await networkUp();
    // The next courier to sign in on this phone gets a fresh worker and copy.
    await login(page, base, "courier");
    await page.waitForSelector("header.bar");
    await workerControls(page);
    const again = await cacheContents(page);
    assert(Object.entries(again).some(([k, v]) => k.startsWith("hoso-courier-") && v.includes("/desk/courier")),
           "kept again: " + JSON.stringify(again));
  },
});
