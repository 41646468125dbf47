"""Issue 5 as members live it, in Debian's chromium against a real Daphne:

(a) in two browser windows, one member replies in Portuguese with an @mention of the other,
    who sees the reply appear live and gets a notification;
(b) a member flags a post, a moderator hides it from the queue with a reason, and its
    author is told why (live, then on the topic page) while readers see a placeholder;
(c) the hostile payloads of /work/shared/data/xss-payloads.txt, each posted as a reply,
    never run script nor inject an element, live or after a reload.

The server, browser and logged-in states are the fixtures of tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from playwright.sync_api import expect

from network.seed import DEMO_TOTP_SECRET
from tests.browser.support import ROOT, log_in

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 10_000
DEFAULT_PAYLOADS = ROOT.parent / "shared" / "data" / "xss-payloads.txt"
PAYLOADS_FILE = Path(os.environ.get("PUENTE_XSS_PAYLOADS", DEFAULT_PAYLOADS))
CELERY = Path(sys.executable).parent / "celery"

# Elements and attributes that must never come out of a post's rendering.
FIND_INJECTIONS = """(root) => {
  const forbidden = new Set(["script", "iframe", "object", "embed", "form", "input", "button",
    "textarea", "select", "svg", "math", "style", "link", "meta", "base", "frame", "frameset",
    "details", "body", "html", "template", "video", "audio", "source"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "data", "xlink:href", "poster"]);
  const found = [];
  for (const body of root.querySelectorAll(".post-body")) {
    for (const element of body.querySelectorAll("*")) {
      const tag = element.tagName.toLowerCase();
      if (forbidden.has(tag)) found.push("<" + tag + ">");
      for (const attribute of element.attributes) {
        const name = attribute.name.toLowerCase();
        if (name.startsWith("on") || name === "style" || name === "srcdoc") {
          found.push(tag + "[" + name + "]");
        }
        if (urlAttributes.has(name) && /^\\s*(javascript|vbscript|data):/i.test(attribute.value)) {
          found.push(tag + "[" + name + "=" + attribute.value + "]");
        }
      }
      if (tag === "a" && element.hasAttribute("href")) {
        const rel = (element.getAttribute("rel") || "").split(/\\s+/);
        if (!["nofollow", "ugc", "noopener"].every((word) => rel.includes(word))) {
          found.push("a without rel=nofollow ugc noopener: " + element.getAttribute("href"));
        }
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


def _new_topic(server, *, title: str, author: str = "officer", replies: tuple = ()) -> dict:
    """A topic in a members-only category of the prevention network (officer@ and member@
    both read it), started by `author`, with `replies` as (username, body)."""
    return _shell(
        server,
        f"""
        import json
        from forums.models import Category
        from forums.services import post_reply, topic_create
        from network.models import Network, User

        category, _ = Category.objects.get_or_create(
            slug="browser-journeys",
            defaults={{"network": Network.objects.get(slug="prevention"), "name": "Browser journeys"}},
        )
        topic = topic_create(
            author=User.objects.get(username={author!r}), category=category, title={title!r},
            body="Como vocês organizam o policiamento comunitário?", language="pt-br",
        )
        posts = [
            post_reply(author=User.objects.get(username=username), topic=topic, body=body).number
            for username, body in {list(replies)!r}
        ]
        print(json.dumps({{"id": topic.pk, "url": topic.get_absolute_url(), "posts": posts}}))
        """,
    )


@pytest.fixture(scope="module")
def notification_worker(server):
    """With REDIS_URL, Celery tasks (the forum notifications) need a worker: start one on the
    server's settings. Without it tasks run eagerly inside the server process."""
    if not server.env.get("REDIS_URL") or server.env.get("CELERY_TASK_ALWAYS_EAGER", "").lower() == "true":
        yield None
        return
    command = [str(CELERY)] if CELERY.exists() else [sys.executable, "-m", "celery"]
    worker = subprocess.Popen(
        [*command, "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


@pytest.fixture(scope="module")
def officer_state(browser, server):
    context = browser.new_context(base_url=server.url, locale="pt-BR")
    try:
        page = context.new_page()
        log_in(page, "officer@example.org")
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def moderator_state(browser, server):
    """The demo moderator (prevention and police networks), two-factor passed."""
    context = browser.new_context(base_url=server.url, locale="pt-BR")
    try:
        page = context.new_page()
        log_in(page, "moderator@example.org", totp_secret=DEMO_TOTP_SECRET)
        return context.storage_state()
    finally:
        context.close()


def _open(new_context, state, path: str, *, locale: str = "pt-BR"):
    page = new_context(storage_state=state, locale=locale).new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.goto(path)
    return page


def _wait_for_socket(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-socket-state", "connected")
    page.wait_for_timeout(500)  # the page subscribes to its streams right after the socket opens


def _unread(page) -> int:
    return int(page.locator(".site-header [data-unread-count]").text_content().strip())


# --- (a) a reply with a mention, live in another window -----------------------------------


def test_a_reply_with_a_mention_in_portuguese_appears_live_and_notifies(
    server, new_context, member_state, officer_state, notification_worker
):
    topic = _new_topic(server, title="Policiamento comunitário nas favelas")
    path = "/pt-br" + topic["url"]

    reader = _open(new_context, officer_state, path)
    expect(reader.locator("html")).to_have_attribute("lang", "pt-br")
    _wait_for_socket(reader)
    unread_before = _unread(reader)

    writer = _open(new_context, member_state, path)
    expect(writer.locator("html")).to_have_attribute("lang", "pt-br")
    composer = writer.locator("form[data-reply-form] textarea[data-composer]")
    composer.click()
    composer.press_sequentially("Olá @offi", delay=20)
    suggestion = writer.locator("[data-mention-list] button", has_text="@officer")
    expect(suggestion).to_be_visible()
    suggestion.click()
    composer.press_sequentially("em Recife trabalhamos com conselhos comunitários de segurança.", delay=5)
    expect(composer).to_have_value(
        "Olá @officer em Recife trabalhamos com conselhos comunitários de segurança."
    )
    writer.locator("form[data-reply-form] button[type='submit']").click()
    expect(writer.locator("article#post-2")).to_contain_text("conselhos comunitários")

    # The other window: the reply arrives without a reload, the mention links the profile...
    live = reader.locator("[data-topic-stream] article#post-2")
    expect(live).to_contain_text("conselhos comunitários", timeout=LIVE_TIMEOUT_MS)
    expect(live.locator("a[href$='/network/members/officer/']")).to_have_count(1)
    # ...and the mention is a notification: a toast (it fades after 8 s) and the unread badge.
    expect(reader.locator(".toast").last).to_contain_text("Policiamento comunitário", timeout=LIVE_TIMEOUT_MS)
    expect(reader.locator(".site-header [data-unread-count]")).to_have_text(
        str(unread_before + 1), timeout=LIVE_TIMEOUT_MS
    )
    expect(reader.locator(".site-header [data-unread-badge]")).to_be_visible()
    assert reader.dialogs == [] and writer.dialogs == []


# --- (b) flag, hide with a reason, the author is told -------------------------------------


def test_a_moderator_hides_a_flagged_post_and_its_author_is_told_why(
    server, new_context, member_state, officer_state, moderator_state, notification_worker
):
    offensive = "Vocês da polícia são todos incompetentes e corruptos."
    reason = "Ataques pessoais não são permitidos neste fórum."
    topic = _new_topic(server, title="Avaliação de programas de prevenção", replies=(("member", offensive),))
    path = "/pt-br" + topic["url"]

    # A reader flags the post.
    reader = _open(new_context, officer_state, path)
    post = reader.locator("article[data-author='member']", has_text="incompetentes")
    post.locator("a.post-flag").click()
    reader.locator("input[name='reason'][value='offensive']").check()
    reader.locator("textarea[name='note']").fill("Ofende os colegas.")
    reader.locator("main form button[type='submit']").click()
    expect(reader.locator(".messages .success")).to_be_visible()

    # The author has the topic open.
    author = _open(new_context, member_state, path)
    _wait_for_socket(author)

    # The moderator finds it through the "Moderation" link and hides it with a reason.
    moderator = _open(new_context, moderator_state, "/pt-br/forums/")
    moderator.locator(".site-nav a[href$='/forums/moderation/']").click()
    queued = moderator.locator(".moderation-queue > li", has_text="incompetentes")
    expect(queued).to_contain_text("Ofende os colegas.")
    queued.locator("input[name='reason']").fill(reason)
    queued.locator("form[action$='/hide/'] button[type='submit']").click()
    expect(moderator.locator(".messages .success")).to_be_visible()
    expect(moderator.locator(".moderation-queue")).not_to_contain_text("incompetentes")

    # The author is told why, live, and sees the reason on the topic page.
    expect(author.locator(".toast").last).to_contain_text(reason, timeout=LIVE_TIMEOUT_MS)
    own = author.locator(f"article#post-{topic['posts'][0]}")
    expect(own.locator(".post-placeholder")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    author.reload()
    expect(own).to_contain_text(reason)
    expect(own).to_contain_text("incompetentes")

    # Readers see a placeholder, not the text.
    reader.goto(path)
    hidden = reader.locator(f"article#post-{topic['posts'][0]}")
    expect(hidden.locator(".post-placeholder")).to_be_visible()
    expect(hidden).not_to_contain_text("incompetentes")
    expect(hidden).not_to_contain_text(reason)


def test_a_reader_on_a_merged_topic_is_taken_to_the_topic_it_was_merged_into(
    server, new_context, member_state, moderator_state
):
    duplicate = _new_topic(server, title="Policiamento comunitário: dúvida repetida")
    kept = _new_topic(server, title="Policiamento comunitário: experiências")

    reader = _open(new_context, member_state, "/pt-br" + duplicate["url"])
    _wait_for_socket(reader)

    moderator = _open(new_context, moderator_state, "/pt-br" + duplicate["url"])
    moderator.get_by_role("link", name="Moderar este tópico").click()
    moderator.locator("input[name='action'][value='merge']").check()
    moderator.locator("input[name='target']").fill(str(kept["id"]))
    moderator.locator("main form button[type='submit']").click()
    expect(moderator.locator(".messages .success")).to_be_visible()

    # The reader's open page follows the topic into the one it was merged into, in Portuguese.
    expect(reader).to_have_url(re.compile(rf"/pt-br/forums/t/{kept['id']}/"), timeout=LIVE_TIMEOUT_MS)
    expect(reader.locator("main")).to_contain_text("Como vocês organizam o policiamento comunitário?")


# --- (c) hostile payloads -----------------------------------------------------------------


def _payloads() -> list[str]:
    if not PAYLOADS_FILE.is_file():
        pytest.skip(f"no payload list at {PAYLOADS_FILE}")
    return [line for line in PAYLOADS_FILE.read_text().splitlines() if line.strip()]


def test_hostile_payloads_posted_as_replies_never_run_nor_inject(
    server, new_context, officer_state, admin_state
):
    payloads = _payloads()
    topic = _new_topic(server, title="Cargas hostis")
    path = "/pt-br" + topic["url"]

    # A reader keeps the topic open: every reply arrives live (its HTML set by forums.js).
    reader = _open(new_context, officer_state, path)
    _wait_for_socket(reader)

    # DPS staff post them (rendering does not depend on the author; staff are not rate limited).
    writer = _open(new_context, admin_state, path, locale="en-US")
    for payload in payloads:
        composer = writer.locator("form[data-reply-form] textarea[data-composer]")
        composer.fill(payload)
        writer.locator("form[data-reply-form] button[type='submit']").click()
        writer.wait_for_load_state()
        expect(writer.locator("form[data-reply-form] textarea[data-composer]")).to_have_value("")
    last = len(payloads) + 1

    expect(reader.locator(f"article#post-{last}")).to_be_attached(timeout=LIVE_TIMEOUT_MS)
    live_problems = reader.locator("[data-topic-stream]").evaluate(FIND_INJECTIONS)
    assert live_problems == [], live_problems

    pages = []
    for number in range(1, last + 1, 20):
        page = _open(new_context, officer_state, f"{path}?post={number}")
        expect(page.locator(f"article#post-{number}")).to_be_attached()
        pages.append(page)
        problems = page.locator("[data-topic-stream]").evaluate(FIND_INJECTIONS)
        assert problems == [], problems
        # Hover and click every link in the posts: nothing may run.
        for link in page.locator(".post-body a").all():
            link.hover()
        page.wait_for_timeout(300)
    # The template-looking payload stays text.
    everything = " ".join(page.locator("[data-topic-stream]").inner_text() for page in pages)
    assert "{{ 7*7 }}" in everything

    for page in (reader, writer, *pages):
        assert page.dialogs == [], page.dialogs
