"""Chat as members live it, in Debian's chromium against a real Daphne:

1. two browsers in one room: what one types appears in the other without a reload, both ways;
2. one of them goes offline while the other sends ten messages: back online, it shows all
   ten, once each, in order;
3. on a phone-sized screen the room is usable: the composer is on screen, a message sent
   appears;
4. the hostile payloads (tests/hostile_input.py: the shared list and our own), in messages and in a member's
   name, never run nor inject an element, rendered by the server or arriving live;
5. edits, reactions and deletions reach the other browser; older messages load in place;
6. a private group: its unread messages in the header badge, and a member removed from it
   sees at once that they can no longer read or write there.

The room of each test is created through `manage.py shell` (the demo seed's rooms are not
relied on); the server, browser and member's logged-in state are the fixtures of
tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from playwright.sync_api import expect

from tests.browser.support import DEMO_PASSWORD, log_in
from tests.hostile_input import hostile_payloads

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 10_000
MESSAGES = ".chat-log li[data-message-id]"

# Elements and attributes that must never come out of a message's rendering.
FIND_INJECTIONS = """(root) => {
  const forbidden = new Set(["script", "iframe", "object", "embed", "form", "input", "button",
    "textarea", "select", "svg", "math", "style", "link", "meta", "base", "img", "details",
    "body", "html", "template", "video", "audio", "source", "frame", "frameset"]);
  const found = [];
  for (const part of root.querySelectorAll(".chat-body, .chat-author, [data-online-list], [data-typing]")) {
    for (const element of part.querySelectorAll("*")) {
      const tag = element.tagName.toLowerCase();
      if (forbidden.has(tag)) found.push("<" + tag + ">");
      for (const attribute of element.attributes) {
        const name = attribute.name.toLowerCase();
        if (name.startsWith("on") || name === "style" || name === "srcdoc") {
          found.push(tag + "[" + name + "]");
        }
        if (/^\\s*(javascript|vbscript|data):/i.test(attribute.value)) found.push(tag + "[" + name + "]");
      }
    }
  }
  return found;
}"""


# --- set-up -------------------------------------------------------------------------------


def _shell(server, code: str) -> dict:
    """Run Python in the server's environment (database, settings); it prints one JSON line."""
    result = server.manage("shell", "-c", textwrap.dedent(code))
    return json.loads(result.stdout.strip().splitlines()[-1])


def _new_room(server, slug: str) -> str:
    """A network room of the prevention network (officer@ and member@ both read it)."""
    room = _shell(
        server,
        f"""
        import json
        from chat.models import Room
        from network.models import Network

        prevention = Network.objects.get(slug="prevention")
        room, _ = Room.objects.get_or_create(
            slug={slug!r}, defaults={{"kind": "network", "name": "Journeys {slug}", "network": prevention}}
        )
        print(json.dumps({{"url": "/chat/" + room.slug + "/"}}))
        """,
    )
    return room["url"]


@pytest.fixture(scope="module")
def officer_state(browser, server):
    context = browser.new_context(base_url=server.url, locale="en-US")
    try:
        page = context.new_page()
        log_in(page, "officer@example.org")
        return context.storage_state()
    finally:
        context.close()


def _open(new_context, state, path: str, *, accept_dialogs: bool = False, **options):
    """A page of `path` in a new context; its dialogs are recorded (and dismissed, unless
    `accept_dialogs`: a "Delete this message?" confirmation, for example)."""
    context = new_context(storage_state=state, **options)
    page = context.new_page()
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept() if accept_dialogs else dialog.dismiss()

    page.on("dialog", answer)
    page.dialogs = dialogs
    page.goto(path)
    if path.rstrip("/") == "/chat":
        expect(page.locator("body")).to_have_attribute("data-socket-state", "connected")
    else:
        _wait_for_room(page)
    return page


def _wait_for_room(page) -> None:
    """The socket is open and the room's stream answered its subscribe."""
    expect(page.locator("body")).to_have_attribute("data-socket-state", "connected")
    expect(page.locator("[data-chat-room][data-chat-subscribed]")).to_have_count(1)


def _send(page, text: str) -> None:
    composer = page.locator("textarea[data-chat-composer]")
    composer.fill(text)
    page.locator("[data-chat-send]").click()
    expect(composer).to_have_value("")


