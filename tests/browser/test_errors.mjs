// Refusals in Vietnamese: the pages pick the sentence for the server's error code from
// errors.js (Desk.errorText), name the field in Vietnamese and keep the server's English
// message after it for the specifics. On the courier's phone an illegal scan says in
// Vietnamese why; at the counter a copy handed in where the original is required names the
// paper; in English both pages show the server's own message as before.
import { startDaemon, launch, newPage, login, api, run, assert, assertEq, until, expectConsole } from "./lib.mjs";

const VI_ILLEGAL = "không thể ghi nhận thao tác này ở trạng thái hiện tại của bưu gửi";
const VI_ORIGINAL = "thủ tục yêu cầu nộp bản chính, không nhận bản sao";
let daemon, browser, ids = 0;

/** A submission item, ACCEPTED at the counter: its tracking number. */
async function submission() {
  ids++;
  const r = await api(daemon.base, "POST", "/api/v1/dossiers", {
    procedure_code: "2.000488", service: "send",
    applicant: { kind: "person", name: "Lê Thị Thu Hà", phone: "0905 123 456",
                 id_number: "0640900" + String(20000 + ids), address: "12 Trần Hưng Đạo, Pleiku" },
    documents: [
      { name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)", form: "original" },
      { name: "Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu", form: "copy" }],
    postage_vnd: 28000, fee_vnd: 200000,
  }, "clerk");
  assertEq(r.status, 201, "dossier created: " + JSON.stringify(r.data));
  return r.data.items.find((i) => i.role === "submission").tracking_number;
}

/** Signs the courier in on a phone and scans tn as "arrive", which an ACCEPTED item never
 *  takes; resolves the red answer's text. */
async function illegalScan(lang) {
  const { context, page } = await newPage(browser, { phone: true, lang });
  expectConsole(page, /\/favicon\.ico/);
  await login(page, daemon.base, "courier");
  await page.waitForSelector("header.bar");
  const tn = await submission();
  await page.tap("label[for=act-arrive]");
  await page.fill("#scan", tn);
  await page.press("#scan", "Enter");
  const text = await until(async () => {
    const r = await page.evaluate(() => {
      const e = document.getElementById("result");
      return { cls: e.className, item: e.getAttribute("data-item"), text: e.textContent };
    });
    return r.cls === "msg err" && r.item === tn ? r.text : null;
  }, "the refusal of " + tn);
  const why = await page.textContent(`#refused-list li[data-item="${tn}"] .why`);
  await context.close();
  return { text, why };
}

/** Fills the counter form for procedure 2.000488 with a copy of the first paper, whose
 *  original the procedure requires, and confirms; resolves the form's message. */
async function refusedDossier(lang) {
  const { context, page } = await newPage(browser, { lang });
  await login(page, daemon.base, "clerk");
  if (!page.url().endsWith("/desk/counter")) await page.goto(daemon.base + "/desk/counter");
  await page.waitForSelector("header.bar");
  await page.fill("#proc-q", "ly lich tu phap");
  await page.click('#proc-results button[data-code="2.000488"]');
  await page.click("#docs-all-required");
  await page.selectOption("#doc-0-form", "copy");
  await page.fill("#app-name", "Người Bị Từ Chối");
  await page.fill("#app-phone", "0905 123 456");
  await page.fill("#app-id", "064090001234");
  await page.fill("#app-address", "12 Trần Hưng Đạo, phường Tây Sơn, Pleiku");
  await page.fill("#postage", "28.000");
  await page.click("#review");
  await page.waitForSelector("#confirm-panel:not([hidden])");
  await page.click("#confirm");
  await page.waitForSelector("#accept-form:not([hidden])");
  const msg = await until(async () => (await page.textContent("#form-msg")).trim(), "the refusal");
  await context.close();
  return msg;
}

/** Desk.errorText of error objects, run in a staff page in lang. */
async function errorTexts(lang, errors) {
  const { context, page } = await newPage(browser, { lang });
  await login(page, daemon.base, "clerk");
  await page.waitForSelector("header.bar");
  const out = await page.evaluate((list) => list.map((e) =>
    window.Desk.errorText({ status: 400, data: { error: e } })), errors);
  await context.close();
  return out;
}

