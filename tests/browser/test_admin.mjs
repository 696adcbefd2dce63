// The admin page in a real browser: a user is created (a common password is refused with the
// server's message naming "password"), signs in in a second browser context, is deactivated
// and their next API call is 401; a locked-out user is unlocked; catalogue CSV uploads show
// the bad line or the rows imported; an agency webhook is set (the secret never shown back)
// and removed; a failed notification is sent again; the audit trail lists it all.
import fs from "node:fs";
import path from "node:path";
import {
  startDaemon, launch, newPage, login, api, run, shot, assert, assertEq, until, expectConsole, SOURCE_ROOT,
} from "./lib.mjs";

let daemon, browser, page;
const NEW_USER = "gdv.pleiku2", NEW_PASS = "Pleiku-quay-2-2026";
let newUserId = null;

async function text(sel, p = page) {
  return until(async () => (await p.textContent(sel)).trim(), "text in " + sel);
}
async function textMatching(sel, re, p = page) {
  return until(async () => { const s = (await p.textContent(sel)).trim(); return re.test(s) && s; }, `${sel} to match ${re}`);
}

run({
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
    ({ page } = await newPage(browser));
    // Chromium asks for /favicon.ico on the login page, which has no icon link.
    expectConsole(page, /\/favicon\.ico/);
    await login(page, daemon.base, "admin");
    assert(page.url().endsWith("/desk/admin"), "the admin lands on the admin page: " + page.url());
    await page.waitForSelector("#users-list table");
  },

  async "create a user: field checks, the server's refusal of a common password, then success"() {
    await page.click("#user-create-submit");
    assert(/Tên đăng nhập/.test(await text("#new-username-error")), "the username is required");
    await page.fill("#new-username", "Bad Name");
    assert(/a-z/.test(await text("#new-username-error")), "bad characters named as typed");
    await page.fill("#new-username", NEW_USER);
    await page.fill("#new-full-name", "Phạm Thị Quỳnh Như");
    await page.selectOption("#new-role", "agency");
    assert(await page.isVisible("#new-agency"), "an officer gets an agency list");
    assert(!(await page.isVisible("#new-office")), "and no office code");
    await page.selectOption("#new-role", "clerk");
    assert(await page.isVisible("#new-office"), "a clerk gets an office code");
    await page.fill("#new-office", "600000");
    await page.fill("#new-password", "password123");
    await page.click("#user-create-submit");
    const refusal = await textMatching("#user-create-msg", /password/);
    assert(/^Mật khẩu: mật khẩu này quá phổ biến/.test(refusal) && /\(.*common/.test(refusal),
           "names the password in Vietnamese, with the server's message: " + refusal);
    assert(/password/.test(await text("#new-password-error")), "shown at the field too");
    assertEq(await page.evaluate(() => document.activeElement.id), "new-password", "the focus goes to the field");
    await page.fill("#new-password", NEW_PASS);
    await page.click("#user-create-submit");
    const ok = await textMatching("#user-create-msg", new RegExp(NEW_USER.replace(".", "\\.")));
    assert(/Đã thêm/.test(ok), "created: " + ok);
    await until(async () => (await page.textContent("#users-list")).includes("Phạm Thị Quỳnh Như"), "the new user in the list");
    const list = await api(daemon.base, "GET", "/api/v1/users", null, "admin");
    const u = list.data.users.find((x) => x.username === NEW_USER);
    assert(u && u.role === "clerk" && u.office_code === "600000" && u.active, "stored: " + JSON.stringify(u));
    newUserId = u.id;
    await shot(page, "admin-users-desktop");
  },

  async "the new user signs in elsewhere; deactivated, their next API call is 401"() {
    const { context, page: p2 } = await newPage(browser);
    expectConsole(p2, /\/favicon\.ico/);
    await login(p2, daemon.base, NEW_USER, NEW_PASS);
    assert(p2.url().endsWith("/desk/counter"), "the clerk lands on the counter: " + p2.url());
    const before = await p2.evaluate(async () => (await fetch("/api/v1/me")).status);
    assertEq(before, 200, "signed in");

    await page.click(`#user-edit-${newUserId}`);
    await page.waitForSelector("#user-edit:not([hidden])");
    assertEq(await page.inputValue("#edit-office"), "600000", "the edit form is filled");
    await page.uncheck("#edit-active");
    await page.click("#edit-save");
    assert(/đã khóa/.test(await textMatching("#edit-msg", /Đã lưu/)), "deactivated");
    const after = await p2.evaluate(async () => (await fetch("/api/v1/me")).status);
    assertEq(after, 401, "the deactivated user's session is over");
    const relogin = await api(daemon.base, "POST", "/api/v1/login", { username: NEW_USER, password: NEW_PASS });
    assertEq(relogin.status, 401, "and they cannot sign in again");
    await context.close();
  },

  async "reset a password: too short is named, a good one works"() {
    await page.check("#edit-active");
    await page.click("#edit-save");
    await textMatching("#edit-msg", /Đã lưu/);
    await page.fill("#edit-password", "ngan");
    await page.click("#edit-password-submit");
    assert(/Mật khẩu/.test(await text("#edit-password-error")), "a short password is named");
    await page.fill("#edit-password", "Mat-khau-moi-2026");
    await page.click("#edit-password-submit");
    await textMatching("#edit-msg", /mật khẩu mới/);
    const r = await api(daemon.base, "POST", "/api/v1/login", { username: NEW_USER, password: "Mat-khau-moi-2026" });
    assertEq(r.status, 200, "the new password signs in");
  },

  async "a locked-out user is unlocked"() {
    for (let i = 0; i < 5; i++) await api(daemon.base, "POST", "/api/v1/login", { username: NEW_USER, password: "sai-mat-khau-" + i });
    const locked = await api(daemon.base, "POST", "/api/v1/login", { username: NEW_USER, password: "Mat-khau-moi-2026" });
    assertEq(locked.status, 429, "locked out");
    await page.click("#users-refresh");
    await page.waitForSelector(`#user-unlock-${newUserId}`);
    await page.click(`#user-unlock-${newUserId}`);
    await textMatching("#users-msg", /mở khóa/);
    await page.waitForSelector(`#user-unlock-${newUserId}`, { state: "detached" });
    const r = await api(daemon.base, "POST", "/api/v1/login", { username: NEW_USER, password: "Mat-khau-moi-2026" });
    assertEq(r.status, 200, "signs in again");
  },

  async "catalogue: a bad CSV shows its line, a good one the rows imported"() {
    await page.click("#tab-catalogue");
    await page.click("#catalogue-upload");
    assert(/Tệp CSV/.test(await text("#catalogue-file-error")), "a file is required");
    const good = fs.readFileSync(path.join(SOURCE_ROOT, "data", "demo", "agencies.csv"), "utf8");
    const lines = good.trimEnd().split(/\r?\n/);
    const bad = [lines[0], lines[1], lines[2].replace(/^[^,]+/, "KHONG-PHAI-MA"), lines[3]].join("\n") + "\n";
    await page.selectOption("#catalogue-kind", "agencies");
    await page.setInputFiles("#catalogue-file", { name: "co-quan-loi.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.click("#catalogue-upload");
    const err = await textMatching("#catalogue-msg", /co-quan-loi\.csv:\d+/);
    assert(/co-quan-loi\.csv:3/.test(err), "the message gives the file and line: " + err);
    const mark = await text("#catalogue-bad-line");
    assert(mark.includes("KHONG-PHAI-MA") && /^3\s/.test(mark), "the bad line is marked: " + mark);
    await shot(page, "admin-catalogue-error");
    await page.setInputFiles("#catalogue-file", { name: "agencies.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
    await page.click("#catalogue-upload");
    const ok = await textMatching("#catalogue-msg", /Đã nhập/);
    assert(ok.includes(String(lines.length - 1)), `the rows count (${lines.length - 1}): ` + ok);
    assertEq(await page.$("#catalogue-bad-line"), null, "no bad line is left shown");
  },

  async "webhook: set with a secret (never shown back), then removed"() {
    const code = "000.00.12.H21", id = "000-00-12-H21", secret = "bi-mat-cua-so-tu-phap-2026";
    await page.click("#tab-webhooks");
    await page.click(`#webhook-edit-${id}`);
    await page.waitForSelector("#webhook-form-card:not([hidden])");
    await page.fill("#webhook-url", "motcua.example/hook");
    await page.click("#webhook-save");
    assert(/https/.test(await text("#webhook-url-error")), "a URL without a scheme is named");
    await page.fill("#webhook-url", "https://motcua.example.vn/hooks/hoso");
    await page.fill("#webhook-secret", "ngan");
    await page.click("#webhook-save");
    assert(/16/.test(await text("#webhook-secret-error")), "a short secret is named");
    await page.fill("#webhook-secret", secret);
    await page.click("#webhook-save");
    await textMatching("#webhook-msg", /Đã lưu/);
    await textMatching(`#webhook-state-${id}`, /Đã có khóa/);
    assertEq(await page.inputValue("#webhook-secret"), "", "the secret field is emptied");
    const html = await page.content();
    assert(!html.includes(secret), "the secret is nowhere on the page");
    let a = (await api(daemon.base, "GET", "/api/v1/agencies", null, "admin")).data.agencies.find((x) => x.code === code);
    assertEq(a.webhook && [a.webhook.url, a.webhook.has_secret], ["https://motcua.example.vn/hooks/hoso", true], "stored");
    await shot(page, "admin-webhooks-desktop");
    await page.click("#webhook-remove");
    await textMatching("#webhook-msg", /Đã gỡ/);
    await textMatching(`#webhook-state-${id}`, /Chưa đặt/);
    a = (await api(daemon.base, "GET", "/api/v1/agencies", null, "admin")).data.agencies.find((x) => x.code === code);
    assertEq(a.webhook, null, "removed");
  },

  async "failed notifications are retried; the audit trail lists the admin's work"() {
    // A handover confirmed sends the applicant an SMS; the demo has no SMS gateway, so it fails.
    const d = await api(daemon.base, "POST", "/api/v1/dossiers", {
      procedure_code: "2.000488", service: "send",
      applicant: { name: "Nguyễn Văn Anh", phone: "0905123456", id_number: "064090001234", address: "12 Trần Hưng Đạo, Pleiku" },
      documents: [
        { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
        { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
      fee_vnd: 0 }, "clerk");
    assertEq(d.status, 201, "dossier: " + JSON.stringify(d.data));
    const tn = d.data.items[0].tracking_number;
    const m = await api(daemon.base, "POST", "/api/v1/manifests", { agency_code: "000.00.12.H21", items: [tn] }, "courier");
    const c = await api(daemon.base, "POST", `/api/v1/manifests/${m.data.id}/confirm`, { received: "all", fees_received_vnd: 0 }, "officer");
    assertEq(c.status, 200, "confirmed: " + JSON.stringify(c.data));
    const failed = await until(async () => {
      const r = await api(daemon.base, "GET", "/api/v1/outbox?state=failed", null, "admin");
      return r.data.outbox.length && r.data.outbox[0];
    }, "a failed notification");
    await page.click("#tab-outbox");
    await page.waitForSelector(`#outbox-retry-${failed.id}`);
    await page.click(`#outbox-retry-${failed.id}`);
    await textMatching("#outbox-msg", new RegExp("#" + failed.id));
    await page.waitForSelector("#audit-list table");
    const audit = await page.textContent("#audit-list");
    for (const action of ["user_add", "user_update", "user_unlock", "catalogue_import"])
      assert(audit.includes(action), "the audit lists " + action);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#audit-list [data-csv]")]);
    const csv = fs.readFileSync(await dl.path(), "utf8");
    assert(csv.startsWith("\ufeff") && csv.includes("user_add"), "the audit CSV");
    await shot(page, "admin-outbox-desktop");
  },

  async "keyboard only: a user is created without the mouse"() {
    await page.click("#tab-users");
    await page.focus("#new-username");
    await page.keyboard.type("kb.user");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Đỗ Văn Bàn Phím");
    await page.keyboard.press("Tab");           // the role select
    await page.keyboard.press("ArrowDown");      // clerk → courier
    assertEq(await page.inputValue("#new-role"), "courier", "the role moves with the arrow key");
    await page.keyboard.press("Tab");           // the office code (the agency list is hidden)
    assertEq(await page.evaluate(() => document.activeElement.id), "new-office", "Tab skips the hidden agency list");
    await page.keyboard.type("600000");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Ban-phim-only-2026");
    await page.keyboard.press("Enter");
    await textMatching("#user-create-msg", /kb\.user/);
  },

  async "phone: fits 360 px in English, every input labelled"() {
    const { page: p } = await newPage(browser, { phone: true, lang: "en", viewport: { width: 360, height: 800 } });
    expectConsole(p, /\/favicon\.ico/);
    await login(p, daemon.base, "admin");
    await p.waitForSelector("#users-list table");
    assertEq((await p.textContent("#tab-catalogue")).trim(), "Catalogue", "English tab");
    for (const tab of ["users", "catalogue", "webhooks", "outbox"]) {
      await p.click("#tab-" + tab);
      await p.waitForTimeout(300);
      const w = await p.evaluate(() => document.documentElement.scrollWidth);
      assert(w <= 360, `no horizontal overflow on ${tab}: ${w}`);
      await shot(p, "admin-phone-" + tab);
    }
    const unlabelled = await p.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.id));
    assertEq(unlabelled, [], "inputs without a label");
  },
});
