/* courier-sign.js — the receiver's signature on a canvas, and the camera scanner.
 *
 * The signature keeps its strokes (in CSS pixels) so that turning the phone, which resizes
 * the canvas and wipes it, can redraw them. Pointer events cover mouse, finger and pen. */
(function () {
  "use strict";

  function SignaturePad(canvas, onchange) {
    var strokes = [], cur = null, ctx = canvas.getContext("2d");

    function fit() {
      /* At most 2 device pixels per CSS pixel: sharp enough, and the PNG stays small. */
      var r = Math.min(window.devicePixelRatio || 1, 2);
      var w = canvas.clientWidth, h = canvas.clientHeight;
      if (!w || !h) return;
      canvas.width = Math.round(w * r);
      canvas.height = Math.round(h * r);
      ctx.setTransform(r, 0, 0, r, 0, 0);
      redraw();
    }
    function paper() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      ctx.lineWidth = 2.5;
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.strokeStyle = "#0a1f5c";
    }
    function line(s) {
      ctx.beginPath();
      ctx.moveTo(s[0].x, s[0].y);
      if (s.length === 1) ctx.lineTo(s[0].x + 0.1, s[0].y + 0.1);
      for (var i = 1; i < s.length; i++) ctx.lineTo(s[i].x, s[i].y);
      ctx.stroke();
    }
    function redraw() { paper(); strokes.forEach(line); }
    function point(e) {
      var b = canvas.getBoundingClientRect();
      return { x: e.clientX - b.left, y: e.clientY - b.top };
    }

    canvas.addEventListener("pointerdown", function (e) {
      if (e.button !== undefined && e.button > 0) return;
      e.preventDefault();
      if (canvas.setPointerCapture) { try { canvas.setPointerCapture(e.pointerId); } catch (x) { /* ok */ } }
      cur = [point(e)];
      strokes.push(cur);
      line(cur);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!cur) return;
      e.preventDefault();
      /* Coalesced events give a smooth line on phones that batch touch points. */
      var evs = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
      if (!evs.length) evs = [e];
      var last = cur[cur.length - 1];
      evs.forEach(function (c) {
        var p = point(c);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(p.x, p.y);
        ctx.stroke();
        cur.push(p);
        last = p;
      });
    });
    function end() {
      if (!cur) return;
      cur = null;
      canvas.classList.add("signed");
      if (onchange) onchange();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);
    window.addEventListener("resize", fit);

    return {
      fit: fit,
      clear: function () { strokes = []; cur = null; canvas.classList.remove("signed"); redraw(); if (onchange) onchange(); },
      /* A dot or a scratch is not a signature: ask for some ink in at least a few points. */
      isEmpty: function () {
        var n = 0;
        strokes.forEach(function (s) { n += s.length; });
        return n < 4;
      },
      dataUrl: function () { return canvas.toDataURL("image/png"); }
    };
  }

  /* The camera, where the browser can read barcodes itself (Chrome on Android has
   * BarcodeDetector); elsewhere the button stays hidden and a handheld scanner or the
   * keyboard is used. onCode gets each code read, at most once per 2.5 s for the same code. */
  function CameraScanner(video, onCode, onError) {
    var stream = null, detector = null, timer = null, last = "", lastAt = 0;

    function supported() {
      return "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    }
    function tick() {
      if (!stream) return;
      detector.detect(video).then(function (codes) {
        if (codes && codes.length) {
          var v = codes[0].rawValue, now = Date.now();
          if (v !== last || now - lastAt > 2500) { last = v; lastAt = now; onCode(v); }
        }
      }, function () { /* a frame not ready yet */ }).then(function () {
        if (stream) timer = setTimeout(tick, 200);
      });
    }
    function start() {
      return window.BarcodeDetector.getSupportedFormats().then(function (have) {
        var want = ["qr_code", "code_128"].filter(function (f) { return have.indexOf(f) >= 0; });
        if (!want.length) throw new Error("no formats");
        detector = new window.BarcodeDetector({ formats: want });
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      }).then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      }).then(tick, function (e) { stop(); if (onError) onError(e); });
    }
    function stop() {
      clearTimeout(timer);
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.srcObject = null;
    }
    return { supported: supported, start: start, stop: stop, running: function () { return !!stream; } };
  }

  window.CourierSign = { SignaturePad: SignaturePad, CameraScanner: CameraScanner };
})();