run({
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
  },

  async "courier: an illegal scan is refused in Vietnamese, with the server's detail"() {
    const { text, why } = await illegalScan(null);
    assert(/BỊ TỪ CHỐI/.test(text), "refused: " + text);
    assert(text.includes("Thao tác: " + VI_ILLEGAL), "the Vietnamese sentence, after the field's name: " + text);
    assert(/\(item [A-Z]{2}\d{9}[A-Z]{2} is ACCEPTED: event "arrive" is not allowed; allowed: .*dispatch.*\)/.test(text),
           "the server's detail (the allowed actions) in parentheses: " + text);
    assert(why.includes(VI_ILLEGAL), "the refused list says it too: " + why);
  },

  async "courier in English: the server's message as it is"() {
    const { text } = await illegalScan("en");
    assert(/REFUSED/.test(text) && /is not allowed; allowed: .*dispatch/.test(text), "English: " + text);
    assert(!/[ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/.test(text), "no Vietnamese: " + text);
  },

  async "counter: a copy where the original is required names the paper in Vietnamese"() {
    const msg = await refusedDossier(null);
    assert(msg.includes("Giấy tờ thứ 1: " + VI_ORIGINAL), "the paper and the sentence in Vietnamese: " + msg);
    assert(/\(documents\[0\]: the procedure requires the original of "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp/.test(msg),
           "the server's detail names the paper: " + msg);
  },

  async "counter in English: the server's field and message"() {
    const msg = await refusedDossier("en");
    assert(/documents\[0\]: the procedure requires the original of "Tờ khai/.test(msg), "English: " + msg);
    assert(!msg.includes("Giấy tờ thứ") && !msg.includes(VI_ORIGINAL), "no Vietnamese sentence: " + msg);
  },

  async "field names, indexes, acronyms and unknown codes"() {
    const errors = [
      { code: "invalid_phone", field: "applicant.phone", message: "applicant.phone \"012\" is not a Vietnamese phone number" },
      { code: "wrong_type", field: "documents[2]", message: "documents[2] must be an object" },
      { code: "too_long", field: "documents[2].name", message: "documents[2].name is too long" },
      { code: "invalid_tracking_number", field: "items[0]", message: "tracking number is empty" },
      { code: "missing_field", field: "events[1].receipt_number", message: "receipt_number is required" },
      { code: "csrf", field: "X-CSRF-Token", message: "a write with the session cookie needs the X-CSRF-Token header" },
      { code: "invalid_id_number", field: "applicant.id_number", message: "applicant.id_number must be a 12-digit CCCD" },
      { code: "db_busy", message: "database is busy" },
      { code: "weak_password", field: "some.new_field", message: "password must be 10 to 128 bytes" },
      { code: "some_new_code", field: "x", message: "a message the page does not know" },
    ];
    const vi = await errorTexts(null, errors);
    assertEq(vi, [
      "Số điện thoại người nộp: số điện thoại không hợp lệ (applicant.phone \"012\" is not a Vietnamese phone number)",
      "Giấy tờ thứ 3: dữ liệu không đúng kiểu (documents[2] must be an object)",
      "Tên của giấy tờ thứ 3: nội dung quá dài (documents[2].name is too long)",
      "Dòng 1: số hiệu bưu gửi không đúng dạng 2 chữ cái, 9 chữ số, 2 chữ cái (tracking number is empty)",
      "Số giấy tiếp nhận của thao tác thứ 2: chưa nhập thông tin bắt buộc (receipt_number is required)",
      "Mã bảo vệ phiên làm việc: phiên làm việc trên trang đã hết hiệu lực, đề nghị tải lại trang rồi thử lại " +
        "(a write with the session cookie needs the X-CSRF-Token header)",
      "Số CCCD/mã số thuế người nộp: số CCCD hoặc mã số thuế không hợp lệ (applicant.id_number must be a 12-digit CCCD)",
      "Cơ sở dữ liệu đang bận, đề nghị thử lại sau ít phút (database is busy)",
      "some.new_field: độ dài mật khẩu không đạt yêu cầu (password must be 10 to 128 bytes)",
      "x: a message the page does not know",
    ], "Vietnamese texts");
    const en = await errorTexts("en", errors);
    assertEq(en, errors.map((e) => (e.field ? e.field + ": " : "") + e.message), "English stays the server's");
  },
});
