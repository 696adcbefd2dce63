/* admin.js — the administrator's page: user accounts and roles, catalogue imports from CSV,
 * agencies' webhooks, failed notifications and the audit trail. Every rule is the server's
 * (it checks them all again); the page checks as typed what it can say better and sooner.
 *
 * Test hooks:
 *   tabs: #tab-users #tab-catalogue #tab-webhooks #tab-outbox
 *   users: #users-refresh #users-list #users-msg; per user id N: #user-edit-N, #user-unlock-N
 *     (locked users only); edit panel #user-edit #edit-title #edit-full-name #edit-role
 *     #edit-agency #edit-office #edit-active #edit-save #edit-password
 *     #edit-password-error #edit-password-submit #edit-msg #edit-close
 *     new user: #new-username #new-full-name #new-role #new-agency #new-office #new-password
 *     (each with #ID-error) #user-create-submit #user-create-msg
 *   catalogue: #catalogue-kind #catalogue-file #catalogue-upload #catalogue-msg
 *     #catalogue-excerpt (the file's lines around an error, the bad one in a <mark>)
 *   webhooks: #agencies-refresh #agencies-list #agencies-msg; per agency (code with the dots
 *     as dashes, 000-00-12-H21): #webhook-edit-CODE, #webhook-state-CODE; form
 *     #webhook-form-card #webhook-title #webhook-url #webhook-secret #webhook-save
 *     #webhook-remove #webhook-close #webhook-msg (and #webhook-url-error #webhook-secret-error)
 *   notifications: #outbox-refresh #outbox-list #outbox-msg, #outbox-retry-N per failed row;
 *     audit: #audit-refresh #audit-list #audit-more */
