/* home.js — the role's home: its page, and the public tracking page. */
(function () {
  "use strict";
  var D = window.Desk, t = D.t;
  D.init().then(function (user) {
    document.getElementById("hello").textContent =
      t("Xin chào, ", "Welcome, ") + (user.full_name || user.username);
    var p = D.ROLE_PAGES[user.role];
    var links = document.getElementById("links");
    if (p) links.appendChild(D.el("a", { href: "/desk/" + p[0] }, t(p[1], p[2])));
  });
})();
