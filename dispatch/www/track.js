/* track.js — the public tracking page's extras. The page reads without it (the server
 * renders everything public); this script checks a typed tracking number's S10 check digit
 * before asking the server, and adds the phone-digit form (the details in clear) and the
 * complaint form. Every text goes in with textContent: nothing from the server is parsed
 * as HTML. */
(function () {
  "use strict";
  var vi = document.documentElement.lang !== "en";
  function t(v, e) { return vi ? v : e; }

  /* UPU S10: weights 8 6 4 2 3 5 9 7, 11 - (sum mod 11), 10 -> 0, 11 -> 5. */
  var WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7];
  function s10Check(serial) {
    var sum = 0;
    for (var i = 0; i < 8; i++) sum += (serial.charCodeAt(i) - 48) * WEIGHTS[i];
    var c = 11 - (sum % 11);
    return c === 10 ? 0 : c === 11 ? 5 : c;
  }
  var PORTAL = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$/;

  /* "" when the input may be sent to the server, else why not. */
  function checkInput(raw) {
    var s = raw.replace(/\s+/g, "").toUpperCase();
    if (PORTAL.test(s)) return "";
    var m = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/.exec(s);
    if (!m) {
      return t("Số hiệu bưu gửi gồm 13 ký tự: 2 chữ cái, 9 chữ số và VN, ví dụ DH123456785VN.",
               "A tracking number has 13 characters: 2 letters, 9 digits and VN, e.g. DH123456785VN.");
    }
    if (s10Check(m[2]) !== +m[3]) {
      return t("Số kiểm tra không đúng: hãy xem lại từng chữ số trên phiếu gửi.",
               "The check digit does not match: check each digit against your receipt.");
    }
    return "";
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function vnDate(iso) {
    if (!iso) return "";
    var d = iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4);
    return iso.length > 10 ? iso.slice(11, 16) + " " + d : d;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body), credentials: "omit"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        return {status: r.status, body: j};
      });
    });
  }
  function errorText(res) {
    if (res.status === 423) return t("Nhập sai quá nhiều lần: mục này bị khóa 15 phút.",
                                     "Too many wrong tries: this item is locked for 15 minutes.");
    if (res.status === 429) return t("Quá nhiều lượt tra cứu, vui lòng thử lại sau.",
                                     "Too many lookups; please try again later.");
    if (res.status === 403) return t("4 số cuối không khớp với số điện thoại đã đăng ký.",
                                     "The 4 digits do not match the registered phone number.");
    var e = res.body && res.body.error;
    return (e && e.message) || t("Có lỗi, vui lòng thử lại.", "Something went wrong; please retry.");
  }

  function row(dl, label, value) {
    if (!value) return;
    dl.appendChild(el("dt", null, label));
    dl.appendChild(el("dd", null, value));
  }

  function complaintForm(box, tn, digits) {
    var f = el("form", "complaint");
    f.appendChild(el("h2", null, t("Gửi khiếu nại", "File a complaint")));
    var ta = el("textarea");
    ta.required = true; ta.maxLength = 2000; ta.rows = 4; ta.id = "complaint-" + tn;
    var l1 = el("label", null, t("Nội dung", "What went wrong")); l1.htmlFor = ta.id;
    var ph = el("input"); ph.type = "tel"; ph.id = "contact-" + tn; ph.maxLength = 20;
    var l2 = el("label", null, t("Số điện thoại liên hệ (không bắt buộc)", "Contact phone (optional)"));
    l2.htmlFor = ph.id;
    var btn = el("button", null, t("Gửi", "Send")); btn.type = "submit";
    var out = el("p", "result"); out.setAttribute("role", "status");
    [l1, ta, l2, ph, btn, out].forEach(function (x) { f.appendChild(x); });
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {phone_last4: digits, text: ta.value};
      if (ph.value.trim()) body.contact_phone = ph.value.trim();
      btn.disabled = true;
      post("/api/v1/track/" + encodeURIComponent(tn) + "/complaints", body).then(function (res) {
        btn.disabled = false;
        if (res.status === 201) {
          out.textContent = t("Đã nhận khiếu nại số ", "Complaint received, number ") +
            res.body.number + t(". Hạn trả lời: ", ". Answer due by ") + vnDate(res.body.due_date) + ".";
          ta.value = "";
        } else {
          out.textContent = errorText(res);
        }
      });
    });
    box.appendChild(f);
  }

  function showDetails(box, tn, digits, d) {
    var dl = el("dl", "details");
    row(dl, t("Người gửi", "Applicant"), d.applicant && d.applicant.name);
    row(dl, t("Điện thoại", "Phone"), d.applicant && d.applicant.phone);
    row(dl, t("Địa chỉ", "Address"), d.applicant && d.applicant.address);
    row(dl, t("Thủ tục", "Procedure"), d.procedure && d.procedure.name);
    row(dl, t("Mã hồ sơ", "Dossier code"), d.portal_code);
    if (d.receiver) {
      row(dl, t("Người nhận", "Received by"), d.receiver.name + " (" + vnDate(d.receiver.time) + ")");
    }
    (d.complaints || []).forEach(function (c) {
      row(dl, t("Khiếu nại ", "Complaint ") + c.number, c.text);
      row(dl, t("Trả lời", "Answer"), c.answer || t("Đang xử lý, hạn ", "Open, due ") + vnDate(c.due_date));
    });
    box.appendChild(dl);
    complaintForm(box, tn, digits);
  }

  function unlockForm(box) {
    var tn = box.getAttribute("data-tn");
    var f = el("form", "digits");
    var inp = el("input"); inp.id = "digits-" + tn; inp.inputMode = "numeric";
    inp.pattern = "[0-9]{4}"; inp.maxLength = 4; inp.required = true; inp.autocomplete = "off";
    var l = el("label", null, t("4 số cuối điện thoại người gửi", "Last 4 digits of the applicant's phone"));
    l.htmlFor = inp.id;
    var btn = el("button", null, t("Xem chi tiết", "Show details")); btn.type = "submit";
    var out = el("p", "result"); out.setAttribute("role", "status");
    [l, inp, btn, out].forEach(function (x) { f.appendChild(x); });
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!/^\d{4}$/.test(inp.value)) {
        out.textContent = t("Nhập đúng 4 chữ số.", "Enter exactly 4 digits.");
        return;
      }
      btn.disabled = true;
      post("/api/v1/track/" + encodeURIComponent(tn), {phone_last4: inp.value}).then(function (res) {
        btn.disabled = false;
        if (res.status === 200) {
          f.remove();
          showDetails(box, tn, inp.value, res.body);
        } else {
          out.textContent = errorText(res);
        }
      });
    });
    box.appendChild(f);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.search");
    var hint = document.getElementById("q-hint");
    if (form && hint) {
      form.addEventListener("submit", function (ev) {
        var q = document.getElementById("q");
        var why = checkInput(q.value);
        if (why) {
          ev.preventDefault();
          hint.textContent = why;
          q.focus();
        }
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("div.unlock"), unlockForm);
  });
})();
