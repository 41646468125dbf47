"""Notifications reach an open page live, through the WebSocket, without a reload."""

import os
import textwrap

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LIVE_TIMEOUT_MS = 10_000


def _open_member_notifications(new_context, member_state):
    page = new_context(storage_state=member_state).new_page()
    page.goto("/notifications/")
    expect(page.locator("body")).to_have_attribute("data-socket-state", "connected")
    # The socket subscribes to the `user` stream right after it opens: give it a moment.
    page.wait_for_timeout(500)
    return page


def _unread(page) -> int:
    return int(page.locator(".site-header [data-unread-count]").text_content().strip())


def test_a_live_notification_appears_without_reload(new_context, member_state, admin_state):
    member_page = _open_member_notifications(new_context, member_state)
    before = _unread(member_page)

    # Staff post an announcement: the server process notifies every member, whatever the
    # channel layer (in-memory or Redis).
    admin_page = new_context(storage_state=admin_state).new_page()
    admin_page.goto("/notifications/announce/")
    form = admin_page.locator("main form:has(input[name='title'])")
    form.locator("input[name='title']").fill("Live test")
    form.locator("textarea[name='body']").fill("Posted by the browser tests.")
    form.locator("button[type='submit']").click()
    expect(admin_page.locator(".messages .success")).to_be_visible()

    expect(member_page.locator(".toast")).to_contain_text("Live test", timeout=LIVE_TIMEOUT_MS)
    expect(member_page.locator(".site-header [data-unread-count]")).to_have_text(
        str(before + 1), timeout=LIVE_TIMEOUT_MS
    )
    expect(member_page.locator(".site-header [data-unread-badge]")).to_be_visible()
    expect(member_page.locator("[data-notification-list] li").first).to_contain_text("Live test")


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs REDIS_URL: the in-memory channel layer cannot reach another process",
)
def test_a_notification_sent_by_another_process_arrives_through_redis(new_context, member_state, server):
    member_page = _open_member_notifications(new_context, member_state)
    before = _unread(member_page)

    # A separate process (like a Celery worker) notifies: only the Redis layer links them.
    code = textwrap.dedent(
        """
        from network.models import User
        from network.services import notify
        notify(user=User.objects.get(email="member@example.org"), verb="network.announcement",
               params={"title": "Live test from another process"}, actor=None)
        """
    )
    server.manage("shell", "-c", code)

    expect(member_page.locator(".toast").last).to_contain_text(
        "Live test from another process", timeout=LIVE_TIMEOUT_MS
    )
    expect(member_page.locator(".site-header [data-unread-count]")).to_have_text(
        str(before + 1), timeout=LIVE_TIMEOUT_MS
    )
