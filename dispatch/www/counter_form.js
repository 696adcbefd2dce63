/* counter_form.js — the pieces of the counter page that check what the clerk types: the
 * field rules (the same ones tracking/valid.c applies, so a refusal is rare and only ever a
 * second opinion), the procedure search and the document checklist. counter.js puts them
 * together. Everything here writes text with textContent (Desk.el). */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el;

  /* ---------------------------------------------------------------- field rules
   * Each check answers {ok, value} or {ok: false, partial, msg}: partial means "not wrong
   * yet, only unfinished", which is shown once the clerk leaves the field, not while typing. */

  function phone(raw, label) {
    label = label || t("Số điện thoại", "Phone");
    var s = String(raw || "").trim();
    if (!s) return { ok: false, partial: true, msg: label + t(": bắt buộc nhập.", ": required.") };
    if (!/^\+?[0-9 .\-()]+$/.test(s))
      return { ok: false, msg: label + t(" chỉ gồm chữ số (được dùng dấu cách, dấu chấm, +84).",
                                         " takes digits only (spaces, dots and +84 are fine).") };
    var plus = s.charAt(0) === "+";
    var d = s.replace(/[^0-9]/g, "");
    /* +84 / 84… is the international form of a 0… number (as the server reads it). */
    if (plus || (d.length >= 11 && d.slice(0, 2) === "84" && d.charAt(2) !== "0")) {
      if (d.slice(0, 2) !== "84")
        return { ok: false, partial: plus && d.length < 2,
                 msg: label + t(": số quốc tế phải là +84.", ": an international number must be +84.") };
      d = "0" + d.slice(2);
    }
    var bad = label + t(" không hợp lệ: di động 10 số bắt đầu 03, 05, 07, 08, 09; cố định 11 số bắt đầu 02.",
                        " is not valid: a mobile has 10 digits starting 03, 05, 07, 08, 09; a landline 11 digits starting 02.");
    if (d.charAt(0) !== "0") return { ok: false, msg: bad };
    if (d.length >= 2 && "235789".indexOf(d.charAt(1)) < 0) return { ok: false, msg: bad };
    var mobile = d.length === 10 && "35789".indexOf(d.charAt(1)) >= 0;
    var landline = d.length === 11 && d.charAt(1) === "2";
    if (mobile || landline) return { ok: true, value: d };
    var room = d.charAt(1) === "2" ? 11 : 10;
    return { ok: false, partial: d.length < room, msg: d.length < room
      ? label + t(": còn thiếu chữ số (", ": digits missing (") + d.length + "/" + room + ")."
      : bad };
  }

  function cccd(raw) {
    var label = t("Số CCCD", "Citizen ID");
    var s = String(raw || "").replace(/\s+/g, "");
    if (!s) return { ok: false, partial: true, msg: label + t(": bắt buộc nhập.", ": required.") };
    if (!/^\d+$/.test(s)) return { ok: false, msg: label + t(" chỉ gồm 12 chữ số.", " is 12 digits only.") };
    if (s.length >= 3) {
      var p = +s.slice(0, 3);
      if (p < 1 || p > 96)
        return { ok: false, msg: label + t(": 3 số đầu là mã tỉnh từ 001 đến 096, không phải ",
                                           ": the first 3 digits are a province code 001 to 096, not ") + s.slice(0, 3) + "." };
    }
    if (s.length < 12) return { ok: false, partial: true,
      msg: label + t(": còn thiếu chữ số (", ": digits missing (") + s.length + "/12)." };
    if (s.length > 12) return { ok: false, msg: label + t(" có đúng 12 chữ số, không phải ", " has exactly 12 digits, not ") + s.length + "." };
    return { ok: true, value: s };
  }

  function taxCode(raw) {
    var label = t("Mã số thuế", "Tax code");
    var s = String(raw || "").replace(/\s+/g, "");
    if (!s) return { ok: false, partial: true, msg: label + t(": bắt buộc nhập.", ": required.") };
    if (/^\d{10}(-\d{3})?$/.test(s)) return { ok: true, value: s };
    var unfinished = /^\d{0,9}$/.test(s) || /^\d{10}-\d{0,2}$/.test(s);
    return { ok: false, partial: unfinished,
             msg: label + t(" gồm 10 chữ số, hoặc 10 số - 3 số cho chi nhánh (vd. 0101234567-001).",
                            " is 10 digits, or 10-3 digits for a branch (e.g. 0101234567-001).") };
  }

  function text(raw, label, max, optional) {
    var s = String(raw || "").trim();
    if (!s) return optional ? { ok: true, value: "" }
                            : { ok: false, partial: true, msg: label + t(": bắt buộc nhập.", ": required.") };
    if (s.length > max) return { ok: false, msg: label + t(": tối đa ", ": at most ") + max + t(" ký tự.", " characters.") };
    return { ok: true, value: s };
  }

  function email(raw) {
    var s = String(raw || "").trim();
    if (!s) return { ok: true, value: "" };
    if (/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/.test(s) && s.length <= 120) return { ok: true, value: s };
    return { ok: false, partial: s.indexOf("@") < 0 || /\.$|@[^.]*$/.test(s),
             msg: t("Email không hợp lệ (vd. ten@vidu.vn).", "Email is not valid (e.g. name@example.vn).") };
  }

  /* Whole dong: "28000", "28.000" or "28 000" (the dot is Vietnam's thousands separator). */
  function money(raw, label) {
    var s = String(raw || "").trim();
    if (!s) return { ok: false, partial: true, msg: label + t(": bắt buộc nhập (0 nếu không thu).", ": required (0 when nothing is charged).") };
    if (!/^\d{1,3}([. ]\d{3})*$|^\d+$/.test(s))
      return { ok: false, msg: label + t(" là số đồng nguyên, vd. 28000 hoặc 28.000.", " is whole dong, e.g. 28000 or 28.000.") };
    var v = +s.replace(/[. ]/g, "");
    if (v > 1000000000) return { ok: false, msg: label + t(": tối đa 1.000.000.000 đ.", ": at most 1,000,000,000 dong.") };
    return { ok: true, value: v };
  }

  /* ---------------------------------------------------------------- showing errors */

  function errBox(input) { return document.getElementById(input.id + "-err"); }

  function showErr(input, msg) {
    var box = errBox(input);
    if (msg) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    if (box) box.textContent = msg || "";
  }

  /* Wires a field to its rule: while typing only definite mistakes show; leaving the field
   * shows an unfinished value too. check() is re-read each time (the ID rule changes with
   * the applicant's kind). Returns the function that checks it for good (on submit). */
  function live(input, check) {
    var touched = false;
    function run(final) {
      var r = check(input.value);
      showErr(input, r.ok || (r.partial && !final && !touched) ? "" : r.msg);
      return r;
    }
    input.addEventListener("input", function () { run(false); });
    input.addEventListener("blur", function () { if (input.value.trim()) touched = true; run(false); });
    return {
      check: function () { touched = true; return run(true); },
      reset: function () { touched = false; showErr(input, ""); }
    };
  }

  /* ---------------------------------------------------------------- procedure search */

  /* opts: {input, list, status, onChoose(proc)}. Typing waits 250 ms for a pause (a slow
   * counter link should not carry a request per keystroke); only the newest answer is drawn. */
  function procSearch(opts) {
    /* seq numbers the searches; drawn is the one the list shows. ↓ pressed while a search is
     * still to come (typing faster than the pause) waits for its list instead of focusing a
     * list about to be replaced. */
    var timer = null, seq = 0, drawn = 0, focusFirst = false, found = [];
    var input = opts.input, list = opts.list, status = opts.status;

    function buttons() { return list.querySelectorAll("button.proc-opt"); }

    function draw(q, procs) {
      found = procs;
      D.clear(list);
      procs.forEach(function (p, i) {
        list.appendChild(el("li", null, el("button", {
          type: "button", class: "proc-opt", id: "proc-opt-" + i, "data-code": p.code,
          onclick: function () { choose(i); }
        }, [el("span", { class: "tn" }, p.code), " ", el("span", { class: "proc-opt-name" }, p.name),
            el("span", { class: "proc-opt-meta" }, p.agency_name + " · " + t("lệ phí ", "fee ") +
               D.fmtMoney(p.fee_vnd))])));
      });
      status.textContent = procs.length
        ? procs.length + t(" thủ tục. ", " procedures. ") + t("Phím ↓ để chọn.", "Press ↓ to choose.")
        : t("Không tìm thấy thủ tục nào cho “", "No procedure matches “") + q + "”.";
    }

    function search() {
      timer = null;
      var q = input.value.trim();
      var mine = ++seq;
      if (q.length < 2) {
        drawn = mine; focusFirst = false;
        D.clear(list); found = [];
        status.textContent = q ? t("Gõ ít nhất 2 ký tự.", "Type at least 2 characters.") : "";
        return;
      }
      status.textContent = t("Đang tìm…", "Searching…");
      D.api("GET", "/api/v1/procedures?limit=20&q=" + encodeURIComponent(q)).then(function (res) {
        if (mine !== seq) return;
        drawn = mine;
        if (!res.ok) { focusFirst = false; status.textContent = D.errorText(res); return; }
        draw(q, res.data.procedures || []);
        var b = buttons();
        if (focusFirst && b.length && document.activeElement === input) b[0].focus();
        focusFirst = false;
      }, function () {
        if (mine === seq) status.textContent = t("Không kết nối được máy chủ.", "Cannot reach the server.");
      });
    }

    function choose(i) {
      var p = found[i];
      if (!p) return;
      drawn = ++seq; focusFirst = false;
      D.clear(list); found = [];
      status.textContent = "";
      opts.onChoose(p);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (ev) {
      var b = buttons();
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (timer) { clearTimeout(timer); search(); }
        if (drawn !== seq) focusFirst = true;
        else if (b.length) b[0].focus();
      }
      else if (ev.key === "Enter") {
        ev.preventDefault();
        /* Enter before the pause ends searches now; with results it takes the first. */
        if (timer) { clearTimeout(timer); timer = null; }
        if (found.length && b.length) choose(0); else search();
      } else if (ev.key === "Escape") {
        drawn = ++seq; focusFirst = false;
        input.value = ""; D.clear(list); found = []; status.textContent = "";
      }
    });
    list.addEventListener("keydown", function (ev) {
      var b = Array.prototype.slice.call(buttons());
      var i = b.indexOf(document.activeElement);
      if (i < 0) return;
      var to = ev.key === "ArrowDown" ? i + 1 : ev.key === "ArrowUp" ? i - 1
             : ev.key === "Home" ? 0 : ev.key === "End" ? b.length - 1 : null;
      if (ev.key === "Escape") { ev.preventDefault(); input.focus(); return; }
      if (to === null) return;
      ev.preventDefault();
      if (to < 0) input.focus(); else b[Math.min(to, b.length - 1)].focus();
    });
    return { clear: function () { seq++; input.value = ""; D.clear(list); found = []; status.textContent = ""; } };
  }

  /* ---------------------------------------------------------------- document checklist */

  var FORM_NAMES = { original: ["Bản chính", "Original"], copy: ["Bản sao", "Copy"],
                     any: ["Bản chính hoặc bản sao", "Original or copy"] };
  function formName(f) { var n = FORM_NAMES[f] || [f, f]; return t(n[0], n[1]); }

  /* Draws the procedure's components into box, one row each; onChange runs on every tick. */
  function checklist(box, components, onChange) {
    D.clear(box);
    var rows = components.map(function (c, i) {
      var id = "doc-" + i;
      var check = el("input", { type: "checkbox", id: id + "-check", "data-doc": i });
      var form = el("select", { id: id + "-form", "aria-describedby": id + "-err" }, [
        el("option", { value: "original" }, formName("original")),
        el("option", { value: "copy" }, formName("copy"))]);
      form.value = c.form === "original" ? "original" : "copy";
      var copies = el("input", { id: id + "-copies", type: "number", min: 1, max: 50, value: 1,
                                 inputmode: "numeric", "aria-describedby": id + "-err" });
      var err = el("p", { id: id + "-err", class: "field-error", "aria-live": "polite" });
      var row = el("div", { class: "doc-row" + (c.required ? " required" : "") }, [
        el("label", { class: "doc-check", for: id + "-check" }, [check, el("span", { class: "doc-name" }, c.name),
          el("span", { class: "badges" }, [
            el("span", { class: "badge" + (c.required ? " req" : "") },
               c.required ? t("Bắt buộc", "Required") : t("Không bắt buộc", "Optional")), " ",
            el("span", { class: "badge" }, c.form === "original" ? t("Yêu cầu bản chính", "Original required")
                                                                 : formName(c.form))])]),
        el("div", { class: "doc-opts" }, [
          el("div", null, [el("label", { for: id + "-form" }, t("Hình thức", "Form")), form]),
          el("div", { class: "copies" }, [el("label", { for: id + "-copies" }, t("Số bản", "Copies")), copies])]),
        err]);
      box.appendChild(row);
      function changed() { row.classList.toggle("on", check.checked); check_(i); onChange(); }
      check.addEventListener("change", changed);
      form.addEventListener("change", changed);
      copies.addEventListener("input", changed);
      return { c: c, check: check, form: form, copies: copies, err: err };
    });

    /* The rules the server applies, said early: a copy where the original is required is
     * refused, and copies run 1-50. */
    function check_(i) {
      var r = rows[i], msg = "";
      if (r.check.checked) {
        var n = r.copies.value.trim();
        if (!/^\d+$/.test(n) || +n < 1 || +n > 50)
          msg = t("Số bản của “", "Copies of “") + r.c.name + t("”: từ 1 đến 50.", "”: 1 to 50.");
        else if (r.c.form === "original" && r.form.value !== "original")
          msg = t("Thủ tục yêu cầu bản chính của giấy tờ này; máy chủ sẽ từ chối bản sao.",
                  "The procedure requires the original of this paper; the server will refuse a copy.");
      }
      r.err.textContent = msg;
      if (msg) r.copies.setAttribute("aria-invalid", "true"); else r.copies.removeAttribute("aria-invalid");
      return msg;
    }

    return {
      rows: rows,
      /* The papers to send, with the component index of each (to place a refusal). */
      documents: function () {
        var out = [];
        rows.forEach(function (r, i) {
          if (r.check.checked) out.push({ i: i, doc: { name: r.c.name, form: r.form.value, copies: +r.copies.value } });
        });
        return out;
      },
      missing: function () {
        return rows.filter(function (r) { return r.c.required && !r.check.checked; })
                   .map(function (r) { return r.c.name; });
      },
      /* Blocking mistakes only (copies out of range): the form/original mismatch is the
       * server's to refuse, and the clerk sees the warning. */
      firstBad: function () {
        for (var i = 0; i < rows.length; i++) {
          check_(i);
          var n = rows[i].copies.value.trim();
          if (rows[i].check.checked && (!/^\d+$/.test(n) || +n < 1 || +n > 50)) return rows[i].copies;
        }
        return null;
      },
      tickRequired: function () {
        rows.forEach(function (r, i) { if (r.c.required && !r.check.checked) { r.check.checked = true; r.check.dispatchEvent(new Event("change")); } });
      },
      showErr: function (i, msg) {
        var r = rows[i];
        if (!r) return null;
        r.err.textContent = msg;
        return r.check;
      }
    };
  }

  window.Counter = {
    phone: phone, cccd: cccd, taxCode: taxCode, text: text, email: email, money: money,
    showErr: showErr, live: live, procSearch: procSearch, checklist: checklist, formName: formName
  };
})();
