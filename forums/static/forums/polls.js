/* Forum polls: send a vote without leaving the page (progressive enhancement).
 *
 * Without this script the poll form posts normally and the page comes back with a
 * message. With it, the vote goes through fetch(); the server answers JSON with the
 * poll's new HTML (rendered by the same template), which replaces the block, and the
 * message is read out by the poll's status line. Any failure falls back to a normal post.
 */
(function () {
  "use strict";

  function announce(section, text) {
    var status = section.querySelector("[data-poll-status]");
    if (status) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 50); }
  }

  function replace(section, html, text) {
    var holder = document.createElement("div");
    holder.innerHTML = html;   // the server's own rendering of forums/_poll.html
    var fresh = holder.querySelector("[data-poll]");
    if (!fresh) return;
    section.replaceWith(fresh);
    announce(fresh, text);
    var heading = fresh.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-poll-form")) return;
    if (!window.fetch || !window.FormData) return;
    var section = form.closest("[data-poll]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().then(function (data) { return { response: response, data: data }; });
    }).then(function (result) {
      var data = result.data || {};
      if (data.html && section) {
        replace(section, data.html, data.ok ? data.message : data.error);
      } else {
        form.submit();
      }
    }).catch(function () {
      form.submit();
    });
  });
})();
