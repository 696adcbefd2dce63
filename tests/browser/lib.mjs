// Browser-test harness: real hoso daemons (port 0, fresh SQLite file, demo data) and Debian's
// headless Chromium driven by playwright-core. Nothing is mocked, and Playwright's own browser
// downloads are never used.
//
// Environment (meson sets the first three):
//   HOSO_BIN          the daemon binary           (default: SOURCE/build/dispatch/hoso)
//   HOSO_SOURCE_ROOT  the source tree             (default: two levels above this file)
//   HOSO_BUILD_ROOT   the meson build root; screenshots go to BUILD/screenshots/
//   HOSO_CHROMIUM     the browser                 (default: /usr/bin/chromium)
//   HOSO_BROWSER_ONLY run only the tests whose name contains this text
//   HOSO_HEADED=1     show the browser (needs a display), for debugging a test
//   HOSO_TEST_DB=postgres  each daemon gets a fresh PostgreSQL database instead of a SQLite
//                     file, in the cluster of HOSO_TEST_PG (a superuser libpq URI; test.sh
//                     starts one) or in one this process starts with scripts/pg-cluster.sh
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Resolved from this directory whatever the caller's cwd: meson runs the tests from the build dir.
const require = createRequire(path.join(HERE, "package.json"));
let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch (e) {
  console.log(`playwright-core is not installed in ${HERE}/node_modules: run \`npm ci\` there ` +
              "(scripts/setup.sh --browser does it)\n" + e.message);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

export const SOURCE_ROOT = process.env.HOSO_SOURCE_ROOT || path.resolve(HERE, "..", "..");
export const BUILD_ROOT = process.env.HOSO_BUILD_ROOT || path.join(SOURCE_ROOT, "build");
export const HOSO_BIN = process.env.HOSO_BIN || path.join(BUILD_ROOT, "dispatch", "hoso");
export const SHOT_DIR = path.join(BUILD_ROOT, "screenshots");

export const DEMO = {
  clerk: "demo-clerk-2026",
  courier: "demo-courier-2026",
  officer: "demo-officer-2026",
  supervisor: "demo-supervisor-2026",
  admin: "demo-admin-2026",
};
export const ROLE_OF = { clerk: "clerk", courier: "courier", officer: "agency", supervisor: "supervisor", admin: "admin" };
export const PAGE_OF = { clerk: "counter", courier: "courier", officer: "agency", supervisor: "supervisor", admin: "admin" };
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 412, height: 915 };

const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

const daemons = new Set();
const browsers = new Set();

// ---------------------------------------------------------------- PostgreSQL (optional)

export const BACKEND = process.env.HOSO_TEST_DB === "postgres" ? "postgres" : "sqlite";
let pgBase = process.env.HOSO_TEST_PG || "";
let pgOwnDir = "";