(function () {
  "use strict";
  var D = window.Desk, t = D.t, el = D.el, $ = function (id) { return document.getElementById(id); };
  var agencies = [], showTab = null;

  function busy(btn, on) { btn.disabled = on; btn.setAttribute("aria-busy", on ? "true" : "false"); }
  function netErr(box) { D.say(box, "err", t("Không kết nối được máy chủ.", "Cannot reach the server.")); }
  function fieldError(input, text) {
    var box = $(input.id + "-error");
    if (box) box.textContent = text || "";
    if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  }
  function clearErrors(ids) { ids.forEach(function (id) { fieldError($(id), ""); }); }
  /* Shows a refusal in box, and on the input that holds the field the server names. */
  function refuse(box, res, fields) {
    D.say(box, "err", D.errorText(res));
    var f = res.data && res.data.error && res.data.error.field, id = fields[f];
    if (id) { fieldError($(id), D.errorText(res)); $(id).focus(); }
  }
  function idOf(code) { return String(code).replace(/[^A-Za-z0-9_-]/g, "-"); }
  function yesNo(b) { return b ? t("Có", "Yes") : t("Không", "No"); }

  /* ================= users ================= */
  var ROLES = ["clerk", "courier", "agency", "supervisor", "admin"];
  var users = [], editing = null;

  function fillSelects() {
    Array.prototype.forEach.call(document.querySelectorAll(".role-select"), function (s) {
      D.clear(s);
      ROLES.forEach(function (r) { s.appendChild(el("option", { value: r }, D.roleName(r) + " (" + r + ")")); });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".agency-select"), function (s) {
      D.clear(s);
      s.appendChild(el("option", { value: "" }, t("— chọn cơ quan —", "— choose the agency —")));
      agencies.forEach(function (a) { s.appendChild(el("option", { value: a.code }, a.name + " · " + a.code)); });
    });
  }
  /* An officer is bound to an agency, a clerk or courier to a post office; others to none. */
  function showBindings(form, role) {
    form.querySelector(".bind-agency").hidden = role !== "agency";
    form.querySelector(".bind-office").hidden = role !== "clerk" && role !== "courier";
  }
  function bindingBody(role, agencySel, officeInp, body) {
    body.agency_code = role === "agency" ? agencySel.value : null;
    body.office_code = role === "clerk" || role === "courier" ? officeInp.value.trim() : null;
    return body;
  }
  function checkBinding(role, agencySel, officeInp) {
    fieldError(agencySel, role === "agency" && !agencySel.value ? t("Cơ quan: chọn cơ quan của cán bộ.", "Agency: choose the officer's agency.") : "");
    var o = officeInp.value.trim();
    fieldError(officeInp, (role === "clerk" || role === "courier") && !/^\d{6}$/.test(o)
      ? t("Mã bưu cục: 6 chữ số, ví dụ 600000.", "Post office code: 6 digits, e.g. 600000.") : "");
    return !agencySel.getAttribute("aria-invalid") && !officeInp.getAttribute("aria-invalid");
  }
  function passwordMsg(pw) {
    var n = new TextEncoder().encode(pw).length;
    return n < 10 ? t("Mật khẩu: ít nhất 10 ký tự (hiện có " + n + ").", "Password: at least 10 characters (" + n + " now).")
      : n > 256 ? t("Mật khẩu: tối đa 256 byte.", "Password: at most 256 bytes.") : "";
  }

  function loadUsers() {
    D.api("GET", "/api/v1/users").then(function (res) {
      if (!res.ok) { D.say($("users-msg"), "err", D.errorText(res)); return; }
      users = res.data.users || [];
      D.table($("users-list"), [
        { key: "username", vi: "Tên đăng nhập", en: "Username" },
        { key: "full_name", vi: "Họ và tên", en: "Full name" },
        { key: "role", vi: "Vai trò", en: "Role", value: function (u) { return D.roleName(u.role); } },
        { key: "binding", vi: "Đơn vị", en: "Unit", value: function (u) { return u.agency_code || u.office_code || ""; } },
        { key: "active", vi: "Hoạt động", en: "Active", render: function (u) {
          return el("span", { class: "badge" + (u.active ? " ok" : " off") }, u.active ? t("Hoạt động", "Active") : t("Đã khóa", "Deactivated"));
        }, value: function (u) { return yesNo(u.active); } },
        { key: "locked", vi: "Tạm khóa đăng nhập", en: "Sign-in lockout", render: function (u) {
          if (!u.locked) return "";
          return el("span", null, [el("span", { class: "badge late" }, t("Đến ", "Until ") + D.fmtDate(u.locked_until)), " ",
            el("button", { type: "button", class: "secondary", id: "user-unlock-" + u.id,
                           onclick: function (ev) { unlock(u, ev.target); } }, t("Mở khóa", "Unlock"))]);
        }, value: function (u) { return u.locked ? u.locked_until : ""; } },
        { key: "actions", vi: "Thao tác", en: "Actions", render: function (u) {
          return el("button", { type: "button", class: "secondary", id: "user-edit-" + u.id,
                                onclick: function () { openEdit(u); } }, [t("Sửa ", "Edit "), el("span", { class: "sr-only" }, u.username)]);
        }, value: function () { return ""; } }
      ], users, "nguoi-dung.csv");
    }, function () { netErr($("users-msg")); });
  }

  function unlock(u, btn) {
    busy(btn, true);
    D.api("POST", "/api/v1/users/" + u.id + "/unlock", {}).then(function (res) {
      busy(btn, false);
      if (!res.ok) { D.say($("users-msg"), "err", D.errorText(res)); return; }
      D.say($("users-msg"), "ok", t("Đã mở khóa đăng nhập cho " + u.username + ".", u.username + " may sign in again."));
      loadUsers();
    }, function () { busy(btn, false); netErr($("users-msg")); });
  }

  function openEdit(u) {
    editing = u;
    $("edit-title").textContent = t("Sửa người dùng ", "Edit user ") + u.username;
    $("edit-full-name").value = u.full_name || "";
    $("edit-role").value = u.role;
    $("edit-agency").value = u.agency_code || "";
    $("edit-office").value = u.office_code || "";
    $("edit-active").checked = !!u.active;
    $("edit-password").value = "";
    clearErrors(["edit-full-name", "edit-role", "edit-agency", "edit-office", "edit-password"]);
    showBindings($("edit-form"), u.role);
    D.say($("edit-msg"), "ok", "");
    $("user-edit").hidden = false;
    $("edit-title").focus();
  }
  $("edit-role").addEventListener("change", function () { showBindings($("edit-form"), $("edit-role").value); });
  $("edit-close").addEventListener("click", function () { $("user-edit").hidden = true; editing = null; });

  var EDIT_FIELDS = { full_name: "edit-full-name", role: "edit-role", agency_code: "edit-agency",
                      office_code: "edit-office", active: "edit-active", password: "edit-password" };

  function saveUser(body, btn, okText) {
    var u = editing;
    busy(btn, true);
    D.api("POST", "/api/v1/users/" + u.id, body).then(function (res) {
      busy(btn, false);
      if (!res.ok) { refuse($("edit-msg"), res, EDIT_FIELDS); return; }
      editing = res.data.user;
      D.say($("edit-msg"), "ok", okText);
      loadUsers();
    }, function () { busy(btn, false); netErr($("edit-msg")); });
  }

  $("edit-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var role = $("edit-role").value, name = $("edit-full-name").value.trim();
    clearErrors(["edit-full-name", "edit-role"]);
    if (!name) { fieldError($("edit-full-name"), t("Họ và tên: bắt buộc.", "Full name: required.")); $("edit-full-name").focus(); return; }
    if (!checkBinding(role, $("edit-agency"), $("edit-office"))) return;
    var body = bindingBody(role, $("edit-agency"), $("edit-office"), { full_name: name, role: role, active: $("edit-active").checked });
    var u = editing;
    saveUser(body, $("edit-save"), t("Đã lưu " + u.username + (body.active ? "" : " (đã khóa: các phiên đăng nhập đã kết thúc)") + ".",
                                     u.username + " saved" + (body.active ? "" : " (deactivated: their sessions are ended)") + "."));
  });
  $("password-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var pw = $("edit-password").value, m = passwordMsg(pw);
    fieldError($("edit-password"), m);
    if (m) { $("edit-password").focus(); return; }
    saveUser({ password: pw }, $("edit-password-submit"),
             t("Đã đặt mật khẩu mới cho " + editing.username + ". Hãy báo cho người dùng qua kênh an toàn.",
               "New password set for " + editing.username + ". Tell the user through a safe channel."));
    $("edit-password").value = "";
  });
  $("edit-password").addEventListener("input", function () {
    if ($("edit-password").getAttribute("aria-invalid")) fieldError($("edit-password"), passwordMsg($("edit-password").value));
  });

  var NEW_FIELDS = { username: "new-username", full_name: "new-full-name", role: "new-role",
                     agency_code: "new-agency", office_code: "new-office", password: "new-password" };
  var NEW_IDS = Object.keys(NEW_FIELDS).map(function (k) { return NEW_FIELDS[k]; });

  function checkUsername() {
    var v = $("new-username").value;
    fieldError($("new-username"), !v ? t("Tên đăng nhập: bắt buộc.", "Username: required.")
      : !/^[a-z0-9._-]{3,63}$/.test(v) ? t("Tên đăng nhập: 3 đến 63 ký tự a-z, 0-9, '.', '_' hoặc '-' (không dấu, chữ thường).",
                                           "Username: 3 to 63 characters of a-z, 0-9, '.', '_' or '-' (lower case).") : "");
    return !$("new-username").getAttribute("aria-invalid");
  }
  $("new-username").addEventListener("input", function () { if ($("new-username").value) checkUsername(); });
  $("new-role").addEventListener("change", function () { showBindings($("user-create-form"), $("new-role").value); });
  $("new-password").addEventListener("input", function () {
    if ($("new-password").getAttribute("aria-invalid")) fieldError($("new-password"), passwordMsg($("new-password").value));
  });

  $("user-create-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearErrors(NEW_IDS);
    var role = $("new-role").value, name = $("new-full-name").value.trim(), pw = $("new-password").value;
    var ok = checkUsername();
    if (!name) { fieldError($("new-full-name"), t("Họ và tên: bắt buộc.", "Full name: required.")); ok = false; }
    ok = checkBinding(role, $("new-agency"), $("new-office")) && ok;
    var pm = passwordMsg(pw);
    if (pm) { fieldError($("new-password"), pm); ok = false; }
    if (!ok) {
      var first = document.querySelector("#user-create-form [aria-invalid=true]");
      D.say($("user-create-msg"), "err", t("Kiểm tra các ô được đánh dấu.", "Check the marked fields."));
      if (first) first.focus();
      return;
    }
    var body = bindingBody(role, $("new-agency"), $("new-office"),
                           { username: $("new-username").value, password: pw, role: role, full_name: name });
    if (body.agency_code === null) delete body.agency_code;
    if (body.office_code === null) delete body.office_code;
    var btn = $("user-create-submit");
    busy(btn, true);
    D.api("POST", "/api/v1/users", body).then(function (res) {
      busy(btn, false);
      if (!res.ok) { refuse($("user-create-msg"), res, NEW_FIELDS); return; }
      var u = res.data.user;
      D.say($("user-create-msg"), "ok", t("Đã thêm " + u.username + " (" + D.roleName(u.role) + ").",
                                          u.username + " added (" + D.roleName(u.role) + ")."));
      $("user-create-form").reset();
      showBindings($("user-create-form"), $("new-role").value);
      loadUsers();
    }, function () { busy(btn, false); netErr($("user-create-msg")); });
  });
  $("users-refresh").addEventListener("click", loadUsers);

  /* ================= catalogue ================= */
  /* The file's lines around the bad one, so the admin sees what to fix without a viewer. */
  function showExcerpt(text, line) {
    var box = D.clear($("catalogue-excerpt"));
    if (!text || !line) return;
    var lines = text.replace(/^\ufeff/, "").replace(/(\r\n|\n|\r)$/, "").split(/\r\n|\n|\r/), from = Math.max(1, line - 2), to = Math.min(lines.length, line + 2);
    var pre = el("pre", { class: "excerpt", tabindex: "0", "aria-label": t("Trích tệp quanh dòng lỗi", "The file around the bad line") });
    for (var n = from; n <= to; n++) {
      var row = el("span", { class: "ln" }, String(n).padStart(4, " ") + "  ");
      var txt = lines[n - 1].length > 300 ? lines[n - 1].slice(0, 300) + "…" : lines[n - 1];
      pre.appendChild(n === line ? el("mark", { id: "catalogue-bad-line" }, [row, txt]) : el("span", null, [row, txt]));
      pre.appendChild(document.createTextNode("\n"));
    }
    box.appendChild(el("p", { class: "hint" }, t("Dòng " + line + " của tệp:", "Line " + line + " of the file:")));
    box.appendChild(pre);
  }

  $("catalogue-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("catalogue-file"), file = input.files && input.files[0], box = $("catalogue-msg");
    D.clear($("catalogue-excerpt"));
    if (!file) { fieldError(input, t("Tệp CSV: chọn một tệp.", "CSV file: choose a file.")); input.focus(); return; }
    if (file.size > 16 * 1024 * 1024) { fieldError(input, t("Tệp CSV: quá lớn.", "CSV file: too large.")); return; }
    fieldError(input, "");
    var kind = $("catalogue-kind").value, btn = $("catalogue-upload");
    busy(btn, true);
    D.say(box, "warn", t("Đang tải lên " + file.name + "…", "Uploading " + file.name + "…"));
    file.text().then(function (text) {
      return D.api("POST", "/api/v1/catalogue/" + kind + "?name=" + encodeURIComponent(file.name), text,
                   { type: "text/csv; charset=utf-8" }).then(function (res) {
        busy(btn, false);
        if (res.ok) {
          D.say(box, "ok", t("Đã nhập " + res.data.rows + " dòng vào danh mục " + res.data.kind + " từ " + res.data.file + ".",
                             res.data.rows + " rows imported into " + res.data.kind + " from " + res.data.file + "."));
          if (kind === "agencies") { showTab.reload("webhooks"); loadAgencies(); }
          return;
        }
        D.say(box, "err", D.errorText(res));
        var e = res.data && res.data.error;
        if (e && e.line) showExcerpt(text, e.line);
      });
    }).catch(function () { busy(btn, false); netErr(box); });
  });
  $("catalogue-file").addEventListener("change", function () { fieldError($("catalogue-file"), ""); D.say($("catalogue-msg"), "ok", ""); });

  /* ================= agencies and webhooks ================= */
  var hook = null;   /* the agency whose webhook is being edited */

  function loadAgencies() {
    return D.api("GET", "/api/v1/agencies").then(function (res) {
      if (!res.ok) { D.say($("agencies-msg"), "err", D.errorText(res)); return; }
      agencies = res.data.agencies || [];
      fillSelects();
      showBindings($("user-create-form"), $("new-role").value);
      D.table($("agencies-list"), [
        { key: "code", vi: "Mã", en: "Code" },
        { key: "name", vi: "Cơ quan", en: "Agency" },
        { key: "url", vi: "Webhook", en: "Webhook", value: function (a) { return a.webhook ? a.webhook.url : ""; } },
        { key: "has_secret", vi: "Khóa bí mật", en: "Secret", render: function (a) {
          return el("span", { id: "webhook-state-" + idOf(a.code), class: "badge" + (a.webhook && a.webhook.has_secret ? " ok" : "") },
                    !a.webhook ? t("Chưa đặt", "Not set") : a.webhook.has_secret ? t("Đã có khóa", "Has a secret") : t("Chưa có khóa", "No secret"));
        }, value: function (a) { return a.webhook ? yesNo(a.webhook.has_secret) : ""; } },
        { key: "actions", vi: "Thao tác", en: "Actions", render: function (a) {
          return el("button", { type: "button", class: "secondary", id: "webhook-edit-" + idOf(a.code),
                                onclick: function () { openHook(a); } }, [t("Đặt webhook", "Set webhook"), el("span", { class: "sr-only" }, " " + a.code)]);
        }, value: function () { return ""; } }
      ], agencies, "webhook-co-quan.csv");
    }, function () { netErr($("agencies-msg")); });
  }

  function openHook(a) {
    hook = a;
    $("webhook-title").textContent = t("Webhook của ", "Webhook of ") + a.name;
    $("webhook-url").value = a.webhook ? a.webhook.url : "";
    $("webhook-secret").value = "";
    $("webhook-secret-hint").textContent = a.webhook && a.webhook.has_secret
      ? t("Đã có khóa bí mật. Để trống để giữ khóa cũ.", "A secret is stored. Leave empty to keep it.")
      : t("Chưa có khóa bí mật: bắt buộc nhập.", "No secret yet: one is required.");
    $("webhook-remove").hidden = !a.webhook;
    clearErrors(["webhook-url", "webhook-secret"]);
    D.say($("webhook-msg"), "ok", "");
    $("webhook-form-card").hidden = false;
    $("webhook-title").focus();
  }
  function afterHook(res, okText) {
    if (!res.ok) { refuse($("webhook-msg"), res, { url: "webhook-url", secret: "webhook-secret" }); return; }
    hook = res.data.agency;
    D.say($("webhook-msg"), "ok", okText);
    $("webhook-secret").value = "";
    $("webhook-remove").hidden = !hook.webhook;
    loadAgencies();
  }
  $("webhook-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var url = $("webhook-url").value.trim(), secret = $("webhook-secret").value;
    clearErrors(["webhook-url", "webhook-secret"]);
    if (!/^https?:\/\/[^\s\/]+/i.test(url)) {
      fieldError($("webhook-url"), t("Địa chỉ webhook: một URL bắt đầu bằng https://", "Webhook URL: a URL starting with https://"));
      $("webhook-url").focus();
      return;
    }
    var n = new TextEncoder().encode(secret).length;
    if ((secret && (n < 16 || n > 255)) || (!secret && !(hook.webhook && hook.webhook.has_secret))) {
      fieldError($("webhook-secret"), t("Khóa bí mật: 16 đến 255 ký tự.", "Secret: 16 to 255 characters."));
      $("webhook-secret").focus();
      return;
    }
    var body = { url: url };
    if (secret) body.secret = secret;
    var btn = $("webhook-save"), a = hook;
    busy(btn, true);
    D.api("POST", "/api/v1/agencies/" + encodeURIComponent(a.code) + "/webhook", body).then(function (res) {
      busy(btn, false);
      afterHook(res, t("Đã lưu webhook của " + a.name + ".", "Webhook of " + a.name + " saved."));
    }, function () { busy(btn, false); netErr($("webhook-msg")); });
  });
  $("webhook-remove").addEventListener("click", function () {
    var btn = $("webhook-remove"), a = hook;
    busy(btn, true);
    D.api("POST", "/api/v1/agencies/" + encodeURIComponent(a.code) + "/webhook", { url: null }).then(function (res) {
      busy(btn, false);
      afterHook(res, t("Đã gỡ webhook của " + a.name + ".", "Webhook of " + a.name + " removed."));
      if (res.ok) $("webhook-url").value = "";
    }, function () { busy(btn, false); netErr($("webhook-msg")); });
  });
  $("webhook-close").addEventListener("click", function () { $("webhook-form-card").hidden = true; hook = null; });
  $("agencies-refresh").addEventListener("click", loadAgencies);

  /* ================= notifications and audit ================= */
  function loadOutbox() {
    D.api("GET", "/api/v1/outbox?state=failed&limit=200").then(function (res) {
      if (!res.ok) { D.say($("outbox-msg"), "err", D.errorText(res)); return; }
      D.table($("outbox-list"), [
        { key: "id", vi: "Số", en: "No.", num: true },
        { key: "kind", vi: "Kênh", en: "Channel" },
        { key: "target", vi: "Gửi tới", en: "To" },
        { key: "template", vi: "Mẫu", en: "Template" },
        { key: "tracking_number", vi: "Số hiệu", en: "Number", render: function (r) { return el("span", { class: "tn" }, r.tracking_number || ""); },
          value: function (r) { return r.tracking_number; } },
        { key: "attempts", vi: "Lần thử", en: "Tries", num: true },
        { key: "last_error", vi: "Lỗi cuối", en: "Last error" },
        { key: "created_at", vi: "Tạo lúc", en: "Created", value: function (r) { return D.fmtDate(r.created_at); } },
        { key: "retry", vi: "Gửi lại", en: "Retry", render: function (r) {
          return el("button", { type: "button", class: "secondary", id: "outbox-retry-" + r.id,
                                onclick: function (ev) { retry(r, ev.target); } }, [t("Gửi lại", "Retry"), el("span", { class: "sr-only" }, " #" + r.id)]);
        }, value: function () { return ""; } }
      ], res.data.outbox || [], "thong-bao-loi.csv");
    }, function () { netErr($("outbox-msg")); });
  }
  function retry(r, btn) {
    busy(btn, true);
    D.api("POST", "/api/v1/outbox/" + r.id + "/retry", {}).then(function (res) {
      busy(btn, false);
      if (!res.ok) { D.say($("outbox-msg"), "err", D.errorText(res)); return; }
      D.say($("outbox-msg"), "ok", t("Thông báo #" + r.id + " sẽ được gửi lại ngay.", "Notification #" + r.id + " will be sent again now."));
      loadOutbox();
    }, function () { busy(btn, false); netErr($("outbox-msg")); });
  }
  $("outbox-refresh").addEventListener("click", loadOutbox);

  var audit = [], auditNext = null;
  var AUDIT_COLS = [
    { key: "at", vi: "Thời gian", en: "Time", value: function (r) { return D.fmtDate(r.at); } },
    { key: "username", vi: "Người dùng", en: "User", value: function (r) { return r.username || (r.user_id ? "#" + r.user_id : "—"); } },
    { key: "action", vi: "Hành động", en: "Action" },
    { key: "detail", vi: "Chi tiết", en: "Detail", render: function (r) { return el("code", { class: "detail" }, JSON.stringify(r.detail || {})); },
      value: function (r) { return JSON.stringify(r.detail || {}); } }
  ];
  function loadAudit(more) {
    var q = "/api/v1/audit?limit=100" + (more && auditNext ? "&before=" + encodeURIComponent(auditNext) : "");
    D.api("GET", q).then(function (res) {
      if (!res.ok) { D.say($("audit-msg"), "err", D.errorText(res)); return; }
      audit = more ? audit.concat(res.data.entries || []) : (res.data.entries || []);
      auditNext = res.data.next;
      D.table($("audit-list"), AUDIT_COLS, audit, "nhat-ky.csv");
      $("audit-more").hidden = !auditNext;
    }, function () { netErr($("audit-msg")); });
  }
  $("audit-refresh").addEventListener("click", function () { loadAudit(false); });
  $("audit-more").addEventListener("click", function () { loadAudit(true); });

  var TABS = ["users", "catalogue", "webhooks", "outbox"];
  var loaders = { users: loadUsers, catalogue: function () {}, webhooks: function () { /* loaded at start */ },
                  outbox: function () { loadOutbox(); loadAudit(false); } };
  D.init().then(function () {
    fillSelects();
    showBindings($("user-create-form"), $("new-role").value);
    showBindings($("edit-form"), "clerk");
    loadAgencies();   /* the user forms' agency lists need them too */
    showTab = D.tabs(TABS, function (name) { loaders[name](); });
    var m = /[#&]tab=([a-z]+)/.exec(location.hash);
    showTab(m && TABS.indexOf(m[1]) >= 0 ? m[1] : "users");
  }, function () { /* D.api already sent the browser to the login page */ });
})();
