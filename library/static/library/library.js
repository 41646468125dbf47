// "Copy the citation": a button shown only when the Clipboard API is there.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        var live = document.getElementById("live-region");
        var label = button.getAttribute("data-copied-label");
        if (live) { live.textContent = label; }
        button.textContent = label;
      });
    });
  });
})();
