// Score sheet enhancements (the page works without them; the server checks everything again):
// - running total, 100 · Σ(weight · points / max) / Σ weight, and how many criteria are scored;
// - a score outside 0…max or not in steps of 0.5 is marked at once, next to its field;
// - Enter (the phone keyboard's "next" key) moves on to the next score instead of submitting;
// - leaving the page with unsaved changes asks first.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  var out = document.getElementById("running-total");
  if (!form || !out) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll(".score-input"));
  var filledBox = document.getElementById("score-filled");
  var filledOut = filledBox ? filledBox.querySelector("[data-filled]") : null;

  function pointsOf(input) {
    var raw = input.value.trim();
    if (raw === "") { return null; }
    var value = Number(raw), max = parseFloat(input.dataset.max);
    if (!isFinite(value) || value < 0 || value > max || value * 2 !== Math.round(value * 2)) { return NaN; }
    return value;
  }

  function update() {
    var weighted = 0, weights = 0, filled = 0;
    inputs.forEach(function (input) {
      var max = parseFloat(input.dataset.max), weight = parseFloat(input.dataset.weight);
      weights += weight;
      var value = pointsOf(input);
      // type=number reports "" for text it cannot read: badInput tells those apart from empty.
      var bad = (value !== null && isNaN(value)) || (input.validity && input.validity.badInput);
      input.classList.toggle("is-invalid", !!bad);
      if (value !== null && !bad) {
        filled += 1;
        weighted += weight * value / max;
      }
    });
    out.textContent = filled ? (weighted * 100 / weights).toFixed(1) : "—";
    if (filledBox && filledOut) {
      filledOut.textContent = String(filled);
      filledBox.hidden = false;
      filledBox.classList.toggle("is-complete", filled === inputs.length);
    }
  }

  inputs.forEach(function (input, i) {
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) { return; }
      event.preventDefault();
      var next = inputs[i + 1] || form.querySelector("textarea");
      if (next) { next.focus(); }
    });
  });
  update();

  // Unsaved changes: ask before leaving, but not when the form itself is being sent.
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && form.dataset.submitting !== "1") {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
