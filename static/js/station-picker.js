// The station picker (competition/stations): search as one types, towns follow the county.
// Without this file the picker works by "查找" round trips (a GET form of its own).
(function () {
  "use strict";

  function option(name, hit, checked) {
    var label = document.createElement("label");
    label.className = "station-option";
    var input = document.createElement("input");
    input.className = "form-check-input";
    input.type = "radio"; input.name = name; input.value = String(hit.id); input.checked = !!checked;
    var text = document.createElement("span"); text.className = "station-option-text";
    var title = document.createElement("span"); title.className = "station-option-name"; title.textContent = hit.name;
    var meta = document.createElement("span"); meta.className = "station-option-meta";
    meta.textContent = [hit.kind, hit.town, hit.county].filter(Boolean).join(" · ");
    text.appendChild(title); text.appendChild(meta);
    label.appendChild(input); label.appendChild(text);
    return label;
  }

  function setup(picker) {
    var county = picker.querySelector("[data-picker-county]");
    var town = picker.querySelector("[data-picker-town]");
    var query = picker.querySelector("[data-picker-query]");
    var results = picker.querySelector("[data-picker-results]");
    var status = picker.querySelector("[data-picker-status]");
    var find = picker.querySelector("[data-picker-find]");
    var townsData = document.getElementById(picker.dataset.towns);
    var towns = townsData ? JSON.parse(townsData.textContent) : {};
    var name = picker.dataset.name;
    var timer = null, serial = 0;
    if (!county || !query || !results) { return; }
    if (find) { find.remove(); }  // searching happens as one types

    function fillTowns() {
      var chosen = town.value;
      while (town.options.length > 1) { town.remove(1); }
      (towns[county.value] || []).forEach(function (t) {
        var o = document.createElement("option");
        o.value = String(t[0]); o.textContent = t[1];
        if (String(t[0]) === chosen) { o.selected = true; }
        town.appendChild(o);
      });
    }

    function search() {
      var params = new URLSearchParams();
      if (query.value.trim()) { params.set("q", query.value.trim()); }
      if (county.value) { params.set("county", county.value); }
      if (town.value) { params.set("town", town.value); }
      var mine = ++serial;
      if (!params.toString()) { show({results: [], more: false}, false); return; }
      fetch(picker.dataset.searchUrl + "?" + params.toString(), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === serial) { show(data, true); } })
        .catch(function () { if (mine === serial) { status.textContent = picker.dataset.textError; } });
    }

    function show(data, asked) {
      // The chosen station stays at the top even when the new results do not contain it.
      var checked = results.querySelector("input:checked");
      var keep = checked ? checked.closest(".station-option") : null;
      var ids = (data.results || []).map(function (h) { return String(h.id); });
      results.textContent = "";
      if (keep && ids.indexOf(checked.value) < 0) { results.appendChild(keep); }
      (data.results || []).forEach(function (hit) {
        results.appendChild(option(name, hit, checked && String(hit.id) === checked.value));
      });
      if (data.error) { status.textContent = data.error; }
      else if (asked && !ids.length && !keep) { status.textContent = picker.dataset.textEmpty; }
      else if (data.more) { status.textContent = picker.dataset.textMore; }
      else { status.textContent = ""; }
    }

    function later() { clearTimeout(timer); timer = setTimeout(search, 200); }

    county.addEventListener("change", function () { fillTowns(); search(); });
    town.addEventListener("change", search);
    query.addEventListener("input", later);
    query.addEventListener("keydown", function (event) {
      // Enter would send the picker's own GET form (the no-script path): search here instead.
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); search(); }
    });
  }

  function start() {
    document.querySelectorAll("[data-station-picker]").forEach(setup);
    // Typing a new station's name means "not in the list".
    document.querySelectorAll("input[name=new_station_name]").forEach(function (input) {
      input.addEventListener("input", function () {
        var none = document.querySelector("[data-picker-none]");
        if (none && input.value.trim()) { none.checked = true; }
      });
    });
  }

  // The back office loads form media in the page's head, before the form exists.
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
