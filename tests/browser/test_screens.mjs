// Every staff page as its role, at desktop (1280×800) and phone (412×915) sizes, in
// Vietnamese and English: a screenshot of each (BUILD/screenshots/PAGE-SIZE-LANG.png, and
// PAGE-TAB-phone-vi.png for each tab), and on each screen and tab:
//   - nothing overflows sideways on the phone (only .table-wrap boxes may scroll);
//   - every input, select and textarea has an accessible label;
//   - text keeps 4.5:1 contrast with its background (3:1 when large);
//   - in Vietnamese the rendered text carries Vietnamese letters; in English the page is
//     marked lang="en" and its title is the English one;
//   - on the phone, buttons and fields are at least 44 px tall (touch targets).
import { startDaemon, launch, newPage, login, shot, api, run, assert, seedDossier, waitFor } from "./lib.mjs";

const SCREENS = [
  { page: "login", user: null },
  { page: "home", user: "clerk" },
  { page: "counter", user: "clerk" },
  { page: "courier", user: "courier" },
  { page: "agency", user: "officer" },
  { page: "supervisor", user: "supervisor" },
  { page: "admin", user: "admin" },
];

let daemon, browser;

// Runs in the page: what is wrong with what is on screen now.
function audit({ phone, lang }) {
  const out = { overflow: [], unlabelled: [], contrast: [], small: [], viLetters: "", lang: document.documentElement.lang, title: document.title };
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    const s = getComputedStyle(e);
    return s.visibility !== "hidden" && s.display !== "none";
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "");
  const path = (e) => { const p = []; for (let x = e; x && x !== document.body && p.length < 4; x = x.parentElement) p.unshift(name(x)); return p.join(" > "); };

  if (phone) {
    const de = document.documentElement;
    if (de.scrollWidth > window.innerWidth) out.overflow.push(`page is ${de.scrollWidth}px wide in a ${window.innerWidth}px window`);
    for (const e of document.body.querySelectorAll("*")) {
      if (e.closest(".table-wrap, .sr-only") || !visible(e)) continue;
      if (["INPUT", "TEXTAREA", "SELECT", "CANVAS", "VIDEO", "IMG", "svg"].includes(e.tagName)) continue;
      if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) out.overflow.push(`${path(e)}: content ${e.scrollWidth}px in ${e.clientWidth}px`);
      const r = e.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && getComputedStyle(e).position !== "fixed") out.overflow.push(`${path(e)}: right edge at ${Math.round(r.right)}px`);
    }
  }

  for (const e of document.querySelectorAll("input, select, textarea")) {
    if (e.type === "hidden") continue;
    const byFor = e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`);
    const lab = (byFor && byFor.textContent.trim()) || (e.labels && e.labels.length && e.labels[0].textContent.trim()) ||
      (e.getAttribute("aria-label") || "").trim() ||
      (e.getAttribute("aria-labelledby") || "").split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean)
        .map((x) => x.textContent.trim()).join(" ").trim();
    if (!lab) out.unlabelled.push(path(e) + (e.name ? `[name=${e.name}]` : ""));
  }

  // WCAG 2 contrast of each visible element's own text against the first opaque background
  // behind it (ancestors; a translucent layer is ignored, which is good enough here).
  const rgb = (c) => { const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/.exec(c); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bgOf = (e) => { for (let x = e; x; x = x.parentElement) { const c = rgb(getComputedStyle(x).backgroundColor); if (c && c[3] >= 0.9) return c; } return [255, 255, 255, 1]; };
  const seen = new Set();
  for (const e of document.body.querySelectorAll("*")) {
    if (!visible(e) || e.closest(".sr-only")) continue;
    const own = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own && !["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName)) continue;
    if (e.disabled || e.closest("[disabled]")) continue;   // WCAG exempts inactive controls
    const s = getComputedStyle(e);
    const fg = rgb(s.color); if (!fg) continue;
    const bg = bgOf(e);
    const fgMix = fg[3] < 1 ? fg.map((v, i) => i < 3 ? v * fg[3] + bg[i] * (1 - fg[3]) : 1) : fg;
    const op = parseFloat(s.opacity);
    let l1 = lum(fgMix), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio * (op < 1 ? op : 1) < need - 0.05) {
      const key = path(e);
      if (!seen.has(key)) { seen.add(key); out.contrast.push(`${key} "${(e.textContent || e.value || "").trim().slice(0, 30)}": ${ratio.toFixed(2)}:1 (${s.color} on rgb(${bg.slice(0, 3).join(",")}))`); }
    }
  }

  // A table squeezed narrower than its words (instead of scrolling in its .table-wrap)
  // breaks words inside, down to a letter or two a line: a word whose range takes more than
  // one line box was broken (hyphens and slashes are break points of their own). Machine text
  // in <code> (JSON details, state codes) may break: it is not read word by word.
  for (const c of document.querySelectorAll("td, th")) {
    if (!visible(c)) continue;
    const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest("code")) continue;
      const re = /[^\s\-\/]{2,}/g;
      let m;
      while ((m = re.exec(n.data))) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const tops = new Set(Array.from(r.getClientRects()).filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        if (tops.size > 1) { out.overflow.push(`${path(c)}: the word "${m[0].slice(0, 24)}" is broken over ${tops.size} lines`); break; }
      }
    }
  }

  if (phone) {
    for (const e of document.querySelectorAll("main button, main input, main select, main a.button, header.bar button")) {
      if (!visible(e) || e.type === "checkbox" || e.type === "radio" || e.type === "hidden" || e.closest(".table-wrap")) continue;
      const h = e.getBoundingClientRect().height;
      if (h < 43.5) out.small.push(`${path(e)} is ${Math.round(h)}px tall`);
    }
  }

  const text = document.body.innerText;
  const vi = text.match(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ]/g) || [];
  out.viLetters = Array.from(new Set(vi)).join("");
  return out;
}

async function settle(page) {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.waitForTimeout(150);
}

function judge(where, a, { phone, lang }, problems) {
  for (const o of a.overflow) problems.push(`${where}: overflow: ${o}`);
  for (const u of a.unlabelled) problems.push(`${where}: no label: ${u}`);
  for (const c of a.contrast) problems.push(`${where}: low contrast: ${c}`);
  for (const s of a.small) problems.push(`${where}: small touch target: ${s}`);
  if (lang === "vi" && a.viLetters.length < 3) problems.push(`${where}: the Vietnamese text shows too few Vietnamese letters (${a.viLetters})`);
  if (lang === "vi" && a.lang !== "vi") problems.push(`${where}: html lang is ${a.lang}`);
  if (lang === "en" && a.lang !== "en") problems.push(`${where}: html lang is ${a.lang}, not en`);
}

const sessions = {};   // user -> storage state: one login through the page per role
async function openScreen({ page: name, user }, { phone, lang }) {
  const { context, page } = await newPage(browser, { phone, lang, storageState: user ? sessions[user] : undefined });
  if (user && !sessions[user]) {
    await login(page, daemon.base, user);
    sessions[user] = await context.storageState();
  }
  const res = await page.goto(`${daemon.base}/desk/${name}?lang=${lang}`);
  assert(res.status() === 200, `/desk/${name} as ${user}: HTTP ${res.status()}`);
  if (user) await waitFor(page, () => !!document.querySelector("header.bar"), null, "the header bar");
  await settle(page);
  return { context, page };
}

const tests = {
  async setup() {
    daemon = await startDaemon();
    browser = await launch();
    // Some data, so that lists and tables are not all empty.
    const a = await seedDossier(daemon.base);
    await seedDossier(daemon.base, { name: "Đặng Thị Ánh Tuyết", phone: "0912345678" });
    await seedDossier(daemon.base, { name: "Công ty TNHH Hưng Thịnh Phát Gia Lai", service: "send" });
    const tn = a.items.find((i) => i.role === "submission").tracking_number;
    const m = await api(daemon.base, "POST", "/api/v1/manifests", { agency_code: a.agency_code, items: [tn] }, "courier");
    assert(m.status === 201, "seed manifest: " + JSON.stringify(m.data));
  },
};

for (const screen of SCREENS) {
  tests[`${screen.page}: desktop and phone, Vietnamese and English`] = async () => {
    const problems = [];
    for (const phone of [false, true]) {
      for (const lang of ["vi", "en"]) {
        const size = phone ? "phone" : "desktop";
        const { context, page } = await openScreen(screen, { phone, lang });
        await shot(page, `${screen.page}-${size}-${lang}`);
        judge(`${screen.page} ${size} ${lang}`, await page.evaluate(audit, { phone, lang }), { phone, lang }, problems);
        const title = await page.title();
        if (lang === "en") {
          const en = await page.evaluate(() => { const t = document.querySelector("title[data-en]"); return t && t.getAttribute("data-en"); });
          if (en && title !== en) problems.push(`${screen.page} ${size} en: title "${title}" is not the English one "${en}"`);
        }
        // Each tab's panel, too: hidden panels are where overflow hides.
        const tabs = await page.$$eval(".tabs button, [role=tab]", (bs) => bs.map((b, i) => b.id || `#${i}`));
        for (const tab of tabs) {
          const sel = tab.startsWith("#") ? `:is(.tabs button, [role=tab]) >> nth=${tab.slice(1)}` : `#${tab}`;
          await page.click(sel);
          await settle(page);
          if (phone && lang === "vi") await shot(page, `${screen.page}-${tab.replace(/^#/, "tab")}-phone-vi`);
          judge(`${screen.page} ${size} ${lang} tab ${tab}`, await page.evaluate(audit, { phone, lang }), { phone, lang }, problems);
        }
        await context.close();
      }
    }
    if (problems.length) throw new Error(problems.length + " problems:\n" + problems.join("\n"));
  };
}

run(tests);
