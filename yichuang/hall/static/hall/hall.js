/* The hall's screens: kiosk keypad and connection state, display chime, console shortcuts,
   a phone that buzzes when called. No framework: HTMX does the requests. */
(function () {
  "use strict";

  function on(name, handler) { document.addEventListener(name, handler); }
  function $(selector, root) { return (root || document).querySelector(selector); }

  /* --- Clock on the kiosk and the display -------------------------------------------------- */
  // The hall's own time zone, whatever the screen's computer is set to.
  var clockFormat = null;
  function tick() {
    if (!clockFormat) {
      try {
        clockFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: document.body.dataset.tz || undefined, hour: "2-digit", minute: "2-digit", hour12: false });
      } catch (e) {
        clockFormat = new Intl.DateTimeFormat("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
      }
    }
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = clockFormat.format(new Date()); });
  }
  setInterval(tick, 5000);
  on("DOMContentLoaded", tick);

  /* --- Kiosk: on-screen keypad ------------------------------------------------------------- */
  on("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (!key) { return; }
    var pad = key.closest("[data-keypad]");
    var input = pad && document.getElementById(pad.getAttribute("data-keypad"));
    if (!input) { return; }
    var value = key.getAttribute("data-key");
    if (value === "back") {
      input.value = input.value.slice(0, -1);
    } else if (value === "clear") {
      input.value = "";
    } else if (!input.maxLength || input.maxLength < 0 || input.value.length < input.maxLength) {
      input.value += value;
    }
    input.dispatchEvent(new Event("input", { bubbles: true }));
    event.preventDefault();
  });

  on("click", function (event) {
    var field = event.target.closest("[data-keypad-field]");
    if (!field) { return; }
    var form = field.closest("form");
    var pad = form && form.querySelector("[data-keypad]");
    if (!pad) { return; }
    pad.setAttribute("data-keypad", field.id);
    form.querySelectorAll("[data-keypad-field]").forEach(function (el) { el.classList.toggle("is-active", el === field); });
  });

  /* --- Kiosk: the server's answer is the only source of a number --------------------------- */
  function kioskAlert(text) {
    var box = $("#kiosk-alert");
    if (!box) { return; }
    box.querySelector("[data-alert-text]").textContent = text;
    box.hidden = false;
  }
  function kioskAlertClear() {
    var box = $("#kiosk-alert");
    if (box) { box.hidden = true; }
  }
  function setConnection(ok) {
    var badge = $("#kiosk-connection");
    if (!badge) { return; }
    badge.classList.toggle("is-offline", !ok);
    badge.querySelector("[data-connection-text]").textContent = ok ? badge.dataset.ok : badge.dataset.offline;
  }
  function isKiosk() { return document.body.classList.contains("kiosk-body"); }

  on("htmx:sendError", function (event) {
    if (!isKiosk()) { return; }
    setConnection(false);
    var taking = event.detail.elt && event.detail.elt.closest("[data-takes-ticket]");
    kioskAlert(taking ? document.body.dataset.msgNoTicket : document.body.dataset.msgOffline);
  });
  on("htmx:timeout", function (event) {
    if (!isKiosk()) { return; }
    setConnection(false);
    var taking = event.detail.elt && event.detail.elt.closest("[data-takes-ticket]");
    kioskAlert(taking ? document.body.dataset.msgNoTicket : document.body.dataset.msgOffline);
  });
  on("htmx:responseError", function (event) {
    if (!isKiosk()) { return; }
    var taking = event.detail.elt && event.detail.elt.closest("[data-takes-ticket]");
    kioskAlert(taking ? document.body.dataset.msgServerNoTicket : document.body.dataset.msgServer);
  });
  on("htmx:afterRequest", function (event) {
    if (!isKiosk() || !event.detail.successful) { return; }
    setConnection(true);
    if (!event.detail.elt.closest("[data-heartbeat]")) { kioskAlertClear(); }
  });
  on("click", function (event) {
    if (event.target.closest("[data-alert-close]")) { kioskAlertClear(); }
  });

  /* --- Display: a soft chime when a new number is called ------------------------------------ */
  var chimeAllowed = false;
  function playChime() {
    var audio = $("#chime");
    if (!audio || !chimeAllowed) { return; }
    try { audio.currentTime = 0; var p = audio.play(); if (p && p.catch) { p.catch(function () {}); } } catch (e) { /* muted */ }
  }
  on("click", function (event) {
    var button = event.target.closest("[data-enable-chime]");
    if (!button) { return; }
    chimeAllowed = true;
    button.hidden = true;
    playChime();
  });
  on("htmx:afterSettle", function () {
    var board = $("#board");
    if (board && board.dataset.newCall === "1" && !board.dataset.chimed) {
      board.dataset.chimed = "1";
      playChime();
    }
  });
  on("DOMContentLoaded", function () {
    // Browsers allow sound without a tap only when the kiosk browser is started so;
    // try once: if it is refused, the button stays for a person to tap.
    var audio = $("#chime");
    var button = $("[data-enable-chime]");
    if (!audio || !button) { return; }
    audio.volume = 0.6;
    var attempt = audio.play();
    if (attempt && attempt.then) {
      attempt.then(function () { audio.pause(); chimeAllowed = true; button.hidden = true; }).catch(function () {});
    }
  });

  /* --- Phone page: buzz once when called ----------------------------------------------------- */
  var buzzed = {};
  on("htmx:afterSwap", function () {
    var called = $("[data-called-number]");
    if (!called) { return; }
    var number = called.getAttribute("data-called-number");
    if (!buzzed[number] && navigator.vibrate) { navigator.vibrate([300, 150, 300]); }
    buzzed[number] = true;
  });

  /* --- Console: keyboard shortcuts ----------------------------------------------------------- */
  on("keydown", function (event) {
    if (!document.body.classList.contains("console-body")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.target.closest("input, textarea, select")) { return; }
    var key = event.key.toLowerCase();
    if (!$("[data-shortcut='" + key + "']")) { return; }
    event.preventDefault();
    pressShortcut(key, 0);
  });

  // A key pressed right after a swap may reach a button htmx has not wired up yet (it does so
  // when the swap settles): wait for the settle, then click whatever button holds the key now.
  function pressShortcut(key, tries) {
    if (document.querySelector(".htmx-settling, .htmx-swapping, .htmx-added") && tries < 40) {
      setTimeout(function () { pressShortcut(key, tries + 1); }, 25);
      return;
    }
    var button = $("[data-shortcut='" + key + "']");
    if (button && !button.disabled) { button.click(); }
  }
})();