function psql(uri, sql) {
  const bins = fs.existsSync("/usr/lib/postgresql")
    ? fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(a) - Number(b))
        .map((v) => `/usr/lib/postgresql/${v}/bin/psql`).filter((p) => fs.existsSync(p)) : [];
  const r = spawnSync(bins.pop() || "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql],
                      { encoding: "utf8", timeout: 60000 });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr || r.error}`);
}

/** A new empty PostgreSQL database's URI (the cluster is started on first use if needed). */
function newPgDb() {
  if (!pgBase) {
    pgOwnDir = fs.mkdtempSync(path.join(os.tmpdir(), "hoso-browser-pg-"));
    fs.chmodSync(pgOwnDir, 0o755);   // under root the cluster is the postgres user's
    const r = spawnSync(path.join(SOURCE_ROOT, "scripts", "pg-cluster.sh"),
                        ["start", path.join(pgOwnDir, "c")], { encoding: "utf8", timeout: 120000 });
    if (r.status !== 0) throw new Error("scripts/pg-cluster.sh start failed:\n" + r.stderr);
    pgBase = r.stdout.trim();
    process.on("exit", () => {
      spawnSync(path.join(SOURCE_ROOT, "scripts", "pg-cluster.sh"), ["stop", path.join(pgOwnDir, "c")]);
      fs.rmSync(pgOwnDir, { recursive: true, force: true });
    });
  }
  const name = "hoso_b_" + Math.random().toString(16).slice(2, 14);
  psql(pgBase, `CREATE DATABASE "${name}"`);
  // scheme://user@host/db?params: the database is the path (the host may be empty).
  const m = /^([a-z]+:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(pgBase);
  if (!m) throw new Error("HOSO_TEST_PG is not a libpq URI: " + pgBase);
  return { uri: `${m[1]}/${name}${m[3] || ""}`, name };
}

// ---------------------------------------------------------------- the daemon

/** Starts `hoso serve --demo` on 127.0.0.1:0 with a fresh database; resolves once it prints
 *  its address. stop() sends SIGTERM and throws if the daemon did not exit 0 (under ASan a
 *  leak or a sanitizer report makes it exit non-zero). */
export async function startDaemon({ args = [], demo = true, workdir = null, timeoutMs = 30000 } = {}) {
  workdir = workdir || fs.mkdtempSync(path.join(os.tmpdir(), "hoso-browser-"));
  const pg = BACKEND === "postgres" ? newPgDb() : null;
  const db = pg ? pg.uri : path.join(workdir, "hoso.db");
  const logPath = path.join(workdir, "daemon.log");
  const logFd = fs.openSync(logPath, "a");
  const argv = ["serve", "--db", db, "--listen", "127.0.0.1:0", ...(demo ? ["--demo"] : []), ...args];
  const proc = spawn(HOSO_BIN, argv, { stdio: ["ignore", "pipe", logFd] });
  fs.closeSync(logFd);
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  const log = () => { try { return fs.readFileSync(logPath, "utf8").slice(-4000); } catch { return ""; } };

  const base = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("daemon did not start in time:\n" + log())), timeoutMs);
    proc.stdout.on("data", (chunk) => {
      out += chunk.toString("utf8");
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, "")); }
    });
    proc.on("error", (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited (${code ?? signal}) before listening:\n` + log()));
    });
  });
  proc.stdout.resume();   // keep draining: a full pipe would block the daemon's later prints

  const d = {
    base, workdir, db, proc, log,
    async stop({ keep = false } = {}) {
      if (!daemons.has(d)) return;
      daemons.delete(d);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 20000);
      const { code, signal } = await exited;
      clearTimeout(killer);
      const tail = log();
      if (!keep && !process.env.HOSO_KEEP_WORKDIR) {
        fs.rmSync(workdir, { recursive: true, force: true });
        if (pg) { try { psql(pgBase, `DROP DATABASE IF EXISTS "${pg.name}" WITH (FORCE)`); } catch { /* best effort */ } }
      }
      if (code !== 0) throw new Error(`daemon exited with ${code ?? signal} on SIGTERM:\n${tail}`);
    },
  };
  daemons.add(d);
  return d;
}

