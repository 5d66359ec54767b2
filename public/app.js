// traceport's only hand-written script. Everything else is htmx and its SSE
// extension; every page works without this file (and without JavaScript).
(function () {
  "use strict";
  var FAILURES_BEFORE_POLLING = 3;
  var PAGE_POLL_MS = 5000;

  // The Import button opens the dialog instead of following its link.
  document.addEventListener("click", function (e) {
    var opener = e.target instanceof Element ? e.target.closest("[data-open-dialog]") : null;
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") return; // follow the link
    e.preventDefault();
    dialog.showModal();
    var first = dialog.querySelector("input, select, button");
    if (first) first.focus();
  });

  // Closing the dialog removes its job cards through htmx, which closes their
  // EventSources at once (removing them any other way leaves them open until
  // the next message).
  document.addEventListener(
    "close",
    function (e) {
      var dialog = e.target;
      if (!(dialog instanceof HTMLDialogElement)) return;
      dialog.querySelectorAll("[data-dialog-results]").forEach(function (results) {
        htmx.swap(results, "", { swapStyle: "innerHTML" });
      });
      dialog.querySelectorAll("form.import-form").forEach(function (form) {
        form.reset();
      });
    },
    true,
  );

  // A successful import clears the form for the next file.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (form instanceof HTMLFormElement && form.classList.contains("import-form") && e.detail.successful) form.reset();
  });

  // The waterfall marks the span whose details are shown.
  document.addEventListener("htmx:afterRequest", function (e) {
    var link = e.detail && e.detail.elt;
    if (!(link instanceof Element) || !link.classList.contains("wf-name") || !e.detail.successful) return;
    document.querySelectorAll(".wf-name[aria-current]").forEach(function (el) {
      el.removeAttribute("aria-current");
    });
    link.setAttribute("aria-current", "true");
  });

  // When a stream keeps failing, fall back to polling. htmx-ext-sse would
  // retry forever with growing delays; after a few failures in a row a card
  // re-fetches itself every few seconds until its job ends (the server renders
  // it in poll mode), and the jobs page reloads its table.
  var failures = new WeakMap();
  document.addEventListener("htmx:sseOpen", function (e) {
    failures.delete(e.target);
  });
  document.addEventListener("htmx:sseError", function (e) {
    var el = e.target;
    if (!(el instanceof Element) || !el.isConnected) return;
    var n = (failures.get(el) || 0) + 1;
    failures.set(el, n);
    if (n < FAILURES_BEFORE_POLLING) return;
    failures.delete(el);
    if (el.matches(".job-card[data-job-id]")) {
      htmx.ajax("GET", "/jobs/" + encodeURIComponent(el.getAttribute("data-job-id")) + "/card?mode=poll", {
        target: el,
        swap: "outerHTML",
      });
    } else if (el.matches("[data-poll-fallback]")) {
      var target = el.getAttribute("data-poll-fallback");
      htmx.swap(el, "", { swapStyle: "outerHTML" }); // ends the reconnect loop
      setInterval(function () {
        htmx.ajax("GET", location.pathname + location.search, { target: target, select: target, swap: "outerHTML" });
      }, PAGE_POLL_MS);
    }
  });
})();
