// "看不清？换一张": a new image challenge without leaving the page (django-simple-captcha's
// captcha-refresh answers {key, image_url}). Without this file, or if the request fails, the
// button posts the form back and the page comes with what was typed and a new image.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-challenge-refresh]");
    if (!button || !window.fetch) { return; }
    var box = button.closest(".vote-challenge");
    var image = box && box.querySelector("[data-challenge-image]");
    var key = box && box.querySelector("[data-challenge-key]");
    if (!image || !key) { return; }
    event.preventDefault();
    button.disabled = true;
    window.fetch(button.dataset.challengeRefresh, {
      headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      key.value = data.key;
      image.src = data.image_url;
      var answer = box.querySelector("input[name=challenge]");
      if (answer) { answer.value = ""; answer.focus(); }
      button.disabled = false;
    }).catch(function () {
      button.disabled = false;
      if (button.form.requestSubmit) { button.form.requestSubmit(button); } else { button.form.submit(); }
    });
  });
}());
