// How fast the staff pages open on a cheap phone on a slow line: headless Chromium with the
// CPU slowed 4x and a 3G-like network (150 ms latency, 1.6 Mbit/s down), against a real
// daemon. For each page: the bytes sent, the time to the load event, and the time until
// its last API answer arrived (the page is usable), cold (empty cache) and warm (revalidated
// with 304s). The public tracking page /t/NUMBER, rendered by the server, is the reference
// measured in the same run.
//   node bench/desk/run.mjs [RUNS=5]      (bench/desk/run.sh sets the environment)
import { startDaemon, launch, newPage, login, seedDossier } from "../../tests/browser/lib.mjs";

const RUNS = Number(process.argv[2] || 5);
const PAGES = [["clerk", "counter"], ["courier", "courier"], ["officer", "agency"],
               ["supervisor", "supervisor"], ["admin", "admin"]];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };

async function measure(page, url, cold) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: cold });
  // The courier page's service worker would answer from its own cache: measure the network.
  await cdp.send("Network.setBypassServiceWorker", { bypass: true });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 150,
    downloadThroughput: 200000, uploadThroughput: 93750 });
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
  await page.goto(url, { waitUntil: "networkidle" });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const last = performance.getEntriesByType("resource").reduce((m, r) => Math.max(m, r.responseEnd), 0);
    return { load: nav.loadEventEnd, ready: Math.max(nav.loadEventEnd, last) };
  });
  await cdp.detach();
  return { ...t, bytes };
}

const daemon = await startDaemon();
const browser = await launch();
try {
  const d = await seedDossier(daemon.base);
  const tn = d.items[0].tracking_number;
  const rows = [];
  const runPage = async (label, user, path) => {
    const { context, page } = await newPage(browser, { phone: true });
    if (user) await login(page, daemon.base, user);
    const res = { cold: [], warm: [] };
    for (let i = 0; i < RUNS; i++) {
      res.cold.push(await measure(page, daemon.base + path, true));
      res.warm.push(await measure(page, daemon.base + path, false));
    }
    await context.close();
    const pick = (k, f) => median(res[k].map((r) => r[f]));
    rows.push({ label, coldBytes: pick("cold", "bytes"), coldLoad: pick("cold", "load"),
                coldReady: pick("cold", "ready"), warmBytes: pick("warm", "bytes"),
                warmReady: pick("warm", "ready") });
  };
  await runPage("/t/NUMBER (reference)", null, "/t/" + tn);
  for (const [user, name] of PAGES) await runPage("/desk/" + name, user, "/desk/" + name);
  const ref = rows[0];
  console.log(`phone 412x915, CPU 4x slower, 150 ms latency, 1.6 Mbit/s; median of ${RUNS} runs`);
  console.log("page                    cold KB  load ms  ready ms  ready/ref   warm KB  warm ready ms");
  for (const r of rows) {
    console.log(r.label.padEnd(22) + (r.coldBytes / 1024).toFixed(1).padStart(9) +
      r.coldLoad.toFixed(0).padStart(9) + r.coldReady.toFixed(0).padStart(10) +
      (r.coldReady / ref.coldReady).toFixed(2).padStart(11) + (r.warmBytes / 1024).toFixed(1).padStart(10) +
      r.warmReady.toFixed(0).padStart(15));
  }
} finally {
  await browser.close();
  await daemon.stop();
}
