/* Forums: live topic pages and lists over Puente.socket, and the composer (preview,
 * reply/quote buttons, @mention suggestions, idempotent submits).
 *
 * Post HTML arriving on the socket was sanitised by the server (forums/rendering.py);
 * everything else (names, labels, counts) is set as text.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // --- composer ---------------------------------------------------------------------------

  function composer() { return document.querySelector("textarea[data-composer]"); }

  function insertText(textarea, text) {
    var start = textarea.selectionStart || textarea.value.length;
    var end = textarea.selectionEnd || start;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.focus();
    var caret = start + text.length;
    textarea.setSelectionRange(caret, caret);
  }

  document.querySelectorAll("form").forEach(function (form) {
    var clientId = form.querySelector("[data-client-id]");
    if (clientId && !clientId.value) clientId.value = newClientId();
    // A double click or a resend after a network error stores the reply once.
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button && form.hasAttribute("data-reply-form")) {
        setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });

  document.querySelectorAll("[data-preview-button]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = button.closest("form");
      var textarea = form.querySelector("textarea[data-composer]");
      var box = form.querySelector("[data-preview]");
      var target = form.querySelector("[data-preview-body]");
      var data = new FormData();
      data.append("body", textarea.value);
      if (button.getAttribute("data-topic")) data.append("topic", button.getAttribute("data-topic"));
      fetch(button.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (result) {
        box.hidden = false;
        if (result.html !== undefined) {
          target.innerHTML = result.html;  // sanitised by the server
        } else {
          target.textContent = result.detail || "";
        }
      });
    });
  });

  document.querySelectorAll("[data-reply-button]").forEach(function (button) {
    button.addEventListener("click", function () {
      var textarea = composer();
      if (!textarea) return;
      var post = button.closest("article");
      var replyTo = textarea.form.querySelector("input[name=reply_to]");
      if (replyTo) replyTo.value = button.getAttribute("data-number");
      var author = post && post.getAttribute("data-author");
      insertText(textarea, author ? "@" + author + " " : "");
    });
  });

  document.querySelectorAll("[data-quote-button]").forEach(function (button) {
    button.addEventListener("click", function () {
      var textarea = composer();
      if (!textarea) return;
      var post = button.closest("article");
      var selection = window.getSelection ? String(window.getSelection()) : "";
      var body = post.querySelector(".post-body");
      var text = selection && body.contains(window.getSelection().anchorNode) ? selection : body.textContent;
      text = text.replace(/\n{3,}/g, "\n\n").trim().slice(0, 1000);
      insertText(textarea, "[quote=" + button.getAttribute("data-number") + "]\n" + text + "\n[/quote]\n\n");
    });
  });

  // @mention suggestions among the people who can read the topic.
  document.querySelectorAll("textarea[data-mentions-url]").forEach(function (textarea) {
    var list = textarea.parentNode.querySelector("[data-mention-list]");
    if (!list) return;
    var timer = null;
    function currentWord() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(^|\s)@([\w.+-]{1,60})$/.exec(before);
      return match ? match[2] : null;
    }
    function choose(username) {
      var word = currentWord();
      if (word === null) return;
      var start = textarea.selectionStart - word.length;
      textarea.setSelectionRange(start, textarea.selectionStart);
      insertText(textarea, username + " ");
      list.hidden = true;
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      var word = currentWord();
      if (!word) { list.hidden = true; return; }
      timer = setTimeout(function () {
        var url = textarea.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(word);
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (result) {
            list.textContent = "";
            (result.results || []).forEach(function (person) {
              var item = document.createElement("li");
              var button = document.createElement("button");
              button.type = "button";
              button.className = "link";
              button.setAttribute("role", "option");
              button.textContent = "@" + person.username + " · " + person.name;
              button.addEventListener("click", function () { choose(person.username); });
              item.appendChild(button);
              list.appendChild(item);
            });
            list.hidden = !list.children.length;
          });
      }, 200);
    });
  });

  // Reactions without a page reload (the form still works without JavaScript).
  function setCounts(article, counts) {
    if (!article) return;
    Object.keys(counts).forEach(function (kind) {
      var button = article.querySelector(".reaction[data-kind='" + kind + "']");
      if (!button) return;
      var count = button.querySelector("[data-count]");
      if (count) count.textContent = counts[kind];
      if (counts[kind]) button.removeAttribute("data-zero"); else button.setAttribute("data-zero", "");
    });
  }

  document.querySelectorAll("form[data-reactions]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) return;
      event.preventDefault();
      var data = new FormData(form);
      data.append("kind", button.value);
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (result) {
        if (!result.counts) return;
        button.classList.toggle("is-mine", result.added);
        button.setAttribute("aria-pressed", result.added ? "true" : "false");
        setCounts(form.closest("article"), result.counts);
      });
    });
  });

  // --- live topic page --------------------------------------------------------------------

  var socket = window.Puente && window.Puente.socket;
  var section = document.querySelector("[data-topic-stream]");

  function findPost(id) { return section.querySelector("article[data-post-id='" + id + "']"); }

  function placeholder(article, label) {
    var body = article.querySelector(".post-body");
    body.textContent = "";
    var p = document.createElement("p");
    p.className = "post-placeholder";
    p.textContent = section.getAttribute(label);
    body.appendChild(p);
  }

  function buildPost(data) {
    var template = document.getElementById("post-template");
    var article = template.content.firstElementChild.cloneNode(true);
    article.id = "post-" + data.number;
    article.setAttribute("data-post-id", data.id);
    article.setAttribute("data-number", data.number);
    article.classList.add("is-live");
    var author = article.querySelector(".post-author");
    if (data.author) {
      author.textContent = data.author.name;
      author.href = "/network/members/" + encodeURIComponent(data.author.username) + "/";
      article.setAttribute("data-author", data.author.username);
    }
    var number = article.querySelector(".post-number");
    number.textContent = "#" + data.number;
    number.href = "#post-" + data.number;
    var time = article.querySelector("time");
    time.setAttribute("datetime", data.created_at);
    time.textContent = new Date(data.created_at).toLocaleString(document.documentElement.lang);
    article.querySelector(".post-body").innerHTML = data.html;  // sanitised by the server
    return article;
  }

  if (socket && section) {
    var lastPage = section.getAttribute("data-last-page") === "true";
    var since = parseInt(section.getAttribute("data-since"), 10) || null;
    var newReplies = document.querySelector("[data-new-replies]");
    var missed = 0;
    socket.subscribe(section.getAttribute("data-topic-stream"), function (frame) {
      var data = frame.data || {};
      var article = data.id ? findPost(data.id) : null;
      if (frame.event === "topic.merged") {
        // The topic now lives inside another one: follow it there (same-site paths only).
        if (typeof data.url === "string" && /^\/[^\/\\]/.test(data.url)) {
          var languagePrefix = /^\/(es|pt-br|fr)(?=\/)/;  // keep the reader's language, not the moderator's
          var prefix = (window.location.pathname.match(languagePrefix) || [""])[0];
          window.location.assign(prefix + data.url.replace(languagePrefix, ""));
        }
        return;
      }
      if (frame.event === "post.created") {
        if (article) return;
        if (!lastPage) {
          missed += 1;
          newReplies.hidden = false;
          newReplies.firstElementChild.textContent = section.getAttribute("data-label-new-replies") + " (" + missed + ")";
          return;
        }
        var built = buildPost(data);
        section.appendChild(built);
        if (window.Puente.announce && data.author) window.Puente.announce(data.author.name + ": #" + data.number);
      } else if (!article) {
        return;
      } else if (frame.event === "post.updated" || frame.event === "post.restored") {
        if (data.html) article.querySelector(".post-body").innerHTML = data.html;  // sanitised by the server
        article.classList.remove("is-hidden");
        var edited = article.querySelector(".post-edited");
        if (edited && data.edit_count) {
          edited.hidden = false;
          if (!edited.textContent) edited.textContent = section.getAttribute("data-label-edited");
        }
      } else if (frame.event === "post.hidden") {
        // Already rendered hidden by the server (a replay after a reload): the server chose
        // what this reader sees (the author and moderators keep the text and the reason).
        if (article.classList.contains("is-hidden")) return;
        article.classList.add("is-hidden");
        placeholder(article, "data-label-hidden");
      } else if (frame.event === "post.deleted") {
        article.classList.add("is-deleted");
        placeholder(article, "data-label-deleted");
      } else if (frame.event === "post.reactions") {
        setCounts(article, data.counts || {});
      }
    }, { since: since });
  }

  // --- live list page: "N new topics" ----------------------------------------------------

  var bar = document.querySelector("[data-new-topics]");
  if (socket && bar) {
    var seen = {};
    var count = 0;
    socket.subscribe(bar.getAttribute("data-stream"), function (frame) {
      if (frame.event !== "topic.created" || !frame.data || seen[frame.data.id]) return;
      if (document.querySelector("tr[data-topic-id='" + frame.data.id + "']")) return;
      seen[frame.data.id] = true;
      count += 1;
      var label = count === 1 ? bar.getAttribute("data-label-one")
        : bar.getAttribute("data-label-many").replace("NUMBER", count);
      bar.firstElementChild.textContent = label;
      bar.hidden = false;
      if (window.Puente.announce) window.Puente.announce(label);
    }, { since: parseInt(bar.getAttribute("data-since"), 10) || 0 });
  }
})();
