/* The quiz countdown: shows the time left until the deadline the server fixed when the
 * attempt started. Display only: the server refuses answers sent after the deadline (plus a
 * short grace), whatever this clock says. The page gives the seconds left at the moment it
 * was rendered, so the learner's own clock being wrong does not matter.
 *
 * When the time is up the answers given so far are sent, so that they count.
 */
(function () {
  "use strict";

  var timer = document.querySelector("[data-quiz-timer]");
  if (!timer) { return; }
  var form = document.getElementById(timer.getAttribute("data-form"));
  var output = timer.querySelector("[data-quiz-time-left]");
  var secondsLeft = parseInt(timer.getAttribute("data-seconds-left"), 10);
  if (!output || isNaN(secondsLeft)) { return; }

  var endsAt = Date.now() + secondsLeft * 1000;
  var warned = false;
  var sent = false;
  var live = document.getElementById("live-region");

  function announce(text) {
    if (live && text) { live.textContent = text; }
  }

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var hours = Math.floor(minutes / 60);
    var mm = String(minutes % 60).padStart(2, "0");
    var ss = String(rest).padStart(2, "0");
    return hours ? hours + ":" + mm + ":" + ss : minutes + ":" + ss;
  }

  function sendAnswers() {
    if (sent || !form) { return; }
    sent = true;
    timer.classList.add("is-over");
    announce(timer.getAttribute("data-label-over"));
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    output.textContent = format(left);
    if (left <= 60 && !warned) {
      warned = true;
      timer.classList.add("is-ending");
      announce(timer.getAttribute("data-label-ending"));
    }
    if (left === 0) {
      window.clearInterval(interval);
      sendAnswers();
    }
  }

  if (form) {
    form.addEventListener("submit", function () {
      sent = true;
      var button = form.querySelector("button[type='submit']");
      if (button) { button.disabled = true; }
    });
  }
  timer.hidden = false;
  var interval = window.setInterval(tick, 1000);
  tick();
})();
