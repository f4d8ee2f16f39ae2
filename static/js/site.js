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

  // Uploads with progress: <form data-upload> carrying files is sent by XMLHttpRequest, which
  // reports the bytes sent; the server answers JSON (competition.views._answers_upload_script).
  // A failed or interrupted upload is sent again by "重试上传" with the same tokens, so a save
  // that did reach the server is not made twice. Without files (or without this script) the
  // form is posted as usual.
  function formatBytes(n) {
    if (n >= 1048576) { return (n / 1048576).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(n / 1024)) + " KB";
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  function newToken() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function hasFiles(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }
  function setButtons(form, disabled) {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = disabled; });
  }
  // A refused field is marked where it is, as the page rendered by the server would mark it.
  function clearMarks(form) {
    form.querySelectorAll("[data-upload-invalid]").forEach(function (node) { node.remove(); });
    form.querySelectorAll(".is-invalid[data-upload-marked]").forEach(function (input) {
      input.classList.remove("is-invalid"); delete input.dataset.uploadMarked;
    });
  }
  function markFields(form, fields) {
    Object.keys(fields).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      if (!input) { return; }
      if (!input.classList.contains("is-invalid")) { input.classList.add("is-invalid"); input.dataset.uploadMarked = "1"; }
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block"; note.dataset.uploadInvalid = "1";
      note.textContent = fields[name].join(" ");
      input.insertAdjacentElement("afterend", note);
    });
  }
  function sendUpload(form, state) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box.querySelector("[data-upload-bar]");
    var text = box.querySelector("[data-upload-text]");
    var errors = box.querySelector("[data-upload-errors]");
    var list = errors.querySelector("[data-upload-list]");
    var retry = box.querySelector("[data-upload-retry]");
    var d = form.dataset;
    box.hidden = false; retry.hidden = true; errors.hidden = true; list.textContent = "";
    clearMarks(form);
    bar.value = 0; bar.hidden = false;
    setButtons(form, true);
    form.dataset.uploading = "1";
    var finish = function () { delete form.dataset.uploading; setButtons(form, false); bar.hidden = true; };
    var failed = function (message) {
      finish();
      text.textContent = message;
      retry.hidden = false;
    };
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor(event.loaded * 100 / event.total);
      bar.value = percent;
      text.textContent = event.loaded >= event.total ? d.uploadProcessing : fill(d.uploadSending, {
        sent: formatBytes(event.loaded), total: formatBytes(event.total), percent: percent + "%"
      });
    };
    xhr.upload.onload = function () { bar.value = 100; text.textContent = d.uploadProcessing; };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () { failed(d.uploadFailed); };
    xhr.onload = function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (_e) { answer = null; }
      if (answer && answer.ok && answer.redirect) {
        text.textContent = d.uploadDone;
        window.location.assign(answer.redirect);
        return;
      }
      if (answer && answer.errors) {
        // Refused: nothing was saved; show why, keep every field and chosen file.
        finish();
        text.textContent = "";
        errors.querySelector("[data-upload-summary]").textContent = answer.summary || "";
        answer.errors.forEach(function (message) {
          var li = document.createElement("li"); li.textContent = message; list.appendChild(li);
        });
        errors.hidden = false;
        markFields(form, answer.fields || {});
        if (answer.version) {
          var version = form.querySelector("input[name=version]");
          if (version) { version.value = answer.version; }
        }
        state.body = null;  // the next save is a new one
        var token = form.querySelector("input[name=save_token]");
        if (token) { token.value = newToken(); }
        list.scrollIntoView({ block: "nearest" });
        return;
      }
      failed(fill(d.uploadServerError, { status: xhr.status }));
    };
    xhr.send(state.body);
  }
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var state = { body: null };
    // Typing after a failed upload makes the next send a new save (with a new token): if the
    // failed one did reach the server, the new one is checked against it, never dropped.
    form.addEventListener("input", function (event) {
      if (!state.body || event.target.type === "file") { return; }
      state.body = null;
      var token = form.querySelector("input[name=save_token]");
      if (token) { token.value = newToken(); }
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file") { state.body = null; }
    });
    form.querySelector("[data-upload-retry]").addEventListener("click", function () {
      if (form.dataset.uploading === "1") { return; }
      if (!state.body) { state.body = new FormData(form); if (state.submitter) { state.body.append(state.submitter.name, state.submitter.value); } }
      sendUpload(form, state);
    });
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (form.dataset.uploading === "1") { event.preventDefault(); return; }
      if (!hasFiles(form) || !window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var pressed = event.submitter;
      state.submitter = pressed && pressed.name ? { name: pressed.name, value: pressed.value } : null;
      state.body = new FormData(form);
      if (state.submitter) { state.body.append(state.submitter.name, state.submitter.value); }
      sendUpload(form, state);
    });
  });

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
