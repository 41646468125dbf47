/* Bulk enrolment: the progress figure follows the Celery job (progressive enhancement).
 *
 * Without this script the page shows the figure at the time it was drawn and a "Refresh"
 * link. With it, the small JSON endpoint is polled every couple of seconds and the numbers
 * are written with textContent; once the job has finished the page is reloaded to show
 * the report (rendered by the server). Polling slows down if the server does not answer.
 */
(function () {
  "use strict";

  var section = document.querySelector("[data-bulk-progress][data-running]");
  if (!section || !window.fetch) return;
  var url = section.getAttribute("data-bulk-progress");
  var bar = section.querySelector("progress");
  var delay = 1500;

  function show(data) {
    if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    ["percent", "status_label", "processed", "total", "enrolled", "rejected"].forEach(function (name) {
      var field = section.querySelector('[data-field="' + name + '"]');
      if (field && data[name] !== undefined) field.textContent = String(data[name]);
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        delay = 1500;
        if (data.finished) { window.location.reload(); return; }
        setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);
        setTimeout(poll, delay);
      });
  }

  var refresh = section.querySelector("[data-refresh]");
  if (refresh) refresh.hidden = true;
  setTimeout(poll, delay);
})();
