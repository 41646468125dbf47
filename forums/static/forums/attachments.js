/* Forum attachments: upload files as soon as they are chosen in the composer.
 *
 * Markup (inside a post form; the composer's forums/_composer.html has it):
 *   <div data-attachments data-upload-url="{% url 'forums:attachment_upload' %}"
 *        data-label-uploading="…" data-label-failed="…">   (labels optional, translated)
 *     <input type="file" data-attachment-input accept="…">   (no name: never posted with the form)
 *     <ul data-attachment-list></ul>
 *   </div>
 * `data-upload-url` may also sit on the input itself; the text goes into the form's
 * textarea[data-composer] (or its first textarea, or the one named by data-textarea).
 *
 * Each file is sent to the upload URL (multipart, CSRF token from the form). On success
 * the form gets <input type="hidden" name="attachment" value="<token>"> and the textarea
 * gets a Markdown link (an image for pictures) at the cursor; the server's refusal
 * (wrong type, too large…) is listed and read out.
 */
(function () {
  "use strict";

  var INPUTS = "[data-attachment-input], [data-forum-attachments]";

  function setting(input, name) {
    var holder = input.closest("[data-attachments]");
    return input.dataset[name] || (holder && holder.dataset[name]) || "";
  }

  function listFor(input) {
    var holder = input.closest("[data-attachments]") || input.form;
    var list = holder && holder.querySelector("[data-attachment-list]");
    if (!list) {
      list = document.createElement("ul");
      list.setAttribute("data-attachment-list", "");
      input.insertAdjacentElement("afterend", list);
    }
    list.setAttribute("aria-live", "polite");
    return list;
  }

  function textareaFor(input) {
    var selector = setting(input, "textarea");
    if (selector) return document.querySelector(selector);
    return input.form && (input.form.querySelector("textarea[data-composer]") || input.form.querySelector("textarea"));
  }

  function insertAtCursor(textarea, text) {
    if (!textarea) return;
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || start;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var gap = before && !/\n$/.test(before) ? "\n" : "";
    textarea.value = before + gap + text + "\n" + after;
    var caret = (before + gap + text + "\n").length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function fail(line, input, file, message) {
    line.className = "errorlist";
    line.setAttribute("role", "alert");
    line.textContent = file.name + ": " + (message || setting(input, "labelFailed") || "upload failed");
  }

  function upload(input, file) {
    var form = input.form;
    if (!form) return Promise.resolve();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var line = document.createElement("li");
    line.textContent = (setting(input, "labelUploading") || "…") + " " + file.name;   // text, never HTML
    listFor(input).appendChild(line);
    var body = new FormData();
    body.append("file", file);
    return fetch(setting(input, "uploadUrl"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok || !data.token) { fail(line, input, file, data.error); return; }
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "attachment";
        hidden.value = data.token;
        form.appendChild(hidden);
        line.textContent = data.filename + " ✓";
        insertAtCursor(textareaFor(input), data.markdown);
      });
    }).catch(function () { fail(line, input, file, ""); });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.matches(INPUTS)) return;
    if (!window.fetch || !window.FormData || !input.files) return;
    var files = Array.prototype.slice.call(input.files);
    var chain = Promise.resolve();
    files.forEach(function (file) { chain = chain.then(function () { return upload(input, file); }); });
    chain.then(function () { input.value = ""; });
  });
})();
