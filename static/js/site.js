// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // One click, one submission: disable the buttons of a form once it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    var pressed = event.submitter;
    if (pressed && pressed.name) {
      // A disabled button is not sent; keep which button was pressed.
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = pressed.name; hidden.value = pressed.value;
      form.appendChild(hidden);
    }
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
      b.disabled = true;
      if (b === pressed && b.dataset.busyText) { b.textContent = b.dataset.busyText; }
    });
  });
  // Live character counters for fields with a maxlength.
  document.querySelectorAll("textarea[maxlength], input[maxlength][data-counter]").forEach(function (field) {
    var counter = document.createElement("div");
    counter.className = "form-text text-end";
    field.insertAdjacentElement("afterend", counter);
    var update = function () { counter.textContent = field.value.length + " / " + field.getAttribute("maxlength"); };
    field.addEventListener("input", update); update();
  });
})();
