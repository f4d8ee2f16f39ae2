// Running total of a score sheet: 100 · Σ(weight · points / max) / Σ weight.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  var out = document.getElementById("running-total");
  if (!form || !out) { return; }
  var inputs = form.querySelectorAll(".score-input");
  function update() {
    var weighted = 0, weights = 0, filled = 0;
    inputs.forEach(function (input) {
      var max = parseFloat(input.dataset.max), weight = parseFloat(input.dataset.weight);
      weights += weight;
      var value = parseFloat(input.value);
      if (!isNaN(value)) {
        filled += 1;
        weighted += weight * Math.min(Math.max(value, 0), max) / max;
      }
    });
    out.textContent = filled ? (weighted * 100 / weights).toFixed(1) : "—";
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
})();
