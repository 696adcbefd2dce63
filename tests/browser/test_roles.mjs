// Who may see what, through the browser: every demo role signs in on the login page, lands
// on its own page, and is refused the other roles' pages and API routes from the page's own
// origin (cookie and CSRF header sent, as the pages send them). Also the session cookie's
// HttpOnly flag, the CSRF check, and sign-out.
import {
  startDaemon, launch, newPage, login, api, run, assert, assertEq, expectConsole, waitFor, DEMO, PAGE_OF,
} from "./lib.mjs";

const PAGES = ["counter", "courier", "agency", "supervisor", "admin"];

// Calls from the page with the session cookie and the CSRF token, as Desk.api makes them.
// Each role gets routes of other roles that its role check must refuse.
const FORBIDDEN_CALLS = {
  clerk: [["GET", "/api/v1/audit"], ["POST", "/api/v1/manifests/1/confirm", { received: "all", fees_received_vnd: 0 }],
          ["POST", "/api/v1/outbox/1/retry", {}]],
  courier: [["POST", "/api/v1/dossiers", {}], ["GET", "/api/v1/audit"], ["GET", "/api/v1/items?due=overdue"]],
  officer: [["POST", "/api/v1/manifests", { agency_code: "000.00.12.H21", items: [] }], ["GET", "/api/v1/audit"],
            ["POST", "/api/v1/pickups/1/assign", {}]],
  supervisor: [["POST", "/api/v1/dossiers", {}], ["POST", "/api/v1/events", {}], ["POST", "/api/v1/outbox/1/retry", {}]],
  admin: [["POST", "/api/v1/dossiers", {}], ["POST", "/api/v1/events", {}], ["POST", "/api/v1/complaints/1/answer", { answer: "x" }]],
};

let daemon, browser;

async function pageFetch(page, method, path, body, withCsrf = true) {
  return page.evaluate(async ([method, path, body, withCsrf]) => {
    const headers = { Accept: "application/json" };
    if (withCsrf) headers["X-CSRF-Token"] = window.Desk.session.csrf;
    if (body !== null) headers["Content-Type"] = "application/json";
    const r = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === null ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    return { status: r.status, data };
  }, [method, path, body === undefined ? null : body, withCsrf]);
}

async function waitSession(page) {
  await waitFor(page, () => window.Desk && window.Desk.session && window.Desk.session.csrf, null, "the session");
}

