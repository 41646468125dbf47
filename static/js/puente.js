/* Puente's browser client: the one WebSocket of a tab, and small page behaviours.
 *
 * Puente.socket.subscribe(stream, onEvent, {since}) follows a stream; the client keeps the
 * last id seen per stream and, after a reconnect, subscribes again with `since` so the
 * server replays what was missed. Reconnects back off exponentially; the state
 * (connecting, connected, reconnecting, offline) is exposed as data-socket-state on <body>.
 */
(function () {
  "use strict";

  var body = document.body;

  function Socket(path) {
    this.path = path;
    this.streams = {};      // name -> {handlers: [], since: id|null}
    this.queue = [];        // frames waiting for an open socket
    this.attempt = 0;
    this.ws = null;
    this.pongTimer = null;
    this.setState("connecting");
    this.connect();
    var self = this;
    window.addEventListener("online", function () { self.connectSoon(0); });
    window.addEventListener("offline", function () { self.goOffline(); });
  }

  // The network is gone: a socket kept now may be half dead (what is sent on it is lost),
  // so close it. Frames wait in the queue; the "online" event reconnects and resubscribes
  // with `since`, which replays what was missed.
  Socket.prototype.goOffline = function () {
    var ws = this.ws;
    this.ws = null;
    clearTimeout(this.retryTimer);
    if (ws) {
      ws.onopen = ws.onclose = ws.onmessage = null;
      try { ws.close(); } catch (e) { /* already closed */ }
    }
    this.setState("offline");
  };

  Socket.prototype.setState = function (state) {
    this.state = state;
    body.setAttribute("data-socket-state", state);
    body.setAttribute("data-socket-label", body.getAttribute("data-label-" + state) || "");
  };

  Socket.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + this.path;
  };

  Socket.prototype.connect = function () {
    var self = this;
    var ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this.connectSoon();
      return;
    }
    this.ws = ws;
    ws.onopen = function () {
      self.attempt = 0;
      self.setState("connected");
      Object.keys(self.streams).forEach(function (name) { self.sendSubscribe(name); });
      var pending = self.queue.splice(0);
      pending.forEach(function (frame) { self.send(frame); });
    };
    ws.onmessage = function (message) {
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      self.handle(frame);
    };
    ws.onclose = function (event) {
      self.ws = null;
      if (event.code === 4001) {   // logged out elsewhere: stay closed
        self.setState("closed");
        return;
      }
      self.setState(navigator.onLine === false ? "offline" : "reconnecting");
      self.connectSoon();
    };
  };

  Socket.prototype.connectSoon = function (delay) {
    var self = this;
    if (this.ws || navigator.onLine === false) return;  // offline: the "online" event reconnects
    if (delay === undefined) {
      this.attempt += 1;
      delay = Math.min(30000, 500 * Math.pow(2, this.attempt)) * (0.5 + Math.random() / 2);
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(function () { if (!self.ws) self.connect(); }, delay);
  };

  Socket.prototype.send = function (frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
    } else {
      this.queue.push(frame);
    }
  };

  Socket.prototype.sendSubscribe = function (name) {
    var since = this.streams[name].since;
    this.send({ action: "subscribe", stream: name, since: since === undefined ? null : since });
  };

  Socket.prototype.subscribe = function (name, handler, options) {
    var entry = this.streams[name];
    if (!entry) {
      entry = this.streams[name] = { handlers: [], since: options && options.since !== undefined ? options.since : null };
      this.sendSubscribe(name);
    }
    entry.handlers.push(handler);
  };

  Socket.prototype.handle = function (frame) {
    if (frame.event === "heartbeat") { this.send({ action: "ping" }); return; }
    if (frame.event === "pong") return;
    var entry = frame.stream && this.streams[frame.stream];
    if (frame.event === "error") {
      document.dispatchEvent(new CustomEvent("puente:socket-error", { detail: frame }));
    }
    if (!entry) return;
    var data = frame.data || {};
    if (/\.created$/.test(frame.event) && typeof data.id === "number") {
      if (entry.since === null || data.id > entry.since) entry.since = data.id;
    }
    entry.handlers.forEach(function (handler) { handler(frame); });
  };

  function announce(text) {
    var region = document.getElementById("live-region");
    if (region) { region.textContent = ""; setTimeout(function () { region.textContent = text; }, 50); }
  }

  function setUnread(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (el) { el.textContent = count; });
    document.querySelectorAll("[data-unread-badge]").forEach(function (el) { el.hidden = !count; });
    body.setAttribute("data-unread", count);
  }

  function showToast(text, url) {
    var toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    var link = document.createElement("a");
    link.href = url || "/notifications/";
    link.textContent = text;   // text, never HTML: notification text is user-influenced
    toast.appendChild(link);
    document.body.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  function prependToList(data) {
    var list = document.querySelector("[data-notification-list]");
    if (!list) return;
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "notification unread";
    var link = document.createElement("a");
    link.href = data.url || "/notifications/";
    link.textContent = data.text;
    item.appendChild(link);
    list.insertBefore(item, list.firstChild);
  }

  // Navigation toggle on small screens.
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      document.getElementById("site-nav").classList.toggle("open", !open);
    });
  }

  // Forms that undo something ask first.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // The language switcher submits on change; its button remains for keyboards and no-JS.
  var languageSelect = document.getElementById("language-select");
  if (languageSelect) {
    languageSelect.addEventListener("change", function () { languageSelect.form.submit(); });
  }

  window.Puente = { announce: announce, setUnread: setUnread };

  var socketPath = body.getAttribute("data-socket");
  if (socketPath && "WebSocket" in window) {
    var socket = new Socket(socketPath);
    window.Puente.socket = socket;
    var lastSeen = null;
    try { lastSeen = JSON.parse(sessionStorage.getItem("puente.user.since")); } catch (e) { lastSeen = null; }
    socket.subscribe("user", function (frame) {
      var data = frame.data || {};
      if (frame.event === "notification.created") {
        try { sessionStorage.setItem("puente.user.since", JSON.stringify(data.id)); } catch (e) { /* private mode */ }
        if (lastSeen === null || data.id > lastSeen) {
          showToast(data.text, data.url);
          announce(data.text);
          prependToList(data);
        }
        lastSeen = data.id;
      }
      if (typeof data.unread_count === "number") setUnread(data.unread_count);
    }, { since: lastSeen });
  }
})();
