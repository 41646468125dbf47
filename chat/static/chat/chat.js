/* Chat in the browser, over the tab's one WebSocket (Puente.socket, static/js/puente.js).
 *
 * On every page of a signed-in member: the header's chat badge (unread messages), kept
 * current by `chat.unread` and `chat.read` on the member's `user` stream.
 * On a room page: the room live on `chat.room.<slug>` (messages in id order and never
 * twice, edits, deletions, reactions, who is online, who is typing), sending over the
 * socket with an immediate "sending…" copy, and "Show older messages" without a reload.
 *
 * Only a message's `body_html` (sanitised by the server, chat/rendering.py) is inserted as
 * HTML; names, labels, counts and the text of a message not yet acknowledged are text.
 */
(function () {
  "use strict";

  if (window.PuenteChat) return;  // the script is already running in this page
  window.PuenteChat = {};

  var socket = window.Puente && window.Puente.socket;
  var room = document.querySelector("[data-chat-room]");
  var openRoom = room ? room.getAttribute("data-chat-room") : null;

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Older phones: a version 4 UUID from the best randomness available.
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) {
      crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // Replace a placeholder with text taken literally ("$&" in a name stays "$&").
  function fill(template, placeholder, value) {
    return template.replace(placeholder, function () { return value; });
  }

  // --- the header badge ---------------------------------------------------------------------

  function makeBadge() {
    var link = null;
    document.querySelectorAll("#site-nav a[href]").forEach(function (a) {
      if (!link && /^\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?chat\/$/.test(a.pathname)) link = a;
    });
    if (!link) return null;
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.hidden = true;
    badge.setAttribute("data-chat-unread-badge", "");
    var count = document.createElement("span");
    count.setAttribute("data-chat-unread-count", "");
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = " " + (document.body.getAttribute("data-label-chat-unread") || "");
    badge.appendChild(count);
    badge.appendChild(label);
    link.appendChild(document.createTextNode(" "));
    link.appendChild(badge);
    return { badge: badge, count: count };
  }

  var badge = makeBadge();
  var unread = { total: 0, rooms: {}, muted: [] };

  function showUnread() {
    var total = Math.max(0, unread.total);
    if (badge) {
      badge.count.textContent = total;
      badge.badge.hidden = !total;
    }
    document.querySelectorAll("[data-room-unread]").forEach(function (element) {
      var count = unread.rooms[element.getAttribute("data-room-unread")];
      if (typeof count !== "number") return;
      element.querySelector("[data-count]").textContent = count;
      element.hidden = !count;
    });
  }

  function onUserFrame(frame) {
    var data = frame.data || {};
    if (frame.event === "chat.unread") {
      if (typeof data.total === "number") {          // the whole state (after a replay)
        unread.total = data.total;
        unread.rooms = data.rooms || {};
        unread.muted = data.muted || [];
      } else if (data.room && data.room !== openRoom) {  // a nudge: one more message elsewhere
        unread.rooms[data.room] = (unread.rooms[data.room] || 0) + 1;
        unread.total += 1;
      }
      showUnread();
    } else if (frame.event === "chat.read" && data.room) {
      // A muted room's messages were never in the total.
      if (unread.muted.indexOf(data.room) < 0) unread.total -= unread.rooms[data.room] || 0;
      unread.rooms[data.room] = 0;
      showUnread();
    }
  }

  if (socket) socket.subscribe("user", onUserFrame);

  // --- a room -------------------------------------------------------------------------------

  var log = room && room.querySelector("[data-chat-log]");
  if (!log) return;

  var stream = room.getAttribute("data-stream");
  var roomUrl = room.getAttribute("data-room-url");
  var myId = parseInt(room.getAttribute("data-user-id"), 10);
  var live = room.getAttribute("data-live") === "true";
  var canSend = room.getAttribute("data-can-send") === "true";
  var canModerate = room.getAttribute("data-can-moderate") === "true";
  var isMember = room.getAttribute("data-member") === "true";
  var language = document.documentElement.lang || undefined;
  var template = document.getElementById("chat-message-template");
  var form = room.querySelector("[data-chat-form]");
  var composer = form && form.querySelector("[data-chat-composer]");
  var errorBox = form && form.querySelector("[data-chat-error]");
  var connection = room.querySelector("[data-chat-connection]");
  var typingLine = room.querySelector("[data-typing]");
  var bottom = room.querySelector(".chat-bottom");
  var revoked = false;
  var pending = [];       // messages sent and not yet acknowledged, oldest first
  var subscribedOnce = false;
  var lastReadSent = parseInt(room.getAttribute("data-since"), 10) || 0;
  var newWhileAway = 0;   // on a page of older messages: new ones not shown

  function label(name) { return room.getAttribute("data-label-" + name) || ""; }

  var reactionChoices = [];
  var choices = document.getElementById("chat-reaction-choices");
  if (choices) {
    choices.content.querySelectorAll("[data-kind]").forEach(function (button) {
      reactionChoices.push({
        kind: button.getAttribute("data-kind"),
        emoji: button.getAttribute("data-emoji"),
        label: button.getAttribute("aria-label")
      });
    });
  }

  function sendOnRoom(fields) {
    var frame = { action: "send", stream: stream };
    Object.keys(fields).forEach(function (key) { frame[key] = fields[key]; });
    socket.send(frame);
    return frame;
  }

  function connected() { return socket && socket.state === "connected"; }

  // --- messages in the log ----------------------------------------------------------------

  function messageNode(id) { return log.querySelector("li[data-message-id='" + id + "']"); }
  function messageNodes() { return log.querySelectorAll("li[data-message-id]"); }
  function idOf(node) { return parseInt(node.getAttribute("data-message-id"), 10); }

  function highestId() {
    var nodes = messageNodes();
    return nodes.length ? idOf(nodes[nodes.length - 1]) : 0;
  }

  function formatTime(time) {
    var date = new Date(time.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    try {
      time.textContent = date.toLocaleString(language, { dateStyle: "short", timeStyle: "short" });
    } catch (e) {
      time.textContent = date.toLocaleString();
    }
  }

  function profileUrl(username) {
    return fill(room.getAttribute("data-profile-url"), "USERNAME", encodeURIComponent(username));
  }

  function setReactions(node, counts) {
    var box = node.querySelector("[data-reactions]");
    box.textContent = "";
    reactionChoices.forEach(function (choice) {
      var count = counts[choice.kind];
      if (!count) return;
      var chip = document.createElement(canSend ? "button" : "span");
      chip.className = "chat-reaction";
      chip.setAttribute("data-kind", choice.kind);
      chip.setAttribute("data-count", count);
      chip.textContent = choice.emoji + " " + count;
      if (canSend) {
        chip.type = "button";
        chip.title = choice.label;
        chip.setAttribute("aria-label", choice.label + ": " + count);
      }
      box.appendChild(chip);
    });
  }

  function readReactions(node) {
    var counts = {};
    node.querySelectorAll("[data-reactions] [data-kind]").forEach(function (chip) {
      counts[chip.getAttribute("data-kind")] = parseInt(chip.getAttribute("data-count"), 10) || 0;
    });
    return counts;
  }

  function actionButton(action, text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.setAttribute("data-action", action);
    button.textContent = text;
    return button;
  }

  // Buttons a message gets in this page (the server renders none: they need the socket).
  function enhance(node) {
    var old = node.querySelector(".chat-actions");
    if (old) old.remove();
    var time = node.querySelector("time");
    if (time) formatTime(time);
    if (!socket || !node.hasAttribute("data-message-id") || node.classList.contains("is-deleted")) return;
    var own = parseInt(node.getAttribute("data-author-id"), 10) === myId;
    var actions = document.createElement("span");
    actions.className = "chat-actions";
    if (canSend && !revoked) actions.appendChild(actionButton("react", label("react")));
    if (own && canSend && !revoked) actions.appendChild(actionButton("edit", label("edit")));
    if ((own || canModerate) && !revoked) actions.appendChild(actionButton("delete", label("delete")));
    var reportUrl = room.getAttribute("data-report-url");
    if (!own && reportUrl && !revoked) {
      var report = document.createElement("a");
      report.href = fill(reportUrl, "2147483647", node.getAttribute("data-message-id"));
      report.textContent = label("report");
      actions.appendChild(report);
    }
    if (actions.children.length) node.querySelector(".chat-message-head").appendChild(actions);
  }

  function showState(node, data) {
    var body = node.querySelector(".chat-body");
    if (data.deleted) {
      node.classList.add("is-deleted");
      node.removeAttribute("data-body");
      body.textContent = "";
      var placeholder = document.createElement("p");
      placeholder.className = "chat-placeholder";
      placeholder.textContent = label("deleted");
      body.appendChild(placeholder);
      stopEdit(node);
    } else {
      body.innerHTML = data.body_html;  // sanitised by the server
      if (data.author && data.author.id === myId) node.setAttribute("data-body", data.body);
    }
    var edited = node.querySelector(".chat-edited");
    edited.textContent = label("edited");
    edited.hidden = !data.edited_at || data.deleted;
    setReactions(node, data.deleted ? {} : data.reactions || {});
    enhance(node);
  }

  function buildMessage(data) {
    var node = template.content.firstElementChild.cloneNode(true);
    node.id = "message-" + data.id;
    node.setAttribute("data-message-id", data.id);
    var author = data.author || {};
    node.setAttribute("data-author-id", author.id === null || author.id === undefined ? "" : author.id);
    if (data.client_id) node.setAttribute("data-client-id", data.client_id);
    var name = node.querySelector(".chat-author");
    if (author.username) {
      name.textContent = author.name || author.username;
      name.href = profileUrl(author.username);
    } else {
      name.textContent = label("former-member");
      name.removeAttribute("href");
    }
    node.querySelector("time").setAttribute("datetime", data.created_at);
    node.querySelector(".chat-time").href = roomUrl + "?around=" + data.id + "#message-" + data.id;
    showState(node, data);
    return node;
  }

  // Messages stay in id order; acknowledged or not-yet-sent ones wait at the end.
  function insertById(node) {
    var id = idOf(node);
    var nodes = messageNodes();
    for (var i = nodes.length - 1; i >= 0; i--) {
      if (idOf(nodes[i]) < id) {
        nodes[i].parentNode.insertBefore(node, nodes[i].nextSibling);
        return;
      }
    }
    log.insertBefore(node, nodes.length ? nodes[0] : log.firstChild);
    var empty = document.querySelector("[data-chat-empty]");
    if (empty) empty.remove();
  }

  // How far the last message's bottom is below the part of the screen the sticky composer
  // leaves free (negative: it is in sight).
  function belowSight() {
    var last = log.lastElementChild;
    if (!last) return 0;
    var free = window.innerHeight - (bottom ? bottom.offsetHeight : 0);
    return last.getBoundingClientRect().bottom - free;
  }

  function nearBottom() { return belowSight() < 200; }

  function scrollToBottom() {
    var distance = belowSight();
    if (distance > 0) window.scrollBy(0, distance);
  }

  // --- pending messages ---------------------------------------------------------------------

  function setPendingStatus(entry) {
    entry.node.querySelector("[data-status]").textContent = connected() ? label("sending") : label("waiting");
    entry.node.setAttribute("data-pending", connected() ? "sending" : "waiting");
  }

  function addPending(text) {
    var node = template.content.firstElementChild.cloneNode(true);
    var clientId = newClientId();
    node.classList.add("is-pending");
    node.setAttribute("data-client-id", clientId);
    var name = node.querySelector(".chat-author");
    name.textContent = room.getAttribute("data-user-name");
    name.href = profileUrl(room.getAttribute("data-username"));
    var time = node.querySelector("time");
    time.setAttribute("datetime", new Date().toISOString());
    formatTime(time);
    node.querySelector(".chat-time").removeAttribute("href");
    var paragraph = document.createElement("p");
    paragraph.className = "chat-pending-text";
    paragraph.textContent = text;
    node.querySelector(".chat-body").appendChild(paragraph);
    log.appendChild(node);
    var empty = document.querySelector("[data-chat-empty]");
    if (empty) empty.remove();
    var entry = { clientId: clientId, body: text, node: node, onWire: connected() };
    entry.frame = sendOnRoom({ body: text, client_id: clientId });
    pending.push(entry);
    setPendingStatus(entry);
    scrollToBottom();
  }

  function takePending(clientId) {
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].clientId === clientId) return pending.splice(i, 1)[0];
    }
    return null;
  }

  function keepText(text) {
    if (!composer) return;
    composer.value = composer.value.trim() ? text + "\n" + composer.value : text;
  }

  function showError(text) {
    if (!errorBox) return;
    errorBox.textContent = text;
    errorBox.hidden = !text;
    if (composer) {
      if (text) composer.setAttribute("aria-invalid", "true"); else composer.removeAttribute("aria-invalid");
    }
  }

  // The server answers a socket's frames in order: an error that arrives while a message
  // is unanswered is that message's refusal. Its text goes back into the box.
  function onError(frame) {
    var entry = null;
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].onWire) { entry = pending.splice(i, 1)[0]; break; }
    }
    if (entry) {
      entry.node.remove();
      keepText(entry.body);
    }
    var editing = log.querySelector(".chat-edit");
    if (!entry && editing) {
      var problem = editing.querySelector(".chat-error");
      problem.textContent = frame.detail || "";
      problem.hidden = false;
      return;
    }
    showError(frame.detail || "");
  }

  // --- editing ------------------------------------------------------------------------------

  function startEdit(node) {
    if (node.querySelector(".chat-edit")) return;
    var box = document.createElement("div");
    box.className = "chat-edit";
    var area = document.createElement("textarea");
    area.rows = 3;
    area.value = node.getAttribute("data-body") || node.querySelector(".chat-body").textContent.trim();
    area.setAttribute("aria-label", label("edit"));
    var problem = document.createElement("p");
    problem.className = "chat-error";
    problem.setAttribute("role", "alert");
    problem.hidden = true;
    var save = actionButton("save", label("save"));
    save.className = "";
    var cancel = actionButton("cancel", label("cancel"));
    box.appendChild(problem);
    box.appendChild(area);
    box.appendChild(save);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(cancel);
    node.querySelector(".chat-body").hidden = true;
    node.querySelector(".chat-body").parentNode.insertBefore(box, node.querySelector("[data-reactions]"));
    area.addEventListener("keydown", function (event) {
      if (event.key === "Escape") stopEdit(node);
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !coarsePointer()) {
        event.preventDefault();
        saveEdit(node);
      }
    });
    area.focus();
  }

  function saveEdit(node) {
    var box = node.querySelector(".chat-edit");
    if (!box) return;
    var text = box.querySelector("textarea").value;
    if (text === node.getAttribute("data-body")) { stopEdit(node); return; }
    box.setAttribute("data-saving", "");
    sendOnRoom({ type: "edit", id: idOf(node), body: text });
  }

  function stopEdit(node) {
    var box = node.querySelector(".chat-edit");
    if (box) box.remove();
    node.querySelector(".chat-body").hidden = false;
  }

  // --- reactions picker ------------------------------------------------------------------

  function togglePicker(node) {
    var open = node.querySelector(".chat-picker");
    if (open) { open.remove(); return; }
    var picker = document.createElement("span");
    picker.className = "chat-picker";
    reactionChoices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chat-reaction-choice";
      button.setAttribute("data-kind", choice.kind);
      button.setAttribute("aria-label", choice.label);
      button.title = choice.label;
      button.textContent = choice.emoji;
      picker.appendChild(button);
    });
    node.querySelector("[data-reactions]").appendChild(picker);
    picker.firstChild.focus();
  }

  log.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    var node = button && button.closest("li[data-message-id]");
    if (!node || !log.contains(node) || !socket) return;
    var id = idOf(node);
    var action = button.getAttribute("data-action");
    if (button.classList.contains("chat-reaction") || button.classList.contains("chat-reaction-choice")) {
      sendOnRoom({ type: "react", id: id, reaction: button.getAttribute("data-kind") });
      var picker = node.querySelector(".chat-picker");
      if (picker) picker.remove();
    } else if (action === "react") {
      togglePicker(node);
    } else if (action === "edit") {
      startEdit(node);
    } else if (action === "save") {
      saveEdit(node);
    } else if (action === "cancel") {
      stopEdit(node);
    } else if (action === "delete" && window.confirm(label("confirm-delete"))) {
      sendOnRoom({ type: "delete", id: id });
    }
  });

  // --- events of the room stream ----------------------------------------------------------

  function onCreated(data) {
    var entry = data.client_id ? takePending(data.client_id) : null;
    if (entry) entry.node.remove();
    if (data.author && data.author.id === myId && !isMember) {  // sending joins an open room
      isMember = true;
      var join = room.querySelector("[data-join-form]");
      if (join) join.hidden = true;
    }
    if (data.author) stopTyping(data.author.id);
    if (messageNode(data.id)) return;
    if (!live) {
      newWhileAway += 1;
      var bar = room.querySelector("[data-new-messages]");
      bar.firstElementChild.textContent = label("new-messages") + " (" + newWhileAway + ")";
      bar.hidden = false;
      return;
    }
    var follow = entry || nearBottom();
    insertById(buildMessage(data));
    if (follow) scrollToBottom();
    scheduleRead();
  }

  function onChanged(event, data) {
    var node = messageNode(data.id);
    if (!node) return;
    if (event === "message.reactions") {
      setReactions(node, data.reactions || {});
      return;
    }
    var box = node.querySelector(".chat-edit");
    var saved = box && box.hasAttribute("data-saving");
    showState(node, data);
    if (saved || data.deleted) stopEdit(node);
  }

  var typing = {};  // user id -> {name, timer}

  function showTyping() {
    var names = Object.keys(typing).map(function (id) { return typing[id].name; });
    var text = "";
    if (names.length === 1) text = fill(label("typing-one"), "NAME", names[0]);
    else if (names.length === 2) text = fill(fill(label("typing-two"), "FIRST", names[0]), "SECOND", names[1]);
    else if (names.length > 2) text = label("typing-many");
    typingLine.textContent = text;
  }

  function stopTyping(userId) {
    if (!typing[userId]) return;
    clearTimeout(typing[userId].timer);
    delete typing[userId];
    showTyping();
  }

  function onTyping(data) {
    var person = data.user || {};
    if (!person.id || person.id === myId || revoked) return;
    if (typing[person.id]) clearTimeout(typing[person.id].timer);
    typing[person.id] = {
      name: person.name || person.username,
      timer: setTimeout(function () { stopTyping(person.id); }, 5000)
    };
    showTyping();
  }

  function onPresence(data) {
    var count = room.querySelector("[data-online-count]");
    var list = room.querySelector("[data-online-list]");
    if (count) count.textContent = data.count || 0;
    var online = {};
    if (list) list.textContent = "";
    (data.members || []).forEach(function (person) {
      online[person.id] = true;
      if (!list) return;
      var item = document.createElement("li");
      item.setAttribute("data-user-id", person.id);
      item.textContent = person.name || person.username;
      list.appendChild(item);
    });
    room.querySelectorAll("[data-member-list] li[data-user-id]").forEach(function (item) {
      item.classList.toggle("is-online", !!online[item.getAttribute("data-user-id")]);
    });
  }

  function onRevoked() {
    revoked = true;
    var notice = room.querySelector("[data-revoked]");
    notice.textContent = label("revoked");
    notice.hidden = false;
    if (form) {
      form.querySelectorAll("textarea, button").forEach(function (element) { element.disabled = true; });
    }
    pending.splice(0).forEach(function (entry) { entry.node.remove(); keepText(entry.body); });
    typing = {};
    showTyping();
    messageNodes().forEach(enhance);
  }

  // After a reconnect: a message that was on the wire when the connection dropped may not
  // have reached the server. Sending it again is safe: its client_id stores it once.
  function onSubscribed() {
    pending.forEach(function (entry) {
      if (entry.onWire && subscribedOnce) socket.send(entry.frame);
      entry.onWire = true;
      setPendingStatus(entry);
    });
    subscribedOnce = true;
    room.setAttribute("data-chat-subscribed", "");
  }

  function onRoomFrame(frame) {
    var data = frame.data || {};
    switch (frame.event) {
      case "subscribed": onSubscribed(); break;
      case "message.created": onCreated(data); break;
      case "message.updated":
      case "message.deleted":
      case "message.reactions": onChanged(frame.event, data); break;
      case "presence": onPresence(data); break;
      case "typing": onTyping(data); break;
      case "replay.partial":
        socket.send({ action: "subscribe", stream: stream, since: data.next_since });
        break;
      case "unsubscribed":
        if (data.reason === "revoked") onRevoked();
        break;
      case "error": onError(frame); break;
    }
  }

  // --- read position --------------------------------------------------------------------

  var readTimer = null;

  function markRead() {
    readTimer = null;
    if (!isMember || !live || revoked || document.visibilityState !== "visible") return;
    var id = highestId();
    if (!id || id <= lastReadSent) return;
    lastReadSent = id;
    sendOnRoom({ type: "read", id: id });
  }

  function scheduleRead() {
    if (!readTimer) readTimer = setTimeout(markRead, 1000);
  }

  // --- the composer ---------------------------------------------------------------------

  function coarsePointer() {
    return window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  }

  // True when the message went over the socket; false: the form posts itself.
  function sendFromComposer() {
    if (!socket || !live || revoked) return false;
    var text = composer.value;
    if (!text.trim()) {
      composer.focus();
      return true;
    }
    showError("");
    composer.value = "";
    addPending(text);
    composer.focus();
    return true;
  }

  if (form && composer) {
    form.addEventListener("submit", function (event) {
      if (sendFromComposer()) event.preventDefault();
    });
    composer.addEventListener("keydown", function (event) {
      // On a phone Enter starts a new line; the Send button sends.
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || coarsePointer()) return;
      event.preventDefault();
      if (!sendFromComposer()) form.submit();
    });
    var lastTyping = 0;
    composer.addEventListener("input", function () {
      var now = Date.now();
      if (!live || revoked || !composer.value.trim() || !connected() || now - lastTyping < 3000) return;
      lastTyping = now;
      sendOnRoom({ type: "typing" });
    });
  }

  // --- older messages -----------------------------------------------------------------------

  var older = room.querySelector("[data-older]");
  var olderLink = older && older.querySelector("[data-older-link]");
  if (olderLink && window.fetch) {
    olderLink.addEventListener("click", function (event) {
      event.preventDefault();
      var first = messageNodes()[0];
      var url = room.getAttribute("data-messages-url") + "?before=" + (first ? idOf(first) : "");
      var top = first ? first.getBoundingClientRect().top : 0;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (result) {
          result.messages.forEach(function (data) {
            if (!messageNode(data.id)) insertById(buildMessage(data));
          });
          if (first) window.scrollBy(0, first.getBoundingClientRect().top - top);  // keep the reader's place
          var newFirst = messageNodes()[0];
          older.hidden = !result.has_older;
          if (newFirst) olderLink.href = "?before=" + idOf(newFirst);
        })
        .catch(function () { showError(label("load-failed")); });
    });
  }

  // --- connection state ---------------------------------------------------------------------

  function showConnection() {
    var state = document.body.getAttribute("data-socket-state") || "";
    if (connection) {
      connection.setAttribute("data-state", state);
      connection.textContent = label(state) || document.body.getAttribute("data-socket-label") || "";
    }
    pending.forEach(setPendingStatus);
  }

  // --- start --------------------------------------------------------------------------------

  messageNodes().forEach(function (node) {
    if (!node.classList.contains("is-deleted")) setReactions(node, readReactions(node));
    enhance(node);
  });

  var highlighted = log.querySelector(".is-highlighted");
  if (highlighted) {
    highlighted.scrollIntoView({ block: "center" });
  } else if (live && !room.querySelector(".chat-results")) {
    scrollToBottom();
  }

  if (!socket) return;
  showConnection();
  new MutationObserver(showConnection).observe(document.body, {
    attributes: true, attributeFilter: ["data-socket-state"]
  });
  document.addEventListener("visibilitychange", markRead);
  var since = parseInt(room.getAttribute("data-since"), 10);
  socket.subscribe(stream, onRoomFrame, { since: isNaN(since) ? null : since });
})();