def _message(page, text: str):
    return page.locator(MESSAGES, has_text=text)


def _ids(page) -> list[int]:
    return page.eval_on_selector_all(MESSAGES, "nodes => nodes.map((node) => Number(node.dataset.messageId))")


# --- 1. live, both ways -------------------------------------------------------------------


def test_a_message_typed_in_one_browser_appears_in_the_other_both_ways(
    server, new_context, member_state, officer_state
):
    path = _new_room(server, "journey-live")
    member = _open(new_context, member_state, path)
    officer = _open(new_context, officer_state, path)

    _send(member, "Hola, ¿cómo organizan las patrullas comunitarias?")
    expect(_message(officer, "patrullas comunitarias")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    _send(officer, "Com conselhos de segurança em cada bairro.")
    expect(_message(member, "conselhos de segurança")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)

    # Each side's own message was acknowledged: one copy, no "sending…" left.
    for page in (member, officer):
        expect(page.locator(".chat-log li.is-pending")).to_have_count(0)
        expect(_message(page, "patrullas comunitarias")).to_have_count(1)
        expect(_message(page, "conselhos de segurança")).to_have_count(1)
    # Both are shown as online to each other.
    expect(member.locator("[data-online-list]")).to_contain_text("Olivier")
    assert member.dialogs == [] and officer.dialogs == []


# --- 2. offline, then back ------------------------------------------------------------------


def test_a_reader_who_was_offline_gets_every_missed_message_once_and_in_order(
    server, new_context, member_state, officer_state
):
    path = _new_room(server, "journey-offline")
    member = _open(new_context, member_state, path)
    officer = _open(new_context, officer_state, path)

    officer.context.set_offline(True)
    connection = officer.locator("[data-chat-connection]")
    expect(connection).to_have_attribute("data-state", re.compile("^(offline|reconnecting)$"))
    expect(connection).not_to_have_text("")

    texts = [f"Mensaje {number} de 10" for number in range(1, 11)]
    for text in texts:
        _send(member, text)
    expect(member.locator(".chat-log li.is-pending")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(_message(member, "de 10")).to_have_count(10)
    officer.wait_for_timeout(500)
    assert _message(officer, "de 10").count() == 0, "the offline page received messages"
    # What the offline reader writes waits, shown as such, and goes once the network is back.
    _send(officer, "Escrito sin conexión")
    waiting = officer.locator(".chat-log li.is-pending", has_text="Escrito sin conexión")
    expect(waiting).to_have_attribute("data-pending", "waiting")

    officer.context.set_offline(False)
    expect(connection).to_have_attribute("data-state", "connected", timeout=LIVE_TIMEOUT_MS)
    expect(_message(officer, "de 10")).to_have_count(10, timeout=LIVE_TIMEOUT_MS)
    expect(officer.locator(".chat-log li.is-pending")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(_message(member, "Escrito sin conexión")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(_message(officer, "Escrito sin conexión")).to_have_count(1)

    ids = _ids(officer)
    assert ids == sorted(ids) and len(ids) == len(set(ids)), f"messages out of order or repeated: {ids}"
    shown = officer.eval_on_selector_all(
        MESSAGES, "nodes => nodes.map((node) => node.querySelector('.chat-body').textContent.trim())"
    )
    assert [text for text in shown if text in texts] == texts, f"not each once and in order: {shown}"


# --- 3. a phone -----------------------------------------------------------------------------


def test_the_room_is_usable_on_a_phone(server, new_context, member_state):
    path = _new_room(server, "journey-phone")
    phone = _open(
        new_context,
        member_state,
        path,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    composer = phone.locator("textarea[data-chat-composer]")
    expect(composer).to_be_in_viewport()
    expect(phone.locator("[data-chat-send]")).to_be_in_viewport()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"

    composer.tap()
    composer.fill("Enviado desde el teléfono")
    phone.locator("[data-chat-send]").tap()
    message = _message(phone, "Enviado desde el teléfono")
    expect(message).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    expect(message).not_to_have_class(re.compile("is-pending"), timeout=LIVE_TIMEOUT_MS)
    expect(message).to_be_in_viewport()
    expect(composer).to_be_in_viewport()


# --- 4. hostile input ----------------------------------------------------------------------


def _payloads() -> list[str]:
    return hostile_payloads()


def test_hostile_messages_and_names_never_run_nor_inject_markup(server, new_context, member_state):
    payloads = _payloads()
    path = _new_room(server, "journey-hostile")
    # Two members whose names are payloads: one has posted every payload before the page
    # loads, the other types some live (and logs in, so it needs a password).
    _shell(
        server,
        f"""
        import json
        from allauth.account.models import EmailAddress
        from django.test import override_settings
        from chat.models import Room
        from chat.services import post_message
        from network.models import Membership, Network, User

        prevention = Network.objects.get(slug="prevention")
        users = {{}}
        for username, name in (("hostile", {payloads[1]!r}), ("hostile-writer", {payloads[2]!r})):
            user, _ = User.objects.get_or_create(
                username=username, defaults={{"email": username + "@example.org", "display_name": name}}
            )
            user.set_password({DEMO_PASSWORD!r})
            user.save()
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={{"verified": True, "primary": True}}
            )
            Membership.objects.get_or_create(user=user, network=prevention)
            users[username] = user
        room = Room.objects.get(slug="journey-hostile")
        with override_settings(PUENTE_CHAT_MESSAGES_PER_WINDOW=0):
            for body in {payloads!r}:
                post_message(users["hostile-writer"], room, body)
        print(json.dumps({{"ok": True}}))
        """,
    )
    reader = _open(new_context, member_state, path)
    expect(reader.locator(MESSAGES)).to_have_count(len(payloads))
    assert reader.evaluate(FIND_INJECTIONS, reader.locator("[data-chat-room]").element_handle()) == []

    # Live: the hostile member types payloads; the reader's page builds them from the socket.
    hostile_context = new_context()
    hostile = hostile_context.new_page()
    hostile.on("dialog", lambda dialog: (reader.dialogs.append(dialog.message), dialog.dismiss()))
    log_in(hostile, "hostile@example.org")
    hostile.goto(path)
    _wait_for_room(hostile)
    live = payloads[:5]
    for body in live:
        _send(hostile, body)
    expect(reader.locator(MESSAGES)).to_have_count(len(payloads) + len(live), timeout=LIVE_TIMEOUT_MS)
    # Typing is announced at most every 3 s (and a message clears its author's notice).
    hostile.wait_for_timeout(3200)
    hostile.locator("textarea[data-chat-composer]").press_sequentially("<img src=x onerror=alert(1)>")
    expect(reader.locator("[data-typing]")).not_to_have_text("", timeout=LIVE_TIMEOUT_MS)
    for page in (reader, hostile):
        assert page.evaluate(FIND_INJECTIONS, page.locator("[data-chat-room]").element_handle()) == []
    reader.reload()
    _wait_for_room(reader)
    assert reader.evaluate(FIND_INJECTIONS, reader.locator("[data-chat-room]").element_handle()) == []
    assert reader.dialogs == [], f"a payload ran: {reader.dialogs}"


# --- 5. edits, reactions, deletions, older messages -----------------------------------------


def test_edits_reactions_and_deletions_reach_the_other_browser_and_older_messages_load_in_place(
    server, new_context, member_state, officer_state
):
    path = _new_room(server, "journey-changes")
    _shell(
        server,
        """
        import json
        from django.test import override_settings
        from chat.models import Room
        from chat.services import post_message
        from network.models import Membership, Network, User

        archivist, _ = User.objects.get_or_create(username="archivist", defaults={"email": "a@example.org"})
        Membership.objects.get_or_create(user=archivist, network=Network.objects.get(slug="prevention"))
        room = Room.objects.get(slug="journey-changes")
        with override_settings(PUENTE_CHAT_MESSAGES_PER_WINDOW=0):
            for number in range(1, 61):
                post_message(archivist, room, f"Archivo {number}")
        print(json.dumps({"ok": True}))
        """,
    )
    member = _open(new_context, member_state, path, accept_dialogs=True)
    officer = _open(new_context, officer_state, path)

    expect(member.locator(MESSAGES)).to_have_count(50)
    expect(member.locator(MESSAGES).last).to_be_in_viewport()  # the page opens on the latest
    member.evaluate("window.stillTheSamePage = true")
    member.locator("[data-older-link]").click()
    expect(member.locator(MESSAGES)).to_have_count(60)
    expect(member.locator("[data-older]")).to_be_hidden()
    assert member.evaluate("window.stillTheSamePage === true"), "the page was reloaded"
    ids = _ids(member)
    assert ids == sorted(ids) and len(set(ids)) == 60

    _send(member, "Primera versión")
    mine = _message(member, "Primera versión")
    expect(mine).not_to_have_class(re.compile("is-pending"))
    expect(_message(officer, "Primera versión")).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    message_id = mine.get_attribute("data-message-id")
    mine = member.locator(f"li[data-message-id='{message_id}']")

    mine.locator("[data-action='edit']").click()
    editor = mine.locator(".chat-edit textarea")
    expect(editor).to_have_value("Primera versión")
    editor.fill("Versión **corregida**")
    editor.press("Enter")
    seen = officer.locator(f"li[data-message-id='{message_id}']")
    expect(seen.locator(".chat-body strong")).to_have_text("corregida", timeout=LIVE_TIMEOUT_MS)
    expect(seen.locator(".chat-edited")).to_be_visible()
    expect(mine.locator(".chat-edit")).to_have_count(0)

    seen.locator("[data-action='react']").click()
    seen.locator(".chat-reaction-choice[data-kind='like']").click()
    expect(mine.locator(".chat-reaction[data-kind='like']")).to_have_attribute("data-count", "1")
    expect(seen.locator(".chat-reaction[data-kind='like']")).to_have_attribute("data-count", "1")

    mine.locator("[data-action='delete']").click()
    expect(seen).to_have_class(re.compile("is-deleted"), timeout=LIVE_TIMEOUT_MS)
    expect(seen.locator(".chat-placeholder")).to_be_visible()
    expect(seen.locator(".chat-body")).not_to_contain_text("corregida")
    expect(seen.locator("[data-reactions] [data-kind]")).to_have_count(0)
    assert len(member.dialogs) == 1 and officer.dialogs == []  # "Delete this message?"


# --- 6. a private group: the badge, and a member removed ------------------------------------


def test_a_private_groups_unread_messages_show_in_the_badge_and_a_removed_member_is_shut_out(
    server, new_context, member_state, officer_state
):
    owner = _open(new_context, member_state, "/chat/", accept_dialogs=True)
    form = owner.locator("form[action$='/chat/new/group/']")
    form.locator("input[name='name']").fill("Grupo de trabajo de puertos")
    form.locator("input[name='members']").fill("officer")
    form.locator("button[type='submit']").click()
    owner.wait_for_url(re.compile(r"/chat/grupo-de-trabajo-de-puertos[\w-]*/$"))
    _wait_for_room(owner)
    _send(owner, "Reunión el jueves")
    _send(owner, "Traigan el informe")

    guest = _open(new_context, officer_state, "/chat/")
    badge = guest.locator("[data-chat-unread-badge]")
    expect(badge).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(badge.locator("[data-chat-unread-count]")).to_have_text("2")
    guest.locator("a.chat-room-name", has_text="Grupo de trabajo de puertos").click()
    _wait_for_room(guest)
    expect(_message(guest, "Traigan el informe")).to_have_count(1)
    expect(badge).to_be_hidden(timeout=LIVE_TIMEOUT_MS)

    owner.locator("[data-member-list] li:has(a[href*='/officer/']) button").click()
    expect(guest.locator("[data-revoked]")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(guest.locator("textarea[data-chat-composer]")).to_be_disabled()
    assert guest.reload().status == 404


# --- 7. accessibility -----------------------------------------------------------------------

RUN_AXE = """async () => {
  const results = await axe.run(document);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.help + " "
      + v.nodes.map((n) => n.target.join(" ")).join(", "));
}"""


@pytest.mark.parametrize("where", ["index", "room"])
def test_the_chat_pages_have_no_serious_accessibility_violation(
    server, new_context, member_state, axe_path, where
):
    path = "/chat/" if where == "index" else _new_room(server, "journey-axe")
    # Our Content-Security-Policy forbids inline scripts, and axe is injected inline.
    page = _open(new_context, member_state, path, bypass_csp=True)
    if where == "room":
        _send(page, "Un mensaje con **negrita** y un enlace https://example.org")
        expect(page.locator(".chat-log li.is-pending")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    page.add_script_tag(path=str(axe_path))
    violations = page.evaluate(RUN_AXE)
    assert not violations, "\n".join(violations)