/** Runs the hoso binary (e.g. `hoso verify --db ...`); returns {code, stdout, stderr}. */
export function hoso(args, { timeoutMs = 60000 } = {}) {
  const r = spawnSync(HOSO_BIN, args, { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout || "", stderr: r.stderr || "" };
}

// ---------------------------------------------------------------- the browser

export async function launch() {
  const env = { ...process.env };
  // The sanitizer settings are for the daemon; Chromium is not built with them.
  delete env.ASAN_OPTIONS; delete env.UBSAN_OPTIONS; delete env.LSAN_OPTIONS;
  const b = await chromium.launch({
    executablePath: process.env.HOSO_CHROMIUM || "/usr/bin/chromium",
    headless: process.env.HOSO_HEADED !== "1",
    args: process.env.HOSO_HEADED === "1" ? CHROMIUM_FLAGS.slice(1) : CHROMIUM_FLAGS,
    env,
    timeout: 60000,
  });
  browsers.add(b);
  return b;
}

// The problems seen on pages during the current test; run() resets and checks it.
let problems = [];
const allowed = new WeakMap();   // page -> [RegExp]: console errors a test expects

/** Lets a page log console errors matching re without failing the test (e.g. the network
 *  error of a request made while the test has put the browser offline). */
export function expectConsole(page, re) {
  if (!allowed.has(page)) allowed.set(page, []);
  allowed.get(page).push(re);
}

// Pages show API refusals (a 4xx with the server's message) as part of their work, and
// Chromium logs each one as "Failed to load resource"; those are judged by status here
// instead: a 5xx anywhere, or a missing page, script or style, is a failure.
const watched = new WeakSet();
function watch(page) {
  if (watched.has(page)) return;
  watched.add(page);
  const isApi4xx = (url) => /\/api\/v1\//.test(url);
  page.on("pageerror", (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    const url = (msg.location() && msg.location().url) || "";
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text) && isApi4xx(url)) return;
    if (/\/favicon\.ico$/.test(url)) return;   // Chromium asks for it by itself; the pages have none
    for (const re of allowed.get(page) || []) if (re.test(text) || re.test(url)) return;
    problems.push(`console error on ${page.url()}: ${text}${url ? " (" + url + ")" : ""}`);
  });
  page.on("response", (res) => {
    const s = res.status(), url = res.url();
    if (s >= 500) problems.push(`HTTP ${s} for ${res.request().method()} ${url}`);
    else if (s === 404 && /\/(static|desk)\//.test(url)) problems.push(`HTTP 404 for ${url}`);
  });
}

// Every CSP refusal is reported as a console error by Chromium too; this adds the directive
// and the blocked address, which the console text does not always carry.
const CSP_LISTENER = `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + (e.sourceFile || "") + ":" + (e.lineNumber || 0));
});`;

/** A fresh context (its own cookies and storage) and page. phone: a 412×915 touch screen;
 *  lang: "vi" or "en" stored as the page's choice; storageState: a signed-in session saved
 *  with context.storageState() (saves a login through the page). */
export async function newPage(browser, { phone = false, lang = null, viewport = null, storageState = undefined } = {}) {
  const context = await browser.newContext({
    storageState,
    viewport: viewport || (phone ? PHONE : DESKTOP),
    isMobile: !!phone,
    hasTouch: !!phone,
    deviceScaleFactor: 1,
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
    acceptDownloads: true,
  });
  await context.addInitScript(CSP_LISTENER);
  if (lang) await context.addInitScript(`try { localStorage.setItem("hoso.lang", ${JSON.stringify(lang)}); } catch (e) {}`);
  context.on("page", watch);
  const page = await context.newPage();
  watch(page);
  page.setDefaultTimeout(15000);
  // Playwright's own waitForFunction compiles its predicate with eval(), which the pages'
  // CSP refuses (an EvalError and a CSP report): poll with evaluate() instead, which is not
  // subject to the page's policy.
  page.waitForFunction = async (fn, arg, opts = {}) => {
    await until(() => page.evaluate(fn, arg), "page.waitForFunction(" + String(fn).slice(0, 80) + ")",
                opts.timeout || 15000, typeof opts.polling === "number" ? opts.polling : 100);
    return page.evaluateHandle(fn, arg);
  };
  return { context, page };
}

/** Signs in through the login page (with the demo password unless given) and waits to leave it. */
export async function login(page, base, username, password = DEMO[username]) {
  await page.goto(base + "/desk/login");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/desk/login"), { timeout: 15000 }),
    page.click("#submit"),
  ]);
  await page.waitForLoadState("load");
}

