// Progressive enhancements only: every page works without this file.
// A strict Content-Security-Policy is in force: no inline scripts or styles, so behaviour is
// attached here through data- attributes.
(function () {
  "use strict";

  // Ask before destructive actions: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && form.dataset.submitting !== "1" && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // One click, one submission: disable the buttons of a form once it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented && form.dataset.submitting !== "1") { return; }
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    var pressed = event.submitter;
    if (pressed && pressed.name) {
      // A disabled button is not sent; keep which button was pressed.
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = pressed.name; hidden.value = pressed.value;
      hidden.dataset.pressedButton = "1";
      form.appendChild(hidden);
    }
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.dataset.wasDisabled = "1";
      if (b === pressed && b.dataset.busyText) {
        b.dataset.idleHtml = b.innerHTML;
        b.textContent = b.dataset.busyText;
      }
    });
  });

  // Back/forward cache: a page restored from it still has its buttons disabled and the hidden
  // "pressed button" field (which would make "保存草稿" submit instead). Undo both.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("input[data-pressed-button]").forEach(function (input) { input.remove(); });
      form.querySelectorAll("[data-was-disabled]").forEach(function (b) {
        b.disabled = false;
        delete b.dataset.wasDisabled;
        if (b.dataset.idleHtml !== undefined) {
          b.innerHTML = b.dataset.idleHtml;
          delete b.dataset.idleHtml;
        }
      });
    });
  });

  // Live character counters for fields with a maxlength.
  document.querySelectorAll("textarea[maxlength], input[maxlength][data-counter]").forEach(function (field) {
    var counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.setAttribute("aria-hidden", "true");
    field.insertAdjacentElement("afterend", counter);
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    var update = function () {
      counter.textContent = field.value.length + " / " + limit;
      counter.classList.toggle("is-near-limit", field.value.length >= limit * 0.9);
    };
    field.addEventListener("input", update); update();
  });

  // After a refused form, bring the error summary into view so it is read first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus({ preventScroll: false }); }
})();
