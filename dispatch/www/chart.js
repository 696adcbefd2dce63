/* chart.js — window.DeskChart.draw(canvas, opts): a small bar or line chart on a <canvas>,
 * so the supervisor page needs no charting library. The canvas is only a picture: the page
 * gives it an aria-label summary and a data table with the same figures.
 *
 * opts: {labels: [text], values: [number|null], kind: "bar"|"line", color, unit: "" | "%",
 *        max: fixed top of the scale (e.g. 100), yTitle: axis title, empty: text when no data}
 * null values are gaps (a day without deliveries has no on-time share). Returns false when
 * the canvas has no size yet (its tab is hidden): draw again once it is shown. */
(function () {
  "use strict";

  var FONT = "12px system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif";
  var INK = "#1b1b1b", GRID = "#d9dde3", AXIS = "#555";

  /* The top of the scale and the step between grid lines: 1, 2 or 5 times a power of ten,
   * whole numbers only (counts of dossiers have no fractions). */
  function scale(max, fixed) {
    if (fixed) return { top: fixed, step: fixed / 4 };
    if (!(max > 0)) return { top: 4, step: 1 };
    var raw = max / 4, p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var step = [1, 2, 5, 10].map(function (m) { return m * p; })
      .filter(function (s) { return s >= raw; })[0];
    step = Math.max(1, Math.round(step));
    return { top: Math.ceil(max / step) * step, step: step };
  }

  function fmt(v, unit) {
    return (Math.round(v * 10) / 10).toLocaleString(document.documentElement.lang === "en" ? "en" : "vi-VN") + (unit || "");
  }

  function draw(canvas, opts) {
    var w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return false;
    /* Backing store in device pixels, drawing in CSS pixels: sharp on high-DPI phones. */
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    ctx.font = FONT;
    ctx.textBaseline = "middle";

    var values = opts.values, labels = opts.labels, n = values.length;
    var known = values.filter(function (v) { return v !== null && v !== undefined; });
    var sc = scale(Math.max.apply(null, known.concat([0])), opts.max);

    var ticks = [];
    for (var v = 0; v <= sc.top + 1e-9; v += sc.step) ticks.push(v);
    var yw = Math.max.apply(null, ticks.map(function (t) { return ctx.measureText(fmt(t, opts.unit)).width; }));
    var left = Math.ceil(yw) + 10, right = 8, top = opts.yTitle ? 24 : 10, bottom = 26;
    var pw = w - left - right, ph = h - top - bottom;
    if (pw < 20 || ph < 20 || !n) return false;
    function y(val) { return top + ph - (val / sc.top) * ph; }
    var slot = pw / n;
    function xc(i) { return left + slot * (i + 0.5); }

    if (opts.yTitle) {
      ctx.fillStyle = AXIS;
      ctx.textAlign = "left";
      ctx.fillText(opts.yTitle, 2, 10);
    }
    /* Grid lines and the value axis. */
    ctx.lineWidth = 1;
    ticks.forEach(function (t) {
      var yy = Math.round(y(t)) + 0.5;
      ctx.strokeStyle = t === 0 ? AXIS : GRID;
      ctx.beginPath();
      ctx.moveTo(left, yy);
      ctx.lineTo(w - right, yy);
      ctx.stroke();
      ctx.fillStyle = AXIS;
      ctx.textAlign = "right";
      ctx.fillText(fmt(t, opts.unit), left - 5, yy);
    });
    /* Date labels: as many as fit without touching, always the last day's. */
    var lw = Math.max.apply(null, labels.map(function (l) { return ctx.measureText(l).width; })) + 8;
    var every = Math.max(1, Math.ceil(lw / slot));
    ctx.fillStyle = AXIS;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    var edge = Infinity;   /* left end of the label drawn last (they go right to left) */
    for (var i = n - 1; i >= 0; i -= every) {
      var lx = Math.min(Math.max(xc(i), left + lw / 2 - 4), w - lw / 2);
      if (lx + lw / 2 > edge) continue;   /* pushed in from the edge onto its neighbour */
      ctx.fillText(labels[i], lx, top + ph + 6);
      edge = lx - lw / 2;
    }

    ctx.fillStyle = ctx.strokeStyle = opts.color || "#00428a";
    if (opts.kind === "line") {
      ctx.lineWidth = 2;
      ctx.beginPath();
      var pen = false;
      values.forEach(function (val, k) {
        if (val === null || val === undefined) { pen = false; return; }
        if (pen) ctx.lineTo(xc(k), y(val)); else ctx.moveTo(xc(k), y(val));
        pen = true;
      });
      ctx.stroke();
      values.forEach(function (val, k) {
        if (val === null || val === undefined) return;
        ctx.beginPath();
        ctx.arc(xc(k), y(val), 3, 0, 2 * Math.PI);
        ctx.fill();
      });
    } else {
      var bw = Math.max(1, Math.min(slot * 0.7, 28));
      values.forEach(function (val, k) {
        if (!val) return;
        var top2 = y(val);
        ctx.fillRect(xc(k) - bw / 2, top2, bw, y(0) - top2);
      });
    }
    if (!known.length && opts.empty) {
      ctx.fillStyle = INK;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(opts.empty, left + pw / 2, top + ph / 2);
    }
    return true;
  }

  window.DeskChart = { draw: draw };
})();