/** Saves a full-page PNG to BUILD/screenshots/NAME.png and returns its path. */
export async function shot(page, name) {
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const file = path.join(SHOT_DIR, name.replace(/[^A-Za-z0-9._-]/g, "_") + ".png");
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---------------------------------------------------------------- the API, for setup and checks

const tokens = new Map();

/** A JSON call with a bearer token of the demo user (none when username is null):
 *  resolves {status, ok, data, headers}. */
export async function api(base, method, pathname, body, username = null) {
  const headers = { Accept: "application/json" };
  if (username) {
    const key = base + " " + username;
    if (!tokens.has(key)) {
      const r = await fetch(base + "/api/v1/login", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password: DEMO[username] }),
      });
      const j = await r.json();
      if (r.status !== 200) throw new Error(`api login ${username}: ${r.status} ${JSON.stringify(j)}`);
      tokens.set(key, j.token);
    }
    headers.Authorization = "Bearer " + tokens.get(key);
  }
  const init = { method, headers };
  if (body !== undefined && body !== null) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const r = await fetch(base + pathname, init);
  const txt = await r.text();
  let data = null;
  try { data = txt ? JSON.parse(txt) : null; } catch { data = { raw: txt }; }
  return { status: r.status, ok: r.status >= 200 && r.status < 300, data, headers: r.headers };
}

/** Accepts a dossier of procedure 2.000488 (Sở Tư pháp, agency 000.00.12.H21) through the API,
 *  for tests that need data on the pages; resolves the dossier (throws on a refusal). */
export async function seedDossier(base, { service = "both", name = "Nguyễn Văn Anh", phone = "0905123456", fee = 200000 } = {}) {
  const r = await api(base, "POST", "/api/v1/dossiers", {
    procedure_code: "2.000488", service,
    applicant: { kind: "person", name, phone, id_number: "064090001234",
                 address: "12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku" },
    documents: service === "return" ? undefined : [
      { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
      { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
    postage_vnd: 28000, fee_vnd: fee,
  }, "clerk");
  if (r.status !== 201) throw new Error("seed dossier: " + r.status + " " + JSON.stringify(r.data));
  return r.data;
}

// ---------------------------------------------------------------- checks and the runner

export function assert(cond, message) {
  if (!cond) throw new Error("assertion failed: " + message);
}
export function assertEq(actual, expected, message) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}

/** Polls fn until it returns a truthy value (returned) or the time runs out. */
export async function until(fn, what, timeoutMs = 15000, stepMs = 200) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}` + (last instanceof Error ? ": " + last.message : ""));
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Waits until fn(arg), run in the page, returns a truthy value, and returns it. Use this, not
 *  page.waitForFunction: Playwright evaluates that one's predicate with eval(), which the
 *  pages' CSP (no 'unsafe-eval') refuses, and the refusal would fail the test. */
export async function waitFor(page, fn, arg, what = "a condition on the page", timeoutMs = 15000) {
  return until(() => page.evaluate(fn, arg), what, timeoutMs, 100);
}

/** Runs the tests in order, each failing on a thrown error or on any page error, console
 *  error or CSP violation seen meanwhile; stops what they left running; prints
 *  "N passed, M failed" and exits non-zero on any failure. A test named "setup…" runs even
 *  when HOSO_BROWSER_ONLY (or the first argument) picks other tests by name. */
export async function run(tests) {
  const only = process.env.HOSO_BROWSER_ONLY || process.argv[2] || "";
  let passed = 0, failed = 0;
  for (const [name, fn] of Object.entries(tests)) {
    if (only && !name.includes(only) && !/^setup\b/.test(name)) continue;   // setup always runs
    problems = [];
    const t0 = Date.now();
    let err = null;
    try { await fn(); } catch (e) { err = e; }
    const seen = problems;
    problems = [];
    const ms = Date.now() - t0;
    if (!err && seen.length === 0) {
      passed++;
      console.log(`ok   ${name} (${ms} ms)`);
    } else {
      failed++;
      console.log(`FAIL ${name} (${ms} ms)`);
      if (err) console.log("  " + String(err.stack || err).split("\n").join("\n  "));
      for (const p of seen) console.log("  " + p);
    }
  }
  for (const b of browsers) await b.close().catch(() => {});
  browsers.clear();
  for (const d of [...daemons]) {
    try { await d.stop(); } catch (e) { failed++; console.log("FAIL daemon shutdown\n  " + e.message); }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
