/* login.js — signs in and goes to the page asked for (?next=) or the role's page. */
(function () {
  "use strict";
  var D = window.Desk, t = D.t;
  D.applyLang(document);
  var lang = document.getElementById("lang");
  if (D.lang === "en") lang.setAttribute("href", "?lang=vi");
  var form = document.getElementById("login"), msg = document.getElementById("msg");
  var user = document.getElementById("username"), pass = document.getElementById("password");
  user.focus();

  function target(role) {
    var m = /[?&]next=([a-z]+)/.exec(location.search);
    return "/desk/" + (m && m[1] !== "login" ? m[1] : (D.ROLE_PAGES[role] || ["home"])[0]);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!user.value.trim()) { D.say(msg, "err", t("Nhập tên đăng nhập.", "Enter your username.")); user.focus(); return; }
    if (!pass.value) { D.say(msg, "err", t("Nhập mật khẩu.", "Enter your password.")); pass.focus(); return; }
    var btn = document.getElementById("submit");
    btn.disabled = true;
    D.api("POST", "/api/v1/login", { username: user.value.trim(), password: pass.value }, { noRedirect: true })
      .then(function (res) {
        btn.disabled = false;
        if (res.ok) { location.href = target(res.data.user.role); return; }
        var text = res.status === 401 ? t("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")
          : res.status === 429 ? t("Quá nhiều lần sai. Thử lại sau.", "Too many failed sign-ins. Try again later.")
          : D.errorText(res);
        D.say(msg, "err", text);
        pass.value = "";
        pass.focus();
      }, function () {
        btn.disabled = false;
        D.say(msg, "err", t("Không kết nối được máy chủ.", "Cannot reach the server."));
      });
  });
})();