run({
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
  },

  async "login: keyboard only, wrong password shows the error, then signs in"() {
    const { context, page } = await newPage(browser);
    await page.goto(daemon.base + "/desk/login");
    // The page puts the focus on the username: no mouse from here on.
    await waitFor(page, () => document.activeElement && document.activeElement.id === "username", null, "focus on username");
    await page.keyboard.type("clerk");
    await page.keyboard.press("Tab");
    assertEq(await page.evaluate(() => document.activeElement.id), "password", "Tab goes to the password");
    await page.keyboard.type("not-the-password");
    await page.keyboard.press("Enter");
    await waitFor(page, () => document.getElementById("msg").textContent.length > 0, null, "the message");
    const msg = await page.$eval("#msg", (e) => ({ text: e.textContent, cls: e.className, role: e.getAttribute("role") }));
    assertEq(msg.text, "Sai tên đăng nhập hoặc mật khẩu.", "the wrong-password message");
    assert(/\berr\b/.test(msg.cls), "the message is styled as an error: " + msg.cls);
    assertEq(msg.role, "alert", "the message is announced");
    assertEq(await page.evaluate(() => document.activeElement.id), "password", "focus back on the password");
    assertEq(await page.inputValue("#password"), "", "the wrong password is cleared");
    // An empty username is answered on the page, naming the field.
    await page.fill("#username", "");
    await page.keyboard.press("Enter");
    assertEq(await page.textContent("#msg"), "Nhập tên đăng nhập.", "empty username message");
    await page.keyboard.type("clerk");
    await page.keyboard.press("Tab");
    await page.keyboard.type(DEMO.clerk);
    await Promise.all([page.waitForURL("**/desk/counter"), page.keyboard.press("Enter")]);
    await context.close();
  },

  async "login in English shows the English error"() {
    const { context, page } = await newPage(browser);
    await page.goto(daemon.base + "/desk/login?lang=en");
    assertEq(await page.textContent("h1"), "Sign in", "English heading");
    assertEq(await page.getAttribute("html", "lang"), "en", "html lang");
    await page.fill("#username", "courier");
    await page.fill("#password", "wrong-password-1");
    await page.click("#submit");
    await waitFor(page, () => document.getElementById("msg").textContent.length > 0, null, "the message");
    assertEq(await page.textContent("#msg"), "Wrong username or password.", "English wrong-password message");
    await context.close();
  },

  async "each role lands on its page and is refused the others"() {
    for (const user of Object.keys(DEMO)) {
      const { context, page } = await newPage(browser);
      // The browser logs a refused page load as an error; here refusals are the point.
      expectConsole(page, /status of 403/);
      await login(page, daemon.base, user);
      const own = PAGE_OF[user];
      assertEq(new URL(page.url()).pathname, "/desk/" + own, user + " lands on its page");
      const me = await page.evaluate(() => fetch("/api/v1/me").then((r) => r.json()));
      assertEq(me.user.username, user, "the session is " + user);

      const home = await page.goto(daemon.base + "/desk/home");
      assertEq(home.status(), 200, user + " may open home");
      for (const p of PAGES) {
        const res = await page.goto(daemon.base + "/desk/" + p);
        if (p === own) { assertEq(res.status(), 200, `${user} opens ${p}`); continue; }
        assertEq(res.status(), 403, `${user} is refused /desk/${p}`);
        const h1 = await page.textContent("h1");
        assertEq(h1, "Không có quyền truy cập", `${user} on /desk/${p}: the refusal page`);
        assert((await page.textContent("main")).includes(me.user.role), "the refusal names the role");
      }

      await page.goto(daemon.base + "/desk/home");
      await waitSession(page);
      for (const [method, path, body] of FORBIDDEN_CALLS[user]) {
        const r = await pageFetch(page, method, path, body);
        assertEq(r.status, 403, `${user}: ${method} ${path} from the page`);
        assertEq(r.data && r.data.error && r.data.error.code, "forbidden_role", `${user}: ${method} ${path} error code`);
      }
      await context.close();
    }
  },

  async "signed out: pages redirect to login, which returns to the page asked for"() {
    const { context, page } = await newPage(browser);
    for (const p of ["home", ...PAGES]) {
      await page.goto(daemon.base + "/desk/" + p);
      const u = new URL(page.url());
      assertEq(u.pathname + u.search, "/desk/login?next=" + p, `/desk/${p} signed out`);
    }
    const r = await page.evaluate(() => fetch("/api/v1/me").then((x) => x.status));
    assertEq(r, 401, "/api/v1/me signed out");
    // Signing in from login?next=supervisor goes there.
    await page.goto(daemon.base + "/desk/supervisor");
    await page.fill("#username", "supervisor");
    await page.fill("#password", DEMO.supervisor);
    await Promise.all([page.waitForURL("**/desk/supervisor"), page.click("#submit")]);
    // Sign out from the header bar; the pages are closed again.
    await page.waitForSelector("#logout");
    await Promise.all([page.waitForURL("**/desk/login"), page.click("#logout")]);
    await page.goto(daemon.base + "/desk/supervisor");
    assertEq(new URL(page.url()).pathname, "/desk/login", "after sign-out");
    assertEq((await context.cookies()).filter((c) => c.name === "hoso_session" && c.value).length, 0,
             "the cookie is cleared at sign-out");
    await context.close();
  },

  async "the session cookie is HttpOnly and SameSite=Strict"() {
    const { context, page } = await newPage(browser);
    await login(page, daemon.base, "courier");
    const docCookie = await page.evaluate(() => document.cookie);
    assert(!docCookie.includes("hoso_session"), "document.cookie must not show the session: " + docCookie);
    const c = (await context.cookies()).find((x) => x.name === "hoso_session");
    assert(c, "the browser holds the session cookie");
    assertEq(c.httpOnly, true, "HttpOnly");
    assertEq(c.sameSite, "Strict", "SameSite");
    assertEq(c.path, "/", "Path");
    await context.close();
  },

  async "a write without the CSRF header is refused and writes nothing"() {
    const { context, page } = await newPage(browser);
    await login(page, daemon.base, "clerk");
    await waitSession(page);
    const before = await api(daemon.base, "GET", "/api/v1/dossiers?limit=200", null, "supervisor");
    const body = {
      procedure_code: "2.000488", service: "send",
      applicant: { name: "Nguyễn Văn Anh", phone: "0905123456", id_number: "064090001234", address: "12 Trần Hưng Đạo, Pleiku" },
      documents: [],
    };
    const r = await pageFetch(page, "POST", "/api/v1/dossiers", body, false);
    assertEq(r.status, 403, "POST /api/v1/dossiers without X-CSRF-Token");
    assertEq(r.data.error.code, "csrf", "error code");
    assertEq(r.data.error.field, "X-CSRF-Token", "error field");
    const wrong = await page.evaluate(() => fetch("/api/v1/logout", {
      method: "POST", headers: { "X-CSRF-Token": "0123456789abcdef0123456789abcdef" },
    }).then((x) => x.json().then((j) => [x.status, j.error.code])));
    assertEq(wrong, [403, "csrf"], "logout with another session's token");
    const after = await api(daemon.base, "GET", "/api/v1/dossiers?limit=200", null, "supervisor");
    assertEq(after.data.dossiers.length, before.data.dossiers.length, "no dossier was written");
    const me = await page.evaluate(() => fetch("/api/v1/me").then((x) => x.status));
    assertEq(me, 200, "the session survived the refused logout");
    await context.close();
  },

  async "the refusal page and the login page carry the strict CSP"() {
    const { context, page } = await newPage(browser);
    const res = await page.goto(daemon.base + "/desk/login");
    const csp = res.headers()["content-security-policy"] || "";
    assert(csp.includes("script-src 'self'") && csp.includes("style-src 'self'") && !csp.includes("unsafe-inline"),
           "login CSP: " + csp);
    await context.close();
  },
});
